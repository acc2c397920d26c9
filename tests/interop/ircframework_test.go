package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// nodeDir holds bot.js and its package.json; `npm ci` there installs
// irc-framework into node_modules.
const nodeDir = "node"

// ircFrameworkWants is what irc-framework 4.14 requests by default (its
// CAP handler's "want" list, with echo-message, chghost, setname and sasl
// left off by its default options): it ACKs the ones the server offers.
var ircFrameworkWants = []string{
	"cap-notify", "batch", "multi-prefix", "message-tags", "draft/message-tags-0.2",
	"away-notify", "invite-notify", "account-notify", "account-tag", "server-time",
	"userhost-in-names", "extended-join", "znc.in/server-time-iso", "znc.in/server-time",
}

// botEvent is one JSON line printed by bot.js.
type botEvent struct {
	Event   string         `json:"event"`
	Dir     string         `json:"dir"`
	Line    string         `json:"line"`
	Nick    string         `json:"nick"`
	NewNick string         `json:"new_nick"`
	Channel string         `json:"channel"`
	Target  string         `json:"target"`
	Message string         `json:"message"`
	Topic   string         `json:"topic"`
	Caps    []string       `json:"caps"`
	Tags    map[string]any `json:"tags"`
	Time    *float64       `json:"time"`
	json    string
}

// bot is one node process running bot.js: commands go to its stdin as JSON
// lines, events come back on its stdout.
type bot struct {
	t      *testing.T
	nick   string
	stdin  io.WriteCloser
	proc   *process
	stderr *lockedBuffer

	mu     sync.Mutex
	events []botEvent
}

// lineWriter calls fn with each complete line written to it.
type lineWriter struct {
	buf []byte
	fn  func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.fn(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

// startBot starts bot.js as nick and waits until it has registered.
func startBot(t *testing.T, srv *harness.Server, nick string) *bot {
	t.Helper()
	return startBotAt(t, port(srv), nick)
}

// startBotAt starts bot.js as nick on a loopback port, with any extra
// arguments of bot.js ("tls"), and waits until it has registered.
func startBotAt(t *testing.T, port, nick string, extra ...string) *bot {
	t.Helper()
	node := needBinary(t, "node")
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "irc-framework", "package.json")); err != nil {
		noteSkipped("irc-framework (npm ci in tests/interop/node)")
		missing(t, "irc-framework is not installed: run `npm ci` in tests/interop/node (%v)", err)
	}
	b := &bot{t: t, nick: nick, stderr: &lockedBuffer{}}
	cmd := exec.Command(node, append([]string{"bot.js", "127.0.0.1", port, nick}, extra...)...)
	cmd.Dir = nodeDir
	cmd.Env = childEnv(t.TempDir())
	cmd.Stdout = &lineWriter{fn: b.record}
	cmd.Stderr = b.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	b.stdin = stdin
	b.proc = startProcess(t, cmd)
	t.Cleanup(func() {
		stdin.Close() // bot.js exits when its stdin closes
		if t.Failed() {
			t.Logf("%s (irc-framework) printed:\n%s\nstderr:\n%s", nick, tail(b.dump(), 60), tail(b.stderr.String(), 20))
		}
	})
	b.wait("registered", func(e botEvent) bool { return e.Event == "registered" })
	return b
}

func (b *bot) record(line string) {
	e := botEvent{json: line}
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		e = botEvent{Event: "unparsed", Line: line, json: line}
	}
	b.mu.Lock()
	b.events = append(b.events, e)
	b.mu.Unlock()
}

func (b *bot) dump() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s strings.Builder
	for _, e := range b.events {
		s.WriteString(e.json + "\n")
	}
	return s.String()
}

// find returns the first event that matches.
func (b *bot) find(match func(botEvent) bool) (botEvent, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		if match(e) {
			return e, true
		}
	}
	return botEvent{}, false
}

// wait polls the bot's events until one matches and returns it.
func (b *bot) wait(what string, match func(botEvent) bool) botEvent {
	b.t.Helper()
	var found botEvent
	waitFor(b.t, b.nick+" (irc-framework) to report "+what, func() bool {
		var ok bool
		found, ok = b.find(match)
		return ok
	}, func() string { return tail(b.dump(), 40) })
	return found
}

