package tests

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/server"
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
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, config("old motd", ""), clock)

	user := srv.Register(t, "user")
	user.Send("REHASH")
	syncExpect(t, user, "481")

	oper := srv.Register(t, "oper")
	oper.Send("OPER root wrong")
	oper.ExpectNumeric("464")
	clock.AwaitTimer(t, time.Second) // a failed OPER holds the next line
	clock.Advance(time.Second)
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

	// YAML that does not parse is refused the same way.
	srv.WriteConfig(t, config("bad motd", "limits: [")+"\n")
	if m := rehash(t, oper); m.Command != "FAIL" {
		t.Errorf("unparsable config answered %v", m)
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

// rehashWarnings sends REHASH and returns the keys of its WARN
// RESTART_NEEDED lines and the final FAIL or NOTE.
func rehashWarnings(t *testing.T, oper *harness.Client) (restart []string, last *irc.Message) {
	t.Helper()
	oper.Send("REHASH")
	oper.ExpectNumeric("382")
	for {
		m := oper.Expect(func(m *irc.Message) bool { return m.Command == "WARN" || m.Command == "FAIL" || m.Command == "NOTE" })
		if m.Command != "WARN" {
			return restart, m
		}
		if m.Param(0) != "REHASH" || m.Param(1) != "RESTART_NEEDED" {
			t.Errorf("unexpected WARN %v", m)
		}
		restart = append(restart, m.Param(2))
	}
}

// TestRehashFixedSettings: a file that changes settings fixed at start is
// taken; the reply and the log name each of those settings, which keep
// their running values, and everything else applies.
func TestRehashFixedSettings(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, operYAML("motd: {text: old motd}\n"))
	oper := operUp(t, srv, "oper")
	srv.WriteConfig(t, operYAML("motd: {text: new motd}\nserver: {casemapping: ascii}\nlisteners: [{address: \"127.0.0.1:1\"}]\nlog: {format: json}\n"))
	restart, last := rehashWarnings(t, oper)
	if want := []string{"listen/listeners", "server.casemapping", "log.format"}; !slices.Equal(restart, want) {
		t.Errorf("RESTART_NEEDED for %q, want %q", restart, want)
	}
	if last.Command != "NOTE" || last.Param(1) != "CONFIG_LOADED" {
		t.Errorf("REHASH ended with %v", last)
	}
	srv.Logs.Wait(t, "msg=\"configuration reloaded\"", "by=oper", "restart_needed=listen/listeners,server.casemapping,log.format")
	// The MOTD changed; the casemapping did not.
	if got := welcomeMOTD(t, srv, "second"); strings.Join(got, "\n") != "new motd" {
		t.Errorf("MOTD after the reload: %q", got)
	}
	if welcome := motdOf(srv.Register(t, "third")); !strings.Contains(welcome, " CASEMAPPING=rfc1459 ") {
		t.Errorf("after the reload, the casemapping changed:\n%s", welcome)
	}
	// Reloading the same file again needs nothing more.
	if restart, last := rehashWarnings(t, oper); len(restart) != 3 || last.Command != "NOTE" {
		t.Errorf("second reload: RESTART_NEEDED for %q, then %v", restart, last)
	}
	srv.WriteConfig(t, operYAML("motd: {text: new motd}\n"))
	if restart, last := rehashWarnings(t, oper); len(restart) != 0 || last.Command != "NOTE" {
		t.Errorf("back to the running values: RESTART_NEEDED for %q, then %v", restart, last)
	}
}

// TestRehashAppliesToConnectedClients: sendq and limits.whowas reach
// clients that were already connected. With the send queue raised, an
// old client's LIST (sized by the new sendq) must not disconnect it.
func TestRehashAppliesToConnectedClients(t *testing.T) {
	t.Parallel()
	const small = "sendq: 4096\nlimits: {whowas: 0, channels: 200}\n"
	srv := harness.Start(t, operYAML(small))
	oper := operUp(t, srv, "oper")
	old := srv.Register(t, "old")
	// 120 channels whose LIST is about 9 KB: more than the old send queue.
	var names []string
	for i := range 120 {
		names = append(names, fmt.Sprintf("#a-rather-long-channel-name-%03d", i))
	}
	for i := 0; i < len(names); i += 6 {
		oper.Send("JOIN " + strings.Join(names[i:i+6], ","))
		oper.Sync() // one JOIN's replies at a time fit the small send queue
	}

	srv.WriteConfig(t, operYAML("sendq: 1048576\nlimits: {whowas: 100, channels: 200}\n"))
	if _, last := rehashWarnings(t, oper); last.Command != "NOTE" {
		t.Fatalf("REHASH answered %v", last)
	}
	old.Send("LIST")
	got := old.Sync()
	n := 0
	for _, m := range got {
		if m.Command == "322" {
			n++
		}
	}
	if n != len(names) || got[len(got)-1].Command != "323" {
		t.Errorf("LIST after raising sendq: %d channels, ending %v", n, got[len(got)-1])
	}

	gone := srv.Register(t, "gone")
	gone.Quit()
	waitGone(t, oper, "gone")
	oper.Send("WHOWAS gone")
	if m := oper.Expect(func(m *irc.Message) bool { return m.Command == "314" || m.Command == "406" }); m.Command != "314" {
		t.Errorf("WHOWAS after raising limits.whowas from 0: %v", m)
	}
}

// TestRehashBounded: a configuration file that never answers (a FIFO, a
// hung mount) makes REHASH fail after the reload timeout instead of
// holding the server, and a REHASH while that read still hangs is refused
// at once.
func TestRehashBounded(t *testing.T) {
	t.Parallel()
	srv := harness.StartWith(t, operYAML(""), server.Options{ReloadTimeout: 50 * time.Millisecond})
	oper := operUp(t, srv, "oper")
	if err := os.Remove(srv.ConfigFile); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(srv.ConfigFile, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(srv.ConfigFile, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	for _, want := range []string{"did not load within 50ms", "still reading the configuration file"} {
		if _, last := rehashWarnings(t, oper); last.Command != "FAIL" || !strings.Contains(last.Trailing(), want) {
			t.Errorf("REHASH answered %v, want a FAIL saying %q", last, want)
		}
	}
	oper.Send("PING :alive")
	oper.ExpectCommand("PONG")
}
