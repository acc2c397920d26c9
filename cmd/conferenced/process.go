package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"syscall"

	"github.com/conference-irc/conference/server"
)

// servePprof serves the Go profiler on addr, for measuring the server.
func servePprof(addr string, log *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("pprof listening", "addr", l.Addr().String())
	go func() { _ = http.Serve(l, mux) }()
	return nil
}

// raiseFileLimit lifts the soft open-file limit to the hard one, so the
// server can hold as many clients as the system allows, and logs the figure.
func raiseFileLimit(log *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		log.Warn("cannot read the open-file limit", "err", err)
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			log.Warn("cannot raise the open-file limit", "err", err)
		}
	}
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	log.Info("open-file limit", "soft", lim.Cur, "hard", lim.Max)
}

// reexec replaces the process with a fresh copy of itself (RESTART),
// handing on the sockets of socket activation.
func reexec(srv *server.Server, log *slog.Logger) int {
	exe, err := os.Executable()
	if err != nil {
		log.Error("restart: cannot find own executable", "err", err)
		return 1
	}
	env, err := srv.RestartEnv(os.Environ())
	if err != nil {
		log.Error("restart failed", "err", err)
		return 1
	}
	err = syscall.Exec(exe, os.Args, env)
	log.Error("restart failed", "err", err)
	return 1
}
