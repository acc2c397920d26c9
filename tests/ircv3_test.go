package tests

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
	"github.com/conference-irc/conference/users"
)

// clientByNick finds the server-side client behind a test connection.
func clientByNick(t *testing.T, srv *harness.Server, nick string) *users.Client {
	t.Helper()
	c := srv.Srv.Dispatcher().Users().Find(nick)
	if c == nil {
		t.Fatalf("no client %q on the server", nick)
	}
	return c
}

func TestCapLSListReqEnd(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	ls := c.ExpectCommand("CAP")
	if ls.Param(0) != "*" || ls.Param(1) != "LS" {
		t.Fatalf("CAP LS reply: %v", ls)
	}
	for _, want := range []string{"message-tags", "server-time", "labeled-response", "batch", "echo-message", "cap-notify", "extended-monitor", "setname", "chghost"} {
		if !strings.Contains(" "+ls.Trailing()+" ", " "+want+" ") {
			t.Errorf("CAP LS lacks %s: %q", want, ls.Trailing())
		}
	}
	// All or nothing: one unknown capability NAKs the whole request.
	c.Send("CAP REQ :server-time bogus-cap")
	c.ExpectLine(":irc.conference.local CAP * NAK :server-time bogus-cap")
	c.Send("CAP REQ :server-time multi-prefix")
	c.ExpectLine(":irc.conference.local CAP * ACK :server-time multi-prefix")
	c.Send("CAP LIST")
	list := c.ExpectCommand("CAP")
	if list.Param(1) != "LIST" || !strings.Contains(list.Trailing(), "server-time") || !strings.Contains(list.Trailing(), "multi-prefix") {
		t.Fatalf("CAP LIST: %v", list)
	}
	c.Send("CAP REQ :-multi-prefix")
	c.ExpectLine(":irc.conference.local CAP * ACK :-multi-prefix")
	c.Send("CAP FOO")
	c.ExpectNumeric("410")
	// Registration waits for CAP END.
	c.Send("NICK capper")
	c.Send("USER capper 0 * :Cap Per")
	for _, m := range c.Sync() {
		if m.Command == "001" {
			t.Fatal("registered before CAP END")
		}
	}
	c.Send("CAP END")
	c.ExpectNumeric("001")
}

func TestCapNotifyOnRehash(t *testing.T) {
	hash, err := conf.HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	base := "operators:\n  - name: op\n    password: \"" + hash + "\"\n"
	srv := harness.Start(t, base)
	c := srv.Register(t, "watcher", "cap-notify", "echo-message")
	c.Send("OPER op pw")
	c.ExpectNumeric("381")
	srv.WriteConfig(t, base+"capabilities:\n  disabled: [echo-message]\n")
	c.Send("REHASH")
	c.ExpectLine(":irc.conference.local CAP watcher DEL :echo-message")
	c.Send("CAP LIST")
	if list := c.ExpectCommand("CAP"); strings.Contains(list.Trailing(), "echo-message") {
		t.Fatalf("echo-message still enabled after DEL: %v", list)
	}
	srv.WriteConfig(t, base)
	c.Send("REHASH")
	c.ExpectLine(":irc.conference.local CAP watcher NEW :echo-message")
	// An unknown capability name is refused and nothing changes.
	srv.WriteConfig(t, base+"capabilities:\n  disabled: [no-such-cap]\n")
	c.Send("REHASH")
	fail := c.ExpectCommand("FAIL")
	if !strings.Contains(fail.Trailing(), "no-such-cap") {
		t.Fatalf("refusal does not name the capability: %v", fail)
	}
}

func TestServerTimeMsgidAndEcho(t *testing.T) {
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice", "server-time", "message-tags", "echo-message")
	bob := srv.Register(t, "bob")
	alice.Send("JOIN #v3")
	alice.ExpectNumeric("366")
	bob.Send("JOIN #v3")
	bob.ExpectNumeric("366")
	alice.ExpectCommand("JOIN")
	alice.Send("@+example/tag=hi;notclient=x PRIVMSG #v3 :hello")
	echo := alice.ExpectCommand("PRIVMSG")
	if echo.Tags["time"] == "" || echo.Tags["msgid"] == "" || echo.Tags["+example/tag"] != "hi" {
		t.Fatalf("echo lacks tags: %v", echo)
	}
	if _, ok := echo.Tags["notclient"]; ok {
		t.Fatalf("non-client tag relayed: %v", echo)
	}
	got := bob.ExpectCommand("PRIVMSG")
	if len(got.Tags) != 0 {
		t.Fatalf("bob negotiated nothing but got tags: %v", got.Tags)
	}
	if got.Trailing() != "hello" {
		t.Fatalf("bob got %v", got)
	}
}

