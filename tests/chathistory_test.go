package tests

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/store"
	"github.com/conference-irc/conference/tests/harness"
)

// historyCaps are what a modern client asks for.
var historyCaps = []string{"batch", "server-time", "message-tags", "echo-message", "draft/chathistory"}

// fetchHistory sends a CHATHISTORY command and returns the lines of the
// chathistory batch it answers with, checking the batch's frame.
func fetchHistory(t *testing.T, c *harness.Client, line string) []*irc.Message {
	t.Helper()
	c.Send(line)
	start := c.Expect(func(m *irc.Message) bool { return m.Command == "BATCH" || m.Command == "FAIL" })
	if start.Command == "FAIL" || !strings.HasPrefix(start.Param(0), "+") || start.Param(1) != "chathistory" {
		t.Fatalf("%s: answered %v", line, start)
	}
	id := start.Param(0)[1:]
	var got []*irc.Message
	for {
		m := c.Next()
		if m.Command == "BATCH" && m.Param(0) == "-"+id {
			return got
		}
		if m.Tags["batch"] != id {
			t.Fatalf("%s: a line outside the batch: %v", line, m)
		}
		got = append(got, m)
	}
}

// texts are the last parameters of lines, joined by spaces.
func texts(ms []*irc.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Trailing())
	}
	return strings.Join(out, " ")
}

// historyRoom starts a server with a hand-driven clock, where alice (a
// modern client) said m1..m10 in #h, one second apart, and bob (a plain
// client) is a member. It returns the msgid and time of each message.
func historyRoom(t *testing.T, yaml string) (srv *harness.Server, alice, bob *harness.Client, ids []string, times []string) {
	t.Helper()
	clock := harness.NewClock()
	srv = harness.StartWithClock(t, yaml, clock)
	alice = srv.Register(t, "alice", historyCaps...)
	alice.Send("JOIN #h")
	alice.ExpectNumeric("366")
	bob = srv.Register(t, "bob")
	bob.Send("JOIN #h")
	bob.ExpectNumeric("366")
	for i := 1; i <= 10; i++ {
		clock.Advance(time.Second)
		alice.Sendf("PRIVMSG #h :m%d", i)
		echo := alice.Expect(func(m *irc.Message) bool { return m.Command == "PRIVMSG" })
		ids = append(ids, echo.Tags["msgid"])
		times = append(times, echo.Tags["time"])
	}
	return srv, alice, bob, ids, times
}

func TestChathistorySubcommands(t *testing.T) {
	_, alice, _, ids, times := historyRoom(t, "")
	cases := []struct{ line, want string }{
		{"CHATHISTORY LATEST #h * 3", "m8 m9 m10"},
		{"CHATHISTORY LATEST #H * 0", "m1 m2 m3 m4 m5 m6 m7 m8 m9 m10"},
		{"CHATHISTORY LATEST #h msgid=" + ids[6] + " 10", "m8 m9 m10"},
		{"CHATHISTORY LATEST #h timestamp=" + times[7] + " 10", "m9 m10"},
		{"CHATHISTORY BEFORE #h msgid=" + ids[3] + " 2", "m2 m3"},
		{"CHATHISTORY BEFORE #h timestamp=" + times[3] + " 10", "m1 m2 m3"},
		{"CHATHISTORY AFTER #h msgid=" + ids[7] + " 5", "m9 m10"},
		{"CHATHISTORY AFTER #h timestamp=" + times[1] + " 2", "m3 m4"},
		{"CHATHISTORY AROUND #h msgid=" + ids[4] + " 3", "m4 m5 m6"},
		{"CHATHISTORY AROUND #h timestamp=" + times[4] + " 2", "m4 m5"},
		{"CHATHISTORY BETWEEN #h msgid=" + ids[1] + " msgid=" + ids[5] + " 10", "m3 m4 m5"},
		{"CHATHISTORY BETWEEN #h timestamp=" + times[5] + " timestamp=" + times[1] + " 2", "m4 m5"},
		{"CHATHISTORY BETWEEN #h timestamp=" + times[1] + " msgid=" + ids[5] + " 2", "m3 m4"},
		{"CHATHISTORY BEFORE #h msgid=unknown 10", ""},
	}
	for _, c := range cases {
		if got := texts(fetchHistory(t, alice, c.line)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.line, got, c.want)
		}
	}
	// The lines are those of the live messages: source, msgid, time.
	got := fetchHistory(t, alice, "CHATHISTORY LATEST #h * 1")
	if m := got[0]; m.Prefix.String() != "alice!~alice@127.0.0.1" || m.Tags["msgid"] != ids[9] || m.Tags["time"] != times[9] || m.Param(0) != "#h" {
		t.Errorf("history line: %v (want msgid %s, time %s)", m, ids[9], times[9])
	}
}

