package harness

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// Logs collects the log lines of a server under test, so that a test can
// wait for one (the server logs some events from its own goroutines, after
// the client has seen the effect) and check what was, or was not, logged.
type Logs struct {
	mu      sync.Mutex
	lines   []string
	partial []byte
	changed chan struct{} // closed and replaced on every new line
}

func newLogs() *Logs { return &Logs{changed: make(chan struct{})} }

// Write takes the handler's output, which may split or join lines.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	added := false
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
		added = true
	}
	if added {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return len(p), nil
}

// Lines returns every line logged so far.
func (l *Logs) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Wait waits for a line that contains every one of parts and returns it;
// the test fails after Timeout.
func (l *Logs) Wait(t testing.TB, parts ...string) string {
	t.Helper()
	deadline := time.After(Timeout)
	for {
		l.mu.Lock()
		for _, line := range l.lines {
			if containsAll(line, parts) {
				l.mu.Unlock()
				return line
			}
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no log line with %q; the log:\n%s", parts, strings.Join(l.Lines(), "\n"))
			return ""
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
