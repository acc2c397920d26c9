// Package tests drives the real server over TCP, end to end.
package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
)

// Helpers shared by the end-to-end tests.

// quiet is a config that exempts loopback from flood control, for tests
// that send many lines quickly and are not about flooding.
const quiet = "exempt: [127.0.0.0/8]\n"

// expectNothing asserts that nothing at all arrives before c's next PONG.
func expectNothing(t *testing.T, c *harness.Client) {
	t.Helper()
	if got := c.Sync(); len(got) > 0 {
		t.Errorf("%s: expected nothing, got:\n%s", c.Nick, render(got))
	}
}

// syncExpect syncs c and asserts that exactly the listed commands or
// numerics arrived, in order.
func syncExpect(t *testing.T, c *harness.Client, want ...string) []*irc.Message {
	t.Helper()
	got := c.Sync()
	var cmds []string
	for _, m := range got {
		cmds = append(cmds, m.Command)
	}
	if !slices.Equal(cmds, want) {
		t.Errorf("%s: got %q, want %q:\n%s", c.Nick, cmds, want, render(got))
	}
	return got
}

func render(msgs []*irc.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("  " + m.String() + "\n")
	}
	return b.String()
}

// source is the nick!user@host the server gives a harness client.
func source(nick string) string { return nick + "!~" + strings.ToLower(nick) + "@127.0.0.1" }

// hash makes a bcrypt hash for the config, as `conferenced genpasswd` does.
func hash(t *testing.T, plain string) string {
	t.Helper()
	h, err := conf.HashPassword(plain)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// waitGone waits until the server has finished with a client that quit
// (it parts its channels and frees its nick after closing the socket): it
// asks c for the nick's user modes until the answer is 401 No such nick.
func waitGone(t *testing.T, c *harness.Client, nick string) {
	t.Helper()
	for i := 0; i < 10000; i++ {
		c.Send("MODE " + nick)
		m := c.Expect(func(m *irc.Message) bool { return m.Command == "401" || m.Command == "502" })
		if m.Command == "401" {
			return
		}
	}
	t.Fatalf("%s never left", nick)
}

// checkParams asserts a message's parameters exactly.
func checkParams(t *testing.T, m *irc.Message, want ...string) {
	t.Helper()
	if !slices.Equal(m.Params, want) {
		t.Errorf("%s params %q, want %q", m.Command, m.Params, want)
	}
}

// TestRegistrationOrder registers the way modern.ircdocs.horse describes:
// CAP LS 302, PASS, NICK, USER, CAP REQ, CAP END, and checks every reply
// of the welcome burst in order.
func TestRegistrationOrder(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, fmt.Sprintf("password: %q\nserver: {network: TestNet}\nmotd: {text: \"line one\\nline two\"}\n", hash(t, "hunter2")))
	c := srv.Connect(t)

	c.Send("CAP LS 302")
	// The list takes more than one line (CAP LS 302): "*" before the
	// list on every line but the last.
	ls := c.ExpectCommand("CAP")
	offered := ""
	for ls.Param(2) == "*" {
		checkParams(t, ls, "*", "LS", "*", ls.Trailing())
		offered += ls.Trailing() + " "
		ls = c.ExpectCommand("CAP")
	}
	checkParams(t, ls, "*", "LS", ls.Trailing())
	offered += ls.Trailing()
	for _, want := range []string{"multi-prefix", "server-time", "message-tags", "labeled-response", "draft/chathistory"} {
		if !slices.Contains(strings.Fields(offered), want) {
			t.Errorf("CAP LS lacks %s: %q", want, offered)
		}
	}
	c.Send("PASS hunter2")
	c.Send("NICK alice")
	c.Send("USER alice 0 * :Alice Liddell")
	// CAP negotiation holds registration open.
	expectNothing(t, c)

	c.Send("CAP LIST")
	list := c.ExpectCommand("CAP")
	if list.Param(1) != "LIST" || strings.Contains(list.Trailing(), "multi-prefix") {
		t.Errorf("CAP LIST before REQ: %v", list)
	}
	c.Send("CAP REQ :multi-prefix server-time")
	ack := c.ExpectCommand("CAP")
	checkParams(t, ack, "alice", "ACK", "multi-prefix server-time")
	c.Send("CAP REQ :no-such-cap")
	nak := c.ExpectCommand("CAP")
	checkParams(t, nak, "alice", "NAK", "no-such-cap")
	c.Send("CAP LIST")
	list = c.ExpectCommand("CAP")
	if f := strings.Fields(list.Trailing()); !slices.Contains(f, "multi-prefix") || !slices.Contains(f, "server-time") {
		t.Errorf("CAP LIST after REQ: %v", list)
	}
	expectNothing(t, c)
	c.Send("CAP END")

	var got []string
	for {
		m := c.Next()
		got = append(got, m.Command)
		if m.Params[0] != "alice" {
			t.Errorf("%s addressed to %q, want alice", m.Command, m.Params[0])
		}
		switch m.Command {
		case "001":
			if !strings.Contains(m.Trailing(), "TestNet") || !strings.HasSuffix(m.Trailing(), source("alice")) {
				t.Errorf("001: %q", m.Trailing())
			}
		case "372":
			if !strings.Contains(m.Trailing(), "line") {
				t.Errorf("372: %q", m.Trailing())
			}
		}
		if m.Command == "376" || m.Command == "422" {
			break
		}
	}
	// 005 repeats as needed; collapse it and the MOTD lines.
	got = slices.Compact(got)
	want := []string{"001", "002", "003", "004", "005", "251", "252", "253", "254", "255", "265", "266", "375", "372", "376"}
	if !slices.Equal(got, want) {
		t.Errorf("welcome burst %q, want %q", got, want)
	}
}

