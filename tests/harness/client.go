package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// Client is a scripted IRC client for tests.
type Client struct {
	t    testing.TB
	Conn net.Conn
	r    *bufio.Reader
	// Nick is the nick the client registered with.
	Nick string
	// Seen keeps every line received, for failure messages.
	Seen []string
	sync atomic.Int64
}

// Connect opens a client connection without registering.
func (s *Server) Connect(t testing.TB) *Client {
	t.Helper()
	nc := s.Dial(t)
	return &Client{t: t, Conn: nc, r: bufio.NewReaderSize(nc, 16384)}
}

// Register connects and registers nick, first requesting caps (when any),
// and waits for the end of the MOTD.
func (s *Server) Register(t testing.TB, nick string, caps ...string) *Client {
	t.Helper()
	c := s.Connect(t)
	c.Register(nick, caps...)
	return c
}

// Register registers a connected client as nick, first requesting caps
// (when any), and waits for the end of the MOTD.
func (c *Client) Register(nick string, caps ...string) {
	c.t.Helper()
	if len(caps) > 0 {
		c.Send("CAP LS 302")
		c.Send("CAP REQ :" + strings.Join(caps, " "))
		c.Expect(func(m *irc.Message) bool { return m.Command == "CAP" && (m.Param(1) == "ACK" || m.Param(1) == "NAK") })
		c.Send("CAP END")
	}
	c.Send("NICK " + nick)
	c.Send("USER " + strings.ToLower(nick) + " 0 * :Real " + nick)
	c.ExpectNumeric("001")
	c.Expect(func(m *irc.Message) bool { return m.Command == "376" || m.Command == "422" })
	c.Nick = nick
}

// Send writes one line (CRLF added).
func (c *Client) Send(line string) {
	c.t.Helper()
	c.SendRaw(line + "\r\n")
}

// Sendf writes one formatted line.
func (c *Client) Sendf(format string, args ...any) {
	c.t.Helper()
	c.Send(fmt.Sprintf(format, args...))
}

// SendRaw writes bytes exactly as given.
func (c *Client) SendRaw(data string) {
	c.t.Helper()
	c.Conn.SetWriteDeadline(time.Now().Add(Timeout))
	if _, err := io.WriteString(c.Conn, data); err != nil {
		c.t.Fatalf("%s: write: %v", c.Nick, err)
	}
}

// ReadLine returns the next raw line without CRLF, or an error.
func (c *Client) ReadLine() (string, error) {
	c.Conn.SetReadDeadline(time.Now().Add(Timeout))
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	c.Seen = append(c.Seen, line)
	return line, nil
}

// Next returns the next parsed line, failing the test on timeout or EOF.
func (c *Client) Next() *irc.Message {
	c.t.Helper()
	line, err := c.ReadLine()
	if err != nil {
		c.t.Fatalf("%s: read: %v\nseen:\n%s", c.Nick, err, c.recent())
	}
	m, err := irc.ParseMessage(line)
	if err != nil {
		c.t.Fatalf("%s: unparsable line %q: %v", c.Nick, line, err)
	}
	return m
}

func (c *Client) recent() string {
	from := max(0, len(c.Seen)-30)
	return "  " + strings.Join(c.Seen[from:], "\n  ")
}

// Expect reads until a line satisfies match and returns it.
func (c *Client) Expect(match func(*irc.Message) bool) *irc.Message {
	c.t.Helper()
	for {
		if m := c.Next(); match(m) {
			return m
		}
	}
}

// ExpectNumeric reads until the numeric (or command) arrives.
func (c *Client) ExpectNumeric(code string) *irc.Message {
	c.t.Helper()
	return c.Expect(func(m *irc.Message) bool { return m.Command == code })
}

// ExpectCommand is ExpectNumeric for commands, for readability.
func (c *Client) ExpectCommand(cmd string) *irc.Message {
	c.t.Helper()
	return c.ExpectNumeric(cmd)
}

// ExpectLine reads until a line equal to want arrives (tags included).
func (c *Client) ExpectLine(want string) {
	c.t.Helper()
	for {
		line, err := c.ReadLine()
		if err != nil {
			c.t.Fatalf("%s: waiting for %q: %v\nseen:\n%s", c.Nick, want, err, c.recent())
		}
		if line == want {
			return
		}
	}
}

// Sync sends a PING with a fresh token and returns every line that arrived
// before its PONG: the deterministic way to assert what did (not) arrive.
func (c *Client) Sync() []*irc.Message {
	c.t.Helper()
	token := "sync" + strconv.FormatInt(c.sync.Add(1), 10)
	c.Send("PING " + token)
	var got []*irc.Message
	for {
		m := c.Next()
		if m.Command == "PONG" && m.Trailing() == token {
			return got
		}
		got = append(got, m)
	}
}

// SyncRaw is Sync returning raw lines.
func (c *Client) SyncRaw() []string {
	c.t.Helper()
	from := len(c.Seen)
	c.Sync()
	lines := c.Seen[from:]
	return lines[:len(lines)-1]
}

// ExpectClosed reads until the server closes the connection and returns
// the ERROR line's text it sent ("" if none).
func (c *Client) ExpectClosed() string {
	c.t.Helper()
	reason := ""
	for {
		line, err := c.ReadLine()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.t.Fatalf("%s: connection still open\nseen:\n%s", c.Nick, c.recent())
			}
			return reason
		}
		if strings.HasPrefix(line, "ERROR ") {
			reason = strings.TrimPrefix(strings.TrimPrefix(line, "ERROR "), ":")
		}
	}
}

// Quit sends QUIT and waits for the connection to close.
func (c *Client) Quit() {
	c.t.Helper()
	c.Send("QUIT")
	c.ExpectClosed()
}
