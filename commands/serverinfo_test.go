package commands

import (
	"bytes"
	"crypto/rand"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// svConn records what the server sends one client, for the unit tests of
// the server and operator commands.
type svConn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	closed string
}

func (c *svConn) Send(line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed == "" {
		c.buf.Write(line)
	}
}

func (c *svConn) Close(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed == "" {
		c.closed = reason
	}
}

// take returns the lines received since the last call, parsed.
func (c *svConn) take(t *testing.T) []*irc.Message {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*irc.Message
	for _, line := range strings.Split(strings.TrimSuffix(c.buf.String(), "\r\n"), "\r\n") {
		if line == "" {
			continue
		}
		m, err := irc.ParseMessage(line)
		if err != nil {
			t.Fatalf("unparsable line %q: %v", line, err)
		}
		out = append(out, m)
	}
	c.buf.Reset()
	return out
}

// svEnv is a dispatcher with a fixed clock and test clients.
type svEnv struct {
	t     *testing.T
	d     *Dispatcher
	now   time.Time
	hooks *Hooks
}

var svStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newSVEnv(t *testing.T, cfg *conf.Config, hooks Hooks) *svEnv {
	t.Helper()
	reg, err := users.NewRegistry(users.RFC1459, 64, 16)
	if err != nil {
		t.Fatal(err)
	}
	env := &svEnv{t: t, now: svStart}
	d, err := New(Options{
		Config: cfg, Users: reg, Clock: func() time.Time { return env.now }, Random: rand.Reader,
		Hooks: hooks, Version: "conference-test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	env.d = d
	return env
}

// client connects and registers nick, and discards the welcome.
func (e *svEnv) client(nick string) (*users.Client, *svConn) {
	e.t.Helper()
	conn := &svConn{}
	c := users.NewClient(uint64(len(e.d.users.All())+1), conn, netip.MustParseAddr("127.0.0.1"), "127.0.0.1", e.now, false)
	e.d.Connected(c)
	e.send(c, "NICK "+nick)
	e.send(c, "USER "+strings.ToLower(nick)+" 0 * :Real "+nick)
	if !c.Registered() {
		e.t.Fatalf("%s did not register: %v", nick, conn.take(e.t))
	}
	conn.take(e.t)
	return c, conn
}

// oper registers nick and makes it an operator without OPER's bcrypt.
func (e *svEnv) oper(nick string) (*users.Client, *svConn) {
	c, conn := e.client(nick)
	c.Update(func(id *users.Identity) { id.Modes |= users.UserModes(users.ModeOperator) })
	return c, conn
}

func (e *svEnv) send(c *users.Client, line string) {
	e.t.Helper()
	m, err := irc.ParseMessage(line)
	if err != nil {
		e.t.Fatalf("parse %q: %v", line, err)
	}
	e.d.Dispatch(c, m)
}

// commandsOf lists the commands (numerics) of msgs, in order.
func commandsOf(msgs []*irc.Message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Command)
	}
	return strings.Join(out, " ")
}

// sameCommands compares a reply's commands with want, where a final
// "005..." stands for any number (at least one) of 005 lines.
func sameCommands(got, want string) bool {
	if prefix, ok := strings.CutSuffix(want, "005..."); ok {
		rest, ok := strings.CutPrefix(got, prefix)
		return ok && strings.Trim(strings.ReplaceAll(rest, "005", ""), " ") == "" && rest != ""
	}
	return got == want
}

func svConfig(t *testing.T) *conf.Config {
	t.Helper()
	cfg := conf.Default()
	cfg.Server.Name = "irc.test.example"
	cfg.Server.Description = "test server"
	return cfg
}