func TestChathistoryTargets(t *testing.T) {
	_, alice, _, _, times := historyRoom(t, "")
	alice.Send("JOIN #quiet")
	alice.ExpectNumeric("366")
	alice.Sendf("CHATHISTORY TARGETS timestamp=%s timestamp=2999-01-01T00:00:00.000Z 10", times[0])
	start := alice.ExpectCommand("BATCH")
	if start.Param(1) != "draft/chathistory-targets" {
		t.Fatalf("TARGETS batch: %v", start)
	}
	m := alice.ExpectCommand("CHATHISTORY")
	if m.Param(0) != "TARGETS" || m.Param(1) != "#h" || m.Param(2) != times[9] {
		t.Errorf("TARGETS line: %v", m)
	}
	if end := alice.Next(); end.Command != "BATCH" || end.Param(0) != "-"+start.Param(0)[1:] {
		t.Errorf("after the one target: %v", end)
	}
	// Nothing after the last message.
	alice.Sendf("CHATHISTORY TARGETS timestamp=%s timestamp=2999-01-01T00:00:00.000Z 10", times[9])
	alice.ExpectCommand("BATCH")
	if end := alice.Next(); end.Command != "BATCH" {
		t.Errorf("TARGETS after the last message: %v", end)
	}
}

func TestChathistoryErrors(t *testing.T) {
	srv, alice, _, ids, _ := historyRoom(t, "")
	carol := srv.Register(t, "carol", historyCaps...)
	cases := []struct {
		c          *harness.Client
		line, want string
	}{
		{alice, "CHATHISTORY", "FAIL CHATHISTORY NEED_MORE_PARAMS"},
		{alice, "CHATHISTORY LATEST #h *", "FAIL CHATHISTORY NEED_MORE_PARAMS LATEST"},
		{alice, "CHATHISTORY FETCH #h * 10", "FAIL CHATHISTORY UNKNOWN_COMMAND FETCH"},
		{alice, "CHATHISTORY LATEST #h * ten", "FAIL CHATHISTORY INVALID_PARAMS LATEST ten"},
		{alice, "CHATHISTORY LATEST #h * -1", "FAIL CHATHISTORY INVALID_PARAMS LATEST -1"},
		{alice, "CHATHISTORY LATEST #h nonsense 10", "FAIL CHATHISTORY INVALID_PARAMS LATEST nonsense"},
		{alice, "CHATHISTORY BEFORE #h * 10", "FAIL CHATHISTORY INVALID_PARAMS BEFORE *"},
		{alice, "CHATHISTORY AFTER #h timestamp=yesterday 10", "FAIL CHATHISTORY INVALID_PARAMS AFTER timestamp=yesterday"},
		{alice, "CHATHISTORY BETWEEN #h msgid=" + ids[0] + " * 10", "FAIL CHATHISTORY INVALID_PARAMS BETWEEN *"},
		{alice, "CHATHISTORY TARGETS * * 10", "FAIL CHATHISTORY INVALID_PARAMS TARGETS"},
		{alice, "CHATHISTORY LATEST #nowhere * 10", "FAIL CHATHISTORY INVALID_TARGET LATEST #nowhere"},
		{carol, "CHATHISTORY LATEST #h * 10", "FAIL CHATHISTORY INVALID_TARGET LATEST #h"},
		{carol, "CHATHISTORY AROUND #h msgid=" + ids[0] + " 10", "FAIL CHATHISTORY INVALID_TARGET AROUND #h"},
	}
	for _, c := range cases {
		c.c.Send(c.line)
		m := c.c.ExpectCommand("FAIL")
		if got := strings.Join(m.Params[:len(m.Params)-1], " "); "FAIL "+got != c.want {
			t.Errorf("%s: got %v, want %s", c.line, m, c.want)
		}
	}
	// A client that is not logged in has no stored private conversations.
	if got := fetchHistory(t, carol, "CHATHISTORY LATEST alice * 10"); len(got) != 0 {
		t.Errorf("a private conversation of a client without account: %v", got)
	}
}

