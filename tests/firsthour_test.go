package tests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
)

// testProcessConfigLookup: without --config, every command uses
// ./conference.yaml when there is one, and says when it checked only the
// defaults.
func testProcessConfigLookup(t *testing.T, bin string) {
	dir := t.TempDir()
	code, out, errOut := runIn(t, bin, dir, nil, "", "--check-config")
	if code != 0 || !strings.Contains(out, "no") || !strings.Contains(out, "conference.yaml") || !strings.Contains(out, "defaults") {
		t.Fatalf("no file: exit %d, stdout %q, stderr %q; want it to say that only the defaults were checked", code, out, errOut)
	}
	writeTestFile(t, filepath.Join(dir, "conference.yaml"), "limits:\n  nicklen: 0\n")
	code, _, errOut = runIn(t, bin, dir, nil, "", "--check-config")
	if code == 0 || !strings.Contains(errOut, "conference.yaml: limits.nicklen") {
		t.Fatalf("a broken ./conference.yaml: exit %d, stderr %q", code, errOut)
	}
	// The same file is what --print-config and the server itself use.
	writeTestFile(t, filepath.Join(dir, "conference.yaml"), "server:\n  name: irc.found.test\n")
	code, out, _ = runIn(t, bin, dir, nil, "", "--print-config")
	if code != 0 || !strings.Contains(out, "irc.found.test") {
		t.Fatalf("--print-config did not read ./conference.yaml: exit %d\n%s", code, out)
	}
	code, out, _ = runIn(t, bin, dir, nil, "", "--check-config")
	if code != 0 || !strings.Contains(out, "conference.yaml") {
		t.Fatalf("a good ./conference.yaml: exit %d, stdout %q", code, out)
	}
	// --config '' asks for the defaults alone.
	code, out, _ = runIn(t, bin, dir, nil, "", "--config", "", "--print-config")
	if code != 0 || strings.Contains(out, "irc.found.test") {
		t.Fatalf("--config '' still read ./conference.yaml: exit %d\n%s", code, out)
	}
}

// testProcessEmptyEnv: an empty CONFERENCE_* variable stops the server
// from starting rather than clearing a setting.
func testProcessEmptyEnv(t *testing.T, bin string) {
	for _, v := range []string{"CONFERENCE_PASSWORD=", "CONFERENCE_LIMITS_NICKLEN="} {
		code, _, errOut := runIn(t, bin, t.TempDir(), []string{v}, "", "--check-config")
		if code == 0 || !strings.Contains(errOut, "is set but empty") {
			t.Errorf("%s: exit %d, stderr %q", v, code, errOut)
		}
	}
}

// testProcessGenpasswdHelp: --help answers at once instead of waiting for
// a password.
func testProcessGenpasswdHelp(t *testing.T, bin string) {
	code, out, _ := runIn(t, bin, t.TempDir(), nil, "", "genpasswd", "--help")
	if code != 0 || !strings.Contains(out, "usage: conferenced genpasswd") {
		t.Fatalf("genpasswd --help: exit %d, %q", code, out)
	}
}

// testProcessGenpasswdTerminal: on a terminal genpasswd does not echo the
// password and asks for it twice.
func testProcessGenpasswdTerminal(t *testing.T, bin string) {
	run := func(first, second string) (code int, hash, screen string) {
		master, slave := openPTY(t)
		cmd := exec.Command(bin, "genpasswd")
		cmd.Env = cleanEnv()
		var out bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &out, slave
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close()
		term := newScreen(master)
		term.waitFor(t, "password: ")
		fmt.Fprint(master, first+"\n")
		term.waitFor(t, "password again: ")
		fmt.Fprint(master, second+"\n")
		err := cmd.Wait()
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, strings.TrimSpace(out.String()), term.text()
	}
	code, hash, screen := run("typed in secret", "typed in secret")
	if code != 0 || !conf.CheckPassword(hash, "typed in secret") {
		t.Fatalf("exit %d, hash %q, screen %q", code, hash, screen)
	}
	if strings.Contains(screen, "typed in secret") {
		t.Fatalf("the password was echoed: %q", screen)
	}
	if code, hash, screen := run("one password", "another one"); code == 0 || hash != "" || !strings.Contains(screen, "differ") {
		t.Fatalf("different passwords: exit %d, hash %q, screen %q", code, hash, screen)
	}
}

