package tests

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/tests/harness"
)

// TestProcess runs the real conferenced binary: its flags, genpasswd, the
// signals it handles, and the DIE and RESTART commands that only the
// program (not the in-process harness) wires up. The binary is built once
// for all the subtests.
func TestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the conferenced binary")
	}
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

// buildConferenced compiles cmd/conferenced into the test's temp dir.
func buildConferenced(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to build conferenced")
	}
	bin := filepath.Join(t.TempDir(), "conferenced")
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/conference-irc/conference/cmd/conferenced").CombinedOutput()
	if err != nil {
		t.Fatalf("build conferenced: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the test's environment without CONFERENCE_* variables, so
// that the machine running the tests cannot change the configuration.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, conf.EnvPrefix) {
			env = append(env, kv)
		}
	}
	return env
}

// runOnce runs the binary to completion and returns its exit code and
// output.
func runOnce(t *testing.T, bin string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(t, bin, "", nil, stdin, args...)
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
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

// proc is a running conferenced whose log lines the test can wait for.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	logs   chan string
	exited chan struct{}
	code   int
	// Addr is the address the server listens on, read from its log.
	Addr string
}

// startProcess runs the binary on file, listening on a free loopback port,
// and waits until it listens.
func startProcess(t *testing.T, bin, file string) *proc {
	t.Helper()
	cmd := exec.Command(bin, "--config", file, "--listen", "127.0.0.1:0")
	cmd.Env = cleanEnv()
	p := startCmd(t, cmd)
	p.Addr = p.listenAddr()
	return p
}

// startCmd starts a prepared conferenced command, collects its logs and
// kills it when the test ends.
func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: make(chan string, 1024), exited: make(chan struct{})}
	go p.readLogs(stderr)
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// readLogs forwards stderr lines, then reaps the process once its stderr
// (held open across a RESTART's exec) closes.
func (p *proc) readLogs(stderr io.Reader) {
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		select {
		case p.logs <- sc.Text():
		default: // nobody waits for this many lines; drop them
		}
	}
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		p.code = exit.ExitCode()
	} else if err != nil {
		p.code = -1
	}
	close(p.exited)
}

// waitLog waits for a log line containing text and returns it.
func (p *proc) waitLog(text string) string {
	p.t.Helper()
	timeout := time.After(harness.Timeout)
	for {
		select {
		case line := <-p.logs:
			if strings.Contains(line, text) {
				return line
			}
		case <-p.exited:
			p.t.Fatalf("conferenced exited (code %d) before logging %q", p.code, text)
		case <-timeout:
			p.t.Fatalf("conferenced did not log %q", text)
		}
	}
}

// listenAddr waits for the "listening" log line and returns its address.
func (p *proc) listenAddr() string {
	p.t.Helper()
	line := p.waitLog("msg=listening")
	_, addr, ok := strings.Cut(line, "addr=")
	if !ok {
		p.t.Fatalf("no address in %q", line)
	}
	return strings.Fields(addr)[0]
}

// waitExit waits for the process to end and returns its exit code.
func (p *proc) waitExit() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(harness.Timeout):
		p.t.Fatal("conferenced did not exit")
		return -1
	}
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// server is a harness view of the process, to connect clients to it.
func (p *proc) server() *harness.Server { return &harness.Server{Addr: p.Addr} }

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
