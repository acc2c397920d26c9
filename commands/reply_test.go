package commands

import (
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/users"
)

// recordConn keeps what a client is sent.
type recordConn struct {
	mu  sync.Mutex
	out strings.Builder
}

func (c *recordConn) Send(line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Write(line)
}

func (c *recordConn) Close(string) {}

// lines returns what was sent, one line each, with the batch reference
// (whatever it was) written as "B".
func (c *recordConn) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	ref := ""
	for _, l := range strings.Split(strings.TrimSuffix(c.out.String(), "\r\n"), "\r\n") {
		if i := strings.Index(l, "BATCH +"); i >= 0 {
			ref, _, _ = strings.Cut(l[i+len("BATCH +"):], " ")
		}
		if ref != "" {
			l = strings.ReplaceAll(l, ref, "B")
		}
		out = append(out, l)
	}
	return out
}

// TestReplyLabels: the final flush of a labeled request tags a single
// reply, answers none with ACK and wraps several in a labeled-response
// batch; a partial flush opens the batch early, and the final one closes
// it; a client without batch gets several replies without a label.
func TestReplyLabels(t *testing.T) {
	net := newBenchNetwork(t, 0)
	const src = ":irc.conference.local "
	tests := []struct {
		name    string
		batch   bool
		replies []string // "|" is a partial flush
		want    []string
	}{
		{"none", true, nil, []string{"@label=L " + src + "ACK"}},
		{"one", true, []string{"A"}, []string{"@label=L " + src + "NOTICE :A"}},
		{"several", true, []string{"A", "B"}, []string{
			"@label=L " + src + "BATCH +B labeled-response",
			"@batch=B " + src + "NOTICE :A", "@batch=B " + src + "NOTICE :B",
			src + "BATCH -B"}},
		{"partial", true, []string{"A", "|", "B"}, []string{
			"@label=L " + src + "BATCH +B labeled-response",
			"@batch=B " + src + "NOTICE :A", "@batch=B " + src + "NOTICE :B",
			src + "BATCH -B"}},
		{"partial, nothing after", true, []string{"A", "|"}, []string{
			"@label=L " + src + "BATCH +B labeled-response",
			"@batch=B " + src + "NOTICE :A",
			src + "BATCH -B"}},
		{"several without batch", false, []string{"A", "B"}, []string{src + "NOTICE :A", src + "NOTICE :B"}},
		{"partial without batch", false, []string{"A", "|", "B"}, []string{src + "NOTICE :A", src + "NOTICE :B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &recordConn{}
			c := users.NewClient(1, conn, netip.MustParseAddr("192.0.2.1"), "192.0.2.1", time.Unix(0, 0), false)
			caps := users.CapSet(0).With(users.CapLabeledResponse)
			if tt.batch {
				caps = caps.With(users.CapBatch)
			}
			c.SetCaps(caps)
			r := net.d.newRequest(c, &irc.Message{Command: "X", Tags: irc.Tags{"label": "L"}})
			for _, text := range tt.replies {
				if text == "|" {
					r.flushPart()
				} else {
					r.Reply("NOTICE", text)
				}
			}
			r.flush()
			r.flush() // runs once
			if got := conn.lines(); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
