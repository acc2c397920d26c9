package tests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
)

// The helpers of the tests that run the real conferenced binary (TestProcess,
// TestDatabaseProcess, TestHistoryKill9, TestSocketActivation...): build it,
// run it to completion, or start it and follow its log.

// conferenced is the binary that buildConferenced builds, once for every
// test of the package that runs it (linking it takes seconds); TestMain
// removes it.
var conferenced struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// TestMain runs the package's tests, then removes the conferenced binary
// if one was built.
func TestMain(m *testing.M) {
	code := m.Run()
	if conferenced.dir != "" {
		os.RemoveAll(conferenced.dir)
	}
	os.Exit(code)
}

// buildConferenced returns the path of cmd/conferenced, compiled the first
// time a test asks; it skips the test under -short or without a go tool.
func buildConferenced(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the conferenced binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to build conferenced")
	}
	conferenced.once.Do(func() {
		if conferenced.dir, conferenced.err = os.MkdirTemp("", "conferenced-test-"); conferenced.err != nil {
			return
		}
		bin := filepath.Join(conferenced.dir, "conferenced")
		out, err := exec.Command(goTool, "build", "-o", bin, "github.com/conference-irc/conference/cmd/conferenced").CombinedOutput()
		if err != nil {
			conferenced.err = fmt.Errorf("build conferenced: %w\n%s", err, out)
			return
		}
		conferenced.bin = bin
	})
	if conferenced.err != nil {
		t.Fatal(conferenced.err)
	}
	return conferenced.bin
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

// runIn runs the binary to completion in dir ("" for the test's own)
// with extra environment variables and stdin, and returns its exit code
// and output.
func runIn(t *testing.T, bin, dir string, env []string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}
