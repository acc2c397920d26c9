package tests

import (
	"testing"
)

func TestRename(t *testing.T) {
	srv, alice, bob, _, _ := historyRoom(t, "")
	carol := srv.Register(t, "carol", append(historyCaps, "draft/channel-rename")...)
	carol.Send("JOIN #h")
	carol.ExpectNumeric("366")
	other := srv.Register(t, "other")
	other.Send("JOIN #taken")
	other.ExpectNumeric("366")

	bob.Send("RENAME #h #new :tidy")
	bob.ExpectNumeric("482")
	alice.Send("RENAME #h #taken")
	alice.ExpectLine(":irc.conference.local FAIL RENAME CHANNEL_NAME_IN_USE #h #taken :That name is taken")
	alice.Send("RENAME #h bad")
	alice.ExpectLine(":irc.conference.local FAIL RENAME CANNOT_RENAME #h bad :Invalid channel name")
	other.Send("RENAME #h #mine")
	other.ExpectNumeric("442")

	alice.Send("RENAME #h #new :tidy")
	if m := carol.ExpectCommand("RENAME"); m.Prefix.Name != "alice" || m.Param(0) != "#h" || m.Param(1) != "#new" || m.Trailing() != "tidy" {
		t.Errorf("carol (with the capability) got %v", m)
	}
	// Without it: PART the old name, JOIN the new one.
	if m := bob.ExpectCommand("PART"); m.Prefix.Name != "bob" || m.Param(0) != "#h" || m.Trailing() != "tidy" {
		t.Errorf("bob got %v", m)
	}
	if m := bob.ExpectCommand("JOIN"); m.Prefix.Name != "bob" || m.Param(0) != "#new" {
		t.Errorf("bob got %v", m)
	}
	alice.ExpectCommand("JOIN")
	alice.ExpectNumeric("366")
	// The channel lives on under its new name, with its history.
	bob.Send("PRIVMSG #new :still here")
	carol.ExpectCommand("PRIVMSG")
	if got := texts(fetchHistory(t, carol, "CHATHISTORY LATEST #new * 3")); got != "m9 m10 still here" {
		t.Errorf("history under the new name: %q", got)
	}
	carol.Send("CHATHISTORY LATEST #h * 3")
	carol.ExpectLine(":irc.conference.local FAIL CHATHISTORY INVALID_TARGET LATEST #h :Messages could not be retrieved")
	// The old name is free.
	other.Send("JOIN #h")
	other.ExpectLine(":irc.conference.local 353 other = #h :@other")
}
