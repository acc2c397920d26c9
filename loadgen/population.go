package loadgen

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// errNotStarted marks clients that a cancelled setup never launched.
var errNotStarted = errors.New("not started: run aborted")

// population is the set of long-lived clients of a connect, fanout or
// direct run. Setup fills it; once setUp returns only the atomics change.
type population struct {
	mu          sync.Mutex
	clients     []*client // by id; nil when that client failed
	start       time.Time // first dial
	lastWelcome time.Time // last 001

	registered atomic.Int64 // got 001 and the end of the MOTD
	joined     atomic.Int64 // fully set up, joins included
	failures   failureTally
	regLat     *Histogram

	readers sync.WaitGroup
	closing atomic.Bool // set by tearDown: read errors after it are expected
}

// setUp connects cfg.Clients clients at most cfg.ConnectRate per second
// and cfg.MaxPending at a time. Each registers and joins channelOf(i) (no
// join for ""), then keeps reading in its own goroutine. setUp returns when
// every client is set up or has failed, or ctx is done.
func (r *runner) setUp(ctx context.Context, channelOf func(i int) string) *population {
	n := r.cfg.Clients
	p := &population{clients: make([]*client, n), regLat: NewHistogram(), start: time.Now()}
	r.pop.Store(p)
	sem := make(chan struct{}, r.cfg.MaxPending)
	var handshakes sync.WaitGroup
	pace := newPacer(r.cfg.ConnectRate, p.start)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()

	launched := 0
launch:
	for launched < n {
		for _, due := pace.due(time.Now()); due > 0 && launched < n; due-- {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				break launch
			}
			handshakes.Add(1)
			go r.runClient(ctx, p, launched, channelOf(launched), func() {
				<-sem
				handshakes.Done()
			})
			launched++
		}
		if launched == n {
			break
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			break launch
		}
	}
	handshakes.Wait()
	for range n - launched {
		p.failures.add("setup", errNotStarted)
	}
	return p
}

// runClient is the whole life of one client's goroutine. It calls
// setupDone exactly once, when setup succeeded or failed, and then (on
// success) reads until teardown.
func (r *runner) runClient(ctx context.Context, p *population, id int, channel string, setupDone func()) {
	c, err := r.handshake(ctx, p, id, channel)
	if err != nil {
		setupDone()
		return
	}
	p.mu.Lock()
	p.clients[id] = c
	p.mu.Unlock()
	p.joined.Add(1)
	p.readers.Add(1)
	defer p.readers.Done()
	setupDone()

	err = c.readLoop()
	if !p.closing.Load() {
		p.failures.add("run", err)
		r.log.Debug("client dropped", "nick", c.nick, "err", err)
	}
}

// handshake dials, registers and joins one client, counting its failure.
// Cancelling ctx aborts it by closing the connection.
func (r *runner) handshake(ctx context.Context, p *population, id int, channel string) (*client, error) {
	start := time.Now()
	c, err := dialClient(ctx, &r.cfg, r.addr, id, nickFor(r.cfg.NickPrefix, id), r.bufSize)
	if err != nil {
		p.failures.add("dial", err)
		return nil, err
	}
	c.lat = r.latFor(id)
	c.epoch = r.epoch
	stop := context.AfterFunc(ctx, func() { _ = c.conn.Close() })
	fail := func(stage string, err error) (*client, error) {
		stop()
		_ = c.conn.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		p.failures.add(stage, err)
		return nil, err
	}
	if err := c.conn.SetReadDeadline(start.Add(r.cfg.HandshakeTimeout)); err != nil {
		return fail("dial", err)
	}
	welcomed, err := c.register()
	if err != nil {
		return fail("register", err)
	}
	p.regLat.Record(welcomed.Sub(start))
	p.registered.Add(1)
	p.noteWelcome(welcomed)
	if channel != "" {
		if err := c.join(channel); err != nil {
			return fail("join", err)
		}
	}
	if err := c.conn.SetReadDeadline(time.Time{}); err != nil {
		return fail("join", err)
	}
	if !stop() {
		return fail("setup", context.Canceled)
	}
	return c, nil
}

// noteWelcome remembers the latest 001.
func (p *population) noteWelcome(t time.Time) {
	p.mu.Lock()
	if t.After(p.lastWelcome) {
		p.lastWelcome = t
	}
	p.mu.Unlock()
}

// ready returns the clients that are set up, in id order.
func (p *population) ready() []*client {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*client, 0, len(p.clients))
	for _, c := range p.clients {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// received sums the load messages every client has received.
func (p *population) received() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, c := range p.clients {
		if c != nil {
			n += c.received.Load()
		}
	}
	return n
}

// regPerSec is registrations per second from the first dial to the last 001.
func (p *population) regPerSec() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	span := p.lastWelcome.Sub(p.start).Seconds()
	if span <= 0 {
		return 0
	}
	return float64(p.registered.Load()) / span
}

// tearDown quits and closes every client and waits (at most wait) for
// their readers to stop.
func (p *population) tearDown(wait time.Duration) {
	p.closing.Store(true)
	for _, c := range p.ready() {
		c.quitAndClose()
	}
	done := make(chan struct{})
	go func() {
		p.readers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(wait):
	}
}
