package tests

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// snoticeOper makes an operator that receives server notices (+s).
func snoticeOper(t *testing.T, srv *harness.Server, nick string) *harness.Client {
	t.Helper()
	oper := operUp(t, srv, nick)
	oper.Send("MODE " + nick + " +s")
	oper.Expect(func(m *irc.Message) bool { return m.Command == "MODE" && strings.Contains(m.Trailing(), "s") })
	return oper
}

// expectNotice waits for a server notice holding every one of parts.
func expectNotice(t *testing.T, oper *harness.Client, parts ...string) string {
	t.Helper()
	m := oper.Expect(func(m *irc.Message) bool {
		if m.Command != "NOTICE" || !strings.HasPrefix(m.Trailing(), "*** Notice -- ") {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(m.Trailing(), p) {
				return false
			}
		}
		return true
	})
	return m.Trailing()
}

// TestLogConnectAndDisconnect: every connection is logged when it
// registers and when it ends, with its id, nick, address and the reason,
// and operators with +s are told the same.
func TestLogConnectAndDisconnect(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, operYAML("limits:\n  perip: 4\n"))
	oper := snoticeOper(t, srv, "watcher")

	bob := srv.Register(t, "bob")
	srv.Logs.Wait(t, "msg=connect", "nick=bob", "ip=127.0.0.1", "id=")
	expectNotice(t, oper, "Client connecting: bob (~", "[127.0.0.1]")

	bob.Send("QUIT :see you")
	bob.ExpectClosed()
	srv.Logs.Wait(t, "msg=disconnect", "nick=bob", "ip=127.0.0.1", `reason="Quit: see you"`)
	expectNotice(t, oper, "Client exiting: bob (~", "[Quit: see you]")

	carol := srv.Register(t, "carol")
	oper.Send("KILL carol :spam")
	carol.ExpectClosed()
	srv.Logs.Wait(t, "msg=disconnect", "nick=carol", `reason="Killed (watcher (spam))"`)
	expectNotice(t, oper, "Client exiting: carol", "Killed (watcher (spam))")

	// An unregistered connection that goes is logged, but no notice is
	// sent for it.
	raw := srv.Connect(t)
	raw.Send("NICK half")
	raw.Quit()
	srv.Logs.Wait(t, "msg=disconnect", "nick=half", "registered=false")
}

// TestLogRefusals: a wrong server password and the per-IP limit are
// logged and told to operators, and no log line ever holds a password.
func TestLogRefusals(t *testing.T) {
	t.Parallel()
	const serverPassword = "server secret"
	srv := harness.Start(t, operYAML(fmt.Sprintf("password: %q\nlimits:\n  perip: 2\n", hash(t, serverPassword))))
	oper := srv.Connect(t)
	oper.Send("PASS :" + serverPassword)
	oper.Register("watcher")
	oper.Send("OPER admin :" + operPassword)
	oper.ExpectNumeric("381")
	oper.Send("OPER admin :not the password")
	oper.ExpectNumeric("464")
	oper.Send("MODE watcher +s")
	oper.ExpectCommand("MODE")

	intruder := srv.Connect(t)
	intruder.Send("PASS :guessed wrong")
	intruder.Send("NICK intruder")
	intruder.Send("USER u 0 * :r")
	intruder.ExpectNumeric("464")
	intruder.ExpectClosed()
	srv.Logs.Wait(t, "msg=\"bad server password\"", "nick=intruder", "ip=127.0.0.1")
	expectNotice(t, oper, "Bad server password from intruder")
	srv.Logs.Wait(t, "msg=disconnect", "nick=intruder", `reason="Bad password"`)

	// perip is 2: the operator and one more; the third is refused.
	second := srv.Connect(t)
	third := srv.Connect(t)
	if reason := third.ExpectClosed(); !strings.Contains(reason, "Too many connections") {
		t.Fatalf("third connection closed with %q", reason)
	}
	srv.Logs.Wait(t, `msg="connection refused"`, "ip=127.0.0.1", "limit=2")
	expectNotice(t, oper, "Connection refused from 127.0.0.1", "limits.perip (2)")
	second.Quit()

	for _, line := range srv.Logs.Lines() {
		for _, secret := range []string{serverPassword, "guessed wrong", operPassword, "not the password", "$2a$"} {
			if strings.Contains(line, secret) {
				t.Errorf("a log line holds a secret (%q): %s", secret, line)
			}
		}
	}
}
