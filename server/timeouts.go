package server

import (
	"time"

	"github.com/conference-irc/conference/conf"
)

// timeouts tracks when a connection last spoke and whether it was pinged,
// and turns that into the next read deadline.
type timeouts struct {
	registerBy time.Time
	lastHeard  time.Time
	pinged     bool
	// armed is the read deadline set on the socket (zero: none). It is
	// re-armed only when it fires, not after every line: setting a
	// deadline costs, and firing early is checked against deadline().
	armed time.Time
}

func newTimeouts(now time.Time, registration time.Duration) *timeouts {
	return &timeouts{registerBy: now.Add(registration), lastHeard: now}
}

// heard records a line from the client.
func (t *timeouts) heard(now time.Time) {
	t.lastHeard = now
	t.pinged = false
}

// deadline is when the next read must have returned: the registration
// deadline before registration, then one ping interval of silence, then
// another after the PING.
func (t *timeouts) deadline(registered bool, cfg conf.Timeouts) time.Time {
	if !registered {
		return t.registerBy
	}
	if t.pinged {
		return t.lastHeard.Add(2 * cfg.Ping)
	}
	return t.lastHeard.Add(cfg.Ping)
}
