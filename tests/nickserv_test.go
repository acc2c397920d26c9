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
	if got := nickServ(t, c, "REGISTER olga-passw0rd"); !hasLine(got, "already logged in") {
		t.Fatalf("second REGISTER: %q", got)
	}
	if got := nickServ(t, c, "INFO"); !hasLine(got, "Information on olga") || !hasLine(got, "olga@example.org") {
		t.Fatalf("INFO of oneself: %q", got)
	}
	c.Send("NS LOGOUT")
	c.ExpectNumeric("901")
	if got := nickServ(t, c, "LOGOUT"); !hasLine(got, "not logged in") {
		t.Fatalf("second LOGOUT: %q", got)
	}
	if got := nickServ(t, c, "IDENTIFY wrong-password"); !hasLine(got, "Invalid password") {
		t.Fatalf("IDENTIFY wrong: %q", got)
	}
	c.Send("NICKSERV IDENTIFY olga olga-passw0rd")
	c.ExpectNumeric("900")
	if got := nickServ(t, c, "IDENTIFY olga-passw0rd"); !hasLine(got, "already logged in") {
		t.Fatalf("IDENTIFY when logged in: %q", got)
	}

	other := srv.Register(t, "pete")
	if got := nickServ(t, other, "INFO olga"); !hasLine(got, "Registered:") || hasLine(got, "example.org") {
		t.Fatalf("INFO of another (no e-mail shown): %q", got)
	}
	if got := nickServ(t, other, "INFO nobody"); !hasLine(got, "No such account") {
		t.Fatalf("INFO of no one: %q", got)
	}
	if got := nickServ(t, other, "IDENTIFY nobody whatever1"); !hasLine(got, "No such account") {
		t.Fatalf("IDENTIFY of no one: %q", got)
	}
	if got := nickServ(t, other, "FROBNICATE"); !hasLine(got, "Unknown command") {
		t.Fatalf("unknown command: %q", got)
	}
	if got := nickServ(t, other, "HELP"); !hasLine(got, "IDENTIFY") {
		t.Fatalf("HELP: %q", got)
	}
	if got := nickServ(t, other, "REGISTER"); !hasLine(got, "Syntax") {
		t.Fatalf("REGISTER without a password: %q", got)
	}
	if got := nickServ(t, other, "REGISTER short"); !hasLine(got, "not acceptable") {
		t.Fatalf("REGISTER with a short password: %q", got)
	}
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
	if got := nickServ(t, c, "SET PASSWORD rita-new-passw0rd"); !hasLine(got, "Password changed") {
		t.Fatalf("SET PASSWORD: %q", got)
	}
	if got := nickServ(t, c, "SET PASSWORD tiny"); !hasLine(got, "not acceptable") {
		t.Fatalf("SET PASSWORD too short: %q", got)
	}
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
	if got := nickServ(t, stranger, "SET PASSWORD whatever-1"); !hasLine(got, "must be logged in") {
		t.Fatalf("SET PASSWORD logged out: %q", got)
	}
	if got := nickServ(t, stranger, "DROP rita wrong-password"); !hasLine(got, "Invalid password") {
		t.Fatalf("DROP with a wrong password: %q", got)
	}
	if got := nickServ(t, stranger, "DROP rita rita-new-passw0rd"); !hasLine(got, "has been dropped") {
		t.Fatalf("DROP: %q", got)
	}
	// rita's session is logged out, and the name is free again.
	d.ExpectNumeric("901")
	if got := nickServ(t, stranger, "INFO rita"); !hasLine(got, "No such account") {
		t.Fatalf("INFO after DROP: %q", got)
	}
}

