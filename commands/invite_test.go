package commands

import (
	"strconv"
	"testing"
	"time"
)

func TestKnockLimiter(t *testing.T) {
	var k knockLimiter
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		client  uint64
		channel string
		at      time.Duration
		want    bool
	}{
		{1, "#a", 0, true},
		{1, "#a", 30 * time.Second, false},
		{1, "#b", 30 * time.Second, true}, // another channel
		{2, "#a", 30 * time.Second, true}, // another client
		{1, "#a", 59 * time.Second, false},
		{1, "#a", 60 * time.Second, true}, // a minute after the first
		{1, "#a", 61 * time.Second, false},
	}
	for i, s := range steps {
		if got := k.allow(s.client, s.channel, t0.Add(s.at)); got != s.want {
			t.Fatalf("step %d: allow(%d, %s, +%v) = %v, want %v", i, s.client, s.channel, s.at, got, s.want)
		}
	}
}

func TestKnockLimiterBounded(t *testing.T) {
	var k knockLimiter
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 * maxKnocksKept {
		k.allow(uint64(i), "#c"+strconv.Itoa(i), now)
	}
	if n := k.recent.Len(); n > maxKnocksKept {
		t.Fatalf("limiter holds %d knocks, bound is %d", n, maxKnocksKept)
	}
}
