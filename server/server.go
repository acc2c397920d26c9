// Package server is the network edge: it accepts clients on the configured
// listeners, runs one connection object per client (a reader loop, a writer
// that exists while there is output, a bounded send queue, the flood
// limiter and timeouts), and handles shutdown and configuration reloads.
package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/bans"
	"github.com/conference-irc/conference/commands"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// Version is the server's version string.
const Version = "conference-0.1.0"

// lookupCacheSize is how many nick lookups (name as typed -> holder) the
// routing LRU keeps.
const lookupCacheSize = 8192

// Options configure a Server.
type Options struct {
	// Config is the configuration to start with.
	Config *conf.Config
	// Reload loads a fresh configuration for REHASH, SIGHUP and the check
	// before RESTART.
	Reload func() (*conf.Config, error)
	// ReloadTimeout bounds how long a reload waits for Reload (a
	// configuration on a hung mount, a FIFO); 0 means 10 seconds.
	ReloadTimeout time.Duration
	// Logger receives the server's structured logs.
	Logger *slog.Logger
	// LogLevel, when set, is the level of Logger's handler; a reload sets
	// it to the new log.level.
	LogLevel *slog.LevelVar
	// Clock stamps messages (server-time) and times the read side's
	// deadlines and flood delays; nil means the system clock.
	Clock Clock
	// Die and Restart are called by the DIE and RESTART commands.
	Die, Restart func(reason string)
	// HTTP serves the requests that WebSocket listeners receive and that
	// are not WebSocket upgrades (pages, metrics); nil answers 404.
	HTTP http.Handler
	// ACMEClient reaches ACME certificate authorities (acme.go); nil means
	// http.DefaultClient. Tests give one that trusts their test CA.
	ACMEClient *http.Client
	// ACMERenewBefore is how long before expiry an ACME certificate is
	// renewed; 0 means 30 days. More than an hour, or it is ignored.
	ACMERenewBefore time.Duration
	// CloakSecret is the cloak key when cloaks.secret is empty, kept by
	// the caller across restarts (the database); nil means a new random
	// key at each start.
	CloakSecret []byte
	// Accounts is the account registry (nil: accounts off).
	Accounts *accounts.Registry
	// Bans are the server bans (nil: KLINE and DLINE unavailable).
	Bans *bans.List
	// History stores messages; nil keeps them in memory (when
	// history.enabled).
	History history.Store
}

// Server accepts and serves IRC clients.
type Server struct {
	log      *slog.Logger
	logLevel *slog.LevelVar
	disp     *commands.Dispatcher
	reload   func() (*conf.Config, error)
	clock    Clock
	web      http.Handler
	acme     acmeOptions

	poller        *poller
	handshakes    chan struct{} // TLS handshakes running (handshakeSlots)
	readBuffers   *sync.Pool
	writeBuffers  *sync.Pool
	stopPoller    sync.Once
	rehashMu      sync.Mutex
	loading       chan struct{} // holds a token while a configuration loads
	reloadTimeout time.Duration
	mu            sync.Mutex
	listeners     []*listener
	activated     int // how many sockets systemd handed in (RestartEnv)
	conns         map[*conn]struct{}
	perIP         map[netip.Prefix]int
	wg            sync.WaitGroup
	nextID        atomic.Uint64
	stopping      atomic.Bool
	stats         counters
}

