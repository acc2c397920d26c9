package loadgen

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram layout: log-linear buckets over nanoseconds, like HDR
// histograms. Values below 2*subCount have a bucket each; above that, every
// power of two is split into subCount equal buckets, so a bucket's width is
// at most 1/subCount (0.8%) of its value. Values up to maxTrackable (about
// 18 minutes) are kept; larger ones land in the last bucket, and Max stays
// exact. The memory is fixed: numBuckets counters, about 35 KiB.
const (
	subBits      = 7
	subCount     = 1 << subBits
	maxBits      = 40
	numBuckets   = (maxBits - subBits + 1) * subCount
	maxTrackable = int64(1)<<maxBits - 1
)

// Histogram records durations with bounded memory and bounded relative
// error. Record may be called from any number of goroutines at once.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	total  atomic.Uint64
	sum    atomic.Uint64
	max    atomic.Int64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return new(Histogram) }

// Record adds one observation of d; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) { h.RecordNanos(int64(d)) }

// RecordNanos adds one observation of ns nanoseconds.
func (h *Histogram) RecordNanos(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[bucketOf(ns)].Add(1)
	h.total.Add(1)
	h.sum.Add(uint64(ns))
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// Merge adds every observation of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if n := o.counts[i].Load(); n != 0 {
			h.counts[i].Add(n)
		}
	}
	h.total.Add(o.total.Load())
	h.sum.Add(o.sum.Load())
	for {
		m, om := h.max.Load(), o.max.Load()
		if om <= m || h.max.CompareAndSwap(m, om) {
			return
		}
	}
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max returns the largest observation, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Mean returns the average observation, or 0 when there is none.
func (h *Histogram) Mean() time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load() / n)
}

// Quantile returns the value below or at which a fraction q (0..1) of the
// observations lie: the upper edge of the bucket holding the observation of
// rank ceil(q*count), capped at Max. It never understates, so a percentile
// that passes a threshold really does. It returns 0 when there is none.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.total.Load()
	if total == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max.Load()))
		}
	}
	return h.Max()
}

// bucketOf returns the index of the bucket holding ns (ns >= 0).
func bucketOf(ns int64) int {
	if ns > maxTrackable {
		return numBuckets - 1
	}
	v := uint64(ns)
	if v < 2*subCount {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1)
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// bucketHigh returns the largest value that falls in bucket i.
func bucketHigh(i int) int64 {
	if i < 2*subCount {
		return int64(i)
	}
	shift := i/subCount - 1
	sub := int64(i%subCount + subCount)
	return (sub+1)<<shift - 1
}
