package tests

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gopkg.in/irc.v4"
)

// TestHistoryKill9 runs the real binary with persistent history: what a
// client saw committed (a CHATHISTORY read waits for the writer) survives
// kill -9; what was still queued at the kill may be lost, but only a tail
// (no holes), and the database opens sound after it.
func TestHistoryKill9(t *testing.T) {
	bin := buildConferenced(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "conference.yaml")
	writeTestFile(t, file, "exempt: [\"127.0.0.1/32\"]\nhistory:\n  limit: 1000\n")
	p := startProcess(t, bin, file)
	alice := p.server().Register(t, "alice", historyCaps...)
	alice.Send("JOIN #k")
	alice.ExpectNumeric("366")
	say := func(from, to int) {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "PRIVMSG #k :m%d\r\n", i)
		}
		alice.SendRaw(b.String())
		last := fmt.Sprintf("m%d", to)
		alice.Expect(func(m *irc.Message) bool { return m.Command == "PRIVMSG" && m.Trailing() == last })
	}
	say(1, 300)
	if got := fetchHistory(t, alice, "CHATHISTORY LATEST #k * 1"); texts(got) != "m300" {
		t.Fatalf("before the kill: %q", texts(got))
	}
	say(301, 800)
	p.signal(syscall.SIGKILL)
	p.waitExit()

	p = startProcess(t, bin, file) // its integrity check refuses a corrupt file
	alice = p.server().Register(t, "alice", historyCaps...)
	alice.Send("JOIN #k")
	alice.ExpectNumeric("366")
	got := strings.Fields(texts(fetchHistory(t, alice, "CHATHISTORY AFTER #k timestamp=2000-01-01T00:00:00.000Z 1000")))
	if len(got) < 300 {
		t.Fatalf("after kill -9, %d messages, fewer than the 300 committed before", len(got))
	}
	for i, text := range got {
		if text != fmt.Sprintf("m%d", i+1) {
			t.Fatalf("after kill -9, message %d is %q: a hole", i+1, text)
		}
	}
	t.Logf("kill -9 right after the echo of m800: %d of the last 500 messages stored, %d lost", len(got)-300, 800-len(got))
	p.signal(syscall.SIGTERM)
	p.waitExit()
}
