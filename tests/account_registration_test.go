package tests

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// registerReply sends a REGISTER line and returns the REGISTER or FAIL
// that answers it.
func registerReply(t *testing.T, c *harness.Client, line string) *irc.Message {
	t.Helper()
	c.Send(line)
	return c.Expect(func(m *irc.Message) bool { return m.Command == "REGISTER" || m.Command == "FAIL" })
}

func TestRegisterCapSuccessLogsIn(t *testing.T) {
	srv := harness.Start(t, "")
	peer := srv.Register(t, "peer", "account-notify", "extended-join")
	peer.Send("JOIN #room")
	peer.ExpectNumeric("366")
	c := srv.Register(t, "Ivan", "draft/account-registration", "account-notify")
	c.Send("JOIN #room")
	c.ExpectNumeric("366")
	m := registerReply(t, c, "REGISTER * ivan@example.org ivan-passw0rd")
	if m.Command != "REGISTER" || m.Param(0) != "SUCCESS" || m.Param(1) != "Ivan" {
		t.Fatalf("REGISTER: %v", m)
	}
	if !hasRaw(c.Seen, " 900 Ivan Ivan!~ivan@127.0.0.1 Ivan :You are now logged in as Ivan") {
		t.Fatalf("no 900:\n%s", strings.Join(c.Seen, "\n"))
	}
	// account-notify: the peer (and the user itself) see ACCOUNT.
	peer.ExpectLine(":Ivan!~ivan@127.0.0.1 ACCOUNT Ivan")
	if !hasRaw(c.Seen, ":Ivan!~ivan@127.0.0.1 ACCOUNT Ivan") {
		t.Fatalf("no ACCOUNT for the user itself:\n%s", strings.Join(c.Seen, "\n"))
	}
	// extended-join carries the account.
	c.Send("PART #room")
	c.Send("JOIN #room")
	peer.ExpectLine(":Ivan!~ivan@127.0.0.1 JOIN #room Ivan :Real Ivan")
	// WHOX a.
	peer.Send("WHO Ivan %na")
	if m := peer.ExpectNumeric("354"); m.Param(1) != "Ivan" || m.Param(2) != "Ivan" {
		t.Fatalf("WHOX %%na: %v", m)
	}
}

func TestRegisterCapFailures(t *testing.T) {
	srv := harness.Start(t, "")
	registerAccount(t, srv, "judy", "judy-passw0rd").Quit()

	c := srv.Register(t, "kurt", "draft/account-registration")
	cases := []struct {
		line, code string
	}{
		{"REGISTER * * short", "WEAK_PASSWORD"},
		{"REGISTER * * " + strings.Repeat("p", 80), "UNACCEPTABLE_PASSWORD"},
		{"REGISTER * not-an-address kurt-passw0rd", "INVALID_EMAIL"},
		{"REGISTER someoneelse * kurt-passw0rd", "ACCOUNT_NAME_MUST_BE_NICK"},
		{"VERIFY kurt 123456", "INVALID_CODE"},
	}
	for _, tc := range cases {
		m := registerReplyOrFail(t, c, tc.line)
		if m.Command != "FAIL" || m.Param(1) != tc.code {
			t.Errorf("%s: %v, want FAIL %s", tc.line, m, tc.code)
		}
	}
	// An existing account, in another case.
	c.Send("NICK JUDY")
	c.ExpectCommand("NICK")
	if m := registerReply(t, c, "REGISTER * * kurt-passw0rd"); m.Command != "FAIL" || m.Param(1) != "ACCOUNT_EXISTS" {
		t.Fatalf("existing account: %v", m)
	}
	c.Send("NICK kurt")
	c.ExpectCommand("NICK")
	if m := registerReply(t, c, "REGISTER * kurt-passw0rd"); m.Param(0) != "SUCCESS" {
		t.Fatalf("two-parameter REGISTER: %v", m)
	}
	if m := registerReply(t, c, "REGISTER * * kurt-passw0rd"); m.Command != "FAIL" || m.Param(1) != "ALREADY_AUTHENTICATED" {
		t.Fatalf("REGISTER while logged in: %v", m)
	}
	c.Send("VERIFY kurt 1")
	if m := c.ExpectCommand("FAIL"); m.Param(1) != "ALREADY_AUTHENTICATED" {
		t.Fatalf("VERIFY while logged in: %v", m)
	}
}

// registerReplyOrFail is registerReply that also takes VERIFY's FAIL.
func registerReplyOrFail(t *testing.T, c *harness.Client, line string) *irc.Message {
	t.Helper()
	c.Send(line)
	return c.Expect(func(m *irc.Message) bool {
		return m.Command == "REGISTER" || m.Command == "VERIFY" || m.Command == "FAIL"
	})
}

func TestRegisterBeforeConnect(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	c.Send("CAP REQ draft/account-registration")
	c.ExpectLine(":irc.conference.local CAP * ACK :draft/account-registration")
	if m := registerReply(t, c, "REGISTER * * lena-passw0rd"); m.Command != "FAIL" || m.Param(1) != "NEED_NICK" {
		t.Fatalf("REGISTER before NICK: %v", m)
	}
	c.Send("NICK lena")
	if m := registerReply(t, c, "REGISTER * * lena-passw0rd"); m.Param(0) != "SUCCESS" {
		t.Fatalf("REGISTER before connecting: %v", m)
	}
	finishRegistration(t, c, "lena")
	c.Send("WHOIS lena")
	if m := c.ExpectNumeric("330"); m.Param(2) != "lena" {
		t.Fatalf("WHOIS after early REGISTER: %v", m)
	}
}

func TestRegisterNeedsConnectionWithServerPassword(t *testing.T) {
	srv := harness.Start(t, "password: "+operHash()+"\n")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	if m := c.ExpectCommand("CAP"); strings.Contains(m.Trailing(), "before-connect") {
		t.Fatalf("before-connect offered with a server password: %q", m.Trailing())
	}
	c.Send("NICK mona")
	c.Send("REGISTER * * mona-passw0rd")
	if m := c.ExpectCommand("FAIL"); m.Param(1) != "COMPLETE_CONNECTION_REQUIRED" {
		t.Fatalf("early REGISTER with a server password: %v", m)
	}
}

func TestRegisterDisabled(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  registration: false\n")
	c := srv.Register(t, "ned")
	c.Send("CAP LS 302")
	if m := c.ExpectCommand("CAP"); strings.Contains(m.Trailing(), "account-registration") || !strings.Contains(m.Trailing(), "sasl") {
		t.Fatalf("registration off: CAP LS %q", m.Trailing())
	}
	if m := registerReply(t, c, "REGISTER * * ned-passw0rd"); m.Command != "FAIL" || m.Param(1) != "TEMPORARILY_UNAVAILABLE" {
		t.Fatalf("REGISTER when disabled: %v", m)
	}
	expectNickServ(t, c, "REGISTER ned-passw0rd", "disabled")
}