func TestTagmsgOnlyToMessageTagsClients(t *testing.T) {
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice", "message-tags")
	bob := srv.Register(t, "bob", "message-tags")
	carol := srv.Register(t, "carol")
	for _, c := range []*harness.Client{alice, bob, carol} {
		c.Send("JOIN #typing")
		c.ExpectNumeric("366")
	}
	alice.Send("@+typing=active TAGMSG #typing")
	m := bob.ExpectCommand("TAGMSG")
	if m.Tags["+typing"] != "active" || m.Param(0) != "#typing" || m.Tags["msgid"] == "" {
		t.Fatalf("bob got %v", m)
	}
	for _, m := range carol.Sync() {
		if m.Command == "TAGMSG" {
			t.Fatalf("carol without message-tags got %v", m)
		}
	}
	alice.Send("@+typing=done TAGMSG bob")
	if m := bob.ExpectCommand("TAGMSG"); m.Param(0) != "bob" || m.Tags["+typing"] != "done" {
		t.Fatalf("private TAGMSG: %v", m)
	}
}

func TestClientTagSizeLimit(t *testing.T) {
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice", "message-tags")
	alice.Send("@+big=" + strings.Repeat("x", 4095) + " PRIVMSG alice :hi")
	alice.ExpectNumeric("417")
	// Every tag a client sends counts, with or without the '+' (the
	// message-tags specification): the rest of the 8191 bytes is the
	// server's, for the tags it adds.
	alice.Send("@label=" + strings.Repeat("y", 5000) + " PING ok")
	alice.ExpectNumeric("417")
	alice.Send("@label=" + strings.Repeat("y", 4094-6) + " PING ok")
	alice.Expect(func(m *irc.Message) bool { return m.Command == "PONG" && m.Trailing() == "ok" })
}

func TestLabeledResponse(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "lab", "labeled-response", "batch")
	// One reply: the label rides on it.
	c.Send("@label=one PING x")
	c.ExpectLine("@label=one :irc.conference.local PONG irc.conference.local :x")
	// No reply: ACK.
	c.Send("@label=two PONG x")
	c.ExpectLine("@label=two :irc.conference.local ACK")
	// Several replies: a labeled-response batch around them.
	c.Send("@label=three LUSERS")
	if lines := labeledBatch(t, c, "three"); len(lines) != 7 {
		t.Fatalf("LUSERS in batch had %d lines, want 7", len(lines))
	}
}

// labeledBatch reads a labeled-response batch for label and returns the
// lines in it, failing on any line outside it.
func labeledBatch(t *testing.T, c *harness.Client, label string) []*irc.Message {
	t.Helper()
	start := c.Next()
	if start.Command != "BATCH" || start.Tags["label"] != label || start.Param(1) != "labeled-response" || !strings.HasPrefix(start.Param(0), "+") {
		t.Fatalf("batch start: %v", start)
	}
	id := start.Param(0)[1:]
	var lines []*irc.Message
	for {
		m := c.Next()
		if m.Command == "BATCH" {
			if m.Param(0) != "-"+id {
				t.Fatalf("batch end: %v", m)
			}
			return lines
		}
		if m.Tags["batch"] != id {
			t.Fatalf("line outside batch: %v", m)
		}
		lines = append(lines, m)
	}
}

// TestLabeledJoinIsOneBatch: a JOIN queues the joiner's own JOIN line the
// moment it becomes a member (before the rest of the reply): a labeled
// JOIN of two channels is still one labeled-response batch, opened before
// the first JOIN and closed after the last 366. Without batch, the several
// replies carry no label, as before.
func TestLabeledJoinIsOneBatch(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	c := srv.Register(t, "lab", "labeled-response", "batch")
	c.Send("@label=j JOIN #one,#two")
	var got []string
	for _, m := range labeledBatch(t, c, "j") {
		got = append(got, m.Command)
	}
	if want := "JOIN 353 366 JOIN 353 366"; strings.Join(got, " ") != want {
		t.Errorf("batch holds %q, want %q", got, want)
	}
	c.Send("@label=p PING x")
	c.ExpectLine("@label=p :irc.conference.local PONG irc.conference.local :x")

	plain := srv.Register(t, "plain", "labeled-response")
	plain.Send("@label=j JOIN #three")
	for _, m := range plain.Sync() {
		if _, ok := m.Tags["label"]; ok || m.Tags["batch"] != "" {
			t.Errorf("without batch, got a labeled or batched line: %v", m)
		}
	}
}