// isupport registers a client and collects its 005 tokens.
func isupport(t *testing.T, srv *harness.Server, nick string) map[string]string {
	t.Helper()
	c := srv.Connect(t)
	c.Send("NICK " + nick)
	c.Send("USER u 0 * :r")
	tokens := map[string]string{}
	for {
		m := c.Next()
		if m.Command == "376" || m.Command == "422" {
			return tokens
		}
		if m.Command != "005" {
			continue
		}
		if last := m.Trailing(); last != "are supported by this server" {
			t.Errorf("005 ends with %q", last)
		}
		for _, tok := range m.Params[1 : len(m.Params)-1] {
			k, v, _ := strings.Cut(tok, "=")
			tokens[k] = v
		}
	}
}

func TestISupport(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, `
server: {network: ExampleNet}
limits: {nicklen: 20, channellen: 40, topiclen: 300, awaylen: 200, kicklen: 250, channels: 12, targets: 3, modes: 5}
`)
	tokens := isupport(t, srv, "alice")
	want := map[string]string{
		"CASEMAPPING": "rfc1459",
		"CHANTYPES":   "#",
		"CHANMODES":   "beI,k,l,imnpstz",
		"PREFIX":      "(qaohv)~&@%+",
		"NICKLEN":     "20",
		"CHANNELLEN":  "40",
		"TOPICLEN":    "300",
		"AWAYLEN":     "200",
		"KICKLEN":     "250",
		"CHANLIMIT":   "#:12",
		"MODES":       "5",
		"NETWORK":     "ExampleNet",
		"STATUSMSG":   "~&@%+",
		"EXCEPTS":     "e",
		"INVEX":       "I",
	}
	for k, v := range want {
		if got, ok := tokens[k]; !ok || got != v {
			t.Errorf("ISUPPORT %s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	targmax := map[string]string{}
	for _, kv := range strings.Split(tokens["TARGMAX"], ",") {
		k, v, _ := strings.Cut(kv, ":")
		targmax[k] = v
	}
	if targmax["PRIVMSG"] != "3" || targmax["NOTICE"] != "3" {
		t.Errorf("TARGMAX = %q, want PRIVMSG:3 and NOTICE:3", tokens["TARGMAX"])
	}
}

func TestLusers(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	a := srv.Register(t, "alice")
	a.Send("JOIN #one")
	srv.Register(t, "bob")
	unregistered := srv.Connect(t)
	unregistered.Send("NICK pending")
	expectNothing(t, unregistered)

	a.Sync()
	a.Send("LUSERS")
	got := syncExpect(t, a, "251", "252", "253", "254", "255", "265", "266")
	if len(got) != 7 {
		return
	}
	if !strings.Contains(got[0].Trailing(), "There are 2 users") {
		t.Errorf("251: %q", got[0].Trailing())
	}
	checkParams(t, got[2], "alice", "1", "unknown connection(s)")
	checkParams(t, got[3], "alice", "1", "channels formed")
	if got[5].Param(1) != "2" || got[6].Param(1) != "2" {
		t.Errorf("265/266: %v / %v", got[5], got[6])
	}
}

func TestNoMOTD(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "motd: {text: \"\"}\n")
	c := srv.Register(t, "alice")
	c.Send("MOTD")
	syncExpect(t, c, "422")
}

func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet+"limits: {nicklen: 9}\n")
	holder := srv.Register(t, "Foo[")

	c := srv.Connect(t)
	c.Send("JOIN #early")
	syncExpect(t, c, "451")
	c.Send("PRIVMSG Foo[ :hi")
	syncExpect(t, c, "451")
	c.Send("FROBNICATE")
	syncExpect(t, c, "451")
	c.Send("NICK")
	syncExpect(t, c, "431")
	c.Send("NICK :")
	syncExpect(t, c, "431")
	for _, bad := range []string{"1abc", "-abc", "a!b", "a@b", "#chan", "a,b", "toolongnick", "*", "a~b"} {
		c.Send("NICK " + bad)
		got := syncExpect(t, c, "432")
		if len(got) == 1 {
			checkParams(t, got[0], "*", bad, "Erroneous nickname")
		}
	}
	// A nick with a space cannot be echoed as a middle parameter as is.
	c.Send("NICK :a b")
	if got := syncExpect(t, c, "432"); len(got) == 1 && len(got[0].Params) != 3 {
		t.Errorf("432 for a nick with a space has params %q", got[0].Params)
	}
	c.Send("NICK foo{")
	got := syncExpect(t, c, "433")
	if len(got) == 1 {
		checkParams(t, got[0], "*", "foo{", "Nickname is already in use")
	}
	c.Send("USER onlythree 0 *")
	syncExpect(t, c, "461")
	c.Send("PASS")
	syncExpect(t, c, "461")
	c.Send("NICK Newbie")
	c.Send("USER newbie 0 * :New")
	c.ExpectNumeric("001")
	c.ExpectNumeric("376")
	c.Nick = "Newbie"
	c.Send("USER again 0 * :Again")
	syncExpect(t, c, "462")
	c.Send("PASS again")
	syncExpect(t, c, "462")
	c.Send("NICK FOO{")
	syncExpect(t, c, "433")
	expectNothing(t, holder)
}

