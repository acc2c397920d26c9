package loadgen

import (
	"math"
	"time"
)

// tick is the scheduler's granularity: events due within one tick are
// written together, but each is stamped with its own intended time, so the
// tick adds to the measured latency instead of hiding inside it.
const tick = time.Millisecond

// pacer turns a rate into the events due at each tick, each with the time
// it was meant to be sent, so that one ticker paces any number of events
// per second without sleeping per event.
//
// It never skips an event: a generator that stalls (or a server that stops
// reading, so that writes block) sends the missed events late, stamped with
// the time they were meant to go out. Latency then counts the stall, as a
// user whose message sat waiting would (no coordinated omission).
type pacer struct {
	rate   float64
	start  time.Time
	issued int64
}

// newPacer paces rate events per second from start; rate <= 0 means no limit.
func newPacer(rate float64, start time.Time) *pacer {
	return &pacer{rate: rate, start: start}
}

// due returns the index of the first event due at now and how many are
// due, and counts them issued.
func (p *pacer) due(now time.Time) (first, n int64) {
	if p.rate <= 0 {
		return p.issued, math.MaxInt32
	}
	want := int64(now.Sub(p.start).Seconds() * p.rate)
	first = p.issued
	n = max(want-p.issued, 0)
	p.issued += n
	return first, n
}

// intended is when event i was meant to be sent; with no rate limit, it
// is never earlier than the event's write, so the caller passes when the
// batch was written.
func (p *pacer) intended(i int64, written time.Time) time.Time {
	if p.rate <= 0 {
		return written
	}
	return p.start.Add(time.Duration(float64(i) / p.rate * float64(time.Second)))
}
