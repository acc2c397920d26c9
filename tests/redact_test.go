package tests

import (
	"testing"

	"gopkg.in/irc.v4"
)

func TestRedact(t *testing.T) {
	srv, alice, bob, ids, _ := historyRoom(t, "")
	carol := srv.Register(t, "carol", append(historyCaps, "draft/message-redaction")...)
	carol.Send("JOIN #h")
	carol.ExpectNumeric("366")
	outsider := srv.Register(t, "outsider", append(historyCaps, "draft/message-redaction")...)

	// Alice (the channel's op) redacts her own m10; carol is told, bob
	// (without the capability) is not, and history forgets it.
	alice.Send("REDACT #h " + ids[9] + " :typo")
	if m := carol.ExpectCommand("REDACT"); m.Prefix.Name != "alice" || m.Param(0) != "#h" || m.Param(1) != ids[9] || m.Trailing() != "typo" {
		t.Errorf("carol got %v", m)
	}
	for _, m := range bob.Sync() {
		if m.Command == "REDACT" {
			t.Errorf("bob, without the capability, got %v", m)
		}
	}
	if got := texts(fetchHistory(t, carol, "CHATHISTORY LATEST #h * 2")); got != "m8 m9" {
		t.Errorf("history after the redaction: %q", got)
	}

	// Bob's own message: he may redact it; carol may not.
	bob.Send("PRIVMSG #h :bob says")
	said := alice.Expect(func(m *irc.Message) bool { return m.Command == "PRIVMSG" && m.Trailing() == "bob says" })
	bobID := said.Tags["msgid"]
	carol.Send("REDACT #h " + bobID)
	carol.ExpectLine(":irc.conference.local FAIL REDACT REDACT_FORBIDDEN #h " + bobID + " :You may not redact this message")
	bob.Send("REDACT #h " + bobID)
	if m := carol.ExpectCommand("REDACT"); m.Prefix.Name != "bob" || m.Param(1) != bobID {
		t.Errorf("carol got %v", m)
	}
	// An op redacts someone else's message.
	alice.Send("REDACT #h " + ids[0])
	if m := carol.ExpectCommand("REDACT"); m.Prefix.Name != "alice" || m.Param(1) != ids[0] {
		t.Errorf("carol got %v", m)
	}
	if got := texts(fetchHistory(t, carol, "CHATHISTORY AFTER #h timestamp=2000-01-01T00:00:00.000Z 3")); got != "m2 m3 m4" {
		t.Errorf("history after the op's redaction: %q", got)
	}

	cases := []struct{ line, want string }{
		{"REDACT #h", "FAIL REDACT NEED_MORE_PARAMS :Missing parameters"},
		{"REDACT #h nosuchid", "FAIL REDACT UNKNOWN_MSGID #h nosuchid :This message does not exist or is too old"},
		{"REDACT #h " + ids[9], "FAIL REDACT UNKNOWN_MSGID #h " + ids[9] + " :This message does not exist or is too old"},
	}
	for _, c := range cases {
		alice.Send(c.line)
		alice.ExpectLine(":irc.conference.local " + c.want)
	}
	outsider.Send("REDACT #h " + ids[2])
	outsider.ExpectLine(":irc.conference.local FAIL REDACT INVALID_TARGET #h :You cannot redact messages there")
}
