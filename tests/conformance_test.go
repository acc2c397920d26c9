package tests

import (
	"strings"
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// The cases below were found by irctest, the IRC conformance suite; each
// says what the suite expects.

// TestUserEmptyRealname: "USER name * * :" is answered 461 and does not
// register (irctest testEmptyRealname).
func TestUserEmptyRealname(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	c := srv.Connect(t)
	c.Send("NICK foo")
	c.Send("USER username * * :")
	if got := syncExpect(t, c, "461"); len(got) == 1 {
		checkParams(t, got[0], "foo", "USER", "Not enough parameters")
	}
	c.Send("USER username * * :Real Name")
	c.ExpectNumeric("001")
}

// TestUserNonASCIIUsername: a username with nothing usable in it (ten
// emoji) still registers, with a stock username, as Ergo does (irctest
// testNonutf8Username: never leave the client waiting).
func TestUserNonASCIIUsername(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	c := srv.Connect(t)
	c.Send("NICK foo")
	c.Send("USER " + strings.Repeat("😊", 10) + " * * :realname")
	c.ExpectNumeric("001")
	c.Nick = "foo"
	c.Send("WHOIS foo")
	if m := c.ExpectNumeric("311"); m.Param(2) != "~user" || m.Trailing() != "realname" {
		t.Errorf("WHOIS: %v", m)
	}
}

// TestNamesSeveralChannels: NAMES #a,#b answers each channel's 353, then
// one 366 naming the list as given (irctest testNamesMultipleChannels).
func TestNamesSeveralChannels(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	c := srv.Register(t, "nick1")
	queryJoin(t, c, "#chan1")
	queryJoin(t, c, "#chan2")
	c.Send("NAMES #chan1,#chan2")
	got := syncExpect(t, c, "353", "353", "366")
	if len(got) != 3 {
		return
	}
	for i, want := range [][]string{
		{"nick1", "=", "#chan1", "@nick1"},
		{"nick1", "=", "#chan2", "@nick1"},
		{"nick1", "#chan1,#chan2", "End of /NAMES list"},
	} {
		checkParams(t, got[i], want...)
	}
	// A single channel, and one that does not exist, as before.
	c.Send("NAMES #nonexisting")
	if got := syncExpect(t, c, "366"); len(got) == 1 {
		checkParams(t, got[0], "nick1", "#nonexisting", "End of /NAMES list")
	}
}
