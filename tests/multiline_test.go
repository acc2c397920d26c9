package tests

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

func TestMultiline(t *testing.T) {
	// Loopback is exempt from flood control: 103 lines go at once.
	srv, _, bob, _, _ := historyRoom(t, "exempt: [\"127.0.0.0/8\"]\n")
	caps := append(historyCaps, "draft/multiline")
	ann := srv.Register(t, "ann", caps...)
	carol := srv.Register(t, "carol", caps...)
	ann.Send("JOIN #h")
	ann.ExpectNumeric("366")
	carol.Send("JOIN #h")
	carol.ExpectNumeric("366")
	bob.Sync()

	ann.Send("CAP LS 302")
	var ls []string
	for {
		m := ann.ExpectCommand("CAP")
		ls = append(ls, m.Trailing())
		if m.Param(2) != "*" {
			break
		}
	}
	if all := " " + strings.Join(ls, " ") + " "; !strings.Contains(all, " draft/multiline=max-bytes=4096,max-lines=100 ") {
		t.Errorf("CAP LS: %s", all)
	}
	ann.SendRaw("BATCH +b1 draft/multiline #h\r\n@batch=b1 PRIVMSG #h :first line\r\n" +
		"@batch=b1;draft/multiline-concat PRIVMSG #h :, continued\r\n@batch=b1 PRIVMSG #h :second line\r\nBATCH -b1\r\n")
	start := carol.ExpectCommand("BATCH")
	if start.Param(1) != "draft/multiline" || start.Param(2) != "#h" || start.Tags["msgid"] == "" || start.Prefix.Name != "ann" {
		t.Fatalf("batch start: %v", start)
	}
	var got []string
	for {
		m := carol.Next()
		if m.Command == "BATCH" {
			break
		}
		_, concat := m.Tags["draft/multiline-concat"]
		got = append(got, fmt.Sprintf("%s|%v", m.Trailing(), concat))
		if m.Tags["batch"] != start.Param(0)[1:] {
			t.Errorf("line outside the batch: %v", m)
		}
	}
	if strings.Join(got, " ") != "first line|false , continued|true second line|false" {
		t.Errorf("batch lines: %q", got)
	}
	// A client without the capability gets three messages.
	var fallback []string
	for i := 0; i < 3; i++ {
		m := bob.ExpectCommand("PRIVMSG")
		fallback = append(fallback, m.Trailing())
	}
	if strings.Join(fallback, "|") != "first line|, continued|second line" {
		t.Errorf("fallback: %q", fallback)
	}
	// The echo is the batch too, and history holds the lines.
	ann.Expect(func(m *irc.Message) bool { return m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "-") })
	if got := texts(fetchHistory(t, carol, "CHATHISTORY LATEST #h * 3")); got != "first line , continued second line" {
		t.Errorf("history: %q", got)
	}

	// Refusals.
	var many strings.Builder
	many.WriteString("BATCH +b2 draft/multiline #h\r\n")
	for i := 0; i < 101; i++ {
		many.WriteString("@batch=b2 PRIVMSG #h :x\r\n")
	}
	many.WriteString("BATCH -b2\r\n")
	ann.SendRaw(many.String())
	ann.ExpectLine(":irc.conference.local FAIL BATCH MULTILINE_MAX_LINES 100 :Too many lines")
	ann.SendRaw("BATCH +b3 draft/multiline #h\r\n@batch=b3 PRIVMSG #other :x\r\nBATCH -b3\r\n")
	ann.ExpectLine(":irc.conference.local FAIL BATCH MULTILINE_INVALID_TARGET #other :All lines of a batch must go to its target")
	bob.Send("BATCH +b4 draft/multiline #h")
	bob.ExpectLine(":irc.conference.local FAIL BATCH MULTILINE_INVALID :Only draft/multiline batches with a target are accepted")
	for _, m := range carol.Sync() {
		if m.Command == "PRIVMSG" || m.Command == "BATCH" {
			t.Errorf("a refused batch was delivered: %v", m)
		}
	}
}

// TestMultilineMuted: a mute ($m:) silences a multiline batch as it does a
// PRIVMSG.
func TestMultilineMuted(t *testing.T) {
	srv := harness.Start(t, "")
	op := srv.Register(t, "chanop")
	op.Send("JOIN #mute")
	op.ExpectNumeric("366")
	loud := srv.Register(t, "loud", "batch", "message-tags", "draft/multiline")
	modeOK(t, op, "MODE #mute +b $m:loud")
	loud.Send("JOIN #mute")
	loud.ExpectNumeric("366")
	loud.SendRaw("BATCH +m1 draft/multiline #mute\r\n@batch=m1 PRIVMSG #mute :can you hear me\r\nBATCH -m1\r\n")
	loud.ExpectNumeric("404")
	for _, m := range op.Sync() {
		if m.Command == "PRIVMSG" || m.Command == "BATCH" {
			t.Fatalf("muted batch delivered: %v", m)
		}
	}
}
