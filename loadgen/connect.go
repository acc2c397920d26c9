package loadgen

import "context"

// runConnect opens every client as fast as allowed, holds them for the
// scenario's duration (answering PINGs), measures the server, and closes.
func (r *runner) runConnect(ctx context.Context, res *Result) {
	pop := r.setUpWithProgress(ctx, r.channelOf)
	if pop.joined.Load() > 0 {
		stop := r.startProgress("hold", r.setupFields)
		waitFor(ctx, r.cfg.Duration)
		stop()
	}
	r.sampleAfter()
	pop.tearDown(teardownWait)
	fillSetup(res, pop)
}

// setUpWithProgress runs setUp while logging progress.
func (r *runner) setUpWithProgress(ctx context.Context, channelOf func(int) string) *population {
	stop := r.startProgress("setup", r.setupFields)
	pop := r.setUp(ctx, channelOf)
	stop()
	r.log.Info("setup done", "registered", pop.registered.Load(), "joined", pop.joined.Load(),
		"failed", pop.failures.count(), "reg_per_sec", round1(pop.regPerSec()))
	return pop
}

// channelOf puts client i in channel i mod Channels; none without channels.
func (r *runner) channelOf(i int) string {
	if r.cfg.Channels == 0 {
		return ""
	}
	return channelFor(r.cfg.NickPrefix, i%r.cfg.Channels)
}

// noChannel is the channelOf of scenarios that join nothing.
func noChannel(int) string { return "" }

// setupFields are the progress figures of a population.
func (r *runner) setupFields() []any {
	p := r.pop.Load()
	if p == nil {
		return nil
	}
	return []any{"registered", p.registered.Load(), "joined", p.joined.Load(), "failed", p.failures.count()}
}

// fillSetup copies a population's figures into res.
func fillSetup(res *Result, p *population) {
	res.Registered = p.registered.Load()
	res.Joined = p.joined.Load()
	res.Failed, res.Failures = p.failures.snapshot()
	res.RegPerSec = p.regPerSec()
	res.RegP50Ms = ms(p.regLat.Quantile(0.50))
	res.RegP99Ms = ms(p.regLat.Quantile(0.99))
	res.RegMaxMs = ms(p.regLat.Max())
}
