package harness

import (
	"bufio"
	"context"
	"net/http"
	"testing"

	"github.com/coder/websocket"

	"github.com/conference-irc/conference/loadgen"
)

// DialWebSocket opens an IRC-over-WebSocket connection to url (ws:// or
// wss://) with opts, and wraps it as a Client whose lines are messages
// (loadgen.WebSocketLines). It returns the handshake's HTTP response, and
// an error when the server refused the upgrade.
func DialWebSocket(t testing.TB, url string, opts *websocket.DialOptions) (*Client, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(1 << 20)
	nc := &loadgen.WebSocketLines{WS: ws}
	t.Cleanup(func() { ws.CloseNow() })
	return &Client{t: t, Conn: nc, r: bufio.NewReaderSize(nc, 16384)}, resp, nil
}

// WebSocket exposes the connection under a Client made by DialWebSocket.
func (c *Client) WebSocket() *websocket.Conn { return c.Conn.(*loadgen.WebSocketLines).WS }
