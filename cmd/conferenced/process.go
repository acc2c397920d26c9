package main

import (
	"log/slog"
	"os"
	"syscall"
)

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

// reexec replaces the process with a fresh copy of itself (RESTART).
func reexec(log *slog.Logger) int {
	exe, err := os.Executable()
	if err != nil {
		log.Error("restart: cannot find own executable", "err", err)
		return 1
	}
	err = syscall.Exec(exe, os.Args, os.Environ())
	log.Error("restart failed", "err", err)
	return 1
}