// send gives bot.js one command.
func (b *bot) send(cmd map[string]string) {
	b.t.Helper()
	line, _ := json.Marshal(cmd)
	if _, err := b.stdin.Write(append(line, '\n')); err != nil {
		b.t.Fatalf("%s: write command: %v", b.nick, err)
	}
}

func (b *bot) join(channel string) { b.send(map[string]string{"cmd": "join", "channel": channel}) }
func (b *bot) say(target, text string) {
	b.send(map[string]string{"cmd": "say", "target": target, "text": text})
}

// privmsg waits for a PRIVMSG from nick to target containing text.
func (b *bot) privmsg(nick, target, text string) botEvent {
	b.t.Helper()
	return b.wait(fmt.Sprintf("PRIVMSG %s from %s: %q", target, nick, text), func(e botEvent) bool {
		return e.Event == "privmsg" && e.Nick == nick && strings.EqualFold(e.Target, target) && e.Message == text
	})
}

// rawIn waits for a line from the server containing s.
func (b *bot) rawIn(s string) string {
	b.t.Helper()
	return b.wait("a line with "+s, func(e botEvent) bool { return e.Event == "raw" && e.Dir == "in" && strings.Contains(e.Line, s) }).Line
}

// quit sends QUIT and waits for bot.js to see the link close and exit.
func (b *bot) quit(message string) {
	b.t.Helper()
	b.send(map[string]string{"cmd": "quit", "message": message})
	b.wait("close", func(e botEvent) bool { return e.Event == "close" })
	if err := b.proc.waitExit(b.t); err != nil {
		b.t.Errorf("%s: bot.js exited with %v", b.nick, err)
	}
}

// noErrors fails the test for every error irc-framework reported (an error
// numeric, a bad command) other than the ERROR that closes the link after
// QUIT.
func (b *bot) noErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		if e.Event == "error" && !strings.Contains(e.json, "Closing Link") {
			b.t.Errorf("%s (irc-framework) reported an error: %s", b.nick, e.json)
		}
	}
}

// TestIRCFramework drives an irc-framework bot through a whole session and
// checks both the events irc-framework reported and what the server relayed
// to the observer.
func TestIRCFramework(t *testing.T) {
	srv, obs := startServer(t)
	b := startBot(t, srv, "fwbot")

	b.join(chanMain)
	b.join(chanStay)
	expectFrom(obs, "JOIN", "fwbot", []string{chanMain}, "")
	expectFrom(obs, "JOIN", "fwbot", []string{chanStay}, "")
	b.wait("its join", func(e botEvent) bool { return e.Event == "join" && e.Nick == "fwbot" && e.Channel == chanMain })
	giveOp(obs, "fwbot")
	b.rawIn("MODE " + chanMain + " +o fwbot")

	b.say(chanMain, "hello from irc-framework")
	expectFrom(obs, "PRIVMSG", "fwbot", []string{chanMain}, "hello from irc-framework")

	obs.Send("PRIVMSG " + chanMain + " :hello irc-framework, from observer")
	b.privmsg("observer", chanMain, "hello irc-framework, from observer")

	b.say("observer", "psst observer")
	expectFrom(obs, "PRIVMSG", "fwbot", []string{"observer"}, "psst observer")

	obs.Send("PRIVMSG fwbot :psst irc-framework")
	b.privmsg("observer", "fwbot", "psst irc-framework")

	b.send(map[string]string{"cmd": "nick", "nick": "fwbot2"})
	expectFrom(obs, "NICK", "fwbot", nil, "fwbot2")
	b.wait("its nick change", func(e botEvent) bool { return e.Event == "nick" && e.Nick == "fwbot" && e.NewNick == "fwbot2" })

	b.send(map[string]string{"cmd": "topic", "channel": chanMain, "topic": "topic by irc-framework"})
	expectFrom(obs, "TOPIC", "fwbot2", []string{chanMain}, "topic by irc-framework")
	b.wait("the topic", func(e botEvent) bool {
		return e.Event == "topic" && e.Nick == "fwbot2" && e.Channel == chanMain && e.Topic == "topic by irc-framework"
	})

	b.send(map[string]string{"cmd": "part", "channel": chanMain, "message": "bye from irc-framework"})
	expectFrom(obs, "PART", "fwbot2", []string{chanMain}, "bye from irc-framework")
	b.wait("its part", func(e botEvent) bool {
		return e.Event == "part" && e.Nick == "fwbot2" && e.Channel == chanMain && e.Message == "bye from irc-framework"
	})

	b.quit("irc-framework leaving")
	expectFrom(obs, "QUIT", "fwbot2", nil, "irc-framework leaving")
	b.noErrors()
}

