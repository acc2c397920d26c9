package tests

import (
	"encoding/base64"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// registerAccount connects nick, creates its account with REGISTER (the
// draft/account-registration capability) and returns the logged-in client.
func registerAccount(t *testing.T, srv *harness.Server, nick, password string, caps ...string) *harness.Client {
	t.Helper()
	c := srv.Register(t, nick, append([]string{"draft/account-registration"}, caps...)...)
	c.Send("REGISTER * * " + password)
	m := c.Expect(func(m *irc.Message) bool { return m.Command == "REGISTER" || m.Command == "FAIL" })
	if m.Command != "REGISTER" || m.Param(0) != "SUCCESS" {
		t.Fatalf("REGISTER %s: %v", nick, m)
	}
	return c
}

// b64 is a SASL payload as sent on the wire.
func b64(s string) string {
	if s == "" {
		return "+"
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// saslConnect opens a connection that has negotiated sasl (and caps) but
// not registered yet.
func saslConnect(t *testing.T, srv *harness.Server, caps ...string) *harness.Client {
	t.Helper()
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	c.Send("CAP REQ :" + strings.Join(append([]string{"sasl"}, caps...), " "))
	ack := c.Expect(func(m *irc.Message) bool { return m.Command == "CAP" && (m.Param(1) == "ACK" || m.Param(1) == "NAK") })
	if ack.Param(1) != "ACK" {
		t.Fatalf("CAP REQ sasl: %v", ack)
	}
	return c
}

// finishRegistration ends CAP negotiation and registers nick.
func finishRegistration(t *testing.T, c *harness.Client, nick string) {
	t.Helper()
	c.Send("CAP END")
	c.Send("NICK " + nick)
	c.Send("USER " + strings.ToLower(nick) + " 0 * :Real " + nick)
	c.ExpectNumeric("001")
	c.Expect(func(m *irc.Message) bool { return m.Command == "376" || m.Command == "422" })
	c.Nick = nick
}

// saslPlain runs AUTHENTICATE PLAIN and returns the numeric that ended it.
func saslPlain(t *testing.T, c *harness.Client, user, password string) *irc.Message {
	t.Helper()
	c.Send("AUTHENTICATE PLAIN")
	expectAuthPlus(t, c)
	c.Send("AUTHENTICATE " + b64("\x00"+user+"\x00"+password))
	return expectSASLEnd(t, c)
}

// expectSASLEnd reads until 903 or one of the SASL failure numerics.
func expectSASLEnd(t *testing.T, c *harness.Client) *irc.Message {
	t.Helper()
	return c.Expect(func(m *irc.Message) bool {
		switch m.Command {
		case "903", "904", "905", "906", "907":
			return true
		}
		return false
	})
}

// nickServ sends a line to NickServ and returns its notices up to a sync.
func nickServ(t *testing.T, c *harness.Client, line string) []string {
	t.Helper()
	c.Send("PRIVMSG NickServ :" + line)
	var notices []string
	for _, m := range c.Sync() {
		if m.Command == "NOTICE" && m.Prefix != nil && m.Prefix.Name == "NickServ" {
			notices = append(notices, m.Trailing())
		}
	}
	return notices
}

// expectNickServ sends a line to NickServ and fails unless one of its
// notices contains want.
func expectNickServ(t *testing.T, c *harness.Client, line, want string) {
	t.Helper()
	if got := nickServ(t, c, line); !hasLine(got, want) {
		t.Fatalf("NickServ %s: %q, want a notice with %q", line, got, want)
	}
}

// hasLine reports whether any notice contains want.
func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// expectAuthPlus waits for the server's empty challenge "AUTHENTICATE +".
func expectAuthPlus(t *testing.T, c *harness.Client) {
	t.Helper()
	if m := c.ExpectCommand("AUTHENTICATE"); m.Param(0) != "+" {
		t.Fatalf("expected AUTHENTICATE +, got %v", m)
	}
}
