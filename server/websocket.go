package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// The IRCv3 WebSocket subprotocols.
const (
	subprotocolBinary = "binary.ircv3.net"
	subprotocolText   = "text.ircv3.net"
)

// errBadMessage ends a WebSocket client that put a line break inside a
// message: the IRCv3 WebSocket transport carries exactly one line each.
var errBadMessage = errors.New("line break inside a WebSocket message")

// newHTTPServer makes the HTTP server of a WebSocket listener. The request
// that opens a WebSocket (and, over TLS, the handshake before it) must
// arrive within the handshake timeout: a slow sender is dropped.
func (s *Server) newHTTPServer(ln *listener) *http.Server {
	timeout := s.disp.Config().Timeouts.Handshake
	return &http.Server{
		Handler:           s.httpHandler(ln),
		ReadHeaderTimeout: timeout,
		IdleTimeout:       timeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// serveHTTP runs a WebSocket listener until Shutdown.
func (s *Server) serveHTTP(ln *listener) {
	l := ln.Listener
	if ln.block.Proxy {
		l = &proxyListener{Listener: l, srv: s}
	}
	if ln.tls != nil {
		l = s.handshakeFirst(l, ln.tls)
	}
	if err := ln.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) && !s.stopping.Load() {
		s.log.Error("HTTP listener stopped", "addr", ln.Addr().String(), "err", err)
	}
}

// httpHandler upgrades WebSocket requests to IRC (on a websocket
// listener) and hands every other request to the server's HTTP handler
// (Options.HTTP or Mount: pages, metrics, the admin API) on an http
// listener; anything else is 404.
func (s *Server) httpHandler(ln *listener) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case ln.block.WebSocket.Enabled && strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
			s.upgrade(ln, w, r)
		case ln.block.HTTP:
			s.web.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// upgrade opens a WebSocket and admits it as a client. The request's
// goroutine returns right away: a new, small one reads the messages.
func (s *Server) upgrade(ln *listener, w http.ResponseWriter, r *http.Request) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		http.Error(w, "bad remote address", http.StatusInternalServerError)
		return
	}
	ip := ap.Addr().Unmap()
	exempt, ok := s.reserveIP(ip)
	if !ok {
		http.Error(w, "Too many connections from your IP address", http.StatusServiceUnavailable)
		return
	}
	protos := chooseSubprotocols(r.Header.Values("Sec-WebSocket-Protocol"))
	hj := &smallBuffers{ResponseWriter: w}
	ws, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
		Subprotocols:    protos,
		OriginPatterns:  ln.block.WebSocket.Origins,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		// Accept has answered (403 for a refused Origin, 400 for the rest).
		s.log.Debug("WebSocket refused", "ip", ip.String(), "origin", r.Header.Get("Origin"), "err", err)
		s.releaseIP(ip, exempt)
		return
	}
	ws.SetReadLimit(maxLineBytes)
	t := users.Transport{WebSocket: true, Secure: r.TLS != nil}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		t.CertFP = conf.CertFP(r.TLS.PeerCertificates[0].Raw)
	}
	typ := websocket.MessageText
	if ws.Subprotocol() == subprotocolBinary {
		typ = websocket.MessageBinary
	}
	wc := &wsConn{ws: ws, typ: typ, local: ln.Addr(), remote: net.TCPAddrFromAddrPort(ap), done: make(chan struct{}), br: hj.br, raw: hj.raw}
	in := &wsInbox{drained: make(chan struct{}, 1)}
	go func() {
		c := s.admit(admission{nc: wc, src: in, ip: ip, exempt: exempt, transport: t})
		if c == nil {
			return
		}
		wc.readLoop(c, in)
	}()
}

