package loadgen

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxShards caps the scheduler goroutines; each owns a share of senders.
const maxShards = 8

// drainPoll is how often the drain checks whether every delivery arrived.
const drainPoll = 5 * time.Millisecond

// padding is the filler of load messages, sliced to size, never written.
var padding = strings.Repeat("x", MaxSize)

// sender is a client that sends load messages; one shard owns it.
type sender struct {
	c      *client
	head   []byte // "PRIVMSG <target> :"
	expect int64  // deliveries each message should produce
	seq    int64
	buf    []byte // reused batch buffer
	dead   bool
}

// shard paces the messages of its senders with one ticker.
type shard struct {
	senders  []*sender
	rate     float64
	size     int
	next     int // round-robin cursor for the remainder of each tick
	sent     atomic.Int64
	expected atomic.Int64
	failures *failureTally
	lag      *Histogram // write done - intended, per message; may be nil
}

// runTraffic is the fanout and direct scenarios: set up, send at the target
// rate for the duration, wait for stragglers, measure, tear down.
func (r *runner) runTraffic(ctx context.Context, res *Result) {
	channelOf := r.channelOf
	if r.cfg.Scenario == ScenarioDirect {
		channelOf = noChannel
	}
	pop := r.setUpWithProgress(ctx, channelOf)
	defer func() {
		r.sampleAfter()
		pop.tearDown(teardownWait)
		fillSetup(res, pop)
	}()
	if ctx.Err() != nil {
		return
	}
	var senders []*sender
	if r.cfg.Scenario == ScenarioFanout {
		senders = r.fanoutSenders(pop.ready())
	} else {
		senders = directSenders(pop.ready())
	}
	res.Senders = len(senders)
	if len(senders) == 0 {
		r.log.Error("no client can send: too few clients set up", "joined", pop.joined.Load())
		return
	}
	shards := makeShards(senders, r.cfg.Rate, r.cfg.Size, &pop.failures)
	lag := NewHistogram()
	for _, s := range shards {
		s.lag = lag
	}

	totals := func() (sent, expected int64) {
		for _, s := range shards {
			sent += s.sent.Load()
			expected += s.expected.Load()
		}
		return sent, expected
	}
	stop := r.startProgress("send", func() []any {
		sent, expected := totals()
		return []any{"joined", pop.joined.Load(), "sent", sent, "expected", expected,
			"received", pop.received(), "failed", pop.failures.count()}
	})
	selfBefore, selfErr := ReadProc(os.Getpid())
	start := time.Now()
	end := start.Add(r.cfg.Duration)
	var wg sync.WaitGroup
	for _, s := range shards {
		wg.Go(func() { s.run(ctx, r.epoch, start, end) })
	}
	wg.Wait()
	window := time.Since(start)
	sent, expected := totals()
	drained := r.drain(ctx, pop, expected)
	stop()
	if selfAfter, err := ReadProc(os.Getpid()); err == nil && selfErr == nil {
		res.fillGenWindow(selfBefore, selfAfter, runtime.GOMAXPROCS(0))
		if res.GenSaturated {
			r.log.Warn("the generator was near saturation while sending: its latencies include its own delays",
				"cpu_pct", round1(res.GenSendCPUPct), "budget_pct", res.GenBudgetPct, "threads", res.GenThreads)
		}
	}

	received := pop.received()
	lat := r.latency()
	res.Sent, res.Expected, res.Received = sent, expected, received
	res.Lost = max(expected-received, 0)
	res.SentPerSec = float64(sent) / window.Seconds()
	res.DeliveriesPerSec = float64(received) / (window + drained).Seconds()
	res.P50Ms = ms(lat.Quantile(0.50))
	res.P90Ms = ms(lat.Quantile(0.90))
	res.P99Ms = ms(lat.Quantile(0.99))
	res.MaxMs = ms(lat.Max())
	res.MeanMs = ms(lat.Mean())
	res.SendLagP50Ms = ms(lag.Quantile(0.50))
	res.SendLagP99Ms = ms(lag.Quantile(0.99))
	res.SendLagMaxMs = ms(lag.Max())
}

// drain waits until every expected delivery arrived, cfg.Drain passed or
// ctx is done, and returns how long it waited.
func (r *runner) drain(ctx context.Context, pop *population, expected int64) time.Duration {
	start := time.Now()
	deadline := start.Add(r.cfg.Drain)
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for pop.received() < expected && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return time.Since(start)
		case <-t.C:
		}
	}
	return time.Since(start)
}

