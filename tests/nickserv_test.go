package tests

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

func TestNickServRegisterIdentifyLogout(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "olga")
	if got := nickServ(t, c, "REGISTER olga-passw0rd olga@example.org"); !hasLine(got, "Account created") || !hasLine(got, "logged in as olga") {
		t.Fatalf("REGISTER: %q", got)
	}
	if !hasRaw(c.Seen, " 900 olga olga!~olga@127.0.0.1 olga :You are now logged in as olga") {
		t.Fatal("no 900 after NickServ REGISTER")
	}
	expectNickServ(t, c, "REGISTER olga-passw0rd", "already logged in")
	if got := nickServ(t, c, "INFO"); !hasLine(got, "Information on olga") || !hasLine(got, "olga@example.org") {
		t.Fatalf("INFO of oneself: %q", got)
	}
	c.Send("NS LOGOUT")
	c.ExpectNumeric("901")
	expectNickServ(t, c, "LOGOUT", "not logged in")
	expectNickServ(t, c, "IDENTIFY wrong-password", "Invalid password")
	c.Send("NICKSERV IDENTIFY olga olga-passw0rd")
	c.ExpectNumeric("900")
	expectNickServ(t, c, "IDENTIFY olga-passw0rd", "already logged in")

	other := srv.Register(t, "pete")
	if got := nickServ(t, other, "INFO olga"); !hasLine(got, "Registered:") || hasLine(got, "example.org") {
		t.Fatalf("INFO of another (no e-mail shown): %q", got)
	}
	expectNickServ(t, other, "INFO nobody", "No such account")
	expectNickServ(t, other, "IDENTIFY nobody whatever1", "No such account")
	expectNickServ(t, other, "FROBNICATE", "Unknown command")
	expectNickServ(t, other, "HELP", "IDENTIFY")
	expectNickServ(t, other, "REGISTER", "Syntax")
	expectNickServ(t, other, "REGISTER short", "not acceptable")
}

func TestNickServNickIsReserved(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "quinn")
	c.Send("NICK NickServ")
	c.ExpectNumeric("433")
	// NOTICE to NickServ is never answered.
	c.Send("NOTICE NickServ :HELP")
	for _, m := range c.Sync() {
		if m.Command == "NOTICE" {
			t.Fatalf("NickServ answered a NOTICE: %v", m)
		}
	}
}

func TestNickServSetPasswordAndDrop(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "rita")
	nickServ(t, c, "REGISTER rita-passw0rd")
	expectNickServ(t, c, "SET PASSWORD rita-new-passw0rd", "Password changed")
	expectNickServ(t, c, "SET PASSWORD tiny", "not acceptable")
	c.Quit()
	d := saslConnect(t, srv)
	if m := saslPlain(t, d, "rita", "rita-passw0rd"); m.Command != "904" {
		t.Fatalf("old password after SET PASSWORD: %v", m)
	}
	if m := saslPlain(t, d, "rita", "rita-new-passw0rd"); m.Command != "903" {
		t.Fatalf("new password: %v", m)
	}
	finishRegistration(t, d, "rita")

	stranger := srv.Register(t, "sam")
	expectNickServ(t, stranger, "SET PASSWORD whatever-1", "must be logged in")
	expectNickServ(t, stranger, "DROP rita wrong-password", "Invalid password")
	expectNickServ(t, stranger, "DROP rita rita-new-passw0rd", "has been dropped")
	// rita's session is logged out, and the name is free again.
	d.ExpectNumeric("901")
	expectNickServ(t, stranger, "INFO rita", "No such account")
}