func TestNamesVariants(t *testing.T) {
	srv := harness.Start(t, "")
	op := srv.Register(t, "op")
	op.Send("JOIN #n")
	op.ExpectNumeric("366")
	v := srv.Register(t, "voiced")
	v.Send("JOIN #n")
	v.ExpectNumeric("366")
	op.Send("MODE #n +ov voiced voiced")
	op.ExpectCommand("MODE")
	multi := srv.Register(t, "multi", "multi-prefix", "userhost-in-names")
	multi.Send("NAMES #n")
	names := multi.ExpectNumeric("353")
	if !strings.Contains(names.Trailing(), "@+voiced!~voiced@127.0.0.1") || !strings.Contains(names.Trailing(), "@op!~op@127.0.0.1") {
		t.Fatalf("multi-prefix/userhost-in-names: %v", names)
	}
	plain := srv.Register(t, "plain")
	plain.Send("NAMES #n")
	if got := plain.ExpectNumeric("353").Trailing(); !strings.Contains(got, "@voiced") || strings.Contains(got, "+voiced") || strings.Contains(got, "!") {
		t.Fatalf("plain NAMES: %q", got)
	}
	quiet := srv.Register(t, "quiet", "draft/no-implicit-names")
	quiet.Send("JOIN #n")
	quiet.ExpectCommand("JOIN")
	for _, m := range quiet.Sync() {
		if m.Command == "353" || m.Command == "366" {
			t.Fatalf("no-implicit-names client got %v", m)
		}
	}
}

func TestExtendedJoinAwayNotifyAccount(t *testing.T) {
	srv := harness.Start(t, "")
	watcher := srv.Register(t, "watcher", "extended-join", "away-notify", "account-notify", "account-tag")
	watcher.Send("JOIN #x")
	watcher.ExpectNumeric("366")
	alice := srv.Register(t, "alice")
	srv.Srv.Dispatcher().SetAccount(clientByNick(t, srv, "alice"), "alice-acct")
	alice.Send("AWAY :lunch")
	alice.ExpectNumeric("306")
	alice.Send("JOIN #x")
	alice.ExpectNumeric("366")
	watcher.ExpectLine("@account=alice-acct :alice!~alice@127.0.0.1 JOIN #x alice-acct :Real alice")
	watcher.ExpectLine("@account=alice-acct :alice!~alice@127.0.0.1 AWAY :lunch")
	alice.Send("AWAY")
	watcher.ExpectLine("@account=alice-acct :alice!~alice@127.0.0.1 AWAY")
	srv.Srv.Dispatcher().SetAccount(clientByNick(t, srv, "alice"), "")
	watcher.ExpectLine(":alice!~alice@127.0.0.1 ACCOUNT *")
}

func TestSetnameAndChghost(t *testing.T) {
	hash, _ := conf.HashPassword("pw")
	srv := harness.Start(t, "operators:\n  - name: op\n    password: \""+hash+"\"\n")
	a := srv.Register(t, "a", "setname", "chghost")
	b := srv.Register(t, "b", "setname", "chghost")
	c := srv.Register(t, "c")
	for _, cl := range []*harness.Client{a, b, c} {
		cl.Send("JOIN #s")
		cl.ExpectNumeric("366")
	}
	a.Send("SETNAME :New Name")
	a.ExpectLine(":a!~a@127.0.0.1 SETNAME :New Name")
	b.ExpectLine(":a!~a@127.0.0.1 SETNAME :New Name")
	a.Send("SETNAME :" + strings.Repeat("n", 200))
	if f := a.ExpectCommand("FAIL"); f.Param(1) != "INVALID_REALNAME" {
		t.Fatalf("long realname: %v", f)
	}
	for _, m := range c.Sync() {
		if m.Command == "SETNAME" {
			t.Fatalf("c without setname got %v", m)
		}
	}
	c.Send("OPER op pw")
	c.ExpectNumeric("381")
	c.Send("CHGHOST a cloak.example")
	c.ExpectCommand("NOTE")
	a.ExpectLine(":a!~a@127.0.0.1 CHGHOST ~a cloak.example")
	b.ExpectLine(":a!~a@127.0.0.1 CHGHOST ~a cloak.example")
	b.Send("WHO a")
	b.Sync()
	b.Send("CHGHOST a x.y")
	b.ExpectNumeric("481")
}

