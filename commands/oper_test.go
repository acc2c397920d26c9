package commands

import (
	"bytes"
	"crypto/rand"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// lockedBuffer is a log sink safe for the slow pool's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
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

// TestOperFailureLoggedAndHeld: a failed OPER is logged with the nick, the
// address, the connection and the operator name (never the password), and
// asks the connection to hold the client's next lines, longer each time;
// a wrong host looks exactly like a wrong password.
func TestOperFailureLoggedAndHeld(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("sesame"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Operators = []conf.Operator{{Name: "root", Password: string(hash), Hosts: []string{"*@192.0.2.1"}}}
	reg, err := users.NewRegistry(users.RFC1459, 64, 16)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	d, err := New(Options{Config: cfg, Users: reg, Clock: time.Now, Random: rand.Reader, Version: "test",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	conn := &svConn{}
	c := users.NewClient(7, conn, netip.MustParseAddr("127.0.0.1"), "127.0.0.1", time.Now(), false)
	d.Connected(c)
	d.Dispatch(c, irc.MustParseMessage("NICK mallory"))
	d.Dispatch(c, irc.MustParseMessage("USER m 0 * :M"))
	conn.take(t)

	var holds []time.Duration
	for _, password := range []string{"sesame", "hunter2"} {
		done := make(chan time.Duration)
		if !d.Handle(c, irc.MustParseMessage("OPER root "+password), func(hold time.Duration) { done <- hold }) {
			t.Fatal("OPER did not hand its password check to the slow pool")
		}
		holds = append(holds, <-done)
		if got := commandsOf(conn.take(t)); got != "464" {
			t.Errorf("OPER root %s from a wrong host: %s, want 464", password, got)
		}
	}
	if holds[0] != time.Second || holds[1] != 2*time.Second {
		t.Errorf("holds %v, want 1s then 2s", holds)
	}
	out := logs.String()
	for _, want := range []string{`msg="oper failed"`, "nick=mallory", "ip=127.0.0.1", "conn=7", "oper=root", "failures=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sesame") || strings.Contains(out, "hunter2") {
		t.Errorf("log shows a password:\n%s", out)
	}
}
