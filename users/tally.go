package users

import "sync/atomic"

// tally keeps the LUSERS figures up to date as clients connect, register,
// change modes and leave, so that reading them is O(1) rather than a walk
// over every connection on every registration.
type tally struct {
	connections atomic.Int64
	users       atomic.Int64
	invisible   atomic.Int64
	operators   atomic.Int64
	peak        atomic.Int64
}

// addUser counts a newly registered client with its modes.
func (t *tally) addUser(modes UserModes) {
	n := t.users.Add(1)
	for {
		p := t.peak.Load()
		if n <= p || t.peak.CompareAndSwap(p, n) {
			break
		}
	}
	t.modes(modes, 1)
}

// removeUser uncounts a registered client that leaves.
func (t *tally) removeUser(modes UserModes) {
	t.users.Add(-1)
	t.modes(modes, -1)
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
func (t *tally) changed(before, after UserModes) {
	if before != after {
		t.modes(before, -1)
		t.modes(after, 1)
	}
}
