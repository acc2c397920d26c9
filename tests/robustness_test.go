package tests

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// TestInputTooLong: lines past the limits get 417 and the connection lives.
func TestInputTooLong(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	c := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	prefix := "PRIVMSG bob :"

	tests := []struct {
		name string
		line string
		want []string
	}{
		{"512 bytes with CRLF", prefix + strings.Repeat("x", 510-len(prefix)), nil},
		{"513 bytes with CRLF", prefix + strings.Repeat("x", 511-len(prefix)), []string{"417"}},
		{"2000 bytes", prefix + strings.Repeat("x", 2000), []string{"417"}},
		// A client's tag section is '@', at most 4094 bytes of tag data
		// (with or without the client-only '+') and a space.
		{"4096 bytes of tags", "@a=" + strings.Repeat("t", 4096-4) + " " + prefix + "tagged", nil},
		{"4097 bytes of tags", "@a=" + strings.Repeat("t", 4097-4) + " " + prefix + "tagged", []string{"417"}},
		{"8191 bytes of tags", "@a=" + strings.Repeat("t", 8191-4) + " " + prefix + "tagged", []string{"417"}},
		{"tags past the whole line limit", "@a=" + strings.Repeat("t", 20000) + " " + prefix + "x", []string{"417"}},
		{"client tags past 4094 bytes", "@+a=" + strings.Repeat("t", 5000) + " " + prefix + "x", []string{"417"}},
	}
	for _, tt := range tests {
		c.Send(tt.line)
		got := syncExpect(t, c, tt.want...)
		if len(tt.want) > 0 && len(got) == 1 {
			checkParams(t, got[0], "alice", "Input line was too long")
		}
		// Only the lines within limits reach bob.
		got = bob.Sync()
		if delivered := len(got) == 1 && got[0].Command == "PRIVMSG"; delivered != (tt.want == nil) || len(got) > 1 {
			t.Errorf("%s: bob got %q", tt.name, render(got))
		}
	}
}

// TestEndlessLine sends 100 KB without a newline: the server discards it
// as it goes, stays responsive to others, and answers 417 once the line
// ends.
func TestEndlessLine(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	c := srv.Register(t, "alice")
	other := srv.Register(t, "bob")

	c.SendRaw("PRIVMSG bob :" + strings.Repeat("A", 100<<10))
	other.Sync()
	c.SendRaw(strings.Repeat("B", 100<<10))
	other.Sync()
	c.SendRaw("\r\n")
	got := syncExpect(t, c, "417")
	if len(got) == 1 {
		checkParams(t, got[0], "alice", "Input line was too long")
	}
	expectNothing(t, other)
	c.Send("PRIVMSG bob :still here")
	expectMessage(t, other, "alice", "PRIVMSG", "bob", "still here")
}

