package tests

import (
	"net/netip"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
	"github.com/conference-irc/conference/users"
)

// cloakSecret is the cloak key of cloakYAML.
const cloakSecret = "a secret of at least sixteen characters"

// cloakYAML cloaks with a known secret; users arrive through a WEBIRC
// gateway on loopback so that they have addresses worth cloaking.
func cloakYAML(extra string) string {
	return webircYAML(`"127.0.0.1"`, "cloaks: {secret: \""+cloakSecret+"\"}\n"+operYAML(extra))
}

// cloakOf is the cloak the server must show for ip.
func cloakOf(ip string) string {
	return users.Cloak([]byte(cloakSecret), netip.MustParseAddr(ip), "", "ip")
}

func TestCloaksWhatEachOneSees(t *testing.T) {
	srv := harness.Start(t, cloakYAML(""))
	alice := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
	welcome := registerVia(t, alice, "alice")
	cloak := cloakOf("198.51.100.7")
	if !strings.HasSuffix(welcome.Trailing(), "alice!~alice@"+cloak) {
		t.Fatalf("001 %q: want the cloak %s", welcome.Trailing(), cloak)
	}
	if strings.Contains(strings.Join(alice.Seen, "\n"), "198.51.100") {
		// Nothing at registration gives the address away...
		t.Errorf("registration shows the address:\n%s", strings.Join(alice.Seen, "\n"))
	}
	alice.Send("MODE alice")
	if m := alice.ExpectNumeric("221"); !strings.Contains(m.Param(1), "x") {
		t.Errorf("user modes %q: want +x", m.Param(1))
	}

	bob := srv.Register(t, "bob")
	bob.Send("JOIN #c")
	bob.ExpectNumeric("366")
	alice.Send("JOIN #c")
	if m := bob.ExpectCommand("JOIN"); m.Prefix.Host != cloak {
		t.Errorf("bob sees alice join from %q, want %q", m.Prefix.Host, cloak)
	}
	// ...and neither does WHOIS, WHO or USERHOST to others.
	bob.Send("WHOIS alice")
	lines := bob.SyncRaw()
	text := strings.Join(lines, "\n")
	if strings.Contains(text, "198.51.100") || !strings.Contains(text, " 311 bob alice ~alice "+cloak+" ") {
		t.Errorf("bob's WHOIS of alice:\n%s", text)
	}
	bob.Send("WHO #c %uhni")
	bob.Send("USERHOST alice")
	if text := strings.Join(bob.SyncRaw(), "\n"); strings.Contains(text, "198.51.100") {
		t.Errorf("WHO/USERHOST give alice's address away:\n%s", text)
	}

	// Alice herself and operators see where she really is.
	alice.Send("WHOIS alice")
	if m := alice.ExpectNumeric("378"); m.Trailing() != "is connecting from *@198.51.100.7 198.51.100.7" {
		t.Errorf("alice's 378: %q", m.Trailing())
	}
	oper := operUp(t, srv, "op")
	oper.Send("WHOIS alice")
	if m := oper.ExpectNumeric("378"); m.Trailing() != "is connecting from *@198.51.100.7 198.51.100.7" {
		t.Errorf("the operator's 378: %q", m.Trailing())
	}
	// Loopback addresses reveal nothing and are not cloaked.
	if m := registerNumeric(t, bob, "WHOIS bob", "311"); m.Param(3) != "127.0.0.1" {
		t.Errorf("bob (loopback) shows %q", m.Param(3))
	}
}

// registerNumeric sends line and returns the first reply with code.
func registerNumeric(t *testing.T, c *harness.Client, line, code string) *irc.Message {
	t.Helper()
	c.Send(line)
	return c.ExpectNumeric(code)
}

func TestCloakToggle(t *testing.T) {
	srv := harness.Start(t, cloakYAML(""))
	alice := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
	registerVia(t, alice, "alice")
	bob := srv.Register(t, "bob", "chghost")
	for _, c := range []*harness.Client{alice, bob} {
		c.Send("JOIN #c")
		c.ExpectNumeric("366")
	}
	cloak := cloakOf("198.51.100.7")

	alice.Send("MODE alice -x")
	if m := alice.ExpectNumeric("396"); m.Param(1) != "198.51.100.7" {
		t.Errorf("396 after -x: %q", m.Param(1))
	}
	if m := bob.ExpectCommand("CHGHOST"); m.Prefix.Host != cloak || m.Param(1) != "198.51.100.7" {
		t.Errorf("bob sees %s", m)
	}
	alice.Send("MODE alice +x")
	if m := alice.ExpectNumeric("396"); m.Param(1) != cloak {
		t.Errorf("396 after +x: %q", m.Param(1))
	}
	if m := bob.ExpectCommand("CHGHOST"); m.Param(1) != cloak {
		t.Errorf("bob sees %s", m)
	}
	// A client without a cloak cannot take +x.
	bob.Send("MODE bob +x")
	bob.Send("MODE bob")
	if m := bob.ExpectNumeric("221"); strings.Contains(m.Param(1), "x") {
		t.Errorf("bob has %q", m.Param(1))
	}
}

func TestCloakBansMatchCloakAndRealAddress(t *testing.T) {
	cloak := cloakOf("198.51.100.7")
	parts := strings.SplitN(cloak, ".", 2)
	cases := []struct{ name, ban string }{
		{"cloak", "*!*@" + cloak},
		{"real IP", "*!*@198.51.100.7"},
		{"real IP mask", "*!*@198.51.100.*"},
		{"cloaked range", "*!*@*." + parts[1]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := harness.Start(t, cloakYAML(""))
			op := srv.Register(t, "op")
			op.Send("JOIN #c")
			op.ExpectNumeric("366")
			op.Send("MODE #c +b " + tc.ban)
			op.ExpectCommand("MODE")
			alice := viaGateway(t, srv, gatewayPassword, "198.51.100.7", "198.51.100.7")
			registerVia(t, alice, "alice")
			alice.Send("JOIN #c")
			alice.ExpectNumeric("474")
			// With the real host shown, the cloak ban still holds.
			alice.Send("MODE alice -x")
			alice.ExpectNumeric("396")
			alice.Send("JOIN #c")
			alice.ExpectNumeric("474")
		})
	}
	t.Run("a neighbour in the cloaked range", func(t *testing.T) {
		srv := harness.Start(t, cloakYAML(""))
		op := srv.Register(t, "op")
		op.Send("JOIN #c")
		op.ExpectNumeric("366")
		op.Send("MODE #c +b *!*@*." + parts[1])
		op.ExpectCommand("MODE")
		near := viaGateway(t, srv, gatewayPassword, "198.51.100.8", "198.51.100.8")
		registerVia(t, near, "near")
		near.Send("JOIN #c")
		near.ExpectNumeric("474")
		far := viaGateway(t, srv, gatewayPassword, "203.0.113.8", "203.0.113.8")
		registerVia(t, far, "far")
		far.Send("JOIN #c")
		far.ExpectCommand("JOIN")
	})
}
