package tests

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// startWebSocket starts a server with a plain listener (0), a WebSocket
// one (1) and a WebSocket over TLS one (2), allowing the Origin
// https://chat.example.org, with extra YAML after them.
func startWebSocket(t *testing.T, extra string) (srv *harness.Server, ws, wss string) {
	t.Helper()
	cert, key := harness.WriteCertPair(t, t.TempDir())
	srv = harness.Start(t, fmt.Sprintf(`listeners:
  - address: "127.0.0.1:0"
    websocket: {enabled: true, origins: ["chat.example.org"]}
  - address: "127.0.0.1:0"
    tls: {cert: %q, key: %q}
    websocket: {enabled: true, origins: ["chat.example.org"]}
%s`, cert, key, extra))
	return srv, "ws://" + srv.ListenerAddr(t, 1) + "/", "wss://" + srv.ListenerAddr(t, 2) + "/"
}

// insecureTLS is an HTTP client for the self-signed test certificate.
func insecureTLS(cert ...tls.Certificate) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, Certificates: cert}}}
}

func TestWebSocketSubprotocols(t *testing.T) {
	srv, ws, wss := startWebSocket(t, "")
	plain := srv.Register(t, "plain")
	plain.Send("JOIN #web")
	plain.ExpectCommand("JOIN")
	tests := []struct {
		name, url string
		protos    []string
		want      string
		typ       websocket.MessageType
	}{
		{"text", ws, []string{"text.ircv3.net"}, "text.ircv3.net", websocket.MessageText},
		{"binary", wss, []string{"binary.ircv3.net"}, "binary.ircv3.net", websocket.MessageBinary},
		{"client order", ws, []string{"text.ircv3.net", "binary.ircv3.net"}, "text.ircv3.net", websocket.MessageText},
		{"none is text", wss, nil, "", websocket.MessageText},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, resp, err := harness.DialWebSocket(t, tt.url, &websocket.DialOptions{Subprotocols: tt.protos, HTTPClient: insecureTLS()})
			if err != nil {
				t.Fatalf("dial: %v (%v)", err, resp)
			}
			if got := c.WebSocket().Subprotocol(); got != tt.want {
				t.Errorf("subprotocol %q, want %q", got, tt.want)
			}
			nick := fmt.Sprintf("web%d", i)
			c.Register(nick)
			c.Send("JOIN #web")
			c.ExpectCommand("JOIN")
			c.Send("PRIVMSG #web :hello from " + tt.name)
			plain.ExpectLine(fmt.Sprintf(":%s!~%s@127.0.0.1 PRIVMSG #web :hello from %s", nick, nick, tt.name))
			plain.Send("PRIVMSG #web :hi " + nick)
			c.ExpectLine(":plain!~plain@127.0.0.1 PRIVMSG #web :hi " + nick)
			w := whois(plain, nick)
			if secure := w["671"] != nil; secure != strings.HasPrefix(tt.url, "wss") {
				t.Errorf("WHOIS 671 = %v for %s", secure, tt.url)
			}
			c.Send("PART #web")
			c.ExpectCommand("PART")
			for _, typ := range c.Conn.(interface {
				MessageTypes() []websocket.MessageType
			}).MessageTypes() {
				if typ != tt.typ {
					t.Fatalf("got a %v message, want only %v", typ, tt.typ)
				}
			}
		})
	}
}

func TestWebSocketOrigin(t *testing.T) {
	_, ws, _ := startWebSocket(t, "")
	for origin, ok := range map[string]bool{
		"https://chat.example.org": true,
		"https://evil.example.com": false,
		"":                         true, // not a browser
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, resp, err := harness.DialWebSocket(t, ws, &websocket.DialOptions{Subprotocols: []string{"text.ircv3.net"}, HTTPHeader: h})
		switch {
		case ok && err != nil:
			t.Errorf("Origin %q refused: %v", origin, err)
		case !ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden):
			t.Errorf("Origin %q: err %v, response %v; want 403", origin, err, resp)
		case ok:
			c.Send("PING :x")
			c.ExpectCommand("PONG")
		}
	}
}

func TestWebSocketNotAnUpgrade(t *testing.T) {
	_, ws, _ := startWebSocket(t, "")
	resp, err := http.Get("http" + strings.TrimPrefix(ws, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("plain GET: %s, want 404 (nothing mounted)", resp.Status)
	}
}

func TestWebSocketBadInput(t *testing.T) {
	srv, ws, _ := startWebSocket(t, "timeouts: {handshake: 300ms}\n")
	bystander := srv.Register(t, "bystander")

	// A 1 MB message: the connection is closed, nothing is buffered.
	big, _, err := harness.DialWebSocket(t, ws, &websocket.DialOptions{Subprotocols: []string{"binary.ircv3.net"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), harness.Timeout)
	defer cancel()
	_ = big.WebSocket().Write(ctx, websocket.MessageBinary, []byte(strings.Repeat("a", 1<<20)))
	if _, _, err := big.WebSocket().Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Errorf("after a 1 MB message: %v, want close status 1009", err)
	}

	// Two lines in one message: refused, the transport carries one.
	two, _, err := harness.DialWebSocket(t, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = two.WebSocket().Write(ctx, websocket.MessageText, []byte("NICK a\r\nUSER a 0 * :a"))
	for {
		_, msg, err := two.WebSocket().Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Error("two lines in one message: the connection stays open")
			}
			break
		}
		if strings.HasPrefix(string(msg), "001") || strings.Contains(string(msg), " 001 ") {
			t.Errorf("two lines in one message registered the client: %q", msg)
		}
	}

	// Slowloris: an upgrade request that never ends is dropped by the
	// handshake timeout.
	slow, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(ws, "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
	slow.SetReadDeadline(time.Now().Add(harness.Timeout))
	start := time.Now()
	r := bufio.NewReader(slow)
	for {
		if _, err := r.ReadString('\n'); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("slow upgrade request still open")
			}
			break
		}
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("slow request dropped after %s, before the 300ms timeout", took)
	}

	bystander.Send("PING :fine")
	bystander.Expect(func(m *irc.Message) bool { return m.Command == "PONG" })
}

// maskedFrame is a client's text frame holding payload.
func maskedFrame(payload string) []byte {
	key := [4]byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | byte(len(payload))}
	frame = append(frame, key[:]...)
	for i := range len(payload) {
		frame = append(frame, payload[i]^key[i%4])
	}
	return frame
}

// TestWebSocketLinesWithTheUpgrade sends the first IRC line in the same
// write as the upgrade request: the server must not lose it.
func TestWebSocketLinesWithTheUpgrade(t *testing.T) {
	_, ws, _ := startWebSocket(t, "")
	nc, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(ws, "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: text.ircv3.net\r\n\r\n"
	if _, err := nc.Write(append([]byte(req), maskedFrame("PING :early")...)); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(harness.Timeout))
	r := bufio.NewReader(nc)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the upgrade response: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		t.Fatalf("no frame after the upgrade: %v", err)
	}
	body := make([]byte, hdr[1]&0x7f)
	if _, err := io.ReadFull(r, body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "PONG") || !strings.Contains(string(body), "early") {
		t.Errorf("first message %q, want the PONG to the PING sent with the upgrade", body)
	}
}