// openPTY opens a pseudo-terminal pair, or skips the test where there is
// none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pseudo-terminal: %v", err)
	}
	return master, slave
}

// screen collects what a program writes to a terminal.
type screen struct {
	updates chan string
	seen    strings.Builder
}

func newScreen(r io.Reader) *screen {
	s := &screen{updates: make(chan string, 64)}
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				s.updates <- string(buf[:n])
			}
			if err != nil {
				close(s.updates)
				return
			}
		}
	}()
	return s
}

// waitFor reads the terminal until text has appeared since the last wait.
func (s *screen) waitFor(t *testing.T, text string) {
	t.Helper()
	start := s.seen.Len()
	timeout := time.After(harness.Timeout)
	for !strings.Contains(s.seen.String()[start:], text) {
		select {
		case chunk, ok := <-s.updates:
			if !ok {
				t.Fatalf("terminal closed before %q; screen %q", text, s.seen.String())
			}
			s.seen.WriteString(chunk)
		case <-timeout:
			t.Fatalf("no %q on the terminal; screen %q", text, s.seen.String())
		}
	}
}

// text is everything written to the terminal, once the program is gone.
func (s *screen) text() string {
	timeout := time.After(harness.Timeout)
	for {
		select {
		case chunk, ok := <-s.updates:
			if !ok {
				return s.seen.String()
			}
			s.seen.WriteString(chunk)
		case <-timeout:
			return s.seen.String()
		}
	}
}

// replaceWithFIFO puts a FIFO where the configuration file was: reading
// it blocks until someone writes, like a file on a hung mount.
func replaceWithFIFO(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// unblockFIFO lets a reader stuck on the FIFO finish (it reads nothing).
func unblockFIFO(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err == nil {
		f.Close()
	}
}

// testProcessSigtermDuringReload: SIGTERM stops the server even while a
// SIGHUP reload waits on a configuration file that never answers.
func testProcessSigtermDuringReload(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, "")
	p := startProcess(t, bin, file)
	c := p.server().Register(t, "alice")
	replaceWithFIFO(t, file)
	t.Cleanup(func() { unblockFIFO(t, file) })
	p.signal(syscall.SIGHUP)
	p.waitLog("SIGHUP: reloading configuration")
	p.signal(syscall.SIGTERM)
	if reason := c.ExpectClosed(); !strings.Contains(reason, "Server shutting down") {
		t.Fatalf("ERROR on SIGTERM = %q", reason)
	}
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// testProcessRestartRefusesBrokenConfig: RESTART checks the configuration
// first; with a broken file it is refused like REHASH and the server stays.
func testProcessRestartRefusesBrokenConfig(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, operYAML("control:\n  restart: true\n"))
	p := startProcess(t, bin, file)
	srv := p.server()
	root, alice := operUp(t, srv, "root"), srv.Register(t, "alice")
	writeTestFile(t, file, operYAML("control:\n  restart: true\nlimits:\n  nicklen: 0\n"))
	root.Send("RESTART")
	fail := root.ExpectCommand("FAIL")
	if fail.Param(0) != "RESTART" || fail.Param(1) != "CONFIG_REFUSED" || !strings.Contains(fail.Trailing(), "limits.nicklen") {
		t.Fatalf("RESTART with a broken file answered %v", fail)
	}
	p.waitLog("restart refused")
	alice.Send("PING :still")
	alice.ExpectCommand("PONG")
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
