// Package harness starts the real conference server on a free loopback
// port and drives it over TCP, for the end-to-end tests in tests/ and
// tests/interop/. Tests synchronise on replies (Expect, Sync), never on
// sleeps; every wait is bounded by Timeout and fails the test when it runs
// out.
package harness

import (
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/web"
)

// Timeout bounds every wait for a reply.
const Timeout = 10 * time.Second

// Server is a running server under test.
type Server struct {
	// Addr is the host:port to dial.
	Addr string
	// ConfigFile is the YAML file the server loaded; rewrite it and REHASH
	// to test reloads.
	ConfigFile string
	// Srv is the server itself.
	Srv *server.Server
	// Logs holds the server's log lines (also shown with go test -v);
	// it stays empty when the test gave a logger of its own.
	Logs *Logs
}

// Start runs a server configured by yaml (on top of the embedded defaults;
// listen is always a free loopback port) and stops it when the test ends.
// The environment is not read, so tests do not depend on the machine. The
// server has a fresh database in the test's temp dir (see openAccounts).
func Start(t testing.TB, yaml string) *Server {
	t.Helper()
	return StartWithClock(t, yaml, nil)
}

// StartWithClock is Start with the server's clock injected (nil: the
// system clock), so that a test can advance time by hand.
func StartWithClock(t testing.TB, yaml string, clock server.Clock) *Server {
	t.Helper()
	return StartWith(t, yaml, server.Options{Clock: clock})
}

// StartWith is Start with server options of the test's own (a clock, an
// ACME client, a logger to watch); the harness fills in the configuration
// and, when opts has none, the logger.
func StartWith(t testing.TB, yaml string, opts server.Options) *Server {
	t.Helper()
	file := filepath.Join(t.TempDir(), "conference.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatalf("write config: %v", err)
	}
	load := conf.Options{File: file, Environ: []string{}, Flags: map[string]any{"listen": []string{"127.0.0.1:0"}}}
	cfg, err := conf.Load(load)
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	logs := newLogs()
	if opts.Logger == nil {
		var logTo io.Writer = logs
		if testing.Verbose() {
			logTo = io.MultiWriter(logs, os.Stderr)
		}
		opts.Logger = slog.New(slog.NewTextHandler(logTo, nil))
	}
	opts.Config = cfg
	opts.Reload = func() (*conf.Config, error) { return conf.Load(load) }
	if opts.Accounts == nil {
		now := time.Now
		if opts.Clock != nil {
			now = opts.Clock.Now
		}
		opts.Accounts, opts.Bans = openAccounts(t, cfg, now, opts.Logger)
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	srv.Mount(web.New(web.Options{Dispatcher: srv.Dispatcher(), Edge: srv, Version: server.Version, Logger: opts.Logger}))
	if err := srv.Listen(); err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		srv.Serve()
		close(done)
	}()
	t.Cleanup(func() {
		srv.Shutdown("test over", 5*time.Second)
		<-done
	})
	return &Server{Addr: srv.Addrs()[0].String(), ConfigFile: file, Srv: srv, Logs: logs}
}

// WriteConfig replaces the server's YAML file (for REHASH tests).
func (s *Server) WriteConfig(t testing.TB, yaml string) {
	t.Helper()
	if err := os.WriteFile(s.ConfigFile, []byte(yaml), 0o600); err != nil {
		t.Fatalf("write config: %v", err)
	}
}

// Dial opens a raw TCP connection to the server.
func (s *Server) Dial(t testing.TB) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr, Timeout)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}
