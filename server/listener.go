package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// listener is one listening socket and what its clients speak: plain IRC
// on the poller, TLS (handshake first, then the poller), or HTTP that
// upgrades to IRC over WebSocket.
type listener struct {
	net.Listener
	block conf.Listener
	certs *certSource // TLS listeners with certificate files only
	acme  *acmeCerts  // TLS listeners with certificates from ACME only
	tls   *tls.Config // TLS listeners only
	http  *http.Server
}

// Listen opens every configured listener, or takes it from systemd when
// the process was started by socket activation; on any failure it closes
// the ones already opened.
func (s *Server) Listen() error {
	inherited, err := activationListeners()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.activated = len(inherited)
	s.mu.Unlock()
	var lc net.ListenConfig
	for i, block := range s.disp.Config().AllListeners() {
		l, ok := inherited.take(block.Address)
		if !ok {
			if l, err = lc.Listen(context.Background(), "tcp", block.Address); err != nil {
				closeAll(inherited)
				s.closeListeners()
				exe, _ := os.Executable()
				return &BindError{Addr: block.Address, Err: err, Exe: exe}
			}
		}
		ln, err := s.newListener(l, block)
		if err != nil {
			l.Close()
			closeAll(inherited)
			s.closeListeners()
			return fmt.Errorf("listener %d (%s): %w", i, block.Address, err)
		}
		s.mu.Lock()
		s.listeners = append(s.listeners, ln)
		s.mu.Unlock()
		s.log.Info("listening", "addr", l.Addr().String(), "tls", block.Secure(), "websocket", block.WebSocket.Enabled, "activated", ok)
	}
	if len(inherited) > 0 {
		err := fmt.Errorf("socket activation handed in %s, which no listener in the configuration names", inherited[0].Addr())
		closeAll(inherited)
		s.closeListeners()
		return err
	}
	return nil
}

// newListener wraps a listening socket for its block.
func (s *Server) newListener(l net.Listener, block conf.Listener) (*listener, error) {
	ln := &listener{Listener: l, block: block}
	switch {
	case block.TLS.ACME.Enabled():
		ln.acme = newACME(block.TLS.ACME, s.acme, s.log)
		ln.tls = ln.acme.tlsConfig(newTLSConfig(&certSource{}))
	case block.Secure():
		cert := block.Certificate()
		if cert == nil {
			return nil, errors.New("no certificate loaded")
		}
		ln.certs = &certSource{}
		ln.certs.cert.Store(cert)
		ln.tls = newTLSConfig(ln.certs)
	}
	if block.WebSocket.Enabled || block.HTTP {
		ln.http = s.newHTTPServer(ln)
	}
	return ln, nil
}

// Addrs are the addresses actually listened on (useful with port 0), in
// the order of Config.AllListeners.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, 0, len(s.listeners))
	for _, l := range s.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// Serve accepts clients on every listener until Shutdown.
func (s *Server) Serve() {
	s.mu.Lock()
	ls := append([]*listener(nil), s.listeners...)
	s.mu.Unlock()
	done := make(chan struct{}, len(ls))
	for _, l := range ls {
		if l.acme != nil {
			// The CA's challenge connects to the listener: ask for the
			// certificate once the listener serves.
			go l.acme.prefetch()
		}
		go func() {
			defer func() { done <- struct{}{} }()
			if l.http != nil {
				s.serveHTTP(l)
				return
			}
			s.serveIRC(l)
		}()
	}
	for range ls {
		<-done
	}
}

// acceptLoop accepts on l until it closes, handing each connection to
// handle; it backs off on errors such as running out of descriptors.
func (s *Server) acceptLoop(l net.Listener, handle func(net.Conn)) {
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off, keep serving.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		handle(nc)
	}
}

// serveIRC accepts IRC clients (plain, TLS, behind a proxy) on l.
func (s *Server) serveIRC(l *listener) {
	s.acceptLoop(l.Listener, func(nc net.Conn) {
		tcp, ok := nc.(*net.TCPConn)
		if !ok {
			nc.Close()
			return
		}
		if l.block.Proxy {
			go s.acceptProxied(tcp, l)
			return
		}
		if l.tls != nil {
			go s.handshakeTLS(tcp, l.tls, s.disp.Config().Timeouts.Handshake, remoteIP(tcp))
			return
		}
		s.acceptPlain(tcp, remoteIP(tcp))
	})
}

// acceptPlain admits a plain-text connection from ip: the lean path,
// where the poller reads the socket itself.
func (s *Server) acceptPlain(tcp *net.TCPConn, ip netip.Addr) {
	raw, exempt, ok := s.reserve(tcp, ip)
	if !ok {
		if raw != nil && !s.stopping.Load() {
			refuse(tcp, hostFor(ip), "Too many connections from your IP address")
		}
		tcp.Close()
		return
	}
	s.admit(admission{nc: tcp, raw: raw, src: rawReader{raw}, ip: ip, exempt: exempt, poll: true})
}

