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

// input is a connection's read side. Whoever acts on the connection (a
// worker the poller woke, its timer, a closer) holds mu, so a client's lines
// are handled one at a time and in order; between events no goroutine
// waits on the client, and an idle client holds no read buffer.
type input struct {
	queued   atomic.Bool // handed to a worker and not yet started
	mu       sync.Mutex
	lr       *lineReader
	bucket   *tokenBucket // nil for exempt clients
	t        timeouts
	timer    *time.Timer
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

// start prepares the read side of a new connection and arms its timer.
func (c *conn) start(cfg *conf.Config, pool *sync.Pool) {
	now := time.Now()
	c.in.lr = newLineReader(rawReader{c.raw}, pool)
	c.in.t = *newTimeouts(now, cfg.Timeouts.Registration)
	if !c.client.Exempt() {
		c.in.bucket = newTokenBucket(cfg.Flood.Rate, cfg.Flood.Burst, now)
	}
	c.in.mu.Lock()
	c.armTimerLocked()
	c.in.mu.Unlock()
}

// onReadable handles everything the client has sent, reading until the
// socket would block. It runs on a poller worker, or on its own when a
// flood delay ends or the connection is closing.
func (c *conn) onReadable() {
	in := &c.in
	in.queued.Store(false)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.finished {
		return
	}
	if in.paused && time.Now().Before(in.resumeAt) && !c.isClosing() {
		// Still throttled: the input waits in the kernel; the flood
		// delay's own timer comes back for it.
		return
	}
	if reason := c.pump(); reason != "" || c.isClosing() {
		c.finishLocked(reason)
		return
	}
	in.lr.release()
	c.armTimerLocked()
}

// wake makes the read side notice that the connection is closing.
func (c *conn) wake() { go c.onReadable() }

// pump handles every complete line available now. It returns a reason
// when the connection must end.
func (c *conn) pump() string {
	in := &c.in
	d := c.srv.disp
	cfg := d.Config()
	if in.paused {
		in.paused = false
		line := in.pending
		in.pending = nil
		processLine(d, c.client, line, cfg)
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
		now := time.Now()
		in.t.heard(now)
		if len(bytes.TrimLeft(line, " ")) == 0 {
			continue
		}
		if in.bucket != nil {
			if wait := in.bucket.take(now); wait > 0 {
				return c.pause(bytes.Clone(line), wait, cfg.Flood.RecvQ)
			}
		}
		processLine(d, c.client, line, cfg)
	}
	return ""
}

// pause holds line back for wait, the flood delay. Meanwhile it reads what
// the client already sent: a client that has more than recvq bytes waiting
// is far past its budget and is disconnected.
func (c *conn) pause(line []byte, wait time.Duration, recvq int) string {
	in := &c.in
	in.pending, in.paused, in.resumeAt = line, true, time.Now().Add(wait)
	for {
		err := in.lr.fill(recvq)
		if err == nil {
			continue
		}
		if errors.Is(err, errBufferFull) {
			return "Excess Flood"
		}
		// Would block, or the end: the resumed pump sees the rest.
		break
	}
	time.AfterFunc(wait, c.onReadable)
	return ""
}

// armTimerLocked sets the connection's timer for its next deadline when
// that is sooner than the one armed. Deadlines are armed lazily: a timer
// that fires early (the client spoke since) re-arms itself.
func (c *conn) armTimerLocked() {
	in := &c.in
	want := in.t.deadline(c.client.Registered(), c.srv.disp.Config().Timeouts)
	if !in.t.armed.IsZero() && !want.Before(in.t.armed) {
		return
	}
	in.t.armed = want
	if in.timer == nil {
		in.timer = time.AfterFunc(time.Until(want), c.onTimer)
	} else {
		in.timer.Reset(time.Until(want))
	}
}

// onTimer enforces the registration and ping timeouts.
func (c *conn) onTimer() {
	in := &c.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.finished {
		return
	}
	in.t.armed = time.Time{}
	if reason := c.expired(c.srv.disp.Config().Timeouts); reason != "" {
		c.finishLocked(reason)
		return
	}
	c.armTimerLocked()
}

// expired checks the deadline: before registration it ends the
// connection; after, a first silence gets a PING and a second ends it.
func (c *conn) expired(cfg conf.Timeouts) string {
	t := &c.in.t
	if time.Now().Before(t.deadline(c.client.Registered(), cfg)) {
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
