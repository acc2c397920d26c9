package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
)

func TestStats(t *testing.T) {
	cfg := svConfig(t)
	cfg.Operators = []conf.Operator{
		{Name: "admin", Password: "$2a$10$secret", Hosts: []string{"*@127.0.0.1", "*@10.*"}},
		{Name: "anywhere", Password: "$2a$10$secret"},
	}
	env := newSVEnv(t, cfg, Hooks{})
	alice, aconn := env.client("alice")
	root, rconn := env.oper("root")
	env.now = svStart.Add(50*time.Hour + 1*time.Minute + 2*time.Second)

	t.Run("uptime", func(t *testing.T) {
		env.send(alice, "STATS u")
		got := aconn.take(t)
		if commandsOf(got) != "242 219" {
			t.Fatalf("STATS u = %q", commandsOf(got))
		}
		if got[0].Trailing() != "Server Up 2 days 02:01:02" {
			t.Errorf("242 = %q", got[0].Trailing())
		}
		if got[1].Param(1) != "u" || got[1].Trailing() != "End of /STATS report" {
			t.Errorf("219 = %q", got[1].Params)
		}
	})
	t.Run("commands", func(t *testing.T) {
		for _, letter := range []string{"m", "l"} {
			env.send(alice, "STATS "+letter)
			got := aconn.take(t)
			counts := map[string]string{}
			for _, m := range got[:len(got)-1] {
				if m.Command != RPL_STATSCOMMANDS || len(m.Params) != 5 {
					t.Fatalf("STATS %s line %v", letter, m)
				}
				counts[m.Param(1)] = m.Param(2)
			}
			// NICK, USER once for each client; STATS u, m (and l) so far.
			if counts["NICK"] != "2" || counts["USER"] != "2" || counts["STATS"] == "" {
				t.Errorf("STATS %s counts = %v", letter, counts)
			}
			if _, ok := counts["KILL"]; ok {
				t.Errorf("STATS %s lists an unused command", letter)
			}
			if end := got[len(got)-1]; end.Command != RPL_ENDOFSTATS || end.Param(1) != letter {
				t.Errorf("STATS %s ends with %v", letter, end)
			}
		}
	})
	t.Run("operators need oper", func(t *testing.T) {
		env.send(alice, "STATS o")
		if got := commandsOf(aconn.take(t)); got != "481 219" {
			t.Fatalf("STATS o by a user = %q", got)
		}
	})
	t.Run("operators", func(t *testing.T) {
		env.send(root, "STATS o")
		got := rconn.take(t)
		var lines []string
		for _, m := range got[:len(got)-1] {
			lines = append(lines, strings.Join(m.Params[1:], " "))
		}
		want := "O *@127.0.0.1 * admin|O *@10.* * admin|O *@* * anywhere"
		if strings.Join(lines, "|") != want {
			t.Fatalf("STATS o = %q, want %q", lines, want)
		}
		for _, m := range got {
			if strings.Contains(m.String(), "$2a$") {
				t.Fatalf("STATS o leaks a password hash: %v", m)
			}
		}
	})
	t.Run("other queries", func(t *testing.T) {
		for _, q := range []string{"z", "q", "?", "é", "::"} {
			env.send(alice, "STATS "+q)
			got := aconn.take(t)
			if commandsOf(got) != "219" {
				t.Fatalf("STATS %q = %q", q, commandsOf(got))
			}
		}
	})
	t.Run("needs a query", func(t *testing.T) {
		for _, line := range []string{"STATS", "STATS :"} {
			env.send(alice, line)
			if got := commandsOf(aconn.take(t)); got != "461" {
				t.Fatalf("%s = %q", line, got)
			}
		}
	})
	t.Run("other server", func(t *testing.T) {
		env.send(alice, "STATS u elsewhere.example")
		if got := commandsOf(aconn.take(t)); got != "402" {
			t.Fatalf("STATS u elsewhere = %q", got)
		}
	})
}

func TestStatsLetter(t *testing.T) {
	for b, want := range map[byte]string{'u': "u", 'M': "M", ':': "*", ' ': "*", 0xc3: "*", 0x7f: "*"} {
		if got := statsLetter(b); got != want {
			t.Errorf("statsLetter(%q) = %q, want %q", b, got, want)
		}
	}
}
