package server

import "time"

// tokenBucket is the per-client flood limiter: each line costs one token,
// tokens refill at rate per second up to burst. Time is passed in, so tests
// drive it without sleeping.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// tune sets the rate and burst (flood.rate and flood.burst, which a reload
// may change); tokens above a smaller burst are dropped.
func (b *tokenBucket) tune(rate float64, burst int) {
	b.rate, b.burst = rate, float64(burst)
	b.tokens = min(b.tokens, b.burst)
}

// take spends one token and returns how long the caller must wait before
// acting on the line (0 when a token was available).
func (b *tokenBucket) take(now time.Time) time.Duration {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed*b.rate)
	}
	b.last = now
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}