func TestChathistoryEventPlayback(t *testing.T) {
	srv, alice, bob, _, _ := historyRoom(t, "")
	bob.Send("TOPIC #h :a topic")
	bob.ExpectCommand("482") // not an op: nothing stored
	alice.Send("TOPIC #h :a topic")
	alice.ExpectCommand("TOPIC")
	bob.Send("PART #h :bye")
	bob.ExpectCommand("PART")
	alice.Send("PRIVMSG #h :after")
	alice.ExpectCommand("PRIVMSG")
	if got := texts(fetchHistory(t, alice, "CHATHISTORY LATEST #h * 3")); got != "m9 m10 after" {
		t.Errorf("without event-playback: %q", got)
	}
	dave := srv.Register(t, "dave", append(historyCaps, "draft/event-playback")...)
	dave.Send("JOIN #h")
	dave.ExpectNumeric("366")
	got := fetchHistory(t, dave, "CHATHISTORY LATEST #h * 4")
	var cmds []string
	for _, m := range got {
		cmds = append(cmds, m.Command+" "+m.Trailing())
	}
	want := "TOPIC a topic|PART bye|PRIVMSG after|JOIN #h"
	if strings.Join(cmds, "|") != want {
		t.Errorf("with event-playback: %q, want %q", strings.Join(cmds, "|"), want)
	}
}

func TestChathistoryWithoutBatchAndOff(t *testing.T) {
	srv, _, _, _, _ := historyRoom(t, "")
	plain := srv.Register(t, "plain", "draft/chathistory")
	plain.Send("JOIN #h")
	plain.ExpectNumeric("366")
	plain.Send("CHATHISTORY LATEST #h * 2")
	for _, m := range plain.Sync() {
		if m.Command == "BATCH" || len(m.Tags) > 0 {
			t.Errorf("a client without batch and tags got %v", m)
		}
	}
	off := harness.Start(t, "history:\n  enabled: false\n")
	c := off.Connect(t)
	c.Send("CAP LS 302")
	if ls := c.ExpectCommand("CAP"); strings.Contains(ls.Trailing(), "chathistory") {
		t.Errorf("history off, yet CAP LS offers it: %v", ls)
	}
	c.Send("CAP END")
	c.Register("x")
	c.Send("CHATHISTORY LATEST #h * 10")
	c.ExpectNumeric("421")
}

func TestChathistoryISupport(t *testing.T) {
	srv := harness.Start(t, "history:\n  limit: 50\n")
	c := srv.Connect(t)
	c.Send("NICK i")
	c.Send("USER i 0 * :i")
	var tokens []string
	for {
		m := c.Next()
		if m.Command == "005" {
			tokens = append(tokens, m.Params[1:len(m.Params)-1]...)
		}
		if m.Command == "376" || m.Command == "422" {
			break
		}
	}
	joined := " " + strings.Join(tokens, " ") + " "
	if !strings.Contains(joined, " CHATHISTORY=50 ") || !strings.Contains(joined, " MSGREFTYPES=msgid,timestamp ") {
		t.Errorf("ISUPPORT: %s", joined)
	}
}

func TestHistoryRetention(t *testing.T) {
	clock := harness.NewClock()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the server and the history stop
	hist := history.NewPersistent(history.Options{DB: db, Clock: clock.Now,
		Retention: history.Retention{ChannelAge: time.Hour, ChannelCount: 3}})
	t.Cleanup(func() { hist.Close() })
	srv := harness.StartWith(t, "", server.Options{Clock: clock, History: hist})
	alice := srv.Register(t, "alice", historyCaps...)
	alice.Send("JOIN #r")
	alice.ExpectNumeric("366")
	for i := 1; i <= 5; i++ {
		alice.Sendf("PRIVMSG #r :old%d", i)
		alice.ExpectCommand("PRIVMSG")
	}
	clock.Advance(50 * time.Minute)
	alice.Send("PRIVMSG #r :new")
	alice.ExpectCommand("PRIVMSG")
	if got := texts(fetchHistory(t, alice, "CHATHISTORY LATEST #r * 10")); got != "old1 old2 old3 old4 old5 new" {
		t.Fatalf("before retention: %q", got)
	}
	// By count: the pruner keeps the newest three.
	if _, err := hist.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := texts(fetchHistory(t, alice, "CHATHISTORY LATEST #r * 10")); got != "old4 old5 new" {
		t.Errorf("after count retention: %q", got)
	}
	// By age: an hour after the first five, only the newest is served,
	// before the pruner runs.
	clock.Advance(11 * time.Minute)
	if got := texts(fetchHistory(t, alice, "CHATHISTORY LATEST #r * 10")); got != "new" {
		t.Errorf("after age retention: %q", got)
	}
}

