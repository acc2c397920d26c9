package harness

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// DialWebSocket opens an IRC-over-WebSocket connection to url (ws:// or
// wss://) with opts, and wraps it as a Client whose lines are messages.
// It returns the handshake's HTTP response, and an error when the server
// refused the upgrade.
func DialWebSocket(t testing.TB, url string, opts *websocket.DialOptions) (*Client, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(1 << 20)
	nc := &wsLines{ws: ws}
	t.Cleanup(func() { ws.CloseNow() })
	return &Client{t: t, Conn: nc, r: bufio.NewReaderSize(nc, 16384)}, resp, nil
}

// WebSocket exposes the connection under a Client made by DialWebSocket.
func (c *Client) WebSocket() *websocket.Conn { return c.Conn.(*wsLines).ws }

// wsLines adapts a WebSocket to the Client's line protocol: each message
// read becomes a line ending in CRLF, and each line written becomes one
// message without it.
type wsLines struct {
	ws       *websocket.Conn
	mu       sync.Mutex
	pending  []byte
	deadline time.Time
	types    []websocket.MessageType
}

// MessageTypes are the types of every message read so far.
func (w *wsLines) MessageTypes() []websocket.MessageType {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]websocket.MessageType(nil), w.types...)
}

func (w *wsLines) Read(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		ctx := context.Background()
		if !w.deadline.IsZero() {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, w.deadline)
			defer cancel()
		}
		typ, msg, err := w.ws.Read(ctx)
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

func (w *wsLines) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimRight(p, "\r\n"), []byte("\n")) {
		if err := w.ws.Write(context.Background(), websocket.MessageText, bytes.TrimSuffix(line, []byte("\r"))); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (w *wsLines) Close() error                     { return w.ws.CloseNow() }
func (w *wsLines) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (w *wsLines) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (w *wsLines) SetDeadline(t time.Time) error    { return w.SetReadDeadline(t) }
func (w *wsLines) SetWriteDeadline(time.Time) error { return nil }

func (w *wsLines) SetReadDeadline(t time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deadline = t
	return nil
}

// timeoutError is a read that ran past its deadline.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