// TestIRCFrameworkCaps checks which capabilities irc-framework's default
// request got ACKed, and that the messages it receives carry the tags those
// capabilities promise: time (server-time), msgid (message-tags) and the
// sender's client-only tags (message-tags).
func TestIRCFrameworkCaps(t *testing.T) {
	srv, obs := startServer(t)
	b := startBot(t, srv, "capbot")

	var offered []string
	for _, ls := range b.allRawIn(" CAP * LS ") {
		m := irc.MustParseMessage(ls)
		for _, c := range strings.Fields(m.Trailing()) {
			name, _, _ := strings.Cut(c, "=")
			offered = append(offered, name)
		}
	}
	ack := b.wait("CAP ACK", func(e botEvent) bool {
		m, err := irc.ParseMessage(e.Line)
		return e.Event == "raw" && e.Dir == "in" && err == nil && m.Command == "CAP" && m.Param(1) == "ACK"
	})
	acked := strings.Fields(irc.MustParseMessage(ack.Line).Trailing())
	t.Logf("server offered: %s", strings.Join(offered, " "))
	t.Logf("server ACKed:   %s", strings.Join(acked, " "))

	var want []string
	for _, c := range offered {
		if slices.Contains(ircFrameworkWants, c) {
			want = append(want, c)
		}
	}
	if !sameSet(acked, want) {
		t.Errorf("ACK = %v, want the offered caps irc-framework asks for: %v", acked, want)
	}
	reg, _ := b.find(func(e botEvent) bool { return e.Event == "registered" })
	if !sameSet(reg.Caps, acked) {
		t.Errorf("irc-framework enabled %v, server ACKed %v", reg.Caps, acked)
	}
	for _, c := range []string{"server-time", "message-tags"} {
		if !slices.Contains(acked, c) {
			t.Errorf("%s not ACKed (offered: %v)", c, offered)
		}
	}

	b.join(chanMain)
	expectFrom(obs, "JOIN", "capbot", []string{chanMain}, "")

	tagger := srv.Register(t, "tagger", "message-tags")
	before := time.Now().Add(-time.Second)
	obs.Send("PRIVMSG " + chanMain + " :plain channel message")
	obs.Send("PRIVMSG capbot :plain private message")
	tagger.Send("@+conference.test/colour=blue PRIVMSG capbot :tagged private message")
	for _, m := range []botEvent{
		b.privmsg("observer", chanMain, "plain channel message"),
		b.privmsg("observer", "capbot", "plain private message"),
		b.privmsg("tagger", "capbot", "tagged private message"),
	} {
		t.Logf("received %q with tags %v", m.Message, m.Tags)
		checkServerTags(t, m, acked, before)
	}
	tagged, _ := b.find(func(e botEvent) bool { return e.Event == "privmsg" && e.Message == "tagged private message" })
	if got := tagged.Tags["+conference.test/colour"]; got != "blue" {
		t.Errorf("client-only tag +conference.test/colour = %v, want blue (tags %v)", got, tagged.Tags)
	}
	b.quit("done")
	b.noErrors()
}

