package commands

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/users"
)

type discardConn struct{}

func (discardConn) Send([]byte)  {}
func (discardConn) Close(string) {}

// TestClientTagsBounded: the relayed client-only tags never pass the 4094
// bytes a client may send, whatever the parsed tags add up to, and names
// the specification does not allow are dropped.
func TestClientTagsBounded(t *testing.T) {
	c := users.NewClient(1, discardConn{}, netip.MustParseAddr("192.0.2.1"), "192.0.2.1", time.Unix(0, 0), false)
	c.SetCaps(users.CapSet(0).With(users.CapMessageTags))
	tags := irc.Tags{"+bad name": "x", "+a;b": "x", "+": "x", "label": "mine", "+ok/vendor.tld-1": "y"}
	for i := range 100 {
		// Each value escapes to twice its length.
		tags["+t"+strconv.Itoa(i)] = strings.Repeat(";", 40)
	}
	got := clientTags(&Request{Client: c, Tags: tags})
	if len(got) > maxRelayedClientTags {
		t.Errorf("relayed client tags are %d bytes, the bound is %d", len(got), maxRelayedClientTags)
	}
	for _, tag := range strings.Split(got, ";") {
		name, _, _ := strings.Cut(tag, "=")
		if !strings.HasPrefix(name, "+t") && name != "+ok/vendor.tld-1" {
			t.Errorf("relayed tag %q", name)
		}
	}
}
