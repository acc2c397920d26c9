package tests

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/tests/harness"
)

// TestProcess runs the real conferenced binary: its flags, genpasswd, the
// signals it handles, and the DIE and RESTART commands that only the
// program (not the in-process harness) wires up. The binary is built once
// for all the subtests.
func TestProcess(t *testing.T) {
	bin := buildConferenced(t)
	t.Run("version", func(t *testing.T) { t.Parallel(); testProcessVersion(t, bin) })
	t.Run("check-config", func(t *testing.T) { t.Parallel(); testProcessCheckConfig(t, bin) })
	t.Run("print-config", func(t *testing.T) { t.Parallel(); testProcessPrintConfig(t, bin) })
	t.Run("genpasswd", func(t *testing.T) { t.Parallel(); testProcessGenpasswd(t, bin) })
	t.Run("genpasswd-help", func(t *testing.T) { t.Parallel(); testProcessGenpasswdHelp(t, bin) })
	t.Run("genpasswd-terminal", func(t *testing.T) { t.Parallel(); testProcessGenpasswdTerminal(t, bin) })
	t.Run("config-lookup", func(t *testing.T) { t.Parallel(); testProcessConfigLookup(t, bin) })
	t.Run("empty-env", func(t *testing.T) { t.Parallel(); testProcessEmptyEnv(t, bin) })
	t.Run("sigterm-during-reload", func(t *testing.T) { t.Parallel(); testProcessSigtermDuringReload(t, bin) })
	t.Run("restart-broken-config", func(t *testing.T) { t.Parallel(); testProcessRestartRefusesBrokenConfig(t, bin) })
	t.Run("sighup", func(t *testing.T) { t.Parallel(); testProcessSighup(t, bin) })
	t.Run("sigterm", func(t *testing.T) { t.Parallel(); testProcessSigterm(t, bin) })
	t.Run("die", func(t *testing.T) { t.Parallel(); testProcessDie(t, bin) })
	t.Run("restart", func(t *testing.T) { t.Parallel(); testProcessRestart(t, bin) })
	t.Run("cloak-kept", func(t *testing.T) { t.Parallel(); testProcessCloakKept(t, bin) })
}

func testProcessVersion(t *testing.T, bin string) {
	code, out, _ := runOnce(t, bin, "", "--version")
	if code != 0 || strings.TrimSpace(out) != server.Version {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
}

func testProcessCheckConfig(t *testing.T, bin string) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	writeTestFile(t, good, "server:\n  name: irc.good.test\n")
	writeTestFile(t, bad, "server:\n  name: irc.bad.test\nlimits:\n  nicklen: 0\n")
	if code, out, errOut := runOnce(t, bin, "", "--check-config", "--config", good); code != 0 {
		t.Fatalf("good file: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut := runOnce(t, bin, "", "--check-config", "--config", bad)
	if code == 0 || !strings.Contains(errOut, "limits.nicklen") {
		t.Fatalf("bad file: exit %d, stderr %q", code, errOut)
	}
}

func testProcessPrintConfig(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, "server:\n  name: irc.print.test\n")
	code, out, errOut := runOnce(t, bin, "", "--print-config", "--config", file)
	if code != 0 || !strings.Contains(out, "irc.print.test") || !strings.Contains(out, "nicklen:") {
		t.Fatalf("--print-config: exit %d\n%s%s", code, out, errOut)
	}
}

func testProcessGenpasswd(t *testing.T, bin string) {
	code, out, errOut := runOnce(t, bin, "hunter2 is long\n", "genpasswd")
	hash := strings.TrimSpace(out)
	if code != 0 || !conf.CheckPassword(hash, "hunter2 is long") {
		t.Fatalf("genpasswd: exit %d, hash %q, stderr %q", code, hash, errOut)
	}
	if conf.CheckPassword(hash, "hunter2") {
		t.Fatal("the hash accepts another password")
	}
	if code, _, _ := runOnce(t, bin, "\n", "genpasswd"); code == 0 {
		t.Fatal("genpasswd accepted an empty password")
	}
}

func motdOf(c *harness.Client) string { return strings.Join(c.Seen, "\n") }

func testProcessSighup(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, "motd:\n  text: old motd\n")
	p := startProcess(t, bin, file)
	if c := p.server().Register(t, "first"); !strings.Contains(motdOf(c), "old motd") {
		t.Fatal("first client did not see the MOTD")
	}

	writeTestFile(t, file, "motd:\n  text: new motd\n")
	p.signal(syscall.SIGHUP)
	p.waitLog("configuration reloaded")
	if c := p.server().Register(t, "second"); !strings.Contains(motdOf(c), "new motd") {
		t.Fatal("SIGHUP did not reload the MOTD")
	}

	writeTestFile(t, file, "motd:\n  text: broken motd\nlimits:\n  nicklen: 0\n")
	p.signal(syscall.SIGHUP)
	p.waitLog("rehash refused")
	if c := p.server().Register(t, "third"); !strings.Contains(motdOf(c), "new motd") {
		t.Fatal("a broken file on SIGHUP replaced the configuration")
	}
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func testProcessSigterm(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, "")
	p := startProcess(t, bin, file)
	c := p.server().Register(t, "alice")
	p.signal(syscall.SIGTERM)
	if reason := c.ExpectClosed(); !strings.Contains(reason, "Server shutting down") {
		t.Fatalf("ERROR on SIGTERM = %q", reason)
	}
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// operProcess starts the binary with an operator and extra YAML, and
// returns an operator client and a bystander.
func operProcess(t *testing.T, bin, extra string) (p *proc, root, alice *harness.Client) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, operYAML(extra))
	p = startProcess(t, bin, file)
	srv := p.server()
	return p, operUp(t, srv, "root"), srv.Register(t, "alice")
}

func testProcessDie(t *testing.T, bin string) {
	p, root, alice := operProcess(t, bin, "control:\n  die: true\n")
	root.Send("DIE :maintenance")
	for _, c := range []*harness.Client{root, alice} {
		if reason := c.ExpectClosed(); !strings.Contains(reason, "DIE by root: maintenance") {
			t.Fatalf("%s's ERROR on DIE = %q", c.Nick, reason)
		}
	}
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func testProcessRestart(t *testing.T, bin string) {
	p, root, alice := operProcess(t, bin, "control:\n  restart: true\n")
	root.Send("RESTART")
	if reason := alice.ExpectClosed(); !strings.Contains(reason, "RESTART by root") {
		t.Fatalf("ERROR on RESTART = %q", reason)
	}
	// The same process, re-executed with the same flags, listens again.
	p.Addr = p.listenAddr()
	if c := p.server().Register(t, "back"); c == nil {
		t.Fatal("no client after RESTART")
	}
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d after RESTART", code)
	}
}
