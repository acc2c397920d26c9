package users

import (
	"sync"
	"sync/atomic"
)

// tally keeps the LUSERS figures up to date as clients connect, register,
// change modes and leave, so that reading them is O(1) rather than a walk
// over every connection on every registration.
type tally struct {
	connections atomic.Int64
	users       atomic.Int64
	invisible   atomic.Int64
	operators   atomic.Int64
	peak        atomic.Int64

	// noticeMu guards notice, the registered operators with user mode +s:
	// server notices go to them without a walk over every client.
	noticeMu sync.Mutex
	notice   map[*Client]struct{}
}

// addUser counts a newly registered client with its modes.
func (t *tally) addUser(c *Client, modes UserModes) {
	n := t.users.Add(1)
	for {
		p := t.peak.Load()
		if n <= p || t.peak.CompareAndSwap(p, n) {
			break
		}
	}
	t.modes(modes, 1)
	t.watch(c, modes)
}

// removeUser uncounts a registered client that leaves.
func (t *tally) removeUser(c *Client, modes UserModes) {
	t.users.Add(-1)
	t.modes(modes, -1)
	t.watch(c, 0)
}

// modes adds delta to the mode counters that modes belongs to.
func (t *tally) modes(modes UserModes, delta int64) {
	if modes.Has(ModeInvisible) {
		t.invisible.Add(delta)
	}
	if modes.Has(ModeOperator) {
		t.operators.Add(delta)
	}
}

// changed moves a client's mode counts from before to after.
func (t *tally) changed(c *Client, before, after UserModes) {
	if before != after {
		t.modes(before, -1)
		t.modes(after, 1)
		t.watch(c, after)
	}
}

// watch keeps c among the server notice recipients exactly while its
// modes hold both +o and +s.
func (t *tally) watch(c *Client, modes UserModes) {
	t.noticeMu.Lock()
	defer t.noticeMu.Unlock()
	if modes.Has(ModeOperator) && modes.Has(ModeServerNotices) {
		if t.notice == nil {
			t.notice = map[*Client]struct{}{}
		}
		t.notice[c] = struct{}{}
		return
	}
	delete(t.notice, c)
}

// watchers returns the server notice recipients.
func (t *tally) watchers() []*Client {
	t.noticeMu.Lock()
	defer t.noticeMu.Unlock()
	out := make([]*Client, 0, len(t.notice))
	for c := range t.notice {
		out = append(out, c)
	}
	return out
}