// TestBadInput sends malformed and hostile lines one at a time: each gets
// its answer or nothing, and the connection and server live on.
func TestBadInput(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	c := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")

	tests := []struct {
		name   string
		raw    string // sent as is, CRLF added
		want   []string
		toBob  string // text bob should receive, if any
		params []string
	}{
		// NUL and bare CR are stripped and the line is processed (README).
		{name: "NUL", raw: "PRIVMSG bob :a\x00b", toBob: "ab"},
		{name: "bare CR", raw: "PRIVMSG bob :a\rb", toBob: "ab"},
		{name: "bare CR then command", raw: "PING x\rPING y", want: []string{"PONG"}},
		{name: "invalid UTF-8", raw: "PRIVMSG bob :\xff\xfe\xc3", toBob: "\xff\xfe\xc3"},
		{name: "hundreds of params", raw: "PRIVMSG bob" + strings.Repeat(" w", 240), toBob: "w"},
		{name: "hundreds of params to PING", raw: "PING" + strings.Repeat(" p", 240), want: []string{"PONG"}},
		{name: "tags with nothing after them", raw: "@a=b "},
		{name: "tags alone", raw: "@a=b"},
		{name: "lone @", raw: "@"},
		{name: "lone prefix", raw: ":prefix"},
		{name: "prefix and space", raw: ":prefix "},
		{name: "tags and lone prefix", raw: "@a=b :prefix "},
		{name: "prefix then command", raw: ":someone!x@y PRIVMSG bob :spoofed?", toBob: "spoofed?"},
		{name: "lone colon", raw: ":"},
		{name: "double colon", raw: "::"},
		{name: "colon command", raw: ": :", want: []string{"421"}, params: []string{"alice", "*", "Unknown command"}},
		{name: "empty line", raw: ""},
		{name: "spaces", raw: "     "},
		{name: "unknown command", raw: "FROBNICATE a b", want: []string{"421"}, params: []string{"alice", "FROBNICATE", "Unknown command"}},
		{name: "unknown lower case", raw: "frobnicate", want: []string{"421"}, params: []string{"alice", "FROBNICATE", "Unknown command"}},
		{name: "numeric from a client", raw: "001 alice :hi", want: []string{"421"}},
		{name: "empty names", raw: "NAMES ,,", want: []string{"366"}, params: []string{"alice", ",,", "End of /NAMES list"}},
		{name: "names of a space", raw: "NAMES :a b", want: []string{"366"}, params: []string{"alice", "*", "End of /NAMES list"}},
		{name: "empty target", raw: "PRIVMSG , :x", want: []string{"411", "411"}},
		{name: "mode of nothing", raw: "MODE :", want: []string{"401"}, params: []string{"alice", "*", "No such nick/channel"}},
		{name: "join nothing", raw: "JOIN ,", want: []string{"403", "403"}},
		{name: "too few params", raw: "KICK #a", want: []string{"461"}, params: []string{"alice", "KICK", "Not enough parameters"}},
		{name: "registration again", raw: "USER a b c d", want: []string{"462"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Send(tt.raw)
			got := syncExpect(t, c, tt.want...)
			if tt.params != nil && len(got) > 0 {
				checkParams(t, got[0], tt.params...)
			}
			// After c's sync, whatever c caused has reached bob.
			got = bob.Sync()
			switch {
			case tt.toBob == "" && len(got) > 0:
				t.Errorf("bob got:\n%s", render(got))
			case tt.toBob != "" && (len(got) != 1 || got[0].Prefix.String() != source("alice") || got[0].Trailing() != tt.toBob):
				t.Errorf("bob got:\n%s want the message %q", render(got), tt.toBob)
			}
		})
	}

	// Everyone is still here and working.
	c.Send("PRIVMSG bob :all good")
	expectMessage(t, bob, "alice", "PRIVMSG", "bob", "all good")
	srv.Register(t, "carol").Sync()
}

// TestBadInputBeforeRegistration: the same hostility from a client that has
// not registered yet gets 451 or nothing, and it can still register.
func TestBadInputBeforeRegistration(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	c := srv.Connect(t)
	tests := []struct {
		raw  string
		want []string
	}{
		{"JOIN #a", []string{"451"}},
		{"PRIVMSG x :y", []string{"451"}},
		{"FROBNICATE", []string{"451"}},
		{"MODE x", []string{"451"}},
		{"@a=b ", nil},
		{":prefix", nil},
		{"PING a\x00b", []string{"PONG"}}, // the NUL is stripped
		{"PRIVMSG x :" + strings.Repeat("y", 600), []string{"417"}},
		{"USER a b c", []string{"461"}},
	}
	for _, tt := range tests {
		c.Send(tt.raw)
		syncExpect(t, c, tt.want...)
	}
	c.Send("NICK late")
	c.Send("USER late 0 * :Late")
	c.ExpectNumeric("001")
}

