package tests

import (
	"crypto/tls"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
	"github.com/conference-irc/conference/users"
)

// gatewayPassword is the WEBIRC password of the gateway in webircYAML.
const gatewayPassword = "gateway-secret"

// gatewayHash is its bcrypt hash, at the lowest cost to keep tests quick.
var gatewayHash = sync.OnceValue(func() string {
	hash, err := bcrypt.GenerateFromPassword([]byte(gatewayPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(hash)
})

// webircYAML lets a gateway on hosts use WEBIRC, with extra YAML after.
func webircYAML(hosts, extra string) string {
	return `webirc:
  - name: kiwi
    password: "` + gatewayHash() + `"
    hosts: [` + hosts + `]
` + extra
}

// viaGateway connects as a web gateway would, sends WEBIRC for a user at ip
// (and host), and waits until the server has handled it.
func viaGateway(t *testing.T, srv *harness.Server, password, host, ip string) *harness.Client {
	t.Helper()
	c := srv.Connect(t)
	c.Sendf("WEBIRC %s kiwi %s %s :secure", password, host, ip)
	return c
}

// registerVia completes registration on a gateway connection.
func registerVia(t *testing.T, c *harness.Client, nick string) *irc.Message {
	t.Helper()
	c.Nick = nick
	c.Send("NICK " + nick)
	c.Send("USER " + strings.ToLower(nick) + " 0 * :Real " + nick)
	welcome := c.ExpectNumeric("001")
	c.Expect(func(m *irc.Message) bool { return m.Command == "376" || m.Command == "422" })
	return welcome
}

func TestWebIRCGivesTheUsersAddress(t *testing.T) {
	srv := harness.Start(t, webircYAML(`"127.0.0.1"`, "cloaks: {enabled: false}\n"))
	alice := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
	welcome := registerVia(t, alice, "alice")
	if !strings.HasSuffix(welcome.Trailing(), "alice!~alice@198.51.100.7") {
		t.Errorf("001 %q: want the user's address, not the gateway's", welcome.Trailing())
	}
	alice.Send("WHOIS alice")
	if m := alice.ExpectNumeric("378"); m.Trailing() != "is connecting from *@198.51.100.7 198.51.100.7" {
		t.Errorf("378 %q", m.Trailing())
	}

	// A host name that the gateway resolved is shown instead of the IP.
	bob := viaGateway(t, srv, gatewayPassword, "home.example.net", "2001:db8::7")
	registerVia(t, bob, "bob")
	alice.Send("WHOIS bob")
	if m := alice.ExpectNumeric("311"); m.Param(3) != "home.example.net" {
		t.Errorf("311 host %q, want home.example.net", m.Param(3))
	}
	bob.Send("WHOIS bob")
	if m := bob.ExpectNumeric("378"); m.Trailing() != "is connecting from *@home.example.net 2001:db8::7" {
		t.Errorf("378 %q", m.Trailing())
	}

	// Only once, and only before registration.
	alice.Sendf("WEBIRC %s kiwi 192.0.2.1 192.0.2.1", gatewayPassword)
	alice.ExpectNumeric("462")
}

func TestWebIRCRefused(t *testing.T) {
	srv := harness.Start(t, webircYAML(`"127.0.0.1"`, ""))
	cases := []struct {
		name, password, ip, want string
	}{
		{"wrong password", "not it", "198.51.100.7", "Invalid WebIRC password"},
		{"bad address", gatewayPassword, "198.51.100.300", "Invalid IP address in WEBIRC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := viaGateway(t, srv, tc.password, tc.ip, tc.ip)
			if reason := c.ExpectClosed(); !strings.Contains(reason, tc.want) {
				t.Errorf("closed with %q, want %q", reason, tc.want)
			}
		})
	}
	t.Run("wrong source", func(t *testing.T) {
		other := harness.Start(t, webircYAML(`"192.0.2.10"`, ""))
		c := viaGateway(t, other, gatewayPassword, "198.51.100.7", "198.51.100.7")
		if reason := c.ExpectClosed(); !strings.Contains(reason, "WebIRC is not allowed from your address") {
			t.Errorf("closed with %q", reason)
		}
	})
	t.Run("no webirc blocks", func(t *testing.T) {
		other := harness.Start(t, "")
		c := viaGateway(t, other, gatewayPassword, "198.51.100.7", "198.51.100.7")
		if reason := c.ExpectClosed(); !strings.Contains(reason, "WebIRC is not allowed from your address") {
			t.Errorf("closed with %q", reason)
		}
	})
}

// The per-IP limit counts the user behind the gateway, not the gateway.
func TestWebIRCPerIPLimitCountsTheUser(t *testing.T) {
	srv := harness.Start(t, webircYAML(`"127.0.0.1"`, "limits: {perip: 1}\n"))
	first := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
	first.Sync() // WEBIRC handled: the gateway's own address is free again
	other := viaGateway(t, srv, gatewayPassword, "198.51.100.8", "198.51.100.8")
	other.Sync()
	again := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
	if reason := again.ExpectClosed(); !strings.Contains(reason, "Too many connections from your IP address") {
		t.Errorf("closed with %q", reason)
	}
	registerVia(t, first, "first")
	registerVia(t, other, "other")
}

// The user behind a gateway is secure only when the gateway says so and
// its own connection is; it never carries the gateway's certificate.
func TestWebIRCTransport(t *testing.T) {
	srv, tlsAddr, _ := startTLS(t, webircYAML(`"127.0.0.1"`, ""))
	cert, _ := harness.ClientCert(t)
	cases := []struct {
		name, options string
		secure        bool
	}{
		{"secure", ":secure", true},
		{"secure among others", ":remote-port=5555 secure local-port=443", true},
		{"not said", "", false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gw := srv.ConnectTLS(t, tlsAddr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}})
			gw.Sendf("WEBIRC %s kiwi 198.51.100.7 198.51.100.7 %s", gatewayPassword, tc.options)
			nick := fmt.Sprintf("web%d", i)
			registerVia(t, gw, nick)
			w := whois(gw, nick)
			if (w["671"] != nil) != tc.secure {
				t.Errorf("671 in WHOIS: %v, want %v", w["671"] != nil, tc.secure)
			}
			if w["276"] != nil {
				t.Errorf("the user carries the gateway's certificate: %s", w["276"])
			}
		})
	}
}

