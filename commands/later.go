package commands

import (
	"runtime"
	"sync"
	"time"
)

// Slow work (a password hash, a database read or write, anything that may
// wait on a disk or a network) never runs on the workers that dispatch
// everyone's lines. A handler hands it off with Request.Later and returns;
// the step runs on the slow pool with the same Request, replies through it
// (labels and batches intact), and may hand off a further step. When a
// step returns without one, the request ends (its final flush) and the
// client's input resumes: its next lines wait, in order, until then. The
// rules are in docs/architecture.md ("Slow work").

// Later runs step on the slow pool once the handler (or the current step)
// has returned. The handler must not touch r after calling Later; step
// gets r back, and may itself call Later or Hold. A step is skipped when
// the client's connection is closing by then.
func (r *Request) Later(step func(r *Request)) { r.next = step }

// Hold makes the client's next lines wait d more once this request has
// ended: the way to slow one client down (after a failed password, say)
// without holding a goroutine or slowing anyone else. A closing
// connection does not wait.
func (r *Request) Hold(d time.Duration) { r.hold = max(r.hold, d) }

// end finishes the request, or hands its next step off when there is one.
// It reports whether the request is still in progress.
func (r *Request) end() (inProgress bool) {
	step := r.next
	if step == nil {
		r.flush()
		if r.handedOff && r.resume != nil {
			r.resume(r.hold)
		}
		return false
	}
	r.next, r.handedOff = nil, true
	r.d.slow.submit(func() {
		if !r.Client.Closing() {
			step(r)
		}
		r.end()
	})
	return true
}

// slowPool runs slow steps on a few goroutines of its own. Its queue needs
// no bound of its own: each connection has at most one step in it, since
// the connection's input waits while its step is pending.
type slowPool struct {
	max int

	mu      sync.Mutex
	queue   []func()
	running int
}

// newSlowPool sizes the pool for CPU-bound steps (password hashes): half
// the cores, one at least, so that however many checks are queued the
// other half stays free for the workers that dispatch everyone's lines
// (on 2 cores: a PING's worst round trip 12-47 ms under a flood of wrong
// OPERs with it, 120-260 ms with both cores hashing; BENCHMARKS.md).
func newSlowPool() *slowPool { return &slowPool{max: max(1, runtime.GOMAXPROCS(0)/2)} }

// submit queues f, starting a goroutine for it when fewer than max run.
func (p *slowPool) submit(f func()) {
	p.mu.Lock()
	if p.running < p.max {
		p.running++
		p.mu.Unlock()
		go p.loop(f)
		return
	}
	p.queue = append(p.queue, f)
	p.mu.Unlock()
}

// loop runs f, then whatever is queued, and ends when the queue is empty.
func (p *slowPool) loop(f func()) {
	for {
		f()
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.running--
			p.queue = nil // an idle pool keeps no memory
			p.mu.Unlock()
			return
		}
		f = p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()
	}
}