// checkServerTags checks the time and msgid tags of a received message
// against the ACKed caps.
func checkServerTags(t *testing.T, m botEvent, acked []string, before time.Time) {
	t.Helper()
	if slices.Contains(acked, "server-time") {
		value, _ := m.Tags["time"].(string)
		at, err := time.Parse("2006-01-02T15:04:05.000Z", value)
		if err != nil {
			t.Errorf("%q: time tag %q: %v", m.Message, value, err)
		} else if at.Before(before) || at.After(time.Now().Add(time.Second)) {
			t.Errorf("%q: time tag %s is not now", m.Message, value)
		}
		if m.Time == nil {
			t.Errorf("%q: irc-framework did not read the server time", m.Message)
		}
	}
	if slices.Contains(acked, "message-tags") {
		if id, _ := m.Tags["msgid"].(string); id == "" {
			t.Errorf("%q: no msgid tag (tags %v)", m.Message, m.Tags)
		}
	}
}

// allRawIn returns every line from the server containing s, so far.
func (b *bot) allRawIn(s string) []string {
	b.t.Helper()
	b.rawIn(s)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.events {
		if e.Event == "raw" && e.Dir == "in" && strings.Contains(e.Line, s) {
			out = append(out, e.Line)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

// TestIrssiAndIRCFramework has two real clients, irssi and an
// irc-framework bot, talk to each other in a channel and in private, and
// see each other's nick changes, part and quit.
func TestIrssiAndIRCFramework(t *testing.T) {
	srv, obs := startServer(t)
	c := startIrssi(t, srv, "irssiu")
	b := startBot(t, srv, "fwbot")

	c.cmd("/join " + chanMain + "," + chanStay)
	expectFrom(obs, "JOIN", "irssiu", []string{chanStay}, "")
	b.join(chanMain)
	b.join(chanStay)
	expectFrom(obs, "JOIN", "fwbot", []string{chanStay}, "")
	c.waitWindow(chanMain, rx(`fwbot \[~fwbot@127\.0\.0\.1\] has joined %s`, chanMain))

	c.cmd("/msg " + chanMain + " hi bot, from irssi")
	b.privmsg("irssiu", chanMain, "hi bot, from irssi")
	expectFrom(obs, "PRIVMSG", "irssiu", []string{chanMain}, "hi bot, from irssi")

	b.say(chanMain, "hi irssi, from the bot")
	c.waitWindow(chanMain, rx(`< ?fwbot> hi irssi, from the bot$`))
	expectFrom(obs, "PRIVMSG", "fwbot", []string{chanMain}, "hi irssi, from the bot")

	c.cmd("/msg fwbot psst bot")
	b.privmsg("irssiu", "fwbot", "psst bot")
	c.waitWindow("fwbot", rx(`<irssiu> psst bot$`))

	b.say("irssiu", "psst irssi")
	c.waitWindow("fwbot", rx(`<fwbot> psst irssi$`))

	c.cmd("/nick irssi2")
	b.wait("irssi's nick change", func(e botEvent) bool { return e.Event == "nick" && e.Nick == "irssiu" && e.NewNick == "irssi2" })
	expectFrom(obs, "NICK", "irssiu", nil, "irssi2")

	b.send(map[string]string{"cmd": "nick", "nick": "fwbot2"})
	c.waitWindow(chanMain, lit("fwbot is now known as fwbot2"))
	expectFrom(obs, "NICK", "fwbot", nil, "fwbot2")

	c.cmd("/part " + chanMain + " irssi parting")
	b.wait("irssi's part", func(e botEvent) bool {
		return e.Event == "part" && e.Nick == "irssi2" && e.Channel == chanMain && e.Message == "irssi parting"
	})
	expectFrom(obs, "PART", "irssi2", []string{chanMain}, "irssi parting")

	b.quit("bot leaving")
	c.waitWindow(chanStay, rx(`fwbot2 \[~fwbot@127\.0\.0\.1\] has quit \[Quit: bot leaving\]`))
	expectFrom(obs, "QUIT", "fwbot2", nil, "bot leaving")

	c.cmd("/quit irssi leaving")
	expectFrom(obs, "QUIT", "irssi2", nil, "irssi leaving")
	c.waitExit()
	b.noErrors()
	noUnknownCommand(t, "irssi", readFile(c.log))
}
