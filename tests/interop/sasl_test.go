package interop

import (
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// makeAccount registers an account with NickServ from a scripted client
// and disconnects it.
func makeAccount(t *testing.T, srv *harness.Server, name, password string) {
	t.Helper()
	c := srv.Register(t, name)
	c.Send("PRIVMSG NickServ :REGISTER " + password)
	c.Expect(func(m *irc.Message) bool { return m.Command == "900" })
	c.Quit()
}

// loggedInAs waits until WHOIS nick shows account (330).
func loggedInAs(t *testing.T, obs *harness.Client, nick, account string) {
	t.Helper()
	obs.Send("WHOIS " + nick)
	for {
		m := obs.Next()
		if m.Command == "330" && m.Param(1) == nick && m.Param(2) == account {
			return
		}
		if m.Command == "318" {
			t.Fatalf("WHOIS %s: no 330 for account %s", nick, account)
		}
	}
}

// TestIrssiSASLPlain: irssi logs in with SASL PLAIN through its own
// network settings (-sasl_mechanism, -sasl_username, -sasl_password).
func TestIrssiSASLPlain(t *testing.T) {
	srv, obs := startServer(t)
	makeAccount(t, srv, "irssisasl", "irssi-passw0rd")
	c := launchIrssi(t, "irssisasl")
	c.cmd("/network add -sasl_mechanism PLAIN -sasl_username irssisasl -sasl_password irssi-passw0rd conf")
	c.cmd("/server add -network conf 127.0.0.1 " + port(srv))
	c.cmd("/connect conf")
	c.waitLog(lit("End of /MOTD"))
	loggedInAs(t, obs, "irssisasl", "irssisasl")
	c.cmd("/quit done")
	c.waitExit()
	noUnknownCommand(t, "irssi", readFile(c.log))
}