func TestServerPassword(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, fmt.Sprintf("password: %q\n", hash(t, "correct horse")))
	tests := []struct {
		name string
		pass string
	}{
		{"no PASS", ""},
		{"wrong PASS", "PASS :wrong horse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := srv.Connect(t)
			if tt.pass != "" {
				c.Send(tt.pass)
			}
			c.Send("NICK mallory")
			c.Send("USER m 0 * :M")
			m := c.Expect(func(m *irc.Message) bool { return m.Command == "464" || m.Command == "001" })
			if m.Command != "464" {
				t.Fatalf("registered without the right password")
			}
			if reason := c.ExpectClosed(); !strings.Contains(reason, "Bad password") {
				t.Errorf("ERROR %q, want Bad password", reason)
			}
		})
	}
	c := srv.Connect(t)
	c.Send("PASS :correct horse")
	c.Send("NICK mallory")
	c.Send("USER m 0 * :M")
	c.ExpectNumeric("001")
}

func TestPingBeforeAndAfterRegistration(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	c := srv.Connect(t)
	c.Send("PING :early bird")
	pong := c.ExpectCommand("PONG")
	checkParams(t, pong, "irc.conference.local", "early bird")
	c.Send("NICK alice")
	c.Send("PING x")
	checkParams(t, c.ExpectCommand("PONG"), "irc.conference.local", "x")
	c.Send("USER alice 0 * :A")
	c.ExpectNumeric("376")
	c.Send("PING late")
	checkParams(t, c.ExpectCommand("PONG"), "irc.conference.local", "late")
	c.Send("PING")
	syncExpect(t, c, "461")
	// PONG is accepted silently, before and after registration.
	c.Send("PONG :irc.conference.local")
	expectNothing(t, c)
}

