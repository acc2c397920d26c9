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
