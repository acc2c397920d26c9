package tests

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// modeOK sets a channel mode and waits for it to be echoed.
func modeOK(t *testing.T, c *harness.Client, line string) {
	t.Helper()
	c.Send(line)
	c.Expect(func(m *irc.Message) bool { return m.Command == "MODE" })
}

func TestAccountExtban(t *testing.T) {
	srv := harness.Start(t, "")
	op := srv.Register(t, "chanop")
	op.Send("JOIN #ext")
	op.ExpectNumeric("366")
	if !strings.Contains(strings.Join(op.Seen, "\n"), "EXTBAN=$,am") {
		t.Fatal("ISUPPORT lacks EXTBAN=$,am")
	}
	modeOK(t, op, "MODE #ext +b $a:troll*")
	troll := registerAccount(t, srv, "trollface", "troll-passw0rd")
	troll.Send("JOIN #ext")
	troll.ExpectNumeric("474")
	// Anyone not logged in to a matching account may join.
	guest := srv.Register(t, "guest")
	guest.Send("JOIN #ext")
	guest.ExpectNumeric("366")

	// +I $a: lets logged-in users into an invite-only channel.
	modeOK(t, op, "MODE #ext +iI $a")
	friend := registerAccount(t, srv, "friend", "friend-passw0rd")
	friend.Send("JOIN #ext")
	friend.ExpectNumeric("366")
	stranger := srv.Register(t, "stranger")
	stranger.Send("JOIN #ext")
	stranger.ExpectNumeric("473")

	// +e $a: excepts an account from a wide ban.
	modeOK(t, op, "MODE #ext -i")
	modeOK(t, op, "MODE #ext +be *!*@* $a:friend")
	friend.Send("PART #ext")
	friend.Send("JOIN #ext")
	friend.ExpectNumeric("366")

	op.Send("MODE #ext +b $x:whatever")
	if m := op.ExpectNumeric("696"); m.Param(3) != "$x:whatever" {
		t.Fatalf("unknown extban: %v", m)
	}
}

func TestMuteExtban(t *testing.T) {
	srv := harness.Start(t, "")
	op := srv.Register(t, "chanop")
	op.Send("JOIN #mute")
	op.ExpectNumeric("366")
	loud := srv.Register(t, "loud")
	modeOK(t, op, "MODE #mute +b $m:loud")
	// A mute does not keep anyone out...
	loud.Send("JOIN #mute")
	loud.ExpectNumeric("366")
	op.Send("MODE #mute +b")
	if m := op.ExpectNumeric("367"); m.Param(2) != "$m:loud!*@*" {
		t.Fatalf("mute stored as %v", m)
	}
	// ...but silences.
	loud.Send("PRIVMSG #mute :can you hear me")
	loud.ExpectNumeric("404")
	for _, m := range op.Sync() {
		if m.Command == "PRIVMSG" {
			t.Fatalf("muted message delivered: %v", m)
		}
	}
	// Voice lifts it, as for a ban.
	modeOK(t, op, "MODE #mute +v loud")
	loud.Send("PRIVMSG #mute :now?")
	op.ExpectCommand("PRIVMSG")
	// A mute by account.
	quiet := registerAccount(t, srv, "quiet", "quiet-passw0rd")
	modeOK(t, op, "MODE #mute +b $m:$a:quiet")
	quiet.Send("JOIN #mute")
	quiet.ExpectNumeric("366")
	quiet.Send("PRIVMSG #mute :hello")
	quiet.ExpectNumeric("404")
}
