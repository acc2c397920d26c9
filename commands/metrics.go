package commands

import (
	"sync/atomic"
	"time"
)

// The dispatcher's own measurements, for the metrics endpoint: each is an
// atomic add where it happens (no lock, no map lookup: a command's
// histogram lives in its table row), read at scrape time.

// Histogram is a snapshot of a latency histogram.
type Histogram struct {
	// Bounds are the buckets' upper bounds in seconds, ascending.
	Bounds []float64
	// Counts are the observations per bucket (not cumulative), one more
	// than Bounds: the last is above every bound.
	Counts []uint64
	// Sum is the total of the observations, in seconds.
	Sum float64
}

// Count is the number of observations.
func (h Histogram) Count() uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// commandLatencyBounds are the buckets of the command latency histogram:
// a command is handled in microseconds, unless it waits on something.
func commandLatencyBounds() []time.Duration {
	return []time.Duration{
		5 * time.Microsecond, 10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
		100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
		time.Millisecond, 5 * time.Millisecond, 25 * time.Millisecond, 100 * time.Millisecond, time.Second,
	}
}

// registrationBounds are the buckets of the registration time histogram,
// from the connection to the welcome.
func registrationBounds() []time.Duration {
	return []time.Duration{
		10 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
		500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second,
		10 * time.Second, 30 * time.Second, time.Minute,
	}
}

// histogram counts durations in fixed buckets with atomic adds.
type histogram struct {
	bounds []time.Duration
	counts []atomic.Uint64 // len(bounds)+1
	sum    atomic.Int64    // nanoseconds
}

func newHistogram(bounds []time.Duration) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

// observe counts one duration.
func (h *histogram) observe(d time.Duration) {
	i := 0
	for i < len(h.bounds) && d > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// snapshot reads the histogram.
func (h *histogram) snapshot() Histogram {
	out := Histogram{Bounds: make([]float64, len(h.bounds)), Counts: make([]uint64, len(h.counts))}
	for i, b := range h.bounds {
		out.Bounds[i] = b.Seconds()
	}
	for i := range h.counts {
		out.Counts[i] = h.counts[i].Load()
	}
	out.Sum = time.Duration(h.sum.Load()).Seconds()
	return out
}

// CommandStat is one command's use since start.
type CommandStat struct {
	// Count is how many times it was received (refused ones included).
	Count uint64
	// Latency is how long its handling took.
	Latency Histogram
}

// CommandStats reads every command's counters, by name.
func (d *Dispatcher) CommandStats() map[string]CommandStat {
	out := make(map[string]CommandStat, len(d.table))
	for name, cmd := range d.table {
		out[name] = CommandStat{Count: cmd.count.Load(), Latency: cmd.latency.snapshot()}
	}
	return out
}

// RegistrationTimes is how long clients took from connecting to the
// welcome.
func (d *Dispatcher) RegistrationTimes() Histogram { return d.registration.snapshot() }

// Deliveries counts the PRIVMSG, NOTICE and TAGMSG copies handed to
// recipients (echoes not included).
func (d *Dispatcher) Deliveries() uint64 { return d.deliveries.Load() }

// UnknownCommands counts lines whose command the table does not have, and
// lines that could not be parsed.
func (d *Dispatcher) UnknownCommands() uint64 { return d.unknown.Load() + d.ignored.Load() }