func TestServerInfoReplies(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	alice, conn := env.client("alice")
	env.now = svStart.Add(26*time.Hour + 3*time.Minute + 4*time.Second)
	tests := []struct {
		line string
		want string // the commands of the reply, in order; "005..." is one or more 005
		// check inspects the first line of the reply.
		check func(t *testing.T, m *irc.Message)
	}{
		{"VERSION", "351 005...", func(t *testing.T, m *irc.Message) {
			want := []string{"alice", "conference-test", "irc.test.example", "test server"}
			if strings.Join(m.Params, "|") != strings.Join(want, "|") {
				t.Errorf("351 params = %q", m.Params)
			}
		}},
		{"VERSION irc.test.example", "351 005...", nil},
		{"VERSION other.example", "402", func(t *testing.T, m *irc.Message) {
			if m.Param(1) != "other.example" {
				t.Errorf("402 names %q", m.Param(1))
			}
		}},
		{"TIME", "391", func(t *testing.T, m *irc.Message) {
			if m.Param(1) != "irc.test.example" || m.Param(2) != strconv.FormatInt(env.now.Unix(), 10) {
				t.Errorf("391 params = %q", m.Params)
			}
			if !strings.Contains(m.Trailing(), "Sunday, 2 March 2025 14:03:04 +00:00") {
				t.Errorf("391 text = %q", m.Trailing())
			}
		}},
		{"TIME *.example", "391", nil},
		{"TIME nowhere.example", "402", nil},
		{"ADMIN", "256 257 258 259", func(t *testing.T, m *irc.Message) {
			if m.Param(1) != "irc.test.example" {
				t.Errorf("256 params = %q", m.Params)
			}
		}},
		{"INFO", "371 371 371 371 371 371 371 371 374", nil},
		{"LINKS", "364 365", func(t *testing.T, m *irc.Message) {
			want := []string{"alice", "irc.test.example", "irc.test.example", "0 test server"}
			if strings.Join(m.Params, "|") != strings.Join(want, "|") {
				t.Errorf("364 params = %q", m.Params)
			}
		}},
		{"LINKS other.*", "365", func(t *testing.T, m *irc.Message) {
			if m.Param(1) != "other.*" {
				t.Errorf("365 params = %q", m.Params)
			}
		}},
		{"LINKS elsewhere.example *", "402", nil},
		{"LINKS :", "364 365", nil},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			env.send(alice, tc.line)
			got := conn.take(t)
			if !sameCommands(commandsOf(got), tc.want) {
				t.Fatalf("%s answered %q, want %q", tc.line, commandsOf(got), tc.want)
			}
			if tc.check != nil {
				tc.check(t, got[0])
			}
		})
	}
}

func TestAdminLines(t *testing.T) {
	cfg := svConfig(t)
	cfg.Admin = conf.Admin{Location: "Lisbon", Organisation: "Example Org", Email: "ops@example.org"}
	env := newSVEnv(t, cfg, Hooks{})
	alice, conn := env.client("alice")
	env.send(alice, "ADMIN")
	got := conn.take(t)
	var texts []string
	for _, m := range got[1:] {
		texts = append(texts, m.Trailing())
	}
	if strings.Join(texts, "|") != "Lisbon|Example Org|ops@example.org" {
		t.Fatalf("ADMIN lines = %q", texts)
	}
}

func TestFormatUptime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 days 00:00:00"},
		{-time.Second, "0 days 00:00:00"},
		{59 * time.Second, "0 days 00:00:59"},
		{3*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second + 700*time.Millisecond, "3 days 04:05:06"},
	}
	for _, tc := range tests {
		if got := formatUptime(tc.d); got != tc.want {
			t.Errorf("formatUptime(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestEchoParam(t *testing.T) {
	tests := map[string]string{
		"":                       "*",
		":x":                     "*",
		"irc.example":            "irc.example",
		strings.Repeat("a", 500): strings.Repeat("a", maxEchoLen),
	}
	for in, want := range tests {
		if got := echoParam(in); got != want {
			t.Errorf("echoParam(%q) = %q, want %q", in, got, want)
		}
	}
}