// chooseSubprotocols lists the subprotocols the client asked for that the
// server speaks, in the client's order of preference (the library picks
// the first of the list that the client asked for). With none of them, the
// connection goes on without a subprotocol, in text messages.
func chooseSubprotocols(headers []string) []string {
	var out []string
	for _, h := range headers {
		for p := range strings.SplitSeq(h, ",") {
			p = strings.TrimSpace(p)
			if strings.EqualFold(p, subprotocolBinary) || strings.EqualFold(p, subprotocolText) {
				out = append(out, p)
			}
		}
	}
	return out
}

// wsConn is the write side of a WebSocket client as the connection sees
// it: each line of a batch goes out as one message, without its CRLF.
type wsConn struct {
	ws     *websocket.Conn
	typ    websocket.MessageType
	local  net.Addr
	remote net.Addr

	br  *bufio.Reader   // the library's reader, to see what it has buffered
	raw syscall.RawConn // the TCP socket (plain WebSocket only)

	mu        sync.Mutex
	deadline  *time.Timer // closes the socket when a write deadline passes
	done      chan struct{}
	closeOnce sync.Once
}

// Write sends every line in p as its own message. Text messages must be
// UTF-8: invalid bytes are replaced, as the specification asks.
func (c *wsConn) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if c.typ == websocket.MessageText && !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
		}
		if err := c.ws.Write(context.Background(), c.typ, line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Read is not used: messages come in through readLoop.
func (c *wsConn) Read([]byte) (int, error) { return 0, io.EOF }

// Close drops the connection without waiting for the client's close
// frame: it runs under the send queue's lock, which never waits.
func (c *wsConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		// Over TLS the library's close writes close_notify, which can
		// wait seconds on a client that stopped reading.
		go c.ws.CloseNow()
	})
	return nil
}

// LocalAddr is the listener's address.
func (c *wsConn) LocalAddr() net.Addr { return c.local }

// RemoteAddr is the client's address.
func (c *wsConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets the write deadline (reads have their own timeouts).
func (c *wsConn) SetDeadline(t time.Time) error { return c.SetWriteDeadline(t) }

// SetReadDeadline is not used: the connection's timers bound silence.
func (c *wsConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline closes the connection when t passes with a write
// still stuck, which is what a deadline does on a socket.
func (c *wsConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadline != nil {
		c.deadline.Stop()
		c.deadline = nil
	}
	if !t.IsZero() {
		c.deadline = time.AfterFunc(time.Until(t), func() { c.ws.CloseNow() })
	}
	return nil
}

// readLoop reads messages and hands each to the connection's read side
// as one line, through the same line reader, flood limiter and timeouts
// as any client. It reads the next message only once the last one is
// consumed, so a throttled client waits in its socket, as on the plain
// path, rather than in our memory.
func (c *wsConn) readLoop(cn *conn, in *wsInbox) {
	for first := true; ; first = false {
		// The first read goes straight in: bytes that came with the
		// upgrade sit where Buffered does not see them until then.
		if !first && c.raw != nil && c.br.Buffered() == 0 {
			// Wait for the next message in a shallow frame rather than deep
			// in the library's read: the runtime then shrinks an idle
			// client's stack to its smallest.
			if err := waitReadable(c.raw); err != nil {
				in.fail()
				cn.poke()
				return
			}
		}
		_, msg, err := c.ws.Read(context.Background())
		if err == nil {
			msg = bytes.TrimSuffix(bytes.TrimSuffix(msg, []byte{'\n'}), []byte{'\r'})
			if bytes.ContainsAny(msg, "\r\n") {
				err = errBadMessage
			}
		}
		if err != nil {
			in.fail()
			cn.poke()
			return
		}
		in.push(msg)
		cn.poke()
		if !in.waitDrained(c.done) {
			return
		}
	}
}

// wsInbox holds the message being handed to the line reader; it reads
// like a non-blocking socket (errWouldBlock when empty).
type wsInbox struct {
	mu      sync.Mutex
	buf     []byte
	ended   bool
	drained chan struct{} // a token when buf becomes empty
}

// push adds one message as one line.
func (in *wsInbox) push(msg []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.buf = append(append(in.buf, msg...), '\n')
}

// fail marks the end of the stream.
func (in *wsInbox) fail() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.ended = true
}

// Read gives the line reader what is buffered.
func (in *wsInbox) Read(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.buf) == 0 {
		if in.ended {
			return 0, io.EOF
		}
		return 0, errWouldBlock
	}
	n := copy(p, in.buf)
	if in.buf = in.buf[n:]; len(in.buf) == 0 {
		in.buf = nil
		select {
		case in.drained <- struct{}{}:
		default:
		}
	}
	return n, nil
}

