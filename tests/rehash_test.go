package tests

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// welcomeMOTD registers a new client and returns its MOTD text lines.
func welcomeMOTD(t *testing.T, srv *harness.Server, nick string) []string {
	t.Helper()
	c := srv.Connect(t)
	c.Send("NICK " + nick)
	c.Send("USER u 0 * :r")
	var lines []string
	for {
		m := c.Next()
		switch m.Command {
		case "372":
			lines = append(lines, strings.TrimPrefix(m.Trailing(), "- "))
		case "376", "422":
			return lines
		}
	}
}

// rehash sends REHASH as an oper and returns the FAIL or NOTE that answers.
func rehash(t *testing.T, oper *harness.Client) *irc.Message {
	t.Helper()
	oper.Send("REHASH")
	checkParams(t, oper.ExpectNumeric("382"), "oper", "conference.yaml", "Rehashing")
	return oper.Expect(func(m *irc.Message) bool { return m.Command == "FAIL" || m.Command == "NOTE" })
}

// TestRehashRefusedKeepsOldConfig: a bad new file is refused with its
// reason and the old configuration stays in force; a good one is taken.
func TestRehashRefusedKeepsOldConfig(t *testing.T) {
	t.Parallel()
	operators := fmt.Sprintf("operators: [{name: root, password: %q}]\n", hash(t, "operpass"))
	config := func(motd, extra string) string {
		return operators + fmt.Sprintf("motd: {text: %q}\n", motd) + extra
	}
	srv := harness.Start(t, config("old motd", ""))

	user := srv.Register(t, "user")
	user.Send("REHASH")
	syncExpect(t, user, "481")

	oper := srv.Register(t, "oper")
	oper.Send("OPER root wrong")
	syncExpect(t, oper, "464")
	oper.Send("OPER root operpass")
	oper.ExpectNumeric("381")
	oper.Sync()

	// A bad value: refused, naming the key; the old MOTD stays.
	srv.WriteConfig(t, config("bad motd", "limits: {nicklen: 0}\n"))
	fail := rehash(t, oper)
	if fail.Command != "FAIL" || fail.Param(0) != "REHASH" || fail.Param(1) != "CONFIG_REFUSED" ||
		!strings.Contains(fail.Trailing(), "limits.nicklen") {
		t.Errorf("bad config answered %v", fail)
	}
	if got := welcomeMOTD(t, srv, "second"); strings.Join(got, "\n") != "old motd" {
		t.Errorf("MOTD after a refused rehash: %q", got)
	}
	// The old limits too: a 30-byte nick is still fine.
	srv.Register(t, strings.Repeat("n", 30))

	// YAML that does not parse, and a change that needs a restart, are
	// refused the same way.
	srv.WriteConfig(t, config("bad motd", "limits: [")+"\n")
	if m := rehash(t, oper); m.Command != "FAIL" {
		t.Errorf("unparsable config answered %v", m)
	}
	srv.WriteConfig(t, config("bad motd", "server: {casemapping: ascii}\n"))
	if m := rehash(t, oper); m.Command != "FAIL" || !strings.Contains(m.Trailing(), "casemapping") {
		t.Errorf("casemapping change answered %v", m)
	}
	if got := welcomeMOTD(t, srv, "third"); strings.Join(got, "\n") != "old motd" {
		t.Errorf("MOTD after refused rehashes: %q", got)
	}

	// A good file is taken: new clients and the MOTD command see it.
	srv.WriteConfig(t, config("new motd\nsecond line", ""))
	if m := rehash(t, oper); m.Command != "NOTE" || m.Param(1) != "CONFIG_LOADED" {
		t.Errorf("good config answered %v", m)
	}
	if got := welcomeMOTD(t, srv, "fourth"); strings.Join(got, "|") != "new motd|second line" {
		t.Errorf("MOTD after a good rehash: %q", got)
	}
	user.Send("MOTD")
	got := syncExpect(t, user, "375", "372", "372", "376")
	if len(got) == 4 && got[1].Trailing() != "- new motd" {
		t.Errorf("MOTD command after rehash: %q", got[1].Trailing())
	}
}