// TestSlowReaderSendQ: a member that never reads is cut off with "SendQ
// exceeded" once its queue passes the limit, while the others carry on.
func TestSlowReaderSendQ(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet+"sendq: 4096\n")
	slow := srv.Register(t, "slow")
	flooder := srv.Register(t, "flooder")
	watcher := srv.Register(t, "watcher")
	join(t, slow, "#flood")
	join(t, flooder, "#flood")
	join(t, watcher, "#flood")
	flooder.Sync()
	watcher.Sync()
	// From here on slow never reads again.

	// At most one batch is in flight: small enough (under 3 KB) for the
	// watcher's queue, which its writer drains while it reads.
	const batch = 6
	text := strings.Repeat("z", 400)
	var quit *irc.Message
	sent := 0
	for sent < 200000 && quit == nil {
		var b strings.Builder
		for i := 0; i < batch; i++ {
			fmt.Fprintf(&b, "PRIVMSG #flood :%d %s\r\n", sent+i, text)
		}
		flooder.SendRaw(b.String())
		sent += batch
		for _, m := range flooder.Sync() {
			if m.Command == "QUIT" {
				quit = m
			}
		}
		// The watcher reads as it goes and gets every line, in order.
		seen := 0
		for _, m := range watcher.Sync() {
			switch m.Command {
			case "PRIVMSG":
				if want := fmt.Sprintf("%d %s", sent-batch+seen, text); m.Trailing() != want {
					t.Fatalf("watcher got message %.20q, want %.20q", m.Trailing(), want)
				}
				seen++
			case "QUIT":
			default:
				t.Fatalf("watcher got %v", m)
			}
		}
		if seen != batch {
			t.Fatalf("watcher got %d of %d messages", seen, batch)
		}
	}
	if quit == nil {
		t.Fatalf("slow reader still connected after %d messages", sent)
	}
	if quit.Prefix.Name != "slow" || quit.Trailing() != "SendQ exceeded" {
		t.Errorf("QUIT %v, want slow with SendQ exceeded", quit)
	}
	t.Logf("slow reader dropped after %d messages", sent)

	// Everyone else carries on.
	flooder.Send("PRIVMSG #flood :after")
	expectMessage(t, watcher, "flooder", "PRIVMSG", "#flood", "after")
	wantNames(t, names(t, watcher, "#flood"), "flooder", "watcher")
}

// floodLines is n channel messages in one write.
func floodLines(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "PRIVMSG #f :line %d\r\n", i)
	}
	return b.String()
}

// TestExcessFlood: a client far past its line budget is disconnected with
// "Excess Flood"; others are untouched.
func TestExcessFlood(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "flood: {burst: 5, rate: 1, recvq: 1024}\n")
	// Registration and JOIN spend 3 of each client's 5 tokens.
	watcher := srv.Register(t, "watcher")
	flooder := srv.Register(t, "flooder")
	join(t, watcher, "#f")
	join(t, flooder, "#f")
	expectFrom(t, watcher, "flooder", "JOIN")

	flooder.SendRaw(floodLines(300))
	quit := watcher.Expect(func(m *irc.Message) bool { return m.Command == "QUIT" })
	if quit.Prefix.Name != "flooder" || quit.Trailing() != "Excess Flood" {
		t.Errorf("QUIT %v, want flooder with Excess Flood", quit)
	}
	if reason := flooder.ExpectClosed(); !strings.Contains(reason, "Excess Flood") {
		t.Errorf("flooder's ERROR %q, want Excess Flood", reason)
	}

	// The server and the other client carry on.
	watcher.Sync()
	srv.Register(t, "newcomer").Sync()
}

// TestFloodExempt: the same burst from an exempt address goes through.
func TestFloodExempt(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "flood: {burst: 5, rate: 1, recvq: 1024}\nexempt: [127.0.0.0/8]\n")
	watcher := srv.Register(t, "watcher")
	flooder := srv.Register(t, "flooder")
	join(t, watcher, "#f")
	join(t, flooder, "#f")
	expectFrom(t, watcher, "flooder", "JOIN")

	const n = 300
	flooder.SendRaw(floodLines(n))
	flooder.Sync()
	for i := 0; i < n; i++ {
		m := watcher.ExpectCommand("PRIVMSG")
		if want := fmt.Sprintf("line %d", i); m.Trailing() != want {
			t.Fatalf("got %q, want %q", m.Trailing(), want)
		}
	}
	expectNothing(t, watcher)
}
