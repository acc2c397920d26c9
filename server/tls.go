package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// certSource hands out a TLS listener's certificate. The pointer is swapped
// on REHASH, so renewed certificates reach new handshakes while every
// established connection keeps its session.
type certSource struct {
	cert atomic.Pointer[tls.Certificate]
}

// get is the listener's tls.Config.GetCertificate.
func (s *certSource) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c := s.cert.Load(); c != nil {
		return c, nil
	}
	return nil, errors.New("no certificate loaded")
}

// newTLSConfig is the server side of every TLS listener: TLS 1.2 and up,
// the certificate from src, and client certificates requested (never
// verified: a client certificate is an identity by its fingerprint, not a
// chain to a CA).
func newTLSConfig(src *certSource) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: src.get,
		ClientAuth:     tls.RequestClientCert,
	}
}

// wouldBlock is errWouldBlock as crypto/tls needs to see it: a temporary
// net.Error, which it returns without keeping it as the connection's
// error, so that the next read after the poller's next edge goes on.
type wouldBlock struct{}

func (wouldBlock) Error() string        { return errWouldBlock.Error() }
func (wouldBlock) Timeout() bool        { return true }
func (wouldBlock) Temporary() bool      { return true }
func (wouldBlock) Is(target error) bool { return target == errWouldBlock }

// tlsSocket is the TCP connection under a tls.Conn. During the handshake
// it reads like any net.Conn (blocking, bounded by a deadline); once the
// connection joins the poller, each read is one non-blocking attempt through
// the RawConn, exactly as on the plain path. That keeps TLS clients on the
// epoll path: no goroutine waits on an idle one.
type tlsSocket struct {
	*net.TCPConn
	raw    syscall.RawConn
	polled atomic.Bool
}

// Read reads for crypto/tls.
func (s *tlsSocket) Read(p []byte) (int, error) {
	if !s.polled.Load() {
		return s.TCPConn.Read(p)
	}
	n, err := rawReader{s.raw}.Read(p)
	if errors.Is(err, errWouldBlock) {
		return n, wouldBlock{}
	}
	return n, err
}

// tlsConn is a server-side TLS connection whose Close drops the TCP socket
// at once. tls.Conn.Close would first write close_notify, which can wait
// seconds on a client that stopped reading; the connection closes under
// its send-queue lock, which must never wait. The client has its ERROR
// line by then.
type tlsConn struct {
	*tls.Conn
	sock *tlsSocket
}

// Close closes the TCP socket under the TLS session.
func (c *tlsConn) Close() error { return c.sock.TCPConn.Close() }

// handshakeTLS runs the TLS handshake of a freshly accepted connection
// from ip within the handshake timeout, then admits it as a client on the
// poller.
// A client that sends garbage or never finishes is dropped without a word:
// it never spoke TLS, so there is nobody to tell.
func (s *Server) handshakeTLS(tcp *net.TCPConn, cfg *tls.Config, timeout time.Duration, ip netip.Addr) {
	raw, exempt, ok := s.reserve(tcp, ip)
	if !ok {
		tcp.Close() // no plain-text ERROR on a TLS port
		return
	}
	sock := &tlsSocket{TCPConn: tcp, raw: raw}
	tc, err := s.serverHandshake(sock, raw, cfg, timeout)
	if err != nil {
		s.log.Debug("TLS handshake failed", "ip", ip.String(), "err", err)
		tcp.Close()
		s.releaseIP(ip, exempt)
		return
	}
	if tc.ConnectionState().NegotiatedProtocol == acme.ALPNProto {
		// An ACME CA checking its challenge (acme.go), not a client.
		tcp.Close()
		s.releaseIP(ip, exempt)
		return
	}
	t := users.Transport{Secure: true}
	if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
		t.CertFP = conf.CertFP(certs[0].Raw)
	}
	sock.polled.Store(true)
	// Lines sent right behind the handshake may already sit decrypted in
	// the session, where no epoll edge will announce them: look once.
	s.admit(admission{nc: &tlsConn{Conn: tc, sock: sock}, raw: raw, ip: ip, exempt: exempt, transport: t, poll: true, kick: true})
}

// serverHandshake runs the server side of a TLS handshake on nc within
// timeout, in a handshake slot. With raw (the TCP socket under nc) it
// first waits for the ClientHello without reading it: a silent connection
// takes no slot, and a waiting one holds no TLS state yet.
func (s *Server) serverHandshake(nc net.Conn, raw syscall.RawConn, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	deadline := time.Now().Add(timeout)
	nc.SetDeadline(deadline)
	defer nc.SetDeadline(time.Time{})
	if raw != nil {
		if err := waitReadable(raw); err != nil {
			return nil, err
		}
	}
	if s.takeHandshakeSlot() {
		defer func() { <-s.handshakes }()
	}
	tc := tls.Server(nc, cfg)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// handshakeSlots bounds the TLS handshakes that compute at once. A
// handshake is a burst of CPU and of short-lived memory (key shares,
// certificates); run by the thousand at once they only slow each other
// down and leave the heap sized for the burst. A connection takes a slot
// once its ClientHello arrives (a silent one takes none) and waits at most
// handshakeSlotWait for it: past that it goes ahead anyway, so that
// clients that stall half-way through their handshakes can delay others
// by that much, never lock them out.
func handshakeSlots() int { return max(16, 8*runtime.GOMAXPROCS(0)) }

// handshakeSlotWait is the longest a handshake waits for a slot.
const handshakeSlotWait = 500 * time.Millisecond

// takeHandshakeSlot waits up to handshakeSlotWait for a free handshake
// slot and reports whether it holds one.
func (s *Server) takeHandshakeSlot() bool {
	select {
	case s.handshakes <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(handshakeSlotWait)
	defer t.Stop()
	select {
	case s.handshakes <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

// waitReadable waits, within the socket's read deadline, until the client
// has sent something, without reading it.
func waitReadable(raw syscall.RawConn) error {
	var b [1]byte
	var err error
	if cerr := raw.Read(func(fd uintptr) bool {
		_, _, err = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN
	}); cerr != nil {
		return cerr
	}
	if err != nil {
		return fmt.Errorf("wait for the ClientHello: %w", err)
	}
	return nil
}