// reserve takes a new socket's RawConn and counts its client's address
// (the socket's peer, or what a PROXY header gave) against the per-IP
// limit. Not ok: the limit is reached or the server stops, or the socket
// is unusable (raw is nil).
func (s *Server) reserve(tcp *net.TCPConn, ip netip.Addr) (raw syscall.RawConn, exempt, ok bool) {
	raw, err := tcp.SyscallConn()
	if err != nil {
		return nil, false, false
	}
	exempt, ok = s.reserveIP(ip)
	return raw, exempt, ok
}

// admission is a connection ready to become a client, whatever its
// transport: everything above the byte stream is the same for all.
type admission struct {
	nc        net.Conn        // where replies are written
	raw       syscall.RawConn // the TCP socket under it all
	src       io.Reader       // where lines are read; non-blocking: errWouldBlock when dry
	ip        netip.Addr
	exempt    bool // from reserveIP, which counted the connection
	transport users.Transport
	poll      bool // the poller watches raw for input
	kick      bool // input may be waiting already: look once now
}

// admit makes a client of a connection whose per-IP slot is reserved, and
// starts its read side.
func (s *Server) admit(a admission) *conn {
	if a.src == nil {
		a.src = a.nc
	}
	cfg := s.disp.Config()
	c := &conn{srv: s, nc: a.nc, raw: a.raw, host: hostFor(a.ip), kind: kindOf(a.transport)}
	c.client = users.NewClient(s.nextID.Add(1), c, a.ip, c.host, s.clock.Now(), a.exempt)
	c.client.SetTransport(a.transport)
	s.mu.Lock()
	if s.stopping.Load() {
		s.mu.Unlock()
		a.nc.Close()
		s.releaseIP(a.ip, a.exempt)
		return nil
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	s.stats.accepted[c.kind].Add(1)
	s.disp.Connected(c.client)
	s.log.Debug("accept", "id", c.client.ID(), "ip", a.ip.String(), "tls", a.transport.Secure, "websocket", a.transport.WebSocket)
	c.start(cfg, s.readBuffers, a.src)
	if a.poll {
		if err := s.poller.add(c); err != nil {
			s.log.Warn("cannot watch connection", "err", err)
			c.Close("Internal error")
			return c
		}
	}
	if a.kick {
		c.poke()
	}
	return c
}

// reserveIP counts a new connection from ip against the per-IP limit; it
// reports whether the address is exempt, and false when the limit is
// reached or the server is stopping.
func (s *Server) reserveIP(ip netip.Addr) (exempt, ok bool) {
	cfg := s.disp.Config()
	exempt = isExempt(cfg, ip)
	s.mu.Lock()
	if s.stopping.Load() {
		s.mu.Unlock()
		return exempt, false
	}
	if exempt {
		s.mu.Unlock()
		return true, true
	}
	key := ipKey(ip)
	if s.perIP[key] >= cfg.Limits.PerIP {
		s.mu.Unlock()
		s.log.Warn("connection refused", "ip", ip.String(), "reason", "too many connections from this address", "limit", cfg.Limits.PerIP)
		s.disp.ServerNotice("Connection refused from " + ip.String() + ": more than limits.perip (" + strconv.Itoa(cfg.Limits.PerIP) + ") connections")
		return false, false
	}
	s.perIP[key]++
	s.mu.Unlock()
	return false, true
}

// releaseIP gives back what reserveIP counted.
func (s *Server) releaseIP(ip netip.Addr, exempt bool) {
	if exempt {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := ipKey(ip)
	if s.perIP[key]--; s.perIP[key] <= 0 {
		delete(s.perIP, key)
	}
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.listeners {
		if l.http != nil {
			l.http.Close()
		}
		if l.acme != nil {
			l.acme.stop()
		}
		l.Close()
	}
	s.listeners = nil
}

// reloadCertificates hands each TLS listener the certificate of the same
// address in a new configuration. Connections already open keep their
// sessions; the next handshake uses the new certificate.
func (s *Server) reloadCertificates(next *conf.Config) {
	blocks := map[string]conf.Listener{}
	for _, b := range next.AllListeners() {
		blocks[b.Address] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.listeners {
		b, ok := blocks[l.block.Address]
		if !ok || b.Secure() != l.block.Secure() || b.WebSocket.Enabled != l.block.WebSocket.Enabled || b.HTTP != l.block.HTTP {
			s.log.Warn("listener changes take effect at the next restart", "addr", l.block.Address)
			continue
		}
		if l.certs != nil && b.Certificate() != nil {
			l.certs.cert.Store(b.Certificate())
		}
	}
	if len(blocks) != len(s.listeners) {
		s.log.Warn("added or removed listeners take effect at the next restart")
	}
}

// closeAll closes listeners nobody will serve.
func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}
