// Package interop runs real IRC clients that we did not write (irssi,
// WeeChat, ii, irc-framework) against the conference server started
// in-process by tests/harness, and checks both what each client showed and
// what the server relayed to a harness observer in the same channels.
//
// Every wait polls a client's log files or output with a bounded deadline;
// no test sleeps. A missing client binary skips its test when run by hand
// and fails it when CI=true, so CI never passes without running them.
package interop

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

const (
	// pollEvery is how often a wait looks at a client's output again.
	pollEvery = 50 * time.Millisecond
	// waitLimit bounds every wait for a client to show something.
	waitLimit = 20 * time.Second
	// exitLimit bounds the wait for a client process to end by itself.
	exitLimit = 10 * time.Second
)

// serverYAML configures the server under test. Loopback is exempt from flood
// control so that a client sending its whole registration and our steps at
// once is never slowed, which would make the timings vary.
const serverYAML = `
server:
  name: irc.conference.local
exempt: ["127.0.0.1", "::1"]
`

// The channels every client joins: it leaves chanMain with PART and stays
// in chanStay until it quits, so the observer sees the QUIT there.
const (
	chanMain = "#interop"
	chanStay = "#lobby"
)

// needBinary returns the path of a client program, skipping the test when it
// is missing, or failing it under CI=true.
func needBinary(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		noteSkipped(name)
		missing(t, "%s is not installed (see tests/interop/README.md): %v", name, err)
	}
	return path
}

// missing skips (by hand) or fails (CI=true) a test whose client is absent.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", msg)
	}
	t.Skip(msg)
}

// waitFor polls cond until it holds, failing the test with what() after
// waitLimit.
func waitFor(t *testing.T, what string, cond func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; saw:\n%s", waitLimit, what, show())
		}
		time.Sleep(pollEvery)
	}
}

// readFile returns a file's content, "" while it does not exist.
func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// waitFile polls the file that glob names (the first match) until one of
// its lines matches re, and returns that line.
func waitFile(t *testing.T, glob string, re *regexp.Regexp) string {
	t.Helper()
	var found string
	content := func() string {
		paths, _ := filepath.Glob(glob)
		if len(paths) == 0 {
			return ""
		}
		return readFile(paths[0])
	}
	waitFor(t, fmt.Sprintf("%s to show %q", glob, re), func() bool {
		for _, line := range strings.Split(content(), "\n") {
			if re.MatchString(line) {
				found = line
				return true
			}
		}
		return false
	}, func() string {
		paths, _ := filepath.Glob(filepath.Join(filepath.Dir(glob), "*"))
		return fmt.Sprintf("files %v\n%s", paths, tail(content(), 40))
	})
	return found
}

// tail returns the last n lines of s, for failure messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// lit makes a regexp that matches s literally, with any text around it.
func lit(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }

// rx compiles a regexp written with %s placeholders filled by literal text.
func rx(format string, literals ...string) *regexp.Regexp {
	quoted := make([]any, len(literals))
	for i, l := range literals {
		quoted[i] = regexp.QuoteMeta(l)
	}
	return regexp.MustCompile(fmt.Sprintf(format, quoted...))
}

// startServer runs the server under test and registers an observer that
// has joined both test channels.
func startServer(t *testing.T) (*harness.Server, *harness.Client) {
	t.Helper()
	srv := harness.Start(t, serverYAML)
	obs := srv.Register(t, "observer")
	obs.Send("JOIN " + chanMain + "," + chanStay)
	obs.Expect(isCmd("366", "", chanStay))
	return srv, obs
}

// giveOp makes nick a channel operator of chanMain, as the observer (who
// created it), so the client may set the topic (+t is on by default).
func giveOp(obs *harness.Client, nick string) {
	obs.Send("MODE " + chanMain + " +o " + nick)
	expectFrom(obs, "MODE", "observer", []string{chanMain, "+o", nick}, "")
}

// noUnknownCommand fails the test when a client's log shows a 421 reply:
// every command a client sends by itself (WHO, MODE, USERHOST...) should be
// one the server knows.
func noUnknownCommand(t *testing.T, client, log string) {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "Unknown command") {
			t.Errorf("%s was told: %s", client, strings.TrimSpace(line))
		}
	}
}

// port is the server's port, for the clients' command lines.
func port(srv *harness.Server) string {
	_, p, _ := net.SplitHostPort(srv.Addr)
	return p
}

// isCmd matches a line with the command from the nick ("" for anyone) whose
// parameters start with params (after the recipient, for numerics).
func isCmd(command, nick string, params ...string) func(*irc.Message) bool {
	numeric := command[0] >= '0' && command[0] <= '9'
	return func(m *irc.Message) bool {
		if m.Command != command || (nick != "" && (m.Prefix == nil || m.Name != nick)) {
			return false
		}
		got := m.Params
		if numeric && len(got) > 0 {
			got = got[1:]
		}
		if len(got) < len(params) {
			return false
		}
		for i, p := range params {
			if !strings.EqualFold(got[i], p) {
				return false
			}
		}
		return true
	}
}

// expectFrom waits on the observer for command from nick with params, the
// last of which, when text is not "", must contain text.
func expectFrom(obs *harness.Client, command, nick string, params []string, text string) *irc.Message {
	match := isCmd(command, nick, params...)
	return obs.Expect(func(m *irc.Message) bool {
		return match(m) && (text == "" || strings.Contains(m.Trailing(), text))
	})
}

// process is a client program the test started; it is killed (by PID) and
// reaped when the test ends if it has not exited by itself.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startProcess starts cmd and arranges for it to be stopped.
func startProcess(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitExit waits for the process to end by itself and returns its error.
func (p *process) waitExit(t *testing.T) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(exitLimit):
		t.Fatalf("%s still running %s after it was told to quit", p.cmd.Path, exitLimit)
		return nil
	}
}

// lockedBuffer collects a process's stderr safely while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeFIFO writes one line to a FIFO that a client reads (ii, WeeChat).
// The open does not block: while the client has not opened (or is
// reopening) its end, it is retried until waitLimit.
func writeFIFO(t *testing.T, path, line string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			_, err = f.WriteString(line + "\n")
			f.Close()
			if err != nil {
				t.Fatalf("write %s: %v", path, err)
			}
			return
		}
		if !errors.Is(err, syscall.ENXIO) && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("open %s: %v", path, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reader on %s after %s: %v", path, waitLimit, err)
		}
		time.Sleep(pollEvery)
	}
}

// childEnv is the environment for client programs: HOME points into the
// test's temp dir so no client reads or writes the real home.
func childEnv(home string) []string {
	env := []string{"HOME=" + home, "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color"}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}