// New builds a server from its options.
func New(opts Options) (*Server, error) {
	cm, err := users.ParseCasemapping(opts.Config.Server.Casemapping)
	if err != nil {
		return nil, fmt.Errorf("server.casemapping: %w", err)
	}
	reg, err := users.NewRegistry(cm, lookupCacheSize, opts.Config.Limits.Whowas)
	if err != nil {
		return nil, err
	}
	s := &Server{log: opts.Logger, logLevel: opts.LogLevel, reload: opts.Reload, clock: opts.Clock, conns: make(map[*conn]struct{}), perIP: make(map[netip.Prefix]int)}
	s.acme = acmeOptions{httpClient: opts.ACMEClient, renewBefore: opts.ACMERenewBefore}
	if s.web = opts.HTTP; s.web == nil {
		s.web = http.NotFoundHandler()
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.readBuffers = newReadBufferPool()
	s.handshakes = make(chan struct{}, handshakeSlots())
	s.writeBuffers = &sync.Pool{New: func() any {
		b := make([]byte, 0, writeChunk)
		return &b
	}}
	if s.poller, err = newPoller(s.log); err != nil {
		return nil, err
	}
	s.reloadTimeout = opts.ReloadTimeout
	if s.reloadTimeout <= 0 {
		s.reloadTimeout = defaultReloadTimeout
	}
	s.loading = make(chan struct{}, 1)
	hooks := commands.Hooks{Die: opts.Die, Restart: opts.Restart}
	if s.reload != nil {
		hooks.Rehash = s.Rehash
		hooks.CheckRestart = s.CheckRestart
	}
	s.disp, err = commands.New(commands.Options{
		Config: opts.Config, Users: reg, Clock: s.clock.Now, Random: rand.Reader,
		Hooks: hooks, Version: Version, Logger: s.log, CloakSecret: opts.CloakSecret,
		Accounts: opts.Accounts, Bans: opts.Bans,
		AfterFunc: func(d time.Duration, f func()) { s.clock.AfterFunc(d, f) },
		History:   opts.History,
	})
	if err != nil {
		return nil, fmt.Errorf("dispatcher: %w", err)
	}
	return s, nil
}

// Mount sets the handler of the HTTP listeners' requests that are not
// WebSocket upgrades (the web package's pages, metrics and API). Call it
// before Serve.
func (s *Server) Mount(h http.Handler) { s.web = h }

// Dispatcher exposes the command dispatcher (for tests and wiring).
func (s *Server) Dispatcher() *commands.Dispatcher { return s.disp }

// BindError explains a listener that could not be opened.
type BindError struct {
	Addr string
	Err  error
	// Exe is the running executable's path, named in the fixes for a
	// privileged port; empty when unknown.
	Exe string
}

func (e *BindError) Error() string {
	msg := fmt.Sprintf("cannot listen on %s: %v", e.Addr, e.Err)
	if errors.Is(e.Err, syscall.EACCES) {
		_, port, _ := net.SplitHostPort(e.Addr)
		msg += fmt.Sprintf("\nport %s is privileged (below 1024). Fix it one of three ways:\n"+
			"  1. %s\n"+
			"  2. run it under systemd: socket activation (contrib/systemd/conference.socket) or\n"+
			"     AmbientCapabilities=CAP_NET_BIND_SERVICE (see README)\n"+
			"  3. use a high port instead:  %s --listen :6667", port, setcapAdvice(e.Exe), exeOrName(e.Exe))
	}
	return msg
}

// setcapAdvice is the first fix for a privileged port: give the binary the
// capability. A binary that `go run` built in a temporary directory is
// gone at exit, so it is told to build one first.
func setcapAdvice(exe string) string {
	if exe == "" || isGoRunBinary(exe) {
		return "build the binary and let it bind the port:\n" +
			"       go build -o conferenced ./cmd/conferenced && sudo setcap cap_net_bind_service=+ep ./conferenced"
	}
	return "let the binary bind it:   sudo setcap cap_net_bind_service=+ep " + exe
}

// exeOrName is how to run the server again in a suggestion.
func exeOrName(exe string) string {
	if exe == "" || isGoRunBinary(exe) {
		return "go run ./cmd/conferenced"
	}
	return exe
}

// isGoRunBinary reports whether exe was built by `go run`, in the go
// tool's temporary build directory.
func isGoRunBinary(exe string) bool {
	return strings.Contains(exe, string(filepath.Separator)+"go-build")
}

func (e *BindError) Unwrap() error { return e.Err }

// forget drops a finished connection.
func (s *Server) forget(c *conn) {
	// The address's slot is free before the exit is logged or announced,
	// so whoever sees the disconnect may connect again at once.
	s.releaseIP(c.client.IP(), c.client.Exempt())
	s.disp.ClientExited(c.client, c.closeReason())
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// ipKey groups addresses for the per-IP limit: one IPv4 address, or one
// IPv6 /64 (what one host usually gets).
func ipKey(ip netip.Addr) netip.Prefix {
	if ip.Is4() {
		return netip.PrefixFrom(ip, 32)
	}
	p, _ := ip.Prefix(64)
	return p
}

// refuse tells a connection why it is not accepted and closes it.
func refuse(nc net.Conn, host, reason string) {
	nc.SetWriteDeadline(time.Now().Add(time.Second))
	nc.Write([]byte("ERROR :Closing Link: " + host + " (" + reason + ")\r\n"))
	nc.Close()
}

func remoteIP(nc net.Conn) netip.Addr {
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(ta.IP); ok {
			return ip.Unmap()
		}
	}
	return netip.IPv4Unspecified()
}

// hostFor renders the host shown for an IP; a leading ':' would break the
// protocol's nick!user@host parsing, so IPv6 such as ::1 shows as 0::1.
func hostFor(ip netip.Addr) string {
	h := ip.String()
	if h[0] == ':' {
		h = "0" + h
	}
	return h
}

func isExempt(cfg *conf.Config, ip netip.Addr) bool {
	for _, p := range cfg.ExemptNets() {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Shutdown stops accepting, tells every client why, and waits up to
// timeout for their connections to finish.
func (s *Server) Shutdown(reason string, timeout time.Duration) {
	s.stopping.Store(true)
	s.closeListeners()
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close(reason)
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		for _, c := range conns {
			c.nc.Close()
		}
		// Closed sockets end their quit paths at once; do not hang the
		// process on one that cannot.
		select {
		case <-done:
		case <-time.After(time.Second):
			s.log.Warn("stopping with connections still closing")
		}
	}
	s.stopPoller.Do(s.poller.close)
	s.log.Info("stopped", "clients", strconv.Itoa(len(conns)))
}
