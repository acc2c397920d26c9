package tests

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// join makes c join channel and waits for the end of its NAMES; it returns
// the names listed.
func join(t *testing.T, c *harness.Client, channel string) []string {
	t.Helper()
	c.Send("JOIN " + channel)
	var names []string
	for {
		m := c.Next()
		switch m.Command {
		case "353":
			names = append(names, strings.Fields(m.Trailing())...)
		case "366":
			slices.Sort(names)
			return names
		case "403", "405", "471", "473", "474", "475":
			t.Fatalf("%s: JOIN %s refused: %v", c.Nick, channel, m)
		}
	}
}

// names asks for NAMES and returns the sorted names and the 366 reply.
func names(t *testing.T, c *harness.Client, channel string) []string {
	t.Helper()
	c.Send("NAMES " + channel)
	var out []string
	for {
		m := c.Next()
		switch m.Command {
		case "353":
			out = append(out, strings.Fields(m.Trailing())...)
		case "366":
			slices.Sort(out)
			return out
		}
	}
}

func wantNames(t *testing.T, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

// expectFrom reads until a command from nick arrives.
func expectFrom(t *testing.T, c *harness.Client, nick, command string) *irc.Message {
	t.Helper()
	return c.Expect(func(m *irc.Message) bool { return m.Command == command && m.Prefix.Name == nick })
}

func TestJoinCreatesChannelWithOp(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")

	alice.Send("JOIN #room")
	echo := alice.ExpectCommand("JOIN")
	if echo.Prefix.String() != source("alice") {
		t.Errorf("JOIN from %q", echo.Prefix)
	}
	checkParams(t, echo, "#room")
	namreply := alice.ExpectNumeric("353")
	checkParams(t, namreply, "alice", "=", "#room", "@alice")
	checkParams(t, alice.ExpectNumeric("366"), "alice", "#room", "End of /NAMES list")

	wantNames(t, join(t, bob, "#room"), "@alice", "bob")
	checkParams(t, expectFrom(t, alice, "bob", "JOIN"), "#room")
	// Joining again is silent.
	bob.Send("JOIN #ROOM")
	expectNothing(t, bob)
	expectNothing(t, alice)
}

func TestJoinSeveralWithKeys(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	op := srv.Register(t, "op")
	bob := srv.Register(t, "bob")
	join(t, op, "#k1")
	join(t, op, "#k2")
	op.Send("MODE #k1 +k one")
	op.ExpectCommand("MODE")
	op.Send("MODE #k2 +k two")
	op.ExpectCommand("MODE")

	op.Sync()
	bob.Send("JOIN #k1,#k2,#open wrong,two")
	got := syncExpect(t, bob, "475", "JOIN", "353", "366", "JOIN", "353", "366")
	if len(got) == 7 {
		checkParams(t, got[0], "bob", "#k1", "Cannot join channel (+k)")
		checkParams(t, got[1], "#k2")
		checkParams(t, got[4], "#open")
	}
	bob.Send("JOIN #k1 one")
	syncExpect(t, bob, "JOIN", "353", "366")
	syncExpect(t, op, "JOIN", "JOIN") // #k2, then #k1
	op.Send("MODE #k1")
	got = syncExpect(t, op, "324", "329")
	if len(got) == 2 {
		checkParams(t, got[0], "op", "#k1", "+ntk", "one")
	}
}

func TestJoinZeroPartsEverything(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	join(t, alice, "#a")
	join(t, alice, "#b")
	join(t, bob, "#a")
	join(t, bob, "#b")
	alice.Sync()

	alice.Send("JOIN 0")
	got := syncExpect(t, alice, "PART", "PART")
	var parted []string
	for _, m := range got {
		parted = append(parted, m.Params[0])
	}
	slices.Sort(parted)
	if !slices.Equal(parted, []string{"#a", "#b"}) {
		t.Errorf("parted %q", parted)
	}
	syncExpect(t, bob, "PART", "PART")
	wantNames(t, names(t, bob, "#a"), "bob")
}

func TestPart(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	join(t, alice, "#room")
	join(t, bob, "#room")
	alice.Sync()

	bob.Send("PART #room :see you later")
	for _, c := range []*harness.Client{bob, alice} {
		got := syncExpect(t, c, "PART")
		if len(got) == 1 {
			checkParams(t, got[0], "#room", "see you later")
			if got[0].Prefix.String() != source("bob") {
				t.Errorf("PART from %q", got[0].Prefix)
			}
		}
	}
	bob.Send("PART #room")
	syncExpect(t, bob, "442")
	bob.Send("PART #nowhere")
	syncExpect(t, bob, "403")
	alice.Send("PART #room")
	got := syncExpect(t, alice, "PART")
	if len(got) == 1 {
		checkParams(t, got[0], "#room")
	}
}

func TestTopic(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	join(t, alice, "#room")
	join(t, bob, "#room")
	alice.Sync()

	bob.Send("TOPIC #room")
	checkParams(t, syncExpect(t, bob, "331")[0], "bob", "#room", "No topic is set")
	// +t is on by default: only ops set the topic.
	bob.Send("TOPIC #room :bob's topic")
	syncExpect(t, bob, "482")

	alice.Send("TOPIC #room :Welcome to the room")
	for _, c := range []*harness.Client{alice, bob} {
		got := syncExpect(t, c, "TOPIC")
		if len(got) == 1 {
			checkParams(t, got[0], "#room", "Welcome to the room")
		}
	}
	bob.Send("TOPIC #room")
	got := syncExpect(t, bob, "332", "333")
	if len(got) == 2 {
		checkParams(t, got[0], "bob", "#room", "Welcome to the room")
		if got[1].Param(2) != source("alice") {
			t.Errorf("333 setter %q", got[1].Param(2))
		}
		if ts, err := strconv.ParseInt(got[1].Param(3), 10, 64); err != nil || ts <= 0 {
			t.Errorf("333 time %q", got[1].Param(3))
		}
	}

	// A newcomer sees the topic on JOIN, before the names.
	carol := srv.Register(t, "carol")
	carol.Send("JOIN #room")
	syncExpect(t, carol, "JOIN", "332", "333", "353", "366")

	// -t lets anyone set it.
	alice.Send("MODE #room -t")
	alice.ExpectCommand("MODE")
	bob.Send("TOPIC #room :bob was here")
	checkParams(t, expectFrom(t, bob, "bob", "TOPIC"), "#room", "bob was here")
	// An empty topic clears it.
	bob.Send("TOPIC #room :")
	expectFrom(t, bob, "bob", "TOPIC")
	bob.Send("TOPIC #room")
	syncExpect(t, bob, "331")

	outsider := srv.Register(t, "outsider")
	outsider.Send("TOPIC #room :drive-by")
	syncExpect(t, outsider, "442")
	outsider.Send("TOPIC #nowhere")
	syncExpect(t, outsider, "403")
}

func TestNamesPrefixes(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	op := srv.Register(t, "op")
	voiced := srv.Register(t, "voiced")
	plain := srv.Register(t, "plain")
	multi := srv.Register(t, "multi", "multi-prefix")
	join(t, op, "#room")
	join(t, voiced, "#room")
	join(t, plain, "#room")
	join(t, multi, "#room")
	op.Send("MODE #room +vv voiced op")
	op.ExpectCommand("MODE")

	wantNames(t, names(t, plain, "#room"), "@op", "+voiced", "plain", "multi")
	wantNames(t, names(t, multi, "#room"), "@+op", "+voiced", "plain", "multi")
	// NAMES of several channels, one of them missing: the 353s, then one
	// 366 naming the list as given (irctest's multi-target NAMES).
	plain.Send("NAMES #room,#missing")
	got := syncExpect(t, plain, "353", "366")
	if len(got) == 2 {
		checkParams(t, got[1], "plain", "#room,#missing", "End of /NAMES list")
	}
}

func TestChannelModes(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	op := srv.Register(t, "op")
	bob := srv.Register(t, "bob")
	out := srv.Register(t, "out")
	join(t, op, "#m")
	join(t, bob, "#m")
	op.Sync()

	// modeSeen sends a MODE as op and checks that both members see it.
	modeSeen := func(line string, want ...string) {
		t.Helper()
		op.Send(line)
		for _, c := range []*harness.Client{op, bob} {
			got := syncExpect(t, c, "MODE")
			if len(got) == 1 {
				checkParams(t, got[0], want...)
				if got[0].Prefix.String() != source("op") {
					t.Errorf("MODE from %q", got[0].Prefix)
				}
			}
		}
	}

	op.Send("MODE #m")
	got := syncExpect(t, op, "324", "329")
	if len(got) == 2 {
		checkParams(t, got[0], "op", "#m", "+nt")
		if ts, err := strconv.ParseInt(got[1].Param(2), 10, 64); err != nil || ts <= 0 {
			t.Errorf("329 %v", got[1])
		}
	}

	// Only ops change modes.
	for _, line := range []string{"MODE #m +m", "MODE #m +o bob", "MODE #m +b x", "MODE #m -t", "MODE #m +k key", "MODE #m +l 5"} {
		bob.Send(line)
		checkParams(t, syncExpect(t, bob, "482")[0], "bob", "#m", "You're not channel operator")
	}
	out.Send("MODE #m +m")
	syncExpect(t, out, "442")
	expectNothing(t, op)

	// +n: outsiders cannot speak; -n lets them.
	out.Send("PRIVMSG #m :from outside")
	syncExpect(t, out, "404")
	modeSeen("MODE #m -n", "#m", "-n")
	out.Send("PRIVMSG #m :from outside")
	expectNothing(t, out)
	checkParams(t, expectFrom(t, bob, "out", "PRIVMSG"), "#m", "from outside")
	expectFrom(t, op, "out", "PRIVMSG")
	modeSeen("MODE #m +n", "#m", "+n")

	// +m: only voiced and ops speak.
	modeSeen("MODE #m +m", "#m", "+m")
	bob.Send("PRIVMSG #m :hello?")
	checkParams(t, syncExpect(t, bob, "404")[0], "bob", "#m", "Cannot send to channel (+m)")
	modeSeen("MODE #m +v bob", "#m", "+v", "bob")
	bob.Send("PRIVMSG #m :now I can")
	checkParams(t, expectFrom(t, op, "bob", "PRIVMSG"), "#m", "now I can")
	modeSeen("MODE #m -mv bob", "#m", "-mv", "bob")

	// +o: bob becomes op and can set modes.
	modeSeen("MODE #m +o bob", "#m", "+o", "bob")
	bob.Send("MODE #m +t")
	expectNothing(t, bob) // already set: no change, no broadcast
	modeSeen("MODE #m -o bob", "#m", "-o", "bob")

	// +i
	modeSeen("MODE #m +i", "#m", "+i")
	out.Send("JOIN #m")
	syncExpect(t, out, "473")
	modeSeen("MODE #m -i", "#m", "-i")

	// +k
	modeSeen("MODE #m +k s3cret", "#m", "+k", "s3cret")
	out.Send("JOIN #m")
	syncExpect(t, out, "475")
	out.Send("JOIN #m wrong")
	syncExpect(t, out, "475")
	out.Send("MODE #m")
	if got := syncExpect(t, out, "324", "329"); len(got) == 2 {
		checkParams(t, got[0], "out", "#m", "+ntk") // no key for outsiders
	}
	modeSeen("MODE #m -k *", "#m", "-k", "*")

	// +l
	modeSeen("MODE #m +l 2", "#m", "+l", "2")
	out.Send("JOIN #m")
	syncExpect(t, out, "471")
	op.Send("MODE #m")
	if got := syncExpect(t, op, "324", "329"); len(got) == 2 {
		checkParams(t, got[0], "op", "#m", "+ntl", "2")
	}
	modeSeen("MODE #m -l", "#m", "-l")

	// +b, the list, and what a ban does.
	modeSeen("MODE #m +b out", "#m", "+b", "out!*@*")
	modeSeen("MODE #m +b *!*@203.0.113.*", "#m", "+b", "*!*@203.0.113.*")
	out.Send("JOIN #m")
	syncExpect(t, out, "474")
	bob.Send("MODE #m +b")
	got = syncExpect(t, bob, "367", "367", "368")
	if len(got) == 3 {
		masks := []string{got[0].Param(2), got[1].Param(2)}
		slices.Sort(masks)
		if !slices.Equal(masks, []string{"*!*@203.0.113.*", "out!*@*"}) {
			t.Errorf("ban list %q", masks)
		}
		if got[0].Param(3) != source("op") {
			t.Errorf("367 setter %q", got[0].Param(3))
		}
		checkParams(t, got[2], "bob", "#m", "End of channel ban list")
	}
	// A banned member cannot speak.
	modeSeen("MODE #m +b bob!*@*", "#m", "+b", "bob!*@*")
	bob.Send("PRIVMSG #m :muted?")
	checkParams(t, syncExpect(t, bob, "404")[0], "bob", "#m", "Cannot send to channel (you're banned)")
	modeSeen("MODE #m -bb bob!*@* OUT", "#m", "-bb", "bob!*@*", "out!*@*")
	join(t, out, "#m")
	op.Sync()
	bob.Sync()

	// +s hides the channel from outsiders' NAMES.
	modeSeen("MODE #m +s", "#m", "+s")
	stranger := srv.Register(t, "stranger")
	stranger.Send("NAMES #m")
	syncExpect(t, stranger, "366")
	if got := names(t, bob, "#m"); len(got) != 3 {
		t.Errorf("member NAMES of +s channel: %q", got)
	}
	bob.Send("NAMES #m")
	if got := syncExpect(t, bob, "353", "366"); len(got) == 2 && got[0].Param(1) != "@" {
		t.Errorf("353 symbol for +s is %q, want @", got[0].Param(1))
	}

	// Several changes in one line are announced as one.
	modeSeen("MODE #m +mi-s", "#m", "+mi-s")
	// Unknown letters are refused by name.
	op.Send("MODE #m +Z")
	checkParams(t, syncExpect(t, op, "472")[0], "op", "Z", "is unknown mode char to me")
	op.Send("MODE #nowhere +m")
	syncExpect(t, op, "403")
}

func TestKick(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	op := srv.Register(t, "op")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	out := srv.Register(t, "out")
	for _, c := range []*harness.Client{op, bob, carol} {
		join(t, c, "#k")
	}
	op.Sync()
	bob.Sync()

	bob.Send("KICK #k carol :no")
	checkParams(t, syncExpect(t, bob, "482")[0], "bob", "#k", "You're not channel operator")
	out.Send("KICK #k bob")
	syncExpect(t, out, "442")
	op.Send("KICK #k out")
	checkParams(t, syncExpect(t, op, "441")[0], "op", "out", "#k", "They aren't on that channel")
	op.Send("KICK #k nobody")
	syncExpect(t, op, "401")
	op.Send("KICK #nowhere bob")
	syncExpect(t, op, "403")

	op.Send("KICK #k bob :behave")
	for _, c := range []*harness.Client{op, bob, carol} {
		got := syncExpect(t, c, "KICK")
		if len(got) == 1 {
			checkParams(t, got[0], "#k", "bob", "behave")
			if got[0].Prefix.String() != source("op") {
				t.Errorf("KICK from %q", got[0].Prefix)
			}
		}
	}
	// bob is out: no longer hears the channel, and +n keeps him quiet.
	carol.Send("PRIVMSG #k :bob is gone")
	carol.Sync()
	expectFrom(t, op, "carol", "PRIVMSG")
	expectNothing(t, bob)
	bob.Send("PRIVMSG #k :let me back")
	syncExpect(t, bob, "404")
	wantNames(t, names(t, carol, "#k"), "@op", "carol")

	// Without a reason, the kicker's nick is the reason.
	op.Send("KICK #k carol")
	got := syncExpect(t, op, "KICK")
	if len(got) == 1 {
		checkParams(t, got[0], "#k", "carol", "op")
	}
}

// TestChannelVanishes empties a channel and checks that it is gone: NAMES
// and MODE no longer know it, and the next to join is its op.
func TestChannelVanishes(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	join(t, alice, "#gone")
	join(t, bob, "#gone")
	alice.Send("MODE #gone +ik secret")
	alice.ExpectCommand("MODE")
	alice.Send("TOPIC #gone :old topic")
	alice.ExpectCommand("TOPIC")
	alice.Send("PART #gone")
	alice.ExpectCommand("PART")
	bob.Send("QUIT :last one out")
	bob.ExpectClosed()
	waitGone(t, carol, "bob")

	carol.Send("NAMES #gone")
	got := syncExpect(t, carol, "366")
	if len(got) == 1 {
		checkParams(t, got[0], "carol", "#gone", "End of /NAMES list")
	}
	carol.Send("MODE #gone")
	syncExpect(t, carol, "403")
	carol.Send("TOPIC #gone")
	syncExpect(t, carol, "403")

	// No key, no +i, no topic: a brand new channel with carol as op.
	carol.Send("JOIN #gone")
	got = syncExpect(t, carol, "JOIN", "353", "366")
	if len(got) == 3 {
		checkParams(t, got[1], "carol", "=", "#gone", "@carol")
	}
	carol.Send("MODE #gone")
	checkParams(t, syncExpect(t, carol, "324", "329")[0], "carol", "#gone", "+nt")
}

// TestChannelCasemapping: rfc1459 makes "#Chan[" and "#chan{" one channel,
// and "#a~" and "#A^" another.
func TestChannelCasemapping(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	join(t, alice, "#Chan[")
	bob.Send("JOIN #chan{")
	got := syncExpect(t, bob, "JOIN", "353", "366")
	if len(got) == 3 {
		checkParams(t, got[0], "#Chan[") // the channel keeps its creator's spelling
		checkParams(t, got[1], "bob", "=", "#Chan[", got[1].Trailing())
		if names := strings.Fields(got[1].Trailing()); !slices.Contains(names, "@alice") {
			t.Errorf("bob joined another channel: %q", names)
		}
	}
	bob.Send("PRIVMSG #CHAN{ :hi")
	checkParams(t, expectFrom(t, alice, "bob", "PRIVMSG"), "#CHAN{", "hi")

	join(t, alice, "#a~")
	wantNames(t, join(t, bob, "#A^"), "@alice", "bob")
	expectFrom(t, alice, "bob", "JOIN")
	alice.Send("PART #a^,#chan[")
	syncExpect(t, alice, "PART", "PART")
}
