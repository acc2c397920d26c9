package users

import (
	"slices"
	"testing"
)

// TestNoticeWatchers: the registered operators with +s, and only they,
// are server notice recipients, through every way modes and registration
// change.
func TestNoticeWatchers(t *testing.T) {
	r := newTestRegistry(t)
	oper, plain, early := newTestClient(r, 1), newTestClient(r, 2), newTestClient(r, 3)
	setModes := func(c *Client, m UserModes) { c.Update(func(id *Identity) { id.Modes = m }) }
	watchers := func() []*Client {
		w := r.NoticeWatchers()
		slices.SortFunc(w, func(a, b *Client) int { return int(a.ID()) - int(b.ID()) })
		return w
	}
	both := UserModes(ModeOperator) | UserModes(ModeServerNotices)

	// Modes set before registration count once the client registers.
	setModes(early, both)
	if w := watchers(); len(w) != 0 {
		t.Fatalf("an unregistered client receives notices: %v", w)
	}
	for _, c := range []*Client{oper, plain, early} {
		c.SetRegistered()
	}
	if w := watchers(); !slices.Equal(w, []*Client{early}) {
		t.Fatalf("after registration: %v", w)
	}
	setModes(oper, UserModes(ModeOperator))
	setModes(plain, UserModes(ModeServerNotices))
	if w := watchers(); !slices.Equal(w, []*Client{early}) {
		t.Fatalf("+o alone or +s alone receive notices: %v", w)
	}
	setModes(oper, both)
	if w := watchers(); !slices.Equal(w, []*Client{oper, early}) {
		t.Fatalf("after +s: %v", w)
	}
	setModes(oper, UserModes(ModeServerNotices))
	if w := watchers(); !slices.Equal(w, []*Client{early}) {
		t.Fatalf("after -o: %v", w)
	}
	r.Remove(early)
	if w := watchers(); len(w) != 0 {
		t.Fatalf("a client that left still receives notices: %v", w)
	}
}
