package server

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/conference-irc/conference/conf"
)

// errWouldBlock reports that the socket has nothing more to read now.
var errWouldBlock = errors.New("would block")

// Scheduling states of a connection's read side (input.state).
const (
	runIdle  int32 = iota // nobody is handling the connection
	runBusy               // one goroutine (a worker, a timer, a closer) handles it
	runAgain              // busy, and something happened since it looked: look again
)

// States of a command's slow work (input.slow), see processLine. The
// runner and the work's end each move it once per command, in either order.
const (
	slowNone    int32 = iota // no slow work pending
	slowPending              // handed off: the client's next lines wait
	slowDone                 // it ended before the runner marked it pending
)

// input is a connection's read side. One goroutine at a time runs it (see
// notify): a worker the poller woke, its timer, a closer. So a client's
// lines are handled one at a time and in order, a connection never
// occupies more than one worker, and between events no goroutine waits on
// the client; an idle client holds no read buffer. The runner holds mu.
type input struct {
	state    atomic.Int32        // runIdle, runBusy or runAgain
	slow     atomic.Int32        // slowNone, slowPending or slowDone
	resumeFn func(time.Duration) // c.resumeInput, made once
	holdTill time.Time           // a command asked the next lines to wait till then
	mu       sync.Mutex
	lr       *lineReader
	bucket   *tokenBucket // nil for exempt clients
	t        timeouts
	timer    Timer
	pending  []byte    // a line held back by the flood limiter, already paid for
	paused   bool      // waiting out a flood delay
	resumeAt time.Time // when the flood delay ends
	finished bool      // the quit path ran
}

// rawReader reads a non-blocking socket once per call, through the
// RawConn so that the descriptor cannot be closed (and its number reused)
// during the read.
type rawReader struct{ rc syscall.RawConn }