func TestNickServGhostAndRegain(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  enforce: off\n")
	owner := srv.Register(t, "tess")
	nickServ(t, owner, "REGISTER tess-passw0rd")
	owner.Send("NICK tess_away")
	owner.ExpectCommand("NICK")
	squatter := srv.Register(t, "tess")

	bystander := srv.Register(t, "uma")
	expectNickServ(t, bystander, "GHOST tess", "may not ghost")
	expectNickServ(t, bystander, "GHOST tess wrong-password", "Invalid password")
	expectNickServ(t, bystander, "GHOST nobody", "No one is using")
	expectNickServ(t, owner, "GHOST tess_away", "yourself")
	expectNickServ(t, owner, "REGAIN tess", "regained")
	if reason := squatter.ExpectClosed(); !strings.Contains(reason, "REGAIN") {
		t.Fatalf("squatter closed with %q", reason)
	}
	if !hasRaw(owner.Seen, ":tess_away!~tess@127.0.0.1 NICK :tess") {
		t.Fatalf("owner did not get the nick back:\n%s", strings.Join(owner.Seen, "\n"))
	}

	// GHOST with the password, by someone not logged in.
	squatter2 := srv.Register(t, "tess2")
	expectNickServ(t, bystander, "GHOST tess tess-passw0rd", "ghosted")
	owner.ExpectClosed()
	_ = squatter2
}

func TestNickServCert(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "vera")
	expectNickServ(t, c, "CERT LIST", "must be logged in")
	nickServ(t, c, "REGISTER vera-passw0rd")
	expectNickServ(t, c, "CERT ADD", "not using a client certificate")
	fp := strings.Repeat("ab", 32)
	expectNickServ(t, c, "CERT ADD "+strings.ToUpper(fp), "added")
	expectNickServ(t, c, "CERT ADD "+fp, "already linked")
	expectNickServ(t, c, "CERT ADD xyz", "not a SHA-256")
	if got := nickServ(t, c, "CERT LIST"); !hasLine(got, fp) {
		t.Fatalf("CERT LIST: %q", got)
	}
	expectNickServ(t, c, "CERT DEL "+fp, "removed")
	expectNickServ(t, c, "CERT DEL "+fp, "not linked")
	expectNickServ(t, c, "CERT FROB", "Syntax")
}

// squatOnAccount starts a server with extra accounts config, registers
// the account nick with NickServ, and connects someone else under that
// nick, checking that NickServ warns them.
func squatOnAccount(t *testing.T, yaml, nick string) (*harness.Server, *harness.Clock, *harness.Client) {
	t.Helper()
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, yaml, clock)
	owner := srv.Register(t, nick)
	nickServ(t, owner, "REGISTER "+nick+"-passw0rd")
	owner.Quit()
	squatter := srv.Register(t, nick)
	squatter.Sync()
	if !hasLine(noticesOf(squatter.Seen), "registered to another account") {
		t.Fatalf("no warning:\n%s", strings.Join(squatter.Seen, "\n"))
	}
	return srv, clock, squatter
}

// expectNoNick fails if c was renamed by the time its PING is answered.
func expectNoNick(t *testing.T, c *harness.Client, why string) {
	t.Helper()
	for _, m := range c.Sync() {
		if m.Command == "NICK" {
			t.Fatalf("%s: %v", why, m)
		}
	}
}

func TestNickEnforcement(t *testing.T) {
	srv, clock, squatter := squatOnAccount(t, "accounts:\n  grace: 30s\n", "wendy")
	clock.Advance(29 * time.Second)
	expectNoNick(t, squatter, "renamed before the grace period ended")
	clock.Advance(time.Second)
	m := squatter.ExpectCommand("NICK")
	if !strings.HasPrefix(m.Param(0), "Guest") {
		t.Fatalf("renamed to %v", m)
	}

	// Identifying within the grace period keeps the nick.
	keeper := srv.Register(t, "wendy")
	keeper.Send("NS IDENTIFY wendy-passw0rd")
	keeper.ExpectNumeric("900")
	clock.Advance(time.Minute)
	expectNoNick(t, keeper, "renamed after identifying")
}

func TestNickEnforcementWarnOnly(t *testing.T) {
	_, clock, squatter := squatOnAccount(t, "accounts:\n  enforce: warn\n", "xena")
	clock.Advance(time.Hour)
	expectNoNick(t, squatter, "renamed under warn")
}

// noticesOf returns the text of NOTICE lines among raw lines.
func noticesOf(lines []string) []string {
	var out []string
	for _, l := range lines {
		if m, err := irc.ParseMessage(l); err == nil && m.Command == "NOTICE" {
			out = append(out, m.Trailing())
		}
	}
	return out
}
