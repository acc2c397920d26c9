package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"
)

// latStripes spreads latency recording over a few histograms so that the
// readers on different cores rarely touch the same counters.
const latStripes = 8

// fdSlack is the descriptors the process needs besides its connections.
const fdSlack = 64

// runner holds what one Run shares between its phases.
type runner struct {
	cfg     Config
	log     *slog.Logger
	addr    string    // resolved "ip:port"
	epoch   time.Time // time zero of load message timestamps
	bufSize int       // each connection's read buffer
	lat     [latStripes]*Histogram
	pop     atomic.Pointer[population]

	server, self   ProcSample // before the run
	serverAfter    ProcSample
	selfAfter      ProcSample
	measuredServer bool
}

// Run executes the scenario of cfg against its server and returns the
// figures. It stops by itself: after cfg.Timeout at the latest, or soon
// after ctx is cancelled, in which case the figures so far are returned
// with Result.Aborted set. It returns an error only when the run could not
// start (bad configuration, non-loopback target, unreadable PID, too few
// file descriptors).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", err)
	}
	addr, err := ResolveTarget(ctx, cfg.Addr, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	if err := checkFileLimit(cfg.Clients, cfg.Logger); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, log: cfg.Logger, addr: addr, bufSize: readBufferSize(cfg.Clients)}
	for i := range r.lat {
		r.lat[i] = NewHistogram()
	}
	if err := r.sampleBefore(); err != nil {
		return nil, err
	}

	runCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	r.epoch = time.Now()
	r.log.Info("run starting", "scenario", cfg.Scenario, "target", addr, "clients", cfg.Clients,
		"channels", cfg.Channels, "rate", cfg.Rate, "duration", cfg.Duration)

	res := &Result{Scenario: string(cfg.Scenario), Params: paramsOf(cfg)}
	switch cfg.Scenario {
	case ScenarioConnect:
		r.runConnect(runCtx, res)
	case ScenarioFanout, ScenarioDirect:
		r.runTraffic(runCtx, res)
	case ScenarioChurn:
		r.runChurn(runCtx, res)
	}
	res.ElapsedSec = time.Since(r.epoch).Seconds()
	switch {
	case ctx.Err() != nil:
		res.Aborted = "interrupted"
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		res.Aborted = "timeout"
	}
	r.fillProcFigures(res)
	res.judge(cfg)
	r.log.Info("run finished", "scenario", cfg.Scenario, "pass", res.Pass, "aborted", res.Aborted)
	return res, nil
}

// checkFileLimit raises the open file limit and refuses runs it cannot hold.
func checkFileLimit(clients int, log *slog.Logger) error {
	limit, err := RaiseOpenFileLimit()
	if err != nil {
		log.Warn("cannot raise the open file limit", "err", err)
	}
	if need := uint64(clients) + fdSlack; need > limit {
		return fmt.Errorf("%d clients need about %d open files, but this process may open %d: "+
			"run several generator processes, each with fewer clients and its own -nick-prefix",
			clients, need, limit)
	}
	return nil
}

// readBufferSize picks each connection's read buffer: large for few
// connections (fewer system calls), small for many (bounded memory, about
// 256 MiB in all at most).
func readBufferSize(clients int) int {
	return min(max((256<<20)/max(clients, 1), 4<<10), 64<<10)
}

// latFor returns the latency histogram stripe of client id.
func (r *runner) latFor(id int) *Histogram { return r.lat[id%latStripes] }

// latency merges the stripes.
func (r *runner) latency() *Histogram {
	h := NewHistogram()
	for _, s := range r.lat {
		h.Merge(s)
	}
	return h
}

// sampleBefore reads the server's and our own CPU and memory.
func (r *runner) sampleBefore() error {
	if r.cfg.PID > 0 {
		s, err := ReadProc(r.cfg.PID)
		if err != nil {
			return fmt.Errorf("measure server (-pid %d): %w", r.cfg.PID, err)
		}
		r.server, r.measuredServer = s, true
	}
	if s, err := ReadProc(os.Getpid()); err == nil {
		r.self = s
	}
	return nil
}

// sampleAfter reads the same figures again, while the load is still
// connected, so that RSS reflects the loaded server.
func (r *runner) sampleAfter() {
	if r.measuredServer {
		s, err := ReadProc(r.cfg.PID)
		if err != nil {
			r.log.Warn("cannot measure server after the run", "pid", r.cfg.PID, "err", err)
			r.measuredServer = false
		} else {
			r.serverAfter = s
		}
	}
	if s, err := ReadProc(os.Getpid()); err == nil {
		r.selfAfter = s
	}
}

// fillProcFigures turns the samples into CPU and memory figures.
func (r *runner) fillProcFigures(res *Result) {
	if !r.selfAfter.At.IsZero() && !r.self.At.IsZero() {
		res.GenCPUSec, res.GenCPUPct = cpuFigures(r.self, r.selfAfter)
		res.GenRSSKiB = r.selfAfter.RSSKiB
	}
	if !r.measuredServer || r.serverAfter.At.IsZero() {
		return
	}
	res.ServerMeasured = true
	res.ServerCPUSec, res.ServerCPUPct = cpuFigures(r.server, r.serverAfter)
	res.ServerRSSKiB = r.serverAfter.RSSKiB
	res.ServerRSSBeforeKiB = r.server.RSSKiB
	// Churn's clients come and go: growth per client means nothing there.
	if res.Joined > 0 && r.cfg.Scenario != ScenarioChurn {
		res.RSSPerClientKiB = float64(r.serverAfter.RSSKiB-r.server.RSSKiB) / float64(res.Joined)
	}
}

// cpuFigures returns CPU seconds used between two samples and that as a
// percentage of one core over the wall time between them.
func cpuFigures(before, after ProcSample) (sec, pct float64) {
	sec = (after.CPU - before.CPU).Seconds()
	if wall := after.At.Sub(before.At).Seconds(); wall > 0 {
		pct = 100 * sec / wall
	}
	return sec, pct
}

// startProgress logs fields() every ProgressEvery until the returned stop
// is called.
func (r *runner) startProgress(phase string, fields func() []any) (stop func()) {
	if r.cfg.ProgressEvery <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(r.cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.log.Info("progress", append([]any{"phase", phase}, fields()...)...)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// waitFor blocks for d or until ctx is done.
func waitFor(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// teardownWait bounds how long teardown waits for readers to notice.
const teardownWait = 10 * time.Second
