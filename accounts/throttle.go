package accounts

import (
	"sync"
	"time"
)

// ThrottleRule is a token bucket for failures: Burst failures at once, then
// one more every Every.
type ThrottleRule struct {
	// Burst is how many failures are allowed before waiting.
	Burst int
	// Every is how long it takes to earn back one failure.
	Every time.Duration
}

// maxThrottled bounds how many keys a Throttle remembers.
const maxThrottled = 1 << 16

// Throttle counts failures per key (an account, a connection) and says when
// a key must wait. Only failures cost; a success costs nothing.
type Throttle struct {
	rule  ThrottleRule
	clock func() time.Time

	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewThrottle makes a throttle; a zero rule means 5 failures, then one
// every 12 seconds.
func NewThrottle(rule ThrottleRule, clock func() time.Time) *Throttle {
	if rule.Burst <= 0 {
		rule.Burst = 5
	}
	if rule.Every <= 0 {
		rule.Every = 12 * time.Second
	}
	return &Throttle{rule: rule, clock: clock, keys: map[string]*bucket{}}
}

// Allow reports whether key may try now.
func (t *Throttle) Allow(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.keys[key]
	if !ok {
		return true
	}
	return t.refill(b, t.clock()) >= 1
}

// Fail records one failure for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock()
	b, ok := t.keys[key]
	if !ok {
		if len(t.keys) >= maxThrottled {
			t.prune(now)
		}
		b = &bucket{tokens: float64(t.rule.Burst), at: now}
		t.keys[key] = b
	}
	t.refill(b, now)
	b.tokens = max(0, b.tokens-1)
}

// Forget drops key (a connection that closed).
func (t *Throttle) Forget(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// refill adds the tokens earned since b was last seen and returns them.
func (t *Throttle) refill(b *bucket, now time.Time) float64 {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(float64(t.rule.Burst), b.tokens+float64(elapsed)/float64(t.rule.Every))
		b.at = now
	}
	return b.tokens
}

// prune forgets keys whose bucket is full again, and if that is not
// enough, every key: a throttle never grows without bound.
func (t *Throttle) prune(now time.Time) {
	for k, b := range t.keys {
		if t.refill(b, now) >= float64(t.rule.Burst) {
			delete(t.keys, k)
		}
	}
	if len(t.keys) >= maxThrottled {
		clear(t.keys)
	}
}