func TestQuitSeenBySharedChannels(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	dave := srv.Register(t, "dave")
	alice.Send("JOIN #one,#two")
	alice.ExpectNumeric("366")
	alice.ExpectNumeric("366")
	bob.Send("JOIN #one,#two") // in both: must see the QUIT once
	bob.ExpectNumeric("366")
	bob.ExpectNumeric("366")
	carol.Send("JOIN #two")
	carol.ExpectNumeric("366")
	dave.Send("JOIN #three")
	dave.ExpectNumeric("366")
	for _, c := range []*harness.Client{alice, bob, carol} {
		c.Sync()
	}

	alice.Send("QUIT :off to lunch")
	if reason := alice.ExpectClosed(); !strings.Contains(reason, "off to lunch") {
		t.Errorf("ERROR %q lacks the reason", reason)
	}
	// The peers hear it once, even bob who shared two channels.
	for _, c := range []*harness.Client{bob, carol} {
		quit := c.ExpectCommand("QUIT")
		if quit.Prefix.String() != source("alice") {
			t.Errorf("QUIT from %q", quit.Prefix)
		}
		checkParams(t, quit, "Quit: off to lunch")
	}
	waitGone(t, dave, "alice")
	expectNothing(t, bob)
	expectNothing(t, carol)
	expectNothing(t, dave)

	// QUIT without a reason, before registration.
	early := srv.Connect(t)
	early.Send("QUIT")
	early.ExpectClosed()
	expectNothing(t, bob)
}

// TestRegistrationTimeout runs on an injected clock: no real waiting.
func TestRegistrationTimeout(t *testing.T) {
	t.Parallel()
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, "timeouts: {registration: 1s}\n", clock)
	silent := srv.Connect(t)
	silent.Sync() // the server has accepted it (a PING is no registration)
	halfway := srv.Connect(t)
	halfway.Send("NICK halfway")
	halfway.Sync()
	clock.Advance(999 * time.Millisecond)
	silent.Sync()
	clock.Advance(time.Millisecond)
	for _, c := range []*harness.Client{silent, halfway} {
		if reason := c.ExpectClosed(); !strings.Contains(reason, "Registration timed out") {
			t.Errorf("ERROR %q, want Registration timed out", reason)
		}
	}
	// The half-registered client's nick is free again, and the server
	// still registers clients.
	srv.Register(t, "halfway")
}

// TestPingTimeout runs on an injected clock: a silent client is pinged
// after one ping interval and dropped after a second; no real waiting.
func TestPingTimeout(t *testing.T) {
	t.Parallel()
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, "timeouts: {ping: 5s}\n", clock)
	mute := srv.Register(t, "mute")
	polite := srv.Register(t, "polite")
	watcher := srv.Register(t, "watcher")
	for _, c := range []*harness.Client{mute, polite, watcher} {
		c.Send("JOIN #wait")
		c.ExpectNumeric("366")
	}
	clock.Advance(5 * time.Second)
	// polite and watcher answer their PINGs; mute does not.
	mute.ExpectCommand("PING")
	for _, c := range []*harness.Client{polite, watcher} {
		c.ExpectCommand("PING")
		c.Send("PONG :irc.conference.local")
		c.Sync()
	}
	clock.Advance(5 * time.Second)
	if reason := mute.ExpectClosed(); !strings.Contains(reason, "Ping timeout") {
		t.Errorf("ERROR %q, want Ping timeout", reason)
	}
	quit := watcher.ExpectCommand("QUIT")
	if quit.Prefix.Name != "mute" || !strings.HasPrefix(quit.Trailing(), "Ping timeout") {
		t.Errorf("watcher saw %v", quit)
	}
	// The client that answered is still here.
	polite.Sync()
}
