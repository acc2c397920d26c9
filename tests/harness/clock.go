package harness

import (
	"sync"
	"testing"
	"time"

	"github.com/conference-irc/conference/server"
)

// Clock is a clock that moves only when a test advances it, so that tests
// of timeouts never wait on the real one. It starts at the real time.
type Clock struct {
	mu      sync.Mutex
	changed *sync.Cond // a timer was armed
	now     time.Time
	timers  []*fakeTimer
}

// NewClock makes a clock stopped at the current real time.
func NewClock() *Clock {
	c := &Clock{now: time.Now()}
	c.changed = sync.NewCond(&c.mu)
	return c
}

// AwaitTimer waits until a timer is armed to fire d from now (the server
// has reached the point where it waits d), so that a test can then
// Advance past it. It fails the test after Timeout.
func (c *Clock) AwaitTimer(t testing.TB, d time.Duration) {
	t.Helper()
	expired := false
	watchdog := time.AfterFunc(Timeout, func() {
		c.mu.Lock()
		expired = true
		c.changed.Broadcast()
		c.mu.Unlock()
	})
	defer watchdog.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.armedLocked(d) {
		if expired {
			t.Fatalf("no timer armed for %v", d)
		}
		c.changed.Wait()
	}
}

func (c *Clock) armedLocked(d time.Duration) bool {
	for _, t := range c.timers {
		if t.armed && t.at.Sub(c.now) == d {
			return true
		}
	}
	return false
}

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc calls f on its own goroutine once the clock has been advanced
// by d.
func (c *Clock) AfterFunc(d time.Duration, f func()) server.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, f: f, at: c.now.Add(d), armed: true, listed: true}
	c.timers = append(c.timers, t)
	c.changed.Broadcast()
	return t
}

// Advance moves the clock forward by d and fires every timer now due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case !t.armed:
			t.listed = false
		case !t.at.After(c.now):
			t.armed, t.listed = false, false
			due = append(due, t.f)
		default:
			kept = append(kept, t)
		}
	}
	clear(c.timers[len(kept):])
	c.timers = kept
	c.mu.Unlock()
	for _, f := range due {
		go f()
	}
}

type fakeTimer struct {
	clock *Clock
	f     func()
	at    time.Time
	armed bool
	// listed: in the clock's list (a stopped timer stays there until the
	// next Advance).
	listed bool
}

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := t.armed
	t.armed = false
	return was
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	was := t.armed
	t.at, t.armed = c.now.Add(d), true
	if !t.listed {
		t.listed = true
		c.timers = append(c.timers, t)
	}
	c.changed.Broadcast()
	return was
}
