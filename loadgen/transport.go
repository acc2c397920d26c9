package loadgen

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// dialTransport opens one connection to addr as cfg says: TCP, TLS, or
// IRC over WebSocket (over TLS with cfg.TLS). TLS certificates are not
// verified: the generator only loads servers its user runs.
func dialTransport(ctx context.Context, cfg *Config, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.HandshakeTimeout)
	defer cancel()
	tlsConfig := &tls.Config{InsecureSkipVerify: true}
	if cfg.WebSocket {
		scheme := "ws://"
		if cfg.TLS {
			scheme = "wss://"
		}
		return DialWebSocket(ctx, scheme+addr+"/", tlsConfig)
	}
	d := &net.Dialer{}
	if !cfg.TLS {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		return conn, nil
	}
	conn, err := (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("TLS dial %s: %w", addr, err)
	}
	return conn, nil
}

// DialWebSocket opens IRC over WebSocket at url (subprotocol
// text.ircv3.net) and returns it as a net.Conn of lines: each message read
// ends in CRLF, and each line written goes out as one message. tlsConfig is
// used for wss:// URLs.
func DialWebSocket(ctx context.Context, url string, tlsConfig *tls.Config) (*WebSocketLines, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		Subprotocols: []string{"text.ircv3.net"},
		HTTPClient:   &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}},
	})
	if err != nil {
		return nil, fmt.Errorf("WebSocket dial %s: %w", url, err)
	}
	ws.SetReadLimit(1 << 20)
	return &WebSocketLines{WS: ws}, nil
}

// WebSocketLines adapts an IRC-over-WebSocket connection to a stream of
// CRLF-terminated lines. Reads and writes may run on different goroutines.
type WebSocketLines struct {
	// WS is the connection underneath.
	WS *websocket.Conn

	rmu      sync.Mutex
	pending  []byte
	deadline time.Time
	types    []websocket.MessageType
}

// Read returns the next message as a line ending in CRLF.
func (w *WebSocketLines) Read(p []byte) (int, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	if len(w.pending) == 0 {
		ctx := context.Background()
		if !w.deadline.IsZero() {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, w.deadline)
			defer cancel()
		}
		typ, msg, err := w.WS.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return 0, timeoutError{}
			}
			return 0, err
		}
		w.types = append(w.types, typ)
		w.pending = append(msg, '\r', '\n')
	}
	n := copy(p, w.pending)
	w.pending = w.pending[n:]
	return n, nil
}

// MessageTypes are the types of the messages read so far.
func (w *WebSocketLines) MessageTypes() []websocket.MessageType {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	return append([]websocket.MessageType(nil), w.types...)
}

// Write sends each line of p as one text message, without its CRLF.
func (w *WebSocketLines) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimRight(p, "\r\n"), []byte("\n")) {
		if err := w.WS.Write(context.Background(), websocket.MessageText, bytes.TrimSuffix(line, []byte("\r"))); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Close drops the connection.
func (w *WebSocketLines) Close() error { return w.WS.CloseNow() }

// LocalAddr is not known through the library.
func (w *WebSocketLines) LocalAddr() net.Addr { return &net.TCPAddr{} }

// RemoteAddr is not known through the library.
func (w *WebSocketLines) RemoteAddr() net.Addr { return &net.TCPAddr{} }

// SetDeadline sets the read deadline; writes are not bounded.
func (w *WebSocketLines) SetDeadline(t time.Time) error { return w.SetReadDeadline(t) }

// SetWriteDeadline is accepted and ignored.
func (w *WebSocketLines) SetWriteDeadline(time.Time) error { return nil }

// SetReadDeadline bounds the next reads. A read that runs past it closes
// the connection (the library cannot abandon a read half-way).
func (w *WebSocketLines) SetReadDeadline(t time.Time) error {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	w.deadline = t
	return nil
}

// timeoutError is a read that ran past its deadline.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
