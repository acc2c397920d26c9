package server

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/conference-irc/conference/conf"
)

// Listeners marked with proxy take a PROXY header (proxyproto.go) before
// anything else, and only from the configured proxies. The header is read
// off the accept loop, within the handshake timeout, before the
// connection joins the poller: a slow or silent sender delays nobody and
// is dropped when its time is up.

// acceptProxied admits a connection to a plain or TLS proxy listener from
// the address its proxy gives. It runs on a goroutine of its own.
func (s *Server) acceptProxied(tcp *net.TCPConn, l *listener) {
	ip, ok := s.readProxied(tcp)
	if !ok {
		return
	}
	if l.tls != nil {
		s.handshakeTLS(tcp, l.tls, s.disp.Config().Timeouts.Handshake, ip)
		return
	}
	s.acceptPlain(tcp, ip)
}

// readProxied checks that a connection comes from a trusted proxy and
// reads its header; the address is the client's, or the proxy's own when
// the header gives none (a health check). Not ok: the connection is
// closed, and why is logged.
func (s *Server) readProxied(nc net.Conn) (netip.Addr, bool) {
	cfg := s.disp.Config()
	peer := remoteIP(nc)
	if !conf.Allows(cfg.ProxyNets(), peer) {
		s.log.Warn("PROXY listener: connection from an address not listed in proxies", "ip", peer.String())
		nc.Close()
		return netip.Addr{}, false
	}
	nc.SetReadDeadline(time.Now().Add(cfg.Timeouts.Handshake))
	ip, err := readProxyHeader(nc)
	nc.SetReadDeadline(time.Time{})
	if err != nil {
		s.log.Warn("PROXY listener: no valid header", "proxy", peer.String(), "err", err)
		nc.Close()
		return netip.Addr{}, false
	}
	if !ip.IsValid() {
		ip = peer
	}
	return ip, true
}

// proxyListener is a WebSocket proxy listener: the HTTP server accepts
// through it. Accept refuses untrusted proxies at once; the header itself
// is read on the connection's own goroutine, when the HTTP server first
// asks for its remote address, so a slow proxy never holds Accept.
type proxyListener struct {
	net.Listener
	srv *Server
}

// Accept returns the next connection from a trusted proxy.
func (l *proxyListener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer := remoteIP(nc)
		if conf.Allows(l.srv.disp.Config().ProxyNets(), peer) {
			return &proxyConn{Conn: nc, srv: l.srv}, nil
		}
		l.srv.log.Warn("PROXY listener: connection from an address not listed in proxies", "ip", peer.String())
		nc.Close()
	}
}

// proxyConn reads its PROXY header before anything else and then reports
// the client's address as its remote address.
type proxyConn struct {
	net.Conn
	srv    *Server
	once   sync.Once
	remote net.Addr
}

// header reads the header once; a bad one closes the connection.
func (c *proxyConn) header() {
	c.once.Do(func() {
		c.remote = c.Conn.RemoteAddr()
		if ip, ok := c.srv.readProxied(c.Conn); ok {
			c.remote = net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 0))
		}
	})
}

// RemoteAddr is the client's address as the proxy gave it.
func (c *proxyConn) RemoteAddr() net.Addr {
	c.header()
	return c.remote
}

// Read reads what follows the header.
func (c *proxyConn) Read(p []byte) (int, error) {
	c.header()
	return c.Conn.Read(p)
}
