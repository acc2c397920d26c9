package commands

import (
	"strings"
	"testing"
)

// TestHelpCoversTable fails when a command is added to the dispatch table
// without a help text in help.go.
func TestHelpCoversTable(t *testing.T) {
	for name := range buildTable() {
		text, ok := helpTexts[name]
		if !ok {
			t.Errorf("command %s has no entry in helpTexts (commands/help.go)", name)
			continue
		}
		if len(text) < 2 || !strings.Contains(text[0], name) {
			t.Errorf("help for %s must start with its syntax and say what it does: %q", name, text)
		}
	}
}

func TestHelp(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	alice, conn := env.client("alice")

	env.send(alice, "HELP")
	got := conn.take(t)
	if got[0].Command != RPL_HELPSTART || got[len(got)-1].Command != RPL_ENDOFHELP {
		t.Fatalf("HELP = %q", commandsOf(got))
	}
	var index strings.Builder
	for _, m := range got {
		if m.Param(1) != "*" {
			t.Errorf("index line with subject %q", m.Param(1))
		}
		index.WriteString(" " + m.Trailing() + " ")
	}
	for name := range env.d.table {
		if !strings.Contains(index.String(), " "+name+" ") {
			t.Errorf("HELP index misses %s", name)
		}
	}

	for _, line := range []string{"HELP privmsg", "HELP /KILL", "HELPOP JOIN"} {
		env.send(alice, line)
		got := conn.take(t)
		if !strings.HasPrefix(commandsOf(got), "704 705") || got[len(got)-1].Command != RPL_ENDOFHELP {
			t.Fatalf("%s = %q", line, commandsOf(got))
		}
		subject := strings.ToUpper(strings.TrimPrefix(strings.Fields(line)[1], "/"))
		for _, m := range got {
			if m.Param(1) != subject {
				t.Errorf("%s: line with subject %q", line, m.Param(1))
			}
		}
		if subject == "KILL" && !strings.Contains(got[len(got)-2].Trailing(), "operators") {
			t.Errorf("HELP KILL does not say it is for operators")
		}
	}

	for _, topic := range []string{"NOSUCH", "SQUERY", ":x", strings.Repeat("Z", 300)} {
		env.send(alice, "HELP "+topic)
		got := conn.take(t)
		if commandsOf(got) != ERR_HELPNOTFOUND {
			t.Fatalf("HELP %q = %q", topic, commandsOf(got))
		}
		if len(got[0].Param(1)) > maxEchoLen {
			t.Errorf("524 echoes %d bytes", len(got[0].Param(1)))
		}
	}
}