func TestNickServGhostAndRegain(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  enforce: off\n")
	owner := srv.Register(t, "tess")
	nickServ(t, owner, "REGISTER tess-passw0rd")
	owner.Send("NICK tess_away")
	owner.ExpectCommand("NICK")
	squatter := srv.Register(t, "tess")

	bystander := srv.Register(t, "uma")
	if got := nickServ(t, bystander, "GHOST tess"); !hasLine(got, "may not ghost") {
		t.Fatalf("GHOST by a stranger: %q", got)
	}
	if got := nickServ(t, bystander, "GHOST tess wrong-password"); !hasLine(got, "Invalid password") {
		t.Fatalf("GHOST with a wrong password: %q", got)
	}
	if got := nickServ(t, bystander, "GHOST nobody"); !hasLine(got, "No one is using") {
		t.Fatalf("GHOST of no one: %q", got)
	}
	if got := nickServ(t, owner, "GHOST tess_away"); !hasLine(got, "yourself") {
		t.Fatalf("GHOST of oneself: %q", got)
	}
	if got := nickServ(t, owner, "REGAIN tess"); !hasLine(got, "regained") {
		t.Fatalf("REGAIN: %q", got)
	}
	if reason := squatter.ExpectClosed(); !strings.Contains(reason, "REGAIN") {
		t.Fatalf("squatter closed with %q", reason)
	}
	if !hasRaw(owner.Seen, ":tess_away!~tess@127.0.0.1 NICK :tess") {
		t.Fatalf("owner did not get the nick back:\n%s", strings.Join(owner.Seen, "\n"))
	}

	// GHOST with the password, by someone not logged in.
	squatter2 := srv.Register(t, "tess2")
	if got := nickServ(t, bystander, "GHOST tess tess-passw0rd"); !hasLine(got, "ghosted") {
		t.Fatalf("GHOST with the password: %q", got)
	}
	owner.ExpectClosed()
	_ = squatter2
}

func TestNickServCert(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "vera")
	if got := nickServ(t, c, "CERT LIST"); !hasLine(got, "must be logged in") {
		t.Fatalf("CERT logged out: %q", got)
	}
	nickServ(t, c, "REGISTER vera-passw0rd")
	if got := nickServ(t, c, "CERT ADD"); !hasLine(got, "not using a client certificate") {
		t.Fatalf("CERT ADD without a certificate: %q", got)
	}
	fp := strings.Repeat("ab", 32)
	if got := nickServ(t, c, "CERT ADD "+strings.ToUpper(fp)); !hasLine(got, "added") {
		t.Fatalf("CERT ADD fp: %q", got)
	}
	if got := nickServ(t, c, "CERT ADD "+fp); !hasLine(got, "already linked") {
		t.Fatalf("CERT ADD twice: %q", got)
	}
	if got := nickServ(t, c, "CERT ADD xyz"); !hasLine(got, "not a SHA-256") {
		t.Fatalf("CERT ADD garbage: %q", got)
	}
	if got := nickServ(t, c, "CERT LIST"); !hasLine(got, fp) {
		t.Fatalf("CERT LIST: %q", got)
	}
	if got := nickServ(t, c, "CERT DEL "+fp); !hasLine(got, "removed") {
		t.Fatalf("CERT DEL: %q", got)
	}
	if got := nickServ(t, c, "CERT DEL "+fp); !hasLine(got, "not linked") {
		t.Fatalf("CERT DEL twice: %q", got)
	}
	if got := nickServ(t, c, "CERT FROB"); !hasLine(got, "Syntax") {
		t.Fatalf("CERT FROB: %q", got)
	}
}

func TestNickEnforcement(t *testing.T) {
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, "accounts:\n  grace: 30s\n", clock)
	owner := srv.Register(t, "wendy")
	nickServ(t, owner, "REGISTER wendy-passw0rd")
	owner.Quit()

	// Someone else takes the nick: warned, then renamed after the grace.
	squatter := srv.Register(t, "wendy")
	squatter.Sync()
	if !hasLine(noticesOf(squatter.Seen), "registered to another account") {
		t.Fatalf("no warning:\n%s", strings.Join(squatter.Seen, "\n"))
	}
	clock.Advance(29 * time.Second)
	for _, m := range squatter.Sync() {
		if m.Command == "NICK" {
			t.Fatal("renamed before the grace period ended")
		}
	}
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
	for _, m := range keeper.Sync() {
		if m.Command == "NICK" {
			t.Fatalf("renamed after identifying: %v", m)
		}
	}
}

func TestNickEnforcementWarnOnly(t *testing.T) {
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, "accounts:\n  enforce: warn\n", clock)
	owner := srv.Register(t, "xena")
	nickServ(t, owner, "REGISTER xena-passw0rd")
	owner.Quit()
	squatter := srv.Register(t, "xena")
	squatter.Sync()
	if !hasLine(noticesOf(squatter.Seen), "registered to another account") {
		t.Fatal("no warning")
	}
	clock.Advance(time.Hour)
	for _, m := range squatter.Sync() {
		if m.Command == "NICK" {
			t.Fatalf("renamed under warn: %v", m)
		}
	}
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
