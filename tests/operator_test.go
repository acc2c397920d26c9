package tests

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
)

// operPassword is the plain password of the operators in operYAML.
const operPassword = "correct horse"

// operHash is operPassword's bcrypt hash, made once: bcrypt is slow on
// purpose.
var operHash = sync.OnceValue(func() string {
	hash, err := conf.HashPassword(operPassword)
	if err != nil {
		panic(err)
	}
	return hash
})

// operYAML configures an operator "admin" who may connect from loopback,
// one "faraway" who may not, and extra YAML after them.
func operYAML(extra string) string {
	return `operators:
  - name: admin
    password: "` + operHash() + `"
    hosts: ["*@127.0.0.1"]
  - name: faraway
    password: "` + operHash() + `"
    hosts: ["*@192.0.2.1"]
` + extra
}

// operUp registers nick and makes it an operator.
func operUp(t *testing.T, srv *harness.Server, nick string) *harness.Client {
	t.Helper()
	c := srv.Register(t, nick)
	c.Send("OPER admin :" + operPassword)
	c.ExpectNumeric("381")
	return c
}

// TestOper: a wrong password, an unknown name and a wrong host (with the
// right password or not) all get the same 464, and the client's next line
// then waits, longer after each failure (on an injected clock).
func TestOper(t *testing.T) {
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, operYAML(""), clock)
	c := srv.Register(t, "alice")
	delay := time.Second
	for _, line := range []string{
		"OPER admin :wrong",
		"OPER nobody :" + operPassword,
		"OPER faraway :" + operPassword,
		"OPER faraway :wrong",
	} {
		c.Send(line)
		c.Send("PING after")
		if m := c.Next(); m.Command != "464" {
			t.Fatalf("%s: got %v, want 464", line, m)
		}
		clock.AwaitTimer(t, delay)
		clock.Advance(delay)
		if m := c.Next(); m.Command != "PONG" {
			t.Fatalf("%s: then %v, want the PONG", line, m)
		}
		delay *= 2
	}
	c.Send("OPER admin")
	c.ExpectNumeric("461")
	c.Send("OPER admin :" + operPassword)
	c.ExpectNumeric("381")
	if m := c.ExpectCommand("MODE"); m.Param(0) != "alice" || m.Trailing() != "+o" {
		t.Fatalf("MODE after OPER = %v", m)
	}
	c.Send("LUSERS")
	if m := c.ExpectNumeric("252"); m.Param(1) != "1" {
		t.Fatalf("252 = %v", m)
	}
}

func TestOperOnlyCommandsRefuseUsers(t *testing.T) {
	srv := harness.Start(t, operYAML("control:\n  die: true\n  restart: true\n"))
	c := srv.Register(t, "alice")
	for _, line := range []string{"KILL bob :x", "WALLOPS :hi", "REHASH", "DIE", "RESTART", "SQUIT a.b :c", "CONNECT a.b"} {
		c.Send(line)
		c.ExpectNumeric("481")
	}
}

func TestKillEndToEnd(t *testing.T) {
	srv := harness.Start(t, operYAML(""))
	root := operUp(t, srv, "root")
	root.Send("MODE root +s")
	root.ExpectCommand("MODE")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	for _, c := range []*harness.Client{alice, bob} {
		c.Send("JOIN #room")
		c.ExpectNumeric("366")
	}
	alice.ExpectCommand("JOIN") // bob's

	root.Send("KILL nobody :x")
	root.ExpectNumeric("401")
	root.Send("KILL irc.conference.local :x")
	root.ExpectNumeric("483")

	root.Send("KILL bob :spamming the room")
	bob.ExpectLine(":root!~root@127.0.0.1 KILL bob :spamming the room")
	if reason := bob.ExpectClosed(); !strings.Contains(reason, "Killed (root (spamming the room))") {
		t.Fatalf("bob's ERROR = %q", reason)
	}
	alice.ExpectLine(":bob!~bob@127.0.0.1 QUIT :Killed (root (spamming the room))")
	notice := root.ExpectCommand("NOTICE")
	if !strings.Contains(notice.Trailing(), "*** Notice -- Received KILL message for bob!~bob@127.0.0.1 from root") {
		t.Fatalf("server notice = %v", notice)
	}
}

func TestWallopsEndToEnd(t *testing.T) {
	srv := harness.Start(t, operYAML(""))
	root := operUp(t, srv, "root")
	alice := srv.Register(t, "alice")
	carol := srv.Register(t, "carol")
	alice.Send("MODE alice +w")
	alice.ExpectCommand("MODE")

	root.Send("WALLOPS :server restart at noon")
	alice.ExpectLine(":root!~root@127.0.0.1 WALLOPS :server restart at noon")
	for _, c := range []*harness.Client{carol, root} {
		for _, m := range c.Sync() {
			if m.Command == "WALLOPS" {
				t.Fatalf("%s (-w) got %v", c.Nick, m)
			}
		}
	}
	root.Send("MODE root +w")
	root.ExpectCommand("MODE")
	root.Send("WALLOPS :again")
	root.ExpectLine(":root!~root@127.0.0.1 WALLOPS :again")
	alice.ExpectLine(":root!~root@127.0.0.1 WALLOPS :again")
	root.Send("WALLOPS")
	root.ExpectNumeric("461")
}

