package loadgen

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// churnStats are the shared counters of a churn run.
type churnStats struct {
	launched   atomic.Int64
	skipped    atomic.Int64 // due cycles dropped because every worker was busy
	registered atomic.Int64
	joined     atomic.Int64
	completed  atomic.Int64
	failures   failureTally
	regLat     *Histogram
	cycleLat   *Histogram
}

// runChurn starts cycles (connect, register, join, speak, quit) at
// cfg.Rate per second for the duration, with at most cfg.Clients in flight:
// one worker per slot, each reusing its slot's nick.
func (r *runner) runChurn(ctx context.Context, res *Result) {
	st := &churnStats{regLat: NewHistogram(), cycleLat: NewHistogram()}
	tokens := make(chan struct{})
	var workers sync.WaitGroup
	for slot := range r.cfg.Clients {
		workers.Go(func() {
			for range tokens {
				r.churnCycle(ctx, slot, st)
			}
		})
	}
	stop := r.startProgress("churn", func() []any {
		return []any{"launched", st.launched.Load(), "completed", st.completed.Load(),
			"failed", st.failures.count(), "skipped", st.skipped.Load()}
	})
	start := time.Now()
	r.launchCycles(ctx, start, start.Add(r.cfg.Duration), tokens, st)
	close(tokens)
	workers.Wait()
	elapsed := time.Since(start)
	stop()
	r.sampleAfter()

	res.Registered = st.registered.Load()
	res.Joined = st.joined.Load()
	res.Cycles = st.completed.Load()
	res.CyclesLaunched = st.launched.Load()
	res.Skipped = st.skipped.Load()
	res.CyclesPerSec = float64(res.Cycles) / elapsed.Seconds()
	res.RegPerSec = float64(res.Registered) / elapsed.Seconds()
	res.Failed, res.Failures = st.failures.snapshot()
	res.RegP50Ms = ms(st.regLat.Quantile(0.50))
	res.RegP99Ms = ms(st.regLat.Quantile(0.99))
	res.RegMaxMs = ms(st.regLat.Max())
	res.P50Ms = ms(st.cycleLat.Quantile(0.50))
	res.P90Ms = ms(st.cycleLat.Quantile(0.90))
	res.P99Ms = ms(st.cycleLat.Quantile(0.99))
	res.MaxMs = ms(st.cycleLat.Max())
	res.MeanMs = ms(st.cycleLat.Mean())
}

// launchCycles hands out one token per due cycle until end; a token no idle
// worker takes at once is dropped and counted as skipped, so a saturated
// server lowers the achieved rate instead of building a backlog.
func (r *runner) launchCycles(ctx context.Context, start, end time.Time, tokens chan<- struct{}, st *churnStats) {
	pace := newPacer(r.cfg.Rate, start)
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
		for _, due := pace.due(now); due > 0; due-- {
			select {
			case tokens <- struct{}{}:
				st.launched.Add(1)
			default:
				st.skipped.Add(1)
			}
		}
		if last {
			return
		}
	}
}

// churnCycle is one connect-register-join-speak-quit cycle of slot.
func (r *runner) churnCycle(ctx context.Context, slot int, st *churnStats) {
	start := time.Now()
	c, err := dialClient(ctx, &r.cfg, r.addr, slot, nickFor(r.cfg.NickPrefix, slot), 4<<10)
	if err != nil {
		st.failures.add("dial", err)
		return
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.Close() })
	defer func() {
		stop()
		_ = c.conn.Close()
	}()
	fail := func(stage string, err error) {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		st.failures.add(stage, err)
	}
	if err := c.conn.SetReadDeadline(start.Add(r.cfg.HandshakeTimeout)); err != nil {
		fail("dial", err)
		return
	}
	welcomed, err := c.register()
	if err != nil {
		fail("register", err)
		return
	}
	st.registered.Add(1)
	st.regLat.Record(welcomed.Sub(start))
	target := c.nick
	if r.cfg.Channels > 0 {
		target = channelFor(r.cfg.NickPrefix, slot%r.cfg.Channels)
		if err := c.join(target); err != nil {
			fail("join", err)
			return
		}
		st.joined.Add(1)
	}
	msg := appendLoadLine(nil, []byte("PRIVMSG "+target+" :"), int64(slot), 1, int64(time.Since(r.epoch)), r.cfg.Size)
	msg = append(msg, "QUIT :churn\r\n"...)
	if err := c.write(msg); err != nil {
		fail("quit", err)
		return
	}
	if err := waitClosed(c); err != nil {
		fail("quit", err)
		return
	}
	st.cycleLat.Record(time.Since(start))
	st.completed.Add(1)
}

// waitClosed reads until the server closes the connection after QUIT; an
// ERROR line before the close is the normal goodbye.
func waitClosed(c *client) error {
	for {
		line, err := c.readLine()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if cmd, params := splitCommand(line); string(cmd) == "PING" {
			if err := c.pong(params); err != nil {
				return err
			}
		}
	}
}
