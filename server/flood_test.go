package server

import (
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
)

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func TestTokenBucketBurstThenRate(t *testing.T) {
	b := newTokenBucket(2, 3, t0) // 2 lines a second, bursts of 3
	for i := 0; i < 3; i++ {
		if w := b.take(t0); w != 0 {
			t.Fatalf("line %d of the burst waits %v", i+1, w)
		}
	}
	// The 4th line at once owes one token: half a second at 2/s.
	if w := b.take(t0); w != 500*time.Millisecond {
		t.Errorf("4th line waits %v, want 500ms", w)
	}
	// And the 5th, a whole second.
	if w := b.take(t0); w != time.Second {
		t.Errorf("5th line waits %v, want 1s", w)
	}
	// After paying the debt back (1s = 2 tokens), the next line waits 0.5s.
	if w := b.take(t0.Add(time.Second)); w != 500*time.Millisecond {
		t.Errorf("after 1s, waits %v, want 500ms", w)
	}
}

func TestTokenBucketRefillCapsAtBurst(t *testing.T) {
	b := newTokenBucket(1, 2, t0)
	b.take(t0)
	b.take(t0)
	// An hour of silence earns only the burst.
	later := t0.Add(time.Hour)
	for i := 0; i < 2; i++ {
		if w := b.take(later); w != 0 {
			t.Fatalf("line %d after a rest waits %v", i+1, w)
		}
	}
	if w := b.take(later); w != time.Second {
		t.Errorf("third line after a rest waits %v, want 1s", w)
	}
}

func TestTokenBucketSteadyRate(t *testing.T) {
	b := newTokenBucket(4, 1, t0)
	now := t0
	for i := 0; i < 100; i++ {
		if w := b.take(now); w != 0 {
			t.Fatalf("line %d at exactly the rate waits %v", i, w)
		}
		now = now.Add(250 * time.Millisecond)
	}
}

func TestTokenBucketClockBackwards(t *testing.T) {
	b := newTokenBucket(1, 1, t0)
	b.take(t0)
	// A clock that steps back earns nothing and does not panic.
	if w := b.take(t0.Add(-time.Hour)); w != time.Second {
		t.Errorf("after a backwards step, waits %v, want 1s", w)
	}
}

func TestTimeoutsDeadline(t *testing.T) {
	cfg := conf.Timeouts{Registration: 10 * time.Second, Ping: 30 * time.Second}
	to := newTimeouts(t0, cfg.Registration)

	if got := to.deadline(false, cfg); !got.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("unregistered deadline %v, want connect+10s", got)
	}
	// Talking does not extend the registration deadline.
	to.heard(t0.Add(5 * time.Second))
	if got := to.deadline(false, cfg); !got.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("unregistered deadline after a line %v, want connect+10s", got)
	}
	// Registered: one ping interval after the last line.
	if got := to.deadline(true, cfg); !got.Equal(t0.Add(35 * time.Second)) {
		t.Errorf("registered deadline %v, want last line+30s", got)
	}
	// Pinged: a second interval to answer.
	to.pinged = true
	if got := to.deadline(true, cfg); !got.Equal(t0.Add(65 * time.Second)) {
		t.Errorf("pinged deadline %v, want last line+60s", got)
	}
	// Any line clears the ping.
	to.heard(t0.Add(40 * time.Second))
	if to.pinged {
		t.Error("a line did not clear pinged")
	}
	if got := to.deadline(true, cfg); !got.Equal(t0.Add(70 * time.Second)) {
		t.Errorf("deadline after the answer %v, want +30s", got)
	}
}

// TestTokenBucketTune: a reload of flood.rate and flood.burst applies to
// a client already connected.
func TestTokenBucketTune(t *testing.T) {
	b := newTokenBucket(1, 10, t0)
	b.tune(4, 2) // burst 10 -> 2: the tokens above it go
	for i := 0; i < 2; i++ {
		if w := b.take(t0); w != 0 {
			t.Fatalf("line %d of the new burst waits %v", i+1, w)
		}
	}
	if w := b.take(t0); w != 250*time.Millisecond {
		t.Errorf("past the new burst, waits %v, want 250ms at the new rate of 4/s", w)
	}
}