// WEBIRC after authentication would leave the gateway's account on the
// user: refused.
func TestWebIRCAfterLogin(t *testing.T) {
	srv := harness.Start(t, webircYAML(`"127.0.0.1"`, ""))
	c := srv.Connect(t)
	c.Sync()
	var client *users.Client
	for _, u := range srv.Srv.Dispatcher().Users().All() {
		client = u
	}
	srv.Srv.Dispatcher().SetAccount(client, "gateway")
	c.Sendf("WEBIRC %s kiwi 198.51.100.7 198.51.100.7", gatewayPassword)
	if reason := c.ExpectClosed(); !strings.Contains(reason, "WEBIRC must come before authentication") {
		t.Errorf("closed with %q", reason)
	}
}

// Flood control follows the user, not the gateway: behind an exempt
// gateway, a user at an ordinary address is throttled like anyone.
func TestWebIRCFloodFollowsTheUser(t *testing.T) {
	srv := harness.Start(t, webircYAML(`"127.0.0.1"`, `exempt: ["127.0.0.0/8"]
flood: {burst: 1, rate: 0.001, recvq: 1024}
`))
	flood := strings.Repeat("PING :flood\r\n", 200) // 2,600 bytes
	user := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
	user.Sync()
	user.SendRaw(flood)
	if reason := user.ExpectClosed(); !strings.Contains(reason, "Excess Flood") {
		t.Errorf("a user behind an exempt gateway flooding: closed with %q, want Excess Flood", reason)
	}
	exempt := viaGateway(t, srv, gatewayPassword, "127.0.0.2", "127.0.0.2")
	exempt.Sync()
	exempt.SendRaw(flood)
	exempt.Sync() // an exempt user's lines all go through
}
