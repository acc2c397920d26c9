package loadgen

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

func TestPacerNeverSkipsAfterAStall(t *testing.T) {
	start := time.Unix(1000, 0)
	p := newPacer(1000, start)
	if first, n := p.due(start.Add(3 * time.Millisecond)); first != 0 || n != 3 {
		t.Fatalf("after 3 ms: first %d, n %d; want 0, 3", first, n)
	}
	// A 2 s stall: all 1,997 missed events are due at once, none dropped.
	if first, n := p.due(start.Add(2 * time.Second)); first != 3 || n != 1997 {
		t.Fatalf("after a stall: first %d, n %d; want 3, 1997", first, n)
	}
	if _, n := p.due(start.Add(2 * time.Second)); n != 0 {
		t.Fatalf("the same instant again: n %d, want 0", n)
	}
	for _, i := range []int64{0, 3, 1999} {
		if got, want := p.intended(i, start.Add(time.Hour)), start.Add(time.Duration(i)*time.Millisecond); !got.Equal(want) {
			t.Errorf("intended(%d) = %v, want %v", i, got, want)
		}
	}
	unlimited := newPacer(0, start)
	if got := unlimited.intended(5, start.Add(time.Second)); !got.Equal(start.Add(time.Second)) {
		t.Errorf("with no rate, intended = %v, want the write time", got)
	}
}

// TestLateSendsCarryTheirIntendedTime has a shard send, at once, messages
// that were due up to 200 ms ago (a stalled generator): each is stamped
// with its own intended time, not the time of the write, and the send lag
// records how late each went out.
func TestLateSendsCarryTheirIntendedTime(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(b)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	epoch := time.Now().Add(-time.Second)
	start := time.Now().Add(-200 * time.Millisecond)
	sd := &sender{c: &client{id: 7, conn: a}, head: []byte("PRIVMSG #c :"), expect: 1}
	sh := &shard{senders: []*sender{sd}, size: 32, failures: &failureTally{}, lag: NewHistogram()}
	pace := newPacer(1000, start)
	first, n := pace.due(start.Add(200 * time.Millisecond))
	if n != 200 {
		t.Fatalf("due %d, want 200", n)
	}
	go func() {
		sh.sendDue(pace, first, n, epoch)
		_ = a.Close()
	}()
	i := int64(0)
	for line := range lines {
		m, ok := parseLoadPrivmsg([]byte(line))
		if !ok {
			t.Fatalf("not a load line: %q", line)
		}
		want := int64(start.Add(time.Duration(i) * time.Millisecond).Sub(epoch))
		if m.sentNanos != want {
			t.Fatalf("message %d stamped %d, want its intended time %d", i, m.sentNanos, want)
		}
		i++
	}
	if i != 200 || sh.sent.Load() != 200 {
		t.Fatalf("read %d lines, shard counted %d sent; want 200", i, sh.sent.Load())
	}
	if got := sh.lag.Count(); got != 200 {
		t.Fatalf("send lag has %d samples, want 200", got)
	}
	if max := sh.lag.Max(); max < 200*time.Millisecond {
		t.Errorf("the oldest message went out %v late, want at least 200ms", max)
	}
}

func TestGeneratorSaturationIsReported(t *testing.T) {
	at := time.Unix(1000, 0)
	before := ProcSample{CPU: 0, At: at}
	for _, c := range []struct {
		cpu       time.Duration
		threads   int
		saturated bool
	}{
		{1500 * time.Millisecond, 2, false}, // 150% of 160%
		{1700 * time.Millisecond, 2, true},  // 170% of 160%
		{900 * time.Millisecond, 1, true},   // 90% of 80%
	} {
		var r Result
		r.Scenario = string(ScenarioFanout)
		r.fillGenWindow(before, ProcSample{CPU: c.cpu, At: at.Add(time.Second)}, c.threads)
		if r.GenSaturated != c.saturated || r.GenThreads != c.threads {
			t.Errorf("%v CPU in 1 s on %d threads: saturated %v (budget %v%%), want %v",
				c.cpu, c.threads, r.GenSaturated, r.GenBudgetPct, c.saturated)
		}
		var table strings.Builder
		if err := r.WriteTable(&table); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(table.String(), "SATURATED"); got != c.saturated {
			t.Errorf("table says SATURATED: %v, want %v:\n%s", got, c.saturated, table.String())
		}
	}
}
