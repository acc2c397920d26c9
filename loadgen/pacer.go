package loadgen

import (
	"math"
	"time"
)

// tick is the scheduler's granularity. Events due within one tick go out
// together; the rate over any longer window is exact.
const tick = 5 * time.Millisecond

// maxBacklog is how far behind schedule a pacer may fall before it gives up
// on the missed events instead of sending them in one burst: a stalled
// generator (or a server pushing back) then shows as a lower achieved rate,
// not as a spike that the next tick blames on the server.
const maxBacklog = 100 * time.Millisecond

// pacer turns a rate into a count of events due at each tick, so that one
// ticker paces any number of events per second without sleeping per event.
type pacer struct {
	rate   float64
	start  time.Time
	issued int64
	burst  int64
}

// newPacer paces rate events per second from start; rate <= 0 means no limit.
func newPacer(rate float64, start time.Time) *pacer {
	burst := int64(math.Ceil(rate * maxBacklog.Seconds()))
	return &pacer{rate: rate, start: start, burst: max(burst, 1)}
}

// due returns how many events should be issued at now and counts them issued.
func (p *pacer) due(now time.Time) int64 {
	if p.rate <= 0 {
		return math.MaxInt32
	}
	want := int64(now.Sub(p.start).Seconds() * p.rate)
	n := want - p.issued
	if n > p.burst {
		p.issued = want - p.burst
		n = p.burst
	}
	if n < 0 {
		return 0
	}
	p.issued += n
	return n
}
