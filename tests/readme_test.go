package tests

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conference-irc/conference/tests/harness"
)

// readmeBlock is one shell block of README.md that the walkthrough runs:
// its kind comes from the `<!-- readme-test: kind -->` comment above it.
type readmeBlock struct {
	kind, script string
}

// readmeBlocks returns the marked ```sh blocks of the README, in order.
func readmeBlocks(readme string) []readmeBlock {
	re := regexp.MustCompile("(?s)<!-- readme-test: ([a-z]+) -->\n```sh\n(.*?)```")
	var blocks []readmeBlock
	for _, m := range re.FindAllStringSubmatch(readme, -1) {
		blocks = append(blocks, readmeBlock{kind: m[1], script: m[2]})
	}
	return blocks
}

// TestREADMEWalkthrough runs the README's Installing, Configuration and
// Running in production sections top to bottom in a fresh copy of the
// repository, as a newcomer would: build the binary, start it, connect,
// write and check a configuration, start it again, reload, stop it by
// PID. The examples' 127.0.0.1:6667 becomes a free loopback port. Blocks
// that need root (production) are checked with bash -n, and the files they
// name must exist.
func TestREADMEWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary in a copy of the repository")
	}
	for _, tool := range []string{"bash", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s on PATH", tool)
		}
	}
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(string(readme))
	kinds := map[string]int{}
	for _, b := range blocks {
		kinds[b.kind]++
	}
	if kinds["build"] == 0 || kinds["configure"] == 0 || kinds["start"] < 2 || kinds["reload"] == 0 || kinds["stop"] < 2 || kinds["syntax"] == 0 {
		t.Fatalf("README.md lacks marked blocks to build, configure, start, reload, stop and install: %v", kinds)
	}
	dir := copyRepository(t, root)
	addr := freeLoopbackAddr(t)
	logPath := filepath.Join(t.TempDir(), "conferenced.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	t.Cleanup(func() { killFromPIDFile(filepath.Join(dir, "conferenced.pid")) })

	for i, b := range blocks {
		script := strings.ReplaceAll(b.script, "127.0.0.1:6667", addr)
		if b.kind == "syntax" {
			checkSyntaxBlock(t, dir, script)
			continue
		}
		logged := logSize(t, logPath)
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir, cmd.Env = dir, cleanEnv()
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Run(); err != nil {
			t.Fatalf("README block %d (%s) failed: %v\n%s\nlog:\n%s", i, b.kind, err, script, readLog(logPath))
		}
		switch b.kind {
		case "start":
			waitLogFile(t, logPath, logged, "msg=listening")
			c := (&harness.Server{Addr: addr}).Register(t, fmt.Sprintf("reader%d", i))
			c.Quit()
		case "reload":
			waitLogFile(t, logPath, logged, `msg="configuration reloaded" by=SIGHUP`)
		case "stop":
			waitLogFile(t, logPath, logged, "msg=stopped")
		}
	}
	verifyUnits(t, dir)
}

// copyRepository copies the repository's files (tracked, and new ones not
// ignored) into a fresh directory: a clone with the working tree's edits.
func copyRepository(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the working tree, or a link
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// freeLoopbackAddr returns a loopback address with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// checkSyntaxBlock checks a block the test cannot run (it needs root):
// bash parses it, and every repository file it names exists.
func checkSyntaxBlock(t *testing.T, dir, script string) {
	t.Helper()
	cmd := exec.Command("bash", "-n", "-c", script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("README block does not parse: %v\n%s\n%s", err, out, script)
	}
	for _, name := range regexp.MustCompile(`(?:contrib|cmd)/[\w./-]+|conference\.example\.yaml`).FindAllString(script, -1) {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("README names %s, which is not in the repository", name)
		}
	}
}

// verifyUnits runs systemd-analyze verify on the shipped units, with the
// binary the walkthrough built standing in for /usr/local/bin/conferenced.
func verifyUnits(t *testing.T, dir string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: the units are not verified")
		return
	}
	units := t.TempDir()
	var paths []string
	for _, name := range []string{"conference.service", "conference.socket"} {
		data, err := os.ReadFile(filepath.Join(dir, "contrib", "systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "/usr/local/bin/conferenced", filepath.Join(dir, "conferenced"))
		path := filepath.Join(units, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	out, err := exec.Command(analyze, append([]string{"verify"}, paths...)...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte(units)) {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// logSize is how much the log holds now: a wait looks only past it.
func logSize(t *testing.T, path string) int {
	t.Helper()
	return len(readLog(path))
}

func readLog(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

// waitLogFile waits until the log, past offset from, holds text. The
// server writes it from another process, so the file is looked at again
// every 20 ms, up to harness.Timeout.
func waitLogFile(t *testing.T, path string, from int, text string) {
	t.Helper()
	deadline := time.Now().Add(harness.Timeout)
	for {
		if log := readLog(path); len(log) > from && strings.Contains(log[from:], text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the server's log:\n%s", text, readLog(path))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killFromPIDFile stops a server the walkthrough left running.
func killFromPIDFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 1 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}