func TestRehashEndToEnd(t *testing.T) {
	srv := harness.Start(t, operYAML("motd:\n  text: first motd\n"))
	root := operUp(t, srv, "root")

	srv.WriteConfig(t, operYAML("motd:\n  text: second motd\n"))
	root.Send("REHASH")
	root.ExpectNumeric("382")
	if note := root.ExpectCommand("NOTE"); note.Param(1) != "CONFIG_LOADED" {
		t.Fatalf("after REHASH: %v", note)
	}
	fresh := srv.Register(t, "fresh")
	if !strings.Contains(strings.Join(fresh.Seen, "\n"), "second motd") {
		t.Fatal("a new client does not see the reloaded MOTD")
	}

	srv.WriteConfig(t, operYAML("motd:\n  text: third motd\nlimits:\n  nicklen: 0\n"))
	root.Send("REHASH")
	fail := root.ExpectCommand("FAIL")
	if fail.Param(0) != "REHASH" || fail.Param(1) != "CONFIG_REFUSED" || !strings.Contains(fail.Trailing(), "limits.nicklen") {
		t.Fatalf("broken REHASH answered %v", fail)
	}
	later := srv.Register(t, "later")
	if !strings.Contains(strings.Join(later.Seen, "\n"), "second motd") {
		t.Fatal("a refused configuration replaced the MOTD")
	}
}

func TestDieRestartSwitches(t *testing.T) {
	t.Run("disabled", func(t *testing.T) {
		srv := harness.Start(t, operYAML(""))
		root := operUp(t, srv, "root")
		for _, cmd := range []string{"DIE", "RESTART"} {
			root.Send(cmd)
			fail := root.ExpectCommand("FAIL")
			if fail.Param(0) != cmd || fail.Param(1) != "DISABLED" || !strings.Contains(fail.Trailing(), "control.") {
				t.Fatalf("%s = %v", cmd, fail)
			}
		}
	})
	t.Run("no hook in process", func(t *testing.T) {
		// The harness runs the server without Die/Restart hooks; the real
		// program's are tested in process_test.go.
		srv := harness.Start(t, operYAML("control:\n  die: true\n  restart: true\n"))
		root := operUp(t, srv, "root")
		for _, cmd := range []string{"DIE", "RESTART"} {
			root.Send(cmd)
			if fail := root.ExpectCommand("FAIL"); fail.Param(1) != "UNAVAILABLE" {
				t.Fatalf("%s = %v", cmd, fail)
			}
		}
	})
}

func TestOperServerCommands(t *testing.T) {
	srv := harness.Start(t, operYAML(""))
	root := operUp(t, srv, "root")
	srv.Register(t, "alice")

	root.Send("SQUIT other.example :bye")
	root.ExpectNumeric("402")
	root.Send("SQUIT irc.conference.local :bye")
	if fail := root.ExpectCommand("FAIL"); fail.Param(0) != "SQUIT" {
		t.Fatalf("SQUIT self = %v", fail)
	}
	root.Send("CONNECT other.example 6667")
	root.ExpectNumeric("402")

	trace := collectUntil(t, root, "TRACE", "262")
	if len(trace) != 3 || trace[0].Command != "205" || trace[1].Command != "204" {
		t.Fatalf("oper TRACE = %v", trace)
	}

	olines := collectUntil(t, root, "STATS o", "219")
	want := []string{"O *@127.0.0.1 * admin", "O *@192.0.2.1 * faraway"}
	if len(olines) != 3 {
		t.Fatalf("STATS o = %v", olines)
	}
	for i, w := range want {
		if got := strings.Join(olines[i].Params[1:], " "); got != w {
			t.Errorf("243 = %q, want %q", got, w)
		}
	}
}

// TestChghostHelpMatchesCommand runs CHGHOST exactly as HELP CHGHOST
// documents it, placeholders filled in, and checks that it works.
func TestChghostHelpMatchesCommand(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryOperConfig(t))
	a := srv.Register(t, "a", "chghost")
	root := srv.Register(t, "root")
	root.Send("OPER root pw")
	root.ExpectNumeric("381")

	root.Send("HELP CHGHOST")
	var syntax string
	for _, m := range root.Sync() {
		if m.Command == "705" && strings.HasPrefix(m.Trailing(), "CHGHOST ") {
			syntax = m.Trailing()
			break
		}
	}
	values := map[string]string{"<nick>": "a", "<host>": "cloak.example", "<user>": "newuser"}
	var line []string
	for _, word := range strings.Fields(syntax) {
		if v, ok := values[word]; ok {
			word = v
		}
		line = append(line, word)
	}
	if syntax == "" || strings.Contains(strings.Join(line, " "), "<") {
		t.Fatalf("HELP CHGHOST syntax %q has unknown placeholders", syntax)
	}
	root.Send(strings.Join(line, " "))
	if m := root.ExpectCommand("NOTE"); m.Param(1) != "HOST_CHANGED" {
		t.Fatalf("%s: %v", strings.Join(line, " "), m)
	}
	a.ExpectLine(":a!~a@127.0.0.1 CHGHOST ~a cloak.example")
}
