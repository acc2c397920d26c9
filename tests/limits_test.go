package tests

import (
	"strings"
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// TestTagSectionCountsEveryTag: the 4094 bytes of tag data a client may
// send count its tags with and without the client-only '+', so a TAGMSG
// over the limit is answered 417 and relayed to nobody.
func TestTagSectionCountsEveryTag(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice", "message-tags")
	bob := srv.Register(t, "bob", "message-tags")
	queryJoin(t, alice, "#t")
	queryJoin(t, bob, "#t")
	alice.Sync()

	alice.Send("@foo=bar;+baz=" + strings.Repeat("a", 4082) + " TAGMSG #t")
	syncExpect(t, alice, "417")
	expectNothing(t, bob)

	alice.Send("@foo=bar;+baz=" + strings.Repeat("a", 4081) + " TAGMSG #t")
	if m := bob.ExpectCommand("TAGMSG"); len(m.Tags["+baz"]) != 4081 {
		t.Errorf("bob got +baz of %d bytes, want 4081", len(m.Tags["+baz"]))
	}
}

// TestInvalidUTF8TagNotRelayed: a client-only tag whose value is not UTF-8
// is dropped rather than relayed with each bad byte grown to three
// (4000 bytes of 0xFF used to reach members as 12 KB of tags); the
// message itself and the sender's valid tags still go through.
func TestInvalidUTF8TagNotRelayed(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice", "message-tags")
	bob := srv.Register(t, "bob", "message-tags", "server-time")
	queryJoin(t, alice, "#t")
	queryJoin(t, bob, "#t")
	alice.Sync()

	alice.Send("@+x=" + strings.Repeat("\xff", 4000) + ";+y=ok PRIVMSG #t :hello")
	bob.ExpectCommand("PRIVMSG")
	line := bob.Seen[len(bob.Seen)-1]
	tags, _, _ := strings.Cut(line, " ")
	if len(tags) > 1+4094+200 {
		t.Errorf("relayed tag section is %d bytes", len(tags))
	}
	if strings.Contains(tags, "+x") || !strings.Contains(tags, "+y=ok") {
		t.Errorf("relayed tags %.200q: want +y=ok and no +x", tags)
	}
}