func TestBotMode(t *testing.T) {
	srv := harness.Start(t, "")
	bot := srv.Register(t, "robot")
	human := srv.Register(t, "human", "message-tags")
	bot.Send("MODE robot +B")
	bot.ExpectLine(":robot!~robot@127.0.0.1 MODE robot +B")
	bot.Send("PRIVMSG human :beep")
	m := human.ExpectCommand("PRIVMSG")
	if _, ok := m.Tags["bot"]; !ok {
		t.Fatalf("bot tag missing: %v", m)
	}
}

func TestMonitor(t *testing.T) {
	srv := harness.Start(t, "limits:\n  monitor: 3\n")
	w := srv.Register(t, "watcher", "extended-monitor", "away-notify")
	w.Send("MONITOR + friend,other")
	w.ExpectLine(":irc.conference.local 731 watcher :friend,other")
	friend := srv.Register(t, "friend")
	w.ExpectLine(":irc.conference.local 730 watcher :friend!~friend@127.0.0.1")
	// extended-monitor: away-notify for a monitored nick without a shared channel.
	friend.Send("AWAY :gone")
	w.ExpectLine(":friend!~friend@127.0.0.1 AWAY :gone")
	friend.Send("NICK friend2")
	w.ExpectLine(":irc.conference.local 731 watcher :friend")
	friend.Send("NICK friend")
	w.ExpectLine(":irc.conference.local 730 watcher :friend!~friend@127.0.0.1")
	w.Send("MONITOR L")
	w.ExpectLine(":irc.conference.local 732 watcher :friend,other")
	w.ExpectLine(":irc.conference.local 733 watcher :End of MONITOR list")
	w.Send("MONITOR S")
	w.ExpectLine(":irc.conference.local 730 watcher :friend!~friend@127.0.0.1")
	w.ExpectLine(":irc.conference.local 731 watcher :other")
	w.Send("MONITOR + a1,a2")
	w.ExpectLine(":irc.conference.local 734 watcher 3 a2 :Monitor list is full")
	friend.Quit()
	w.ExpectLine(":irc.conference.local 731 watcher :friend")
	w.Send("MONITOR - other")
	w.Send("MONITOR C")
	w.Send("MONITOR L")
	w.ExpectLine(":irc.conference.local 733 watcher :End of MONITOR list")
}

func TestUTF8Only(t *testing.T) {
	srv := harness.Start(t, "server:\n  utf8only: true\n")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	alice.SendRaw("PRIVMSG bob :bad \xff\xfe bytes\r\n")
	if f := alice.ExpectCommand("FAIL"); f.Param(0) != "PRIVMSG" || f.Param(1) != "INVALID_UTF8" {
		t.Fatalf("FAIL: %v", f)
	}
	for _, m := range bob.Sync() {
		if m.Command == "PRIVMSG" {
			t.Fatalf("invalid UTF-8 relayed: %v", m)
		}
	}
	alice.Send("VERSION")
	alice.Send("PRIVMSG bob :ok ✓")
	if m := bob.ExpectCommand("PRIVMSG"); m.Trailing() != "ok ✓" {
		t.Fatalf("valid UTF-8: %v", m)
	}
}

// TestIrssiJoinBeforeRegistration replays irssi's opening: CAP LS 302 and
// an empty JOIN before NICK/USER. The JOIN gets 451 and registration
// carries on.
func TestIrssiJoinBeforeRegistration(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	c.Send("JOIN :")
	c.ExpectLine(":irc.conference.local 451 * :You have not registered")
	c.Send("NICK irssiuser")
	c.Send("USER irssi irssi 127.0.0.1 :irssi")
	c.Send("CAP END")
	c.ExpectNumeric("001")
}
