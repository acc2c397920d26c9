package tests

import (
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// expectMessage reads c's next PRIVMSG or NOTICE and checks it fully.
func expectMessage(t *testing.T, c *harness.Client, from, command, target, text string) {
	t.Helper()
	m := c.Expect(func(m *irc.Message) bool { return m.Command == "PRIVMSG" || m.Command == "NOTICE" })
	if m.Prefix.String() != source(from) || m.Command != command || m.Param(0) != target || m.Param(1) != text {
		t.Errorf("%s got %q, want :%s %s %s :%s", c.Nick, m.String(), source(from), command, target, text)
	}
}

func TestPrivmsgAndNotice(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	dave := srv.Register(t, "dave")
	join(t, alice, "#room")
	join(t, bob, "#room")
	join(t, carol, "#room")
	for _, c := range []*harness.Client{alice, bob, carol} {
		c.Sync()
	}

	// To a nick; the target shows as the recipient spells its nick.
	alice.Send("PRIVMSG BOB :hi bob")
	alice.Send("NOTICE bob :a notice")
	expectNothing(t, alice)
	expectMessage(t, bob, "alice", "PRIVMSG", "bob", "hi bob")
	expectMessage(t, bob, "alice", "NOTICE", "bob", "a notice")
	expectNothing(t, carol)

	// To a channel: everyone but the sender.
	alice.Send("PRIVMSG #room :hello room")
	alice.Send("NOTICE #ROOM :room notice")
	expectNothing(t, alice)
	for _, c := range []*harness.Client{bob, carol} {
		expectMessage(t, c, "alice", "PRIVMSG", "#room", "hello room")
		expectMessage(t, c, "alice", "NOTICE", "#ROOM", "room notice")
	}
	expectNothing(t, dave)

	// Several targets at once, up to TARGMAX (4).
	alice.Send("PRIVMSG bob,#room,dave,carol :to many")
	expectNothing(t, alice)
	expectMessage(t, bob, "alice", "PRIVMSG", "bob", "to many")
	expectMessage(t, bob, "alice", "PRIVMSG", "#room", "to many")
	expectMessage(t, dave, "alice", "PRIVMSG", "dave", "to many")
	expectMessage(t, carol, "alice", "PRIVMSG", "#room", "to many")
	expectMessage(t, carol, "alice", "PRIVMSG", "carol", "to many")

	// STATUSMSG: only ops of #room hear "@#room".
	alice.Send("MODE #room +o carol")
	alice.ExpectCommand("MODE")
	bob.ExpectCommand("MODE")
	carol.ExpectCommand("MODE")
	bob.Send("PRIVMSG @#room :ops only")
	bob.Sync()
	expectMessage(t, alice, "bob", "PRIVMSG", "@#room", "ops only")
	expectMessage(t, carol, "bob", "PRIVMSG", "@#room", "ops only")
	expectNothing(t, bob)
}

func TestMessageErrors(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	out := srv.Register(t, "out")
	join(t, alice, "#room")
	join(t, bob, "#room")
	alice.Sync()

	tests := []struct {
		line   string
		want   []string // numerics for PRIVMSG; NOTICE gets none of them
		params []string // of the first numeric
	}{
		{"nobody :x", []string{"401"}, []string{"out", "nobody", "No such nick/channel"}},
		{"#nowhere :x", []string{"403"}, []string{"out", "#nowhere", "No such channel"}},
		{"#room :x", []string{"404"}, []string{"out", "#room", "Cannot send to channel (no external messages)"}},
		{"", []string{"411"}, []string{"out", "No recipient given (PRIVMSG)"}},
		{":", []string{"411"}, []string{"out", "No recipient given (PRIVMSG)"}},
		{"bob", []string{"412"}, []string{"out", "No text to send"}},
		{"bob :", []string{"412"}, []string{"out", "No text to send"}},
		{"nobody,#nowhere :x", []string{"401", "403"}, nil},
	}
	for _, tt := range tests {
		out.Send("PRIVMSG " + tt.line)
		got := syncExpect(t, out, tt.want...)
		if len(got) > 0 && tt.params != nil {
			checkParams(t, got[0], tt.params...)
		}
		out.Send("NOTICE " + tt.line)
		expectNothing(t, out)
	}
	alice.Sync()
	expectNothing(t, bob)

	// 407: the fifth target is refused; the first four are served.
	out.Send("PRIVMSG bob,bob,bob,bob,bob :five")
	checkParams(t, syncExpect(t, out, "407")[0], "out", "bob", "Too many targets")
	for i := 0; i < 4; i++ {
		expectMessage(t, bob, "out", "PRIVMSG", "bob", "five")
	}
	expectNothing(t, bob)
	out.Send("NOTICE bob,bob,bob,bob,bob :five")
	expectNothing(t, out)
	for i := 0; i < 4; i++ {
		expectMessage(t, bob, "out", "NOTICE", "bob", "five")
	}

	// An empty name between commas is refused alone.
	out.Send("PRIVMSG bob,,alice :between")
	checkParams(t, syncExpect(t, out, "411")[0], "out", "No recipient given (PRIVMSG)")
	expectMessage(t, bob, "out", "PRIVMSG", "bob", "between")
	expectMessage(t, alice, "out", "PRIVMSG", "alice", "between")
	out.Send("NOTICE ,, :x")
	expectNothing(t, out)

	// 404 for +m and for a ban, silently for NOTICE.
	alice.Send("MODE #room +m")
	alice.ExpectCommand("MODE")
	bob.ExpectCommand("MODE")
	bob.Send("PRIVMSG #room :moderated")
	checkParams(t, syncExpect(t, bob, "404")[0], "bob", "#room", "Cannot send to channel (+m)")
	bob.Send("NOTICE #room :moderated")
	expectNothing(t, bob)
	alice.Send("MODE #room -m+b bob")
	alice.ExpectCommand("MODE")
	bob.ExpectCommand("MODE")
	bob.Send("PRIVMSG #room :banned")
	checkParams(t, syncExpect(t, bob, "404")[0], "bob", "#room", "Cannot send to channel (you're banned)")
	bob.Send("NOTICE #room :banned")
	expectNothing(t, bob)
	expectNothing(t, alice)
}

// TestMessagesFollowNickChangesAndQuits proves that a message to a nick
// always reaches its current holder, whatever case the sender uses, after
// NICK and after QUIT (rfc1459: "[]\" fold to "{}|").
func TestMessagesFollowNickChangesAndQuits(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "Alice[")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	s := srv.Register(t, "sender")

	s.Send("PRIVMSG alice{ :one")
	expectMessage(t, alice, "sender", "PRIVMSG", "Alice[", "one")

	// alice renames; bob takes her old nick under another case.
	alice.Send("NICK Alice[2")
	checkParams(t, alice.ExpectCommand("NICK"), "Alice[2")
	bob.Send("NICK aLICE{")
	checkParams(t, bob.ExpectCommand("NICK"), "aLICE{")
	bob.Nick = "aLICE{"

	for _, target := range []string{"alice[", "ALICE{", "Alice["} {
		s.Send("PRIVMSG " + target + " :two")
		expectNothing(t, s)
		expectMessage(t, bob, "sender", "PRIVMSG", "aLICE{", "two")
	}
	s.Send("NOTICE alice{ :two, noticed")
	s.Sync()
	expectMessage(t, bob, "sender", "NOTICE", "aLICE{", "two, noticed")
	expectNothing(t, alice)

	s.Send("PRIVMSG ALICE{2 :three")
	expectMessage(t, alice, "sender", "PRIVMSG", "Alice[2", "three")
	expectNothing(t, bob)

	// alice2 quits; carol takes the name.
	alice.Send("QUIT :bye")
	alice.ExpectClosed()
	waitGone(t, s, "alice[2")
	s.Send("PRIVMSG alice[2 :nobody home")
	syncExpect(t, s, "401")
	carol.Send("NICK ALICE{2")
	checkParams(t, carol.ExpectCommand("NICK"), "ALICE{2")
	s.Send("PRIVMSG alice[2 :four")
	s.Send("PRIVMSG aLiCe{ :five")
	expectNothing(t, s)
	expectMessage(t, carol, "sender", "PRIVMSG", "ALICE{2", "four")
	expectMessage(t, bob, "sender", "PRIVMSG", "aLICE{", "five")
	expectNothing(t, carol)
}

