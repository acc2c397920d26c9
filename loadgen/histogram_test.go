package loadgen

import (
	"sync"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	h := NewHistogram()
	// 1..1000 µs, once each.
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.50, 500 * time.Microsecond},
		{0.90, 900 * time.Microsecond},
		{0.99, 990 * time.Microsecond},
		{1.00, 1000 * time.Microsecond},
	}
	for _, tt := range tests {
		got := h.Quantile(tt.q)
		// Never below the true value, at most one bucket (1/128) above.
		if got < tt.want || float64(got) > float64(tt.want)*(1+1.0/subCount) {
			t.Errorf("Quantile(%v) = %v, want %v within +%.1f%%", tt.q, got, tt.want, 100.0/subCount)
		}
	}
	if h.Count() != 1000 {
		t.Errorf("Count = %d, want 1000", h.Count())
	}
	if h.Max() != time.Millisecond {
		t.Errorf("Max = %v, want 1ms", h.Max())
	}
	if m := h.Mean(); m < 500*time.Microsecond || m > 501*time.Microsecond {
		t.Errorf("Mean = %v, want 500.5µs", m)
	}
}

func TestHistogramEdges(t *testing.T) {
	h := NewHistogram()
	if h.Quantile(0.99) != 0 || h.Mean() != 0 {
		t.Fatal("empty histogram should report zero")
	}
	h.RecordNanos(-5)      // clock oddity: counts as 0
	h.RecordNanos(1 << 50) // beyond the tracked range: last bucket, exact max
	if got := h.Quantile(0); got != 0 {
		t.Errorf("Quantile(0) = %v, want 0", got)
	}
	if got := h.Max(); got != 1<<50 {
		t.Errorf("Max = %d, want %d", got, int64(1)<<50)
	}
	if got := h.Quantile(1); got != time.Duration(bucketHigh(numBuckets-1)) {
		t.Errorf("Quantile(1) = %d, want the last bucket's edge", got)
	}
}

func TestHistogramBucketsAreContiguous(t *testing.T) {
	prevHigh := int64(-1)
	for i := range numBuckets {
		lo := prevHigh + 1
		if bucketOf(lo) != i {
			t.Fatalf("bucketOf(%d) = %d, want %d", lo, bucketOf(lo), i)
		}
		if hi := bucketHigh(i); bucketOf(hi) != i {
			t.Fatalf("bucketOf(bucketHigh(%d)=%d) = %d", i, hi, bucketOf(hi))
		}
		prevHigh = bucketHigh(i)
	}
	if prevHigh != maxTrackable {
		t.Fatalf("last bucket ends at %d, want %d", prevHigh, maxTrackable)
	}
}

func TestHistogramMergeAndConcurrency(t *testing.T) {
	a, b := NewHistogram(), NewHistogram()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				a.Record(time.Duration(g*1000+i) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	b.Record(time.Hour)
	b.Merge(a)
	if b.Count() != 4001 {
		t.Errorf("Count = %d, want 4001", b.Count())
	}
	if b.Max() != time.Hour {
		t.Errorf("Max = %v, want 1h", b.Max())
	}
	if p50 := b.Quantile(0.5); p50 < 2*time.Millisecond || p50 > 2020*time.Microsecond {
		t.Errorf("p50 = %v, want about 2ms", p50)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := NewHistogram()
	var i int64
	for b.Loop() {
		i++
		h.RecordNanos(i * 997)
	}
}
