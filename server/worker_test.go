package server

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/conference-irc/conference/conf"
)

// startTestServer runs a server on a loopback port with yaml on top of the
// defaults; hook (may be nil) is installed before any client connects.
func startTestServer(t *testing.T, yaml string, hook func(c *conn, starts bool)) *Server {
	t.Helper()
	file := filepath.Join(t.TempDir(), "conference.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file, Environ: []string{}, Flags: map[string]any{"listen": []string{"127.0.0.1:0"}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.poller.onRun = hook
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		s.Serve()
		close(done)
	}()
	t.Cleanup(func() {
		s.Shutdown("test over", 5*time.Second)
		<-done
	})
	return s
}

// TestOneWorkerPerConnection: a client whose slow commands arrive one byte
// per segment must never be handed to a second worker while a first one
// runs it (the second would only wait, and enough of them stall everyone).
func TestOneWorkerPerConnection(t *testing.T) {
	// The cheapest bcrypt still keeps a worker busy long enough.
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	running := map[*conn]int{}
	peak := 0
	hook := func(c *conn, starts bool) {
		mu.Lock()
		defer mu.Unlock()
		if starts {
			running[c]++
			peak = max(peak, running[c])
		} else {
			running[c]--
		}
	}
	s := startTestServer(t, "exempt: [127.0.0.0/8]\noperators:\n  - {name: op, password: '"+string(hash)+"'}\n", hook)
	nc, r := dialRegistered(t, s, "segs")
	other, otherR := dialRegistered(t, s, "other")
	// Each byte is its own segment; the other client's round trip between
	// two bytes spaces them out, so that they arrive while the first
	// OPER's password check runs.
	input := strings.Repeat("OPER op wrong\r\n", 3) + "PING :done\r\n"
	for i := 0; i < len(input); i++ {
		if _, err := nc.Write([]byte{input[i]}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(other, "PING :pace\r\n")
		expectLine(t, otherR, "PONG")
	}
	expectLine(t, r, "PONG")
	mu.Lock()
	defer mu.Unlock()
	if peak != 1 {
		t.Errorf("one connection ran on %d workers at once, want 1", peak)
	}
}

// dialRegistered connects and registers nick.
func dialRegistered(t *testing.T, s *Server, nick string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addrs()[0].String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(60 * time.Second))
	r := bufio.NewReader(nc)
	io.WriteString(nc, "NICK "+nick+"\r\nUSER "+nick+" 0 * :Test\r\n")
	expectLine(t, r, " 001 ")
	return nc, r
}

// expectLine reads until a line containing want arrives.
func expectLine(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if strings.Contains(line, want) {
			return
		}
	}
}