func TestNickChangeSeenByPeers(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	dave := srv.Register(t, "dave")
	join(t, alice, "#one")
	join(t, alice, "#two")
	join(t, bob, "#one")
	join(t, bob, "#two") // shares two channels: sees the NICK once
	join(t, carol, "#two")
	for _, c := range []*harness.Client{alice, bob, carol} {
		c.Sync()
	}

	alice.Send("NICK alice2")
	for _, c := range []*harness.Client{alice, bob, carol} {
		got := syncExpect(t, c, "NICK")
		if len(got) == 1 {
			if got[0].Prefix.String() != source("alice") {
				t.Errorf("NICK from %q", got[0].Prefix)
			}
			checkParams(t, got[0], "alice2")
		}
	}
	expectNothing(t, dave)

	alice.Send("PRIVMSG #one :new name")
	m := bob.ExpectCommand("PRIVMSG")
	if m.Prefix.String() != "alice2!~alice@127.0.0.1" {
		t.Errorf("message from %q after NICK", m.Prefix)
	}
	wantNames(t, names(t, bob, "#one"), "@alice2", "bob")

	// Changing only the case is a change too; the same nick is nothing.
	alice.Send("NICK ALICE2")
	checkParams(t, alice.ExpectCommand("NICK"), "ALICE2")
	alice.Send("NICK ALICE2")
	expectNothing(t, alice)
	checkParams(t, bob.ExpectCommand("NICK"), "ALICE2")

	// The old nick is free, the new one is taken in every case.
	dave.Send("NICK Alice2")
	syncExpect(t, dave, "433")
	dave.Send("NICK alice")
	checkParams(t, dave.ExpectCommand("NICK"), "alice")
}

func TestNickCollisionCasemapping(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	srv.Register(t, "Foo[")
	bar := srv.Register(t, "bar")
	for _, nick := range []string{"foo{", "FOO[", "fOo{"} {
		bar.Send("NICK " + nick)
		checkParams(t, syncExpect(t, bar, "433")[0], "bar", nick, "Nickname is already in use")
	}
	// Under rfc1459 "\" and "|" are one letter too.
	srv.Register(t, "back\\slash")
	bar.Send("NICK BACK|SLASH")
	syncExpect(t, bar, "433")
	// But "foo[" differs from "foo[[".
	bar.Send("NICK foo[[")
	checkParams(t, bar.ExpectCommand("NICK"), "foo[[")

	// "~" cannot be in a nick, but it folds to "^": a message to "CARET~"
	// reaches "caret^".
	caret := srv.Register(t, "caret^")
	bar.Send("NICK caret~")
	syncExpect(t, bar, "432")
	bar.Send("PRIVMSG CARET~ :tilde")
	expectNothing(t, bar)
	m := caret.ExpectCommand("PRIVMSG")
	if m.Prefix.String() != "foo[[!~bar@127.0.0.1" {
		t.Errorf("message from %q", m.Prefix)
	}
	checkParams(t, m, "caret^", "tilde")
}
