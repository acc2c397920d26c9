package tests

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/conference-irc/conference/tests/harness"
)

// TestLinesFitWithSource sends the longest texts a client may send (512
// bytes a line) from a user with the longest nick, username and host, in
// a channel with the longest name, and checks that every line anyone
// receives fits in 512 bytes with CRLF (tags aside), text cut on a UTF-8
// boundary, and no shorter than it had to be.
func TestLinesFitWithSource(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryOperConfig(t))
	long := "L" + strings.Repeat("o", 29)
	sender := srv.Register(t, long, "echo-message")
	root := srv.Register(t, "root")
	root.Send("OPER root pw")
	root.ExpectNumeric("381")
	root.Send("CHGHOST " + long + " " + strings.Repeat("h", 59) + ".com")
	root.ExpectCommand("NOTE")
	root.Send("MODE root +w")
	root.ExpectCommand("MODE")
	watcher := srv.Register(t, "w", "away-notify", "setname")
	ch := "#" + strings.Repeat("c", 63)
	queryJoin(t, sender, ch)
	queryJoin(t, watcher, ch)
	// The longest line of each command, its text in two-byte characters.
	fill := func(prefix string) string {
		return prefix + strings.Repeat("é", (510-len(prefix))/2)
	}

	for _, step := range []struct {
		c    *harness.Client
		line string
	}{
		{sender, fill("PRIVMSG " + ch + " :")},
		{sender, fill("NOTICE " + ch + " :")},
		{sender, fill("TOPIC " + ch + " :")},
		{sender, "TOPIC " + ch},
		{sender, fill("AWAY :")},
		{sender, "WHOIS " + long},
		{watcher, "PRIVMSG " + long + " :are you there?"},
		{sender, fill("KICK " + ch + " w :")},
		{watcher, "JOIN " + ch},
		{sender, fill("PART " + ch + " :")},
		{sender, "JOIN " + ch},
		{root, fill("WALLOPS :")},
	} {
		step.c.Send(step.line)
		step.c.Sync()
	}
	sender.Send(fill("QUIT :"))
	sender.ExpectClosed()

	longest := map[string]int{}
	watcher.Sync()
	root.Sync()
	for _, c := range []*harness.Client{sender, watcher, root} {
		for _, line := range c.Seen {
			body := line
			if strings.HasPrefix(line, "@") {
				_, body, _ = strings.Cut(line, " ")
			}
			if len(body)+2 > 512 {
				t.Errorf("%s got a %d-byte line: %.80q...", c.Nick, len(body)+2, body)
			}
			if !utf8.ValidString(body) {
				t.Errorf("%s got a line cut inside a character: ...%q", c.Nick, body[max(0, len(body)-20):])
			}
			if fields := strings.Fields(body); len(fields) > 1 {
				longest[fields[1]] = max(longest[fields[1]], len(body))
			}
		}
	}
	// Trimmed texts use the room there is (a two-byte character may not fit).
	for _, cmd := range []string{"PRIVMSG", "NOTICE", "TOPIC", "PART", "KICK", "QUIT", "WALLOPS", "332"} {
		if longest[cmd] < 509 {
			t.Errorf("the longest %s line is %d bytes, want 509 or 510 (before CRLF)", cmd, longest[cmd])
		}
	}
}
