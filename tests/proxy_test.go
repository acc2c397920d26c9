package tests

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/conference-irc/conference/tests/harness"
)

// startProxied starts a server whose listeners 1 (plain), 2 (TLS) and 3
// (WebSocket) expect PROXY headers from the proxies given, cloaks off so
// that addresses show as they are, with extra YAML after.
func startProxied(t *testing.T, proxies, extra string) *harness.Server {
	t.Helper()
	cert, key := harness.WriteCertPair(t, t.TempDir())
	return harness.Start(t, fmt.Sprintf(`proxies: [%s]
cloaks: {enabled: false}
listeners:
  - address: "127.0.0.1:0"
    proxy: true
  - address: "127.0.0.1:0"
    proxy: true
    tls: {cert: %q, key: %q}
  - address: "127.0.0.1:0"
    proxy: true
    websocket: {enabled: true}
%s`, proxies, cert, key, extra))
}

// connectingFrom is what the client's own WHOIS says it connects from.
func connectingFrom(c *harness.Client) string {
	c.Send("WHOIS " + c.Nick)
	return c.ExpectNumeric("378").Trailing()
}

func TestProxyGivesTheClientsAddress(t *testing.T) {
	srv := startProxied(t, `"127.0.0.1"`, "")
	plain, secure := srv.ListenerAddr(t, 1), srv.ListenerAddr(t, 2)
	cases := []struct {
		name    string
		connect func() *harness.Client
		want    string
	}{
		{"v1 tcp4", func() *harness.Client { return harness.ConnectProxied(t, plain, harness.ProxyV1("198.51.100.7")) }, "198.51.100.7"},
		{"v1 tcp6", func() *harness.Client { return harness.ConnectProxied(t, plain, harness.ProxyV1("2001:db8::7")) }, "2001:db8::7"},
		{"v2 tcp4", func() *harness.Client { return harness.ConnectProxied(t, plain, harness.ProxyV2("198.51.100.8")) }, "198.51.100.8"},
		{"v2 tcp6", func() *harness.Client { return harness.ConnectProxied(t, plain, harness.ProxyV2("2001:db8::8")) }, "2001:db8::8"},
		{"v2 local", func() *harness.Client { return harness.ConnectProxied(t, plain, harness.ProxyV2("")) }, "127.0.0.1"},
		{"v2 then TLS", func() *harness.Client { return harness.ConnectProxiedTLS(t, secure, harness.ProxyV2("198.51.100.9")) }, "198.51.100.9"},
		{"v1 then TLS", func() *harness.Client { return harness.ConnectProxiedTLS(t, secure, harness.ProxyV1("2001:db8::9")) }, "2001:db8::9"},
	}
	watcher := srv.Register(t, "watcher")
	watcher.Send("JOIN #lb")
	watcher.ExpectNumeric("366")
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.connect()
			nick := fmt.Sprintf("lb%d", i)
			c.Register(nick)
			if got := connectingFrom(c); got != "is connecting from *@"+tc.want+" "+tc.want {
				t.Errorf("378 %q, want the address %s", got, tc.want)
			}
			c.Send("JOIN #lb")
			if m := watcher.ExpectCommand("JOIN"); m.Prefix.Host != tc.want {
				t.Errorf("others see %s join from %q, want %q", nick, m.Prefix.Host, tc.want)
			}
		})
	}
}

func TestProxyOverWebSocket(t *testing.T) {
	srv := startProxied(t, `"127.0.0.1"`, "")
	addr := srv.ListenerAddr(t, 3)
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		return harness.DialProxied(t, a, harness.ProxyV2("203.0.113.5")), nil
	}
	client := &http.Client{Transport: &http.Transport{DialContext: dial}}
	c, resp, err := harness.DialWebSocket(t, "ws://"+addr+"/", &websocket.DialOptions{HTTPClient: client, Subprotocols: []string{"text.ircv3.net"}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	c.Register("web")
	if got := connectingFrom(c); got != "is connecting from *@203.0.113.5 203.0.113.5" {
		t.Errorf("378 %q", got)
	}
}

func TestProxyRefused(t *testing.T) {
	t.Run("untrusted source", func(t *testing.T) {
		srv := startProxied(t, `"192.0.2.10"`, "")
		for _, i := range []int{1, 2} {
			c := harness.ConnectProxied(t, srv.ListenerAddr(t, i), harness.ProxyV1("198.51.100.7"))
			if reason := c.ExpectClosed(); reason != "" {
				t.Errorf("listener %d told an untrusted peer %q", i, reason)
			}
		}
		// The WebSocket listener drops it before any HTTP.
		nc := harness.DialProxied(t, srv.ListenerAddr(t, 3), append(harness.ProxyV1("198.51.100.7"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"...))
		c := harness.Wrap(t, nc)
		if reason := c.ExpectClosed(); reason != "" {
			t.Errorf("WebSocket listener answered %q", reason)
		}
		// Plain listeners without proxy still serve everyone.
		srv.Register(t, "direct")
	})
	t.Run("malformed", func(t *testing.T) {
		srv := startProxied(t, `"127.0.0.1"`, "")
		for _, header := range []string{"NICK mallory\r\nUSER m 0 * :m\r\n", "PROXY TCP4 198.51.100.7 192.0.2.1 1\r\n", "PROXY UDP4 198.51.100.7 192.0.2.1 1 2\r\n"} {
			c := harness.ConnectProxied(t, srv.ListenerAddr(t, 1), []byte(header))
			if reason := c.ExpectClosed(); reason != "" {
				t.Errorf("%q: answered %q", header, reason)
			}
		}
	})
	t.Run("never finished", func(t *testing.T) {
		srv := startProxied(t, `"127.0.0.1"`, "timeouts: {handshake: 200ms}\n")
		// Half a header, then silence: dropped when the handshake time is
		// up, while another client is served meanwhile.
		slow := harness.ConnectProxied(t, srv.ListenerAddr(t, 1), []byte("PROXY TCP4 198.51."))
		fast := harness.ConnectProxied(t, srv.ListenerAddr(t, 1), harness.ProxyV1("198.51.100.7"))
		fast.Register("fast")
		if reason := slow.ExpectClosed(); reason != "" {
			t.Errorf("answered %q", reason)
		}
	})
}

// The per-IP limit counts the client behind the proxy, not the proxy.
func TestProxyPerIPLimit(t *testing.T) {
	srv := startProxied(t, `"127.0.0.1"`, "limits: {perip: 1}\n")
	addr := srv.ListenerAddr(t, 1)
	first := harness.ConnectProxied(t, addr, harness.ProxyV1("198.51.100.7"))
	first.Register("first")
	other := harness.ConnectProxied(t, addr, harness.ProxyV2("198.51.100.8"))
	other.Register("other")
	again := harness.ConnectProxied(t, addr, harness.ProxyV2("198.51.100.7"))
	if reason := again.ExpectClosed(); !strings.Contains(reason, "Too many connections from your IP address") {
		t.Errorf("closed with %q", reason)
	}
}