// fanoutSenders picks cfg.Senders clients spread over the channels: sender
// k is the (k/C)-th member of channel k mod C. A message to a channel is
// expected to reach every other member.
func (r *runner) fanoutSenders(ready []*client) []*sender {
	nch := r.cfg.Channels
	members := make([][]*client, nch)
	for _, c := range ready {
		members[c.id%nch] = append(members[c.id%nch], c)
	}
	var out []*sender
	for k := range r.cfg.Senders {
		ch, idx := k%nch, k/nch
		if idx >= len(members[ch]) {
			continue
		}
		out = append(out, &sender{
			c:      members[ch][idx],
			head:   []byte("PRIVMSG " + channelFor(r.cfg.NickPrefix, ch) + " :"),
			expect: int64(len(members[ch]) - 1),
		})
	}
	if len(out) < r.cfg.Senders {
		r.log.Warn("fewer senders than asked: channels lack members", "asked", r.cfg.Senders, "got", len(out))
	}
	return out
}

// directSenders pairs ready clients (0 with 1, 2 with 3, ...); each sends
// to its partner. An odd client out stays silent.
func directSenders(ready []*client) []*sender {
	var out []*sender
	for i := 0; i+1 < len(ready); i += 2 {
		a, b := ready[i], ready[i+1]
		out = append(out,
			&sender{c: a, head: []byte("PRIVMSG " + b.nick + " :"), expect: 1},
			&sender{c: b, head: []byte("PRIVMSG " + a.nick + " :"), expect: 1})
	}
	return out
}

// makeShards deals senders round-robin to at most maxShards shards, each
// with its share of the rate.
func makeShards(senders []*sender, rate float64, size int, failures *failureTally) []*shard {
	n := min(len(senders), maxShards)
	shards := make([]*shard, n)
	for i := range shards {
		shards[i] = &shard{size: size, failures: failures}
	}
	for i, s := range senders {
		shards[i%n].senders = append(shards[i%n].senders, s)
	}
	for _, s := range shards {
		s.rate = rate * float64(len(s.senders)) / float64(len(senders))
	}
	return shards
}

// run sends the shard's due messages on every tick from start until end.
func (s *shard) run(ctx context.Context, epoch, start, end time.Time) {
	pace := newPacer(s.rate, start)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		last := !now.Before(end)
		if last {
			now = end
		}
		first, n := pace.due(now)
		s.sendDue(pace, first, n, epoch)
		if last {
			return
		}
	}
}

// sendDue spreads the n messages from event first over the senders: each
// gets n/len, and the remainder goes to the next ones in turn, so every
// sender gets its share. Each message is stamped with its intended time.
func (s *shard) sendDue(pace *pacer, first, n int64, epoch time.Time) {
	m := len(s.senders)
	if n <= 0 || m == 0 {
		return
	}
	per, rem := n/int64(m), int(n%int64(m))
	visit := m
	if per == 0 {
		visit = rem
	}
	next := first
	for j := range visit {
		k := per
		if j < rem {
			k++
		}
		s.send(s.senders[(s.next+j)%m], pace, next, k, epoch)
		next += k
	}
	s.next = (s.next + rem) % m
}

// send writes k messages of one sender, events first..first+k-1, in one
// write. Each carries its intended send time; how late the write finished
// after it goes to the shard's send-lag histogram (the generator's own
// lateness, plus any time the server made the write wait).
func (s *shard) send(sd *sender, pace *pacer, first, k int64, epoch time.Time) {
	if sd.dead || k <= 0 {
		return
	}
	now := time.Now()
	buf := sd.buf[:0]
	for i := range k {
		sd.seq++
		stamp := int64(pace.intended(first+i, now).Sub(epoch))
		buf = appendLoadLine(buf, sd.head, int64(sd.c.id), sd.seq, stamp, s.size)
	}
	sd.buf = buf
	if err := sd.c.write(buf); err != nil {
		sd.dead = true
		s.failures.add("send", err)
		return
	}
	if s.lag != nil {
		done := time.Now()
		for i := range k {
			s.lag.Record(done.Sub(pace.intended(first+i, now)))
		}
	}
	s.sent.Add(k)
	s.expected.Add(k * sd.expect)
}

// appendLoadLine appends "<head><id> <seq> <nanos>[ xxx...]\r\n", padding
// the text to size bytes when it is shorter.
func appendLoadLine(buf, head []byte, id, seq, nanos int64, size int) []byte {
	buf = append(buf, head...)
	textStart := len(buf)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, seq, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, nanos, 10)
	if pad := size - (len(buf) - textStart) - 1; pad > 0 {
		buf = append(buf, ' ')
		buf = append(buf, padding[:pad]...)
	}
	return append(buf, '\r', '\n')
}
