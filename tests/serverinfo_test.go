package tests

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/tests/harness"
)

// serverInfoYAML names the server and its administrators, so the replies
// can be checked against the configuration.
const serverInfoYAML = `
server:
  name: irc.info.test
  description: the info test server
admin:
  location: Lisbon, Portugal
  organisation: Info Test Org
  email: ops@info.test
`

// collectUntil sends line and returns its reply, up to and including the line
// with the end command.
func collectUntil(t *testing.T, c *harness.Client, line, end string) []*irc.Message {
	t.Helper()
	c.Send(line)
	var got []*irc.Message
	for {
		m := c.Next()
		got = append(got, m)
		if m.Command == end {
			return got
		}
	}
}

func TestVersion(t *testing.T) {
	srv := harness.Start(t, serverInfoYAML)
	c := srv.Register(t, "alice")
	c.Send("VERSION")
	v := c.ExpectNumeric("351")
	if v.Param(1) != server.Version || v.Param(2) != "irc.info.test" || v.Trailing() != "the info test server" {
		t.Fatalf("351 = %v", v)
	}
	if next := c.Next(); next.Command != "005" || !strings.Contains(strings.Join(next.Params, " "), "are supported by this server") {
		t.Fatalf("351 is not followed by ISUPPORT: %v", next)
	}
	c.Send("VERSION other.server.example")
	if m := c.ExpectNumeric("402"); m.Param(1) != "other.server.example" {
		t.Fatalf("402 = %v", m)
	}
}

func TestTimeAdminInfoLinks(t *testing.T) {
	srv := harness.Start(t, serverInfoYAML)
	c := srv.Register(t, "alice")

	c.Send("TIME")
	if m := c.ExpectNumeric("391"); m.Param(1) != "irc.info.test" || m.Trailing() == "" {
		t.Fatalf("391 = %v", m)
	}

	admin := collectUntil(t, c, "ADMIN", "259")
	var texts []string
	for _, m := range admin {
		texts = append(texts, m.Command+" "+m.Trailing())
	}
	want := "256 Administrative info|257 Lisbon, Portugal|258 Info Test Org|259 ops@info.test"
	if strings.Join(texts, "|") != want {
		t.Fatalf("ADMIN = %q, want %q", texts, want)
	}

	info := collectUntil(t, c, "INFO", "374")
	if len(info) < 3 || info[0].Command != "371" {
		t.Fatalf("INFO = %v", info)
	}
	joined := strings.Join(c.Seen, "\n")
	if !strings.Contains(joined, server.Version) || !strings.Contains(joined, "Started:") {
		t.Errorf("INFO does not say the version and start time")
	}

	links := collectUntil(t, c, "LINKS", "365")
	if len(links) != 2 || links[0].Command != "364" ||
		strings.Join(links[0].Params[1:], "|") != "irc.info.test|irc.info.test|0 the info test server" {
		t.Fatalf("LINKS = %v", links)
	}
}

func TestStatsReport(t *testing.T) {
	srv := harness.Start(t, serverInfoYAML)
	c := srv.Register(t, "alice")

	uptime := collectUntil(t, c, "STATS u", "219")
	if len(uptime) != 2 || uptime[0].Command != "242" || !strings.HasPrefix(uptime[0].Trailing(), "Server Up 0 days 00:") {
		t.Fatalf("STATS u = %v", uptime)
	}
	if end := uptime[1]; end.Param(1) != "u" || end.Trailing() != "End of /STATS report" {
		t.Fatalf("219 = %v", end)
	}

	counts := collectUntil(t, c, "STATS m", "219")
	seen := map[string]bool{}
	for _, m := range counts[:len(counts)-1] {
		if m.Command != "212" {
			t.Fatalf("STATS m line %v", m)
		}
		seen[m.Param(1)] = true
	}
	for _, cmd := range []string{"NICK", "USER", "STATS"} {
		if !seen[cmd] {
			t.Errorf("STATS m does not count %s", cmd)
		}
	}

	if got := collectUntil(t, c, "STATS o", "219"); got[0].Command != "481" {
		t.Fatalf("STATS o by a user = %v", got)
	}
	if got := collectUntil(t, c, "STATS x", "219"); len(got) != 1 {
		t.Fatalf("STATS x = %v", got)
	}
	c.Send("STATS")
	c.ExpectNumeric("461")
}

// TestStatsLabeled shows that a multi-line report goes through the reply
// path: labeled-response wraps it in one batch.
func TestStatsLabeled(t *testing.T) {
	srv := harness.Start(t, serverInfoYAML)
	c := srv.Register(t, "alice", "labeled-response", "batch")
	c.Send("@label=st1 STATS u")
	start := c.ExpectCommand("BATCH")
	if start.Tags["label"] != "st1" || start.Param(1) != "labeled-response" {
		t.Fatalf("batch start = %v", start)
	}
	id := strings.TrimPrefix(start.Param(0), "+")
	for _, code := range []string{"242", "219"} {
		if m := c.Next(); m.Command != code || m.Tags["batch"] != id {
			t.Fatalf("want %s in batch %s, got %v", code, id, m)
		}
	}
	if end := c.Next(); end.Command != "BATCH" || end.Param(0) != "-"+id {
		t.Fatalf("batch end = %v", end)
	}
}

func TestTraceUser(t *testing.T) {
	srv := harness.Start(t, serverInfoYAML)
	srv.Register(t, "bob")
	c := srv.Register(t, "alice")
	got := collectUntil(t, c, "TRACE", "262")
	if len(got) != 2 || got[0].Command != "205" || !strings.HasPrefix(got[0].Param(3), "alice[") {
		t.Fatalf("TRACE by a user = %v", got)
	}
	if got := collectUntil(t, c, "TRACE bob", "262"); len(got) != 1 {
		t.Fatalf("TRACE bob by a user = %v", got)
	}
}

func TestHelpCommand(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Register(t, "alice")

	index := collectUntil(t, c, "HELP", "706")
	if index[0].Command != "704" || index[0].Param(1) != "*" {
		t.Fatalf("HELP starts with %v", index[0])
	}
	text := strings.Join(c.Seen, "\n")
	for _, cmd := range []string{"PRIVMSG", "JOIN", "VERSION", "KILL", "WALLOPS"} {
		if !strings.Contains(text, cmd) {
			t.Errorf("HELP index lacks %s", cmd)
		}
	}

	topic := collectUntil(t, c, "HELP privmsg", "706")
	if topic[0].Command != "704" || topic[0].Param(1) != "PRIVMSG" {
		t.Fatalf("HELP privmsg starts with %v", topic[0])
	}
	if !strings.Contains(strings.Join(c.Seen, "\n"), "PRIVMSG <target>") {
		t.Errorf("HELP PRIVMSG does not give the syntax")
	}

	c.Send("HELP nosuchthing")
	if m := c.ExpectNumeric("524"); m.Param(1) != "NOSUCHTHING" {
		t.Fatalf("524 = %v", m)
	}
}

func TestServerInfoNeedsRegistration(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Connect(t)
	for _, cmd := range []string{"VERSION", "STATS u", "HELP", "KILL x :y"} {
		c.Send(cmd)
		c.ExpectNumeric("451")
	}
}