// waitDrained waits until the line reader has taken everything, or the
// connection closes (false).
func (in *wsInbox) waitDrained(done <-chan struct{}) bool {
	for {
		in.mu.Lock()
		empty := len(in.buf) == 0
		in.mu.Unlock()
		if empty {
			return true
		}
		select {
		case <-in.drained:
		case <-done:
			return false
		}
	}
}

// wsBufferSize sizes the buffers a WebSocket client keeps for its life. The
// HTTP server's are 4 KiB each way, sized for request bodies; IRC lines are
// short, and a longer one costs one more system call, not an error.
const wsBufferSize = 512

// smallBuffers hands the WebSocket library the hijacked connection with
// small buffers instead of the HTTP server's: an idle WebSocket client
// then keeps 1 KiB of buffers rather than 8.
type smallBuffers struct {
	http.ResponseWriter
	br  *bufio.Reader   // the reader handed over
	raw syscall.RawConn // the socket, when it is plain TCP
}

// Hijack takes the connection over, keeping whatever the client already
// sent after its request.
func (s *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if tcp, ok := nc.(*net.TCPConn); ok {
		s.raw, _ = tcp.SyscallConn()
	}
	// Bytes the HTTP server read past the request (its background read
	// takes one) must be in the new reader's buffer, where the library
	// looks for them.
	early, _ := brw.Reader.Peek(brw.Reader.Buffered())
	s.br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), nc), max(wsBufferSize, len(early)))
	if len(early) > 0 {
		if _, err := s.br.Peek(len(early)); err != nil {
			nc.Close()
			return nil, nil, fmt.Errorf("keep early bytes: %w", err)
		}
	}
	return nc, bufio.NewReadWriter(s.br, bufio.NewWriterSize(nc, wsBufferSize)), nil
}

// handshakeFirst makes the listener the HTTP server of a WebSocket-over-TLS
// listener accepts from: connections arrive with their TLS handshake done,
// made on goroutines of their own in the handshake slots, as on the IRC TLS
// path (the HTTP server would run every handshake at once).
func (s *Server) handshakeFirst(l net.Listener, cfg *tls.Config) net.Listener {
	h := &handoff{Listener: l, conns: make(chan net.Conn), done: make(chan struct{})}
	go func() {
		s.acceptLoop(l, func(nc net.Conn) { go s.handOff(h, nc, cfg) })
		h.Close()
	}()
	return h
}

// handOff runs the TLS handshake of nc and passes it to the HTTP server.
func (s *Server) handOff(h *handoff, nc net.Conn, cfg *tls.Config) {
	var raw syscall.RawConn
	if tcp, ok := nc.(*net.TCPConn); ok {
		raw, _ = tcp.SyscallConn()
	}
	tc, err := s.serverHandshake(nc, raw, cfg, s.disp.Config().Timeouts.Handshake)
	if err != nil {
		s.log.Debug("TLS handshake failed", "addr", nc.RemoteAddr().String(), "err", err)
		nc.Close()
		return
	}
	select {
	case h.conns <- tc:
	case <-h.done:
		nc.Close()
	}
}

// handoff is a net.Listener fed by handOff.
type handoff struct {
	net.Listener // the socket listened on: its address, and Close
	conns        chan net.Conn
	done         chan struct{}
	once         sync.Once
}

// Accept returns the next connection whose handshake is done.
func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting.
func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return h.Listener.Close()
}