func (r rawReader) Read(p []byte) (int, error) {
	var n int
	var err error
	if cerr := r.rc.Read(func(fd uintptr) bool {
		for {
			n, err = syscall.Read(int(fd), p)
			if err != syscall.EINTR {
				return true // one attempt: never wait for the socket here
			}
		}
	}); cerr != nil {
		return 0, cerr
	}
	switch {
	case err == syscall.EAGAIN:
		return 0, errWouldBlock
	case err != nil:
		return 0, err
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// start prepares the read side of a new connection, reading lines from src
// (the socket, or a TLS or WebSocket stream over it), and arms its timer.
func (c *conn) start(cfg *conf.Config, pool *sync.Pool, src io.Reader) {
	now := c.srv.clock.Now()
	c.in.lr = newLineReader(src, pool)
	c.in.resumeFn = c.resumeInput
	c.in.t = *newTimeouts(now, cfg.Timeouts.Registration)
	if !c.client.Exempt() {
		c.in.bucket = newTokenBucket(cfg.Flood.Rate, cfg.Flood.Burst, now)
	}
	c.in.mu.Lock()
	c.armTimerLocked()
	c.in.mu.Unlock()
}

// notify records that the read side has something to look at: input, a
// deadline, a close. It reports whether the caller must now run it (see
// run). Only one goroutine runs a read side at a time, so a connection
// whose input arrives in many segments never holds several workers; an
// event that arrives while it runs makes the runner look once more, so
// that with the edge-triggered poller no input is ever left unread.
func (in *input) notify() bool {
	for {
		switch in.state.Load() {
		case runIdle:
			if in.state.CompareAndSwap(runIdle, runBusy) {
				return true
			}
		case runBusy:
			if in.state.CompareAndSwap(runBusy, runAgain) {
				return false
			}
		default:
			return false
		}
	}
}

// run handles the read side until no event is left unseen. Only the
// goroutine that notify chose calls it.
func (c *conn) run() {
	for {
		c.onReadable()
		if c.in.state.CompareAndSwap(runBusy, runIdle) {
			return
		}
		c.in.state.Store(runBusy) // it was runAgain: look once more
	}
}

// poke runs the read side on the calling goroutine (a timer's) unless
// someone already runs it, who will then look again.
func (c *conn) poke() {
	if c.in.notify() {
		c.run()
	}
}

// wake makes the read side notice that the connection is closing. Its
// callers hold other clients' work, so the read side runs on a goroutine
// of its own.
func (c *conn) wake() {
	if c.in.notify() {
		go c.run()
	}
}

// onReadable handles everything the client has sent, reading until the
// socket would block, then enforces the deadlines. Only run calls it.
func (c *conn) onReadable() {
	in := &c.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.finished || in.slow.Load() == slowPending {
		// Slow work pending: everything (input, deadlines, a close) waits
		// for resumeInput, so that the quit path never races the work.
		return
	}
	now := c.srv.clock.Now()
	throttled := in.paused && now.Before(in.resumeAt) || now.Before(in.holdTill)
	if !throttled || c.isClosing() {
		// (Still throttled or held: the input waits in the kernel; the
		// delay's own timer comes back for it.)
		reason := c.pump()
		if in.slow.Load() == slowPending {
			return // resumeInput comes back
		}
		if reason != "" || c.isClosing() {
			c.finishLocked(reason)
			return
		}
		in.lr.release()
	}
	if reason := c.expired(c.srv.disp.Config().Timeouts); reason != "" {
		c.finishLocked(reason)
		return
	}
	c.armTimerLocked()
}

// pump handles every complete line available now. It returns a reason
// when the connection must end.
func (c *conn) pump() string {
	in := &c.in
	d := c.srv.disp
	cfg := d.Config()
	if in.bucket != nil {
		in.bucket.tune(cfg.Flood.Rate, cfg.Flood.Burst) // a reload applies at once
	}
	if in.paused {
		in.paused = false
		line := in.pending
		in.pending = nil
		if c.dispatch(line, cfg) {
			return ""
		}
	}
	for !c.isClosing() {
		line, err := in.lr.next()
		switch {
		case errors.Is(err, errWouldBlock):
			return ""
		case errors.Is(err, errLineTooLong):
			d.InputTooLong(c.client)
			continue
		case err != nil:
			return "Connection closed"
		}
		c.srv.stats.read(line)
		now := c.srv.clock.Now()
		in.t.heard(now)
		if len(bytes.TrimLeft(line, " ")) == 0 {
			continue
		}
		if c.readdressed.Load() {
			c.followAddress(now, cfg)
		}
		if in.bucket != nil {
			if wait := in.bucket.take(now); wait > 0 {
				return c.pause(bytes.Clone(line), wait, cfg.Flood.RecvQ)
			}
		}
		if c.dispatch(line, cfg) {
			// The rest waits in the line reader and the socket.
			return ""
		}
	}
	return ""
}

// dispatch handles one line of the client's; it reports whether the
// client's next lines must wait (the command handed slow work off).
func (c *conn) dispatch(line []byte, cfg *conf.Config) bool {
	c.own.Store(true) // its replies may burst past sendq (see replyBurst)
	inProgress := processLine(c.srv.disp, c.client, line, cfg, c.in.resumeFn)
	c.own.Store(false)
	return c.handOff(inProgress)
}

// handOff records that the command just dispatched handed slow work off
// (inProgress); it reports whether the client's next lines must wait.
func (c *conn) handOff(inProgress bool) bool {
	if !inProgress {
		return false
	}
	if c.in.slow.CompareAndSwap(slowNone, slowPending) {
		return true
	}
	c.in.slow.Store(slowNone) // it is done already: carry on
	return false
}

// resumeInput is called when a command's slow work has ended: the
// client's input carries on, on a poller worker, from the lines already
// buffered in its line reader and then the socket (read until it would
// block, so that nothing that arrived meanwhile is lost to the
// edge-triggered poller); after hold, when the command asked for one.
func (c *conn) resumeInput(hold time.Duration) {
	if hold > 0 {
		c.in.mu.Lock()
		c.in.holdTill = c.srv.clock.Now().Add(hold)
		c.in.mu.Unlock()
		c.srv.clock.AfterFunc(hold, c.poke)
	}
	if c.in.slow.CompareAndSwap(slowNone, slowDone) {
		return // the runner has not marked it pending yet: it carries on
	}
	c.in.slow.Store(slowNone)
	if c.in.notify() {
		c.srv.poller.submit(c)
	}
}

// pause holds line back for wait, the flood delay. Meanwhile it reads what
// the client already sent: a client that has more than recvq bytes waiting
// is far past its budget and is disconnected.
func (c *conn) pause(line []byte, wait time.Duration, recvq int) string {
	in := &c.in
	in.pending, in.paused, in.resumeAt = line, true, c.srv.clock.Now().Add(wait)
	for {
		err := in.lr.fill(recvq)
		if err == nil {
			continue
		}
		if errors.Is(err, errBufferFull) {
			c.srv.stats.floodDrops.Add(1)
			return "Excess Flood"
		}
		// Would block, or the end: the resumed pump sees the rest.
		break
	}
	c.srv.clock.AfterFunc(wait, c.poke)
	return ""
}

// armTimerLocked sets the connection's timer for its next deadline when
// that is sooner than the one armed (or the armed one has passed).
// Deadlines are armed lazily: a timer that fires early (the client spoke
// since) only makes the read side look, and re-arm.
func (c *conn) armTimerLocked() {
	in := &c.in
	now := c.srv.clock.Now()
	want := in.t.deadline(c.client.Registered(), c.srv.disp.Config().Timeouts)
	if in.t.armed.After(now) && !want.Before(in.t.armed) {
		return
	}
	in.t.armed = want
	if in.timer == nil {
		in.timer = c.srv.clock.AfterFunc(want.Sub(now), c.poke)
	} else {
		in.timer.Reset(want.Sub(now))
	}
}

// expired checks the deadline: before registration it ends the
// connection; after, a first silence gets a PING and a second ends it.
func (c *conn) expired(cfg conf.Timeouts) string {
	t := &c.in.t
	if c.srv.clock.Now().Before(t.deadline(c.client.Registered(), cfg)) {
		return ""
	}
	if !c.client.Registered() {
		return "Registration timed out"
	}
	if t.pinged {
		return "Ping timeout: " + strconv.Itoa(int(cfg.Ping.Seconds())) + " seconds"
	}
	t.pinged = true
	c.Send([]byte("PING :" + c.srv.disp.Config().Server.Name + "\r\n"))
	return ""
}

// finishLocked runs the quit path once: ERROR to the client, QUIT to its
// peers, its nick freed; then the socket closes once the queue is written.
func (c *conn) finishLocked(reason string) {
	in := &c.in
	in.finished = true
	if r := c.closeReason(); r != "" {
		reason = r
	}
	if reason == "" {
		reason = "Connection closed"
	}
	c.startClose(reason)
	if in.timer != nil {
		in.timer.Stop()
	}
	c.srv.poller.remove(c)
	in.lr.drop()
	in.pending = nil
	// A client that stopped reading would keep the writer blocked forever.
	c.nc.SetWriteDeadline(time.Now().Add(closeGrace))
	c.srv.disp.Quit(c.client, reason)
	c.hangUp()
}