func TestHistoryReplayOnJoin(t *testing.T) {
	srv, _, _, _, times := historyRoom(t, "history:\n  replay: 2\n")
	plain := srv.Register(t, "plain")
	plain.Send("JOIN #h")
	plain.ExpectNumeric("366")
	lines := plain.Sync()
	if len(lines) != 2 || lines[0].Trailing() != "m9" || lines[1].Trailing() != "m10" || len(lines[0].Tags) > 0 {
		t.Errorf("replay to a plain client: %v", lines)
	}
	timed := srv.Register(t, "timed", "server-time")
	timed.Send("JOIN #h")
	timed.ExpectNumeric("366")
	lines = timed.Sync()
	if len(lines) != 2 || lines[1].Trailing() != "m10" || lines[1].Tags["time"] != times[9] {
		t.Errorf("replay to a server-time client: %v", lines)
	}
	modern := srv.Register(t, "modern", historyCaps...)
	modern.Send("JOIN #h")
	modern.ExpectNumeric("366")
	if lines := modern.Sync(); len(lines) != 0 {
		t.Errorf("a CHATHISTORY client got a replay: %v", lines)
	}
}

func TestChathistoryPrivate(t *testing.T) {
	srv := harness.Start(t, "")
	login := func(nick, account string) *harness.Client {
		c := srv.Register(t, nick, historyCaps...)
		srv.Srv.Dispatcher().SetAccount(clientByNick(t, srv, nick), account)
		return c
	}
	alice, bob, carol := login("alice", "Alice"), login("bob", "Bob"), login("carol", "Carol")
	anon := srv.Register(t, "anon", historyCaps...)
	// Each wait names its line: alice's first PRIVMSG may be her own echo.
	said := func(text string) func(*irc.Message) bool {
		return func(m *irc.Message) bool { return m.Command == "PRIVMSG" && m.Trailing() == text }
	}
	alice.Send("PRIVMSG bob :hello bob")
	bob.Expect(said("hello bob"))
	bob.Send("PRIVMSG alice :hello alice")
	alice.Expect(said("hello alice"))
	anon.Send("PRIVMSG alice :not stored")
	alice.Expect(said("not stored"))
	if got := texts(fetchHistory(t, alice, "CHATHISTORY LATEST bob * 10")); got != "hello bob hello alice" {
		t.Errorf("alice's conversation with bob: %q", got)
	}
	if got := texts(fetchHistory(t, alice, "CHATHISTORY LATEST anon * 10")); got != "" {
		t.Errorf("a conversation with someone not logged in: %q", got)
	}
	// A third party sees nothing of it, by either name.
	for _, target := range []string{"alice", "bob"} {
		if got := fetchHistory(t, carol, "CHATHISTORY LATEST "+target+" * 10"); len(got) != 0 {
			t.Errorf("carol reads %s's conversation: %v", target, got)
		}
	}
	// Bob comes back under another nick: the account finds it, by the
	// account's name now that alice is gone.
	bob.Quit()
	alice.Quit()
	bob2 := login("bob_", "Bob")
	if got := texts(fetchHistory(t, bob2, "CHATHISTORY LATEST Alice * 10")); got != "hello bob hello alice" {
		t.Errorf("bob after reconnecting: %q", got)
	}
	bob2.Send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2999-01-01T00:00:00.000Z 10")
	bob2.ExpectCommand("BATCH")
	if m := bob2.ExpectCommand("CHATHISTORY"); m.Param(1) != "alice" {
		t.Errorf("bob's targets: %v", m)
	}
}
