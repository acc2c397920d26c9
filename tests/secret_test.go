package tests

import (
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// TestSecretChannelHiddenFromOutsiders: an outsider gets the same answer
// for a secret channel as for one that does not exist, through MODE (its
// modes, creation time and lists), KNOCK, TOPIC, INVITE, PART and KICK;
// members are answered as before.
func TestSecretChannelHiddenFromOutsiders(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#secret")
	queryJoin(t, alice, "#secretclub")
	alice.Send("MODE #secret +st")
	alice.ExpectCommand("MODE")
	alice.Send("MODE #secretclub +si")
	alice.ExpectCommand("MODE")
	alice.Send("TOPIC #secret :hush")
	alice.ExpectCommand("TOPIC")

	for _, name := range []string{"#secret", "#secretclub", "#nowhere"} {
		want := qs + "403 bob " + name + " :No such channel"
		for _, line := range []string{
			"MODE " + name,
			"MODE " + name + " b",
			"MODE " + name + " +o bob",
			"KNOCK " + name + " :let me in",
			"TOPIC " + name,
			"TOPIC " + name + " :mine",
			"INVITE alice " + name,
			"PART " + name,
			"KICK " + name + " alice",
		} {
			queryExpect(t, bob, line, want)
		}
	}
	// Nothing reached the channel's operator.
	queryNothing(t, alice)
	// A member still sees everything.
	if got := queryLines(alice, "MODE #secret"); len(got) != 2 || got[0] != qs+"324 alice #secret :+nst" {
		t.Errorf("member MODE #secret: %q", got)
	}
	if got := queryLines(alice, "TOPIC #secret"); len(got) != 2 || got[0] != qs+"332 alice #secret :hush" {
		t.Errorf("member TOPIC #secret: %q", got)
	}
}
