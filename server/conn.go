package server

import (
	"bytes"
	"errors"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/conference-irc/conference/commands"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// maxSpareBatch bounds the queue slice a connection keeps for reuse: a
// burst (a big JOIN, a LIST) should not pin its memory on an idle client.
const maxSpareBatch = 64

// closeGrace bounds how long a closing connection may take to write its
// last lines (the ERROR) to a client that stopped reading.
const closeGrace = 10 * time.Second

// conn is one client connection: the reader loop runs in serve; a writer
// goroutine exists only while there is something queued to write.
type conn struct {
	srv    *Server
	nc     net.Conn
	client *users.Client
	host   string

	mu       sync.Mutex
	queue    [][]byte
	spare    [][]byte
	queued   int
	writing  bool
	closing  bool
	hangup   bool          // the quit path ran: close the socket once the queue is written
	flushed  chan struct{} // closed by the writer when it has hung up
	reason   string
	sendqMax int

	done chan struct{} // the reader's handoff channel to the workers
}

// run executes f on a dispatcher worker, in order with this client's
// other commands.
func (c *conn) run(f func()) { c.srv.workers.do(c.done, f) }

// Send queues a line; past the send queue limit the client is cut off.
func (c *conn) Send(line []byte) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	if c.queued+len(line) > c.sendqMax {
		c.closing = true
		c.reason = "SendQ exceeded"
		c.queue, c.queued = nil, 0
		c.mu.Unlock()
		c.nc.Close()
		return
	}
	c.queue = append(c.queue, line)
	c.queued += len(line)
	c.startWriterLocked()
	c.mu.Unlock()
}

// Close sends ERROR with the reason and wakes the reader, which runs the
// quit path and then hangs up once the queue is written. The socket stays
// open until the quit path is done, so that a client that sees it close
// also finds its QUIT delivered, its nick free and its WHOWAS recorded.
func (c *conn) Close(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.closing, c.reason = true, reason
	line := []byte("ERROR :Closing Link: " + c.host + " (" + reason + ")\r\n")
	c.queue = append(c.queue, line)
	c.startWriterLocked()
	c.nc.SetReadDeadline(time.Now())
}

// hangUp closes the socket once whatever is queued has been written, and
// returns when it is closed: a server shutting down waits for its clients'
// last lines this way (bounded by closeGrace).
func (c *conn) hangUp() {
	c.mu.Lock()
	c.hangup = true
	if !c.writing {
		c.mu.Unlock()
		c.nc.Close()
		return
	}
	c.flushed = make(chan struct{})
	flushed := c.flushed
	c.mu.Unlock()
	<-flushed
}

// writerDoneLocked records that the writer stops, closing the socket and
// waking hangUp when the connection is hanging up.
func (c *conn) writerDoneLocked() {
	c.writing = false
	if c.hangup {
		c.nc.Close()
		if c.flushed != nil {
			close(c.flushed)
			c.flushed = nil
		}
	}
}

// closeReason is why the connection is closing ("" while it is not).
func (c *conn) closeReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

func (c *conn) startWriterLocked() {
	if !c.writing {
		c.writing = true
		go c.writeLoop()
	}
}

// writeLoop drains the queue with one writev per batch until it is empty.
func (c *conn) writeLoop() {
	for {
		// Let whatever else is runnable (workers fanning out) go first:
		// under load more lines join this batch, one system call for
		// many; with nothing else to run this returns at once.
		runtime.Gosched()
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.writerDoneLocked()
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue, c.spare = c.spare[:0], nil
		c.queued = 0
		c.mu.Unlock()

		bufs := net.Buffers(batch)
		_, err := bufs.WriteTo(c.nc)
		clear(batch)

		c.mu.Lock()
		if cap(batch) <= maxSpareBatch {
			c.spare = batch[:0]
		}
		if err != nil {
			c.closing = true
			if c.reason == "" {
				c.reason = writeErrorReason(err)
			}
			c.queue = nil
			c.nc.Close()
			c.writerDoneLocked()
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

func writeErrorReason(err error) string {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "Write timeout"
	}
	return "Write error"
}

// serve is the connection's reader loop; it returns when the client is gone.
func (c *conn) serve() {
	s := c.srv
	defer s.forget(c)
	lr := newLineReader(c.nc)
	cfg := s.disp.Config()
	// Connection timing uses the wall clock: socket deadlines live there.
	now := time.Now()
	var bucket *tokenBucket
	if !c.client.Exempt() {
		bucket = newTokenBucket(cfg.Flood.Rate, cfg.Flood.Burst, now)
	}
	t := newTimeouts(now, cfg.Timeouts.Registration)
	reason := ""
	for reason == "" && !c.isClosing() {
		reason = c.readOne(lr, bucket, t)
	}
	if r := c.closeReason(); r != "" {
		reason = r
	}
	c.Close(reason)
	// A client that stopped reading would keep the writer blocked forever.
	c.nc.SetWriteDeadline(time.Now().Add(closeGrace))
	c.run(func() { s.disp.Quit(c.client, reason) })
	c.hangUp()
}

// readOne reads, checks, throttles and dispatches one line; it returns a
// reason when the connection must end.
func (c *conn) readOne(lr *lineReader, bucket *tokenBucket, t *timeouts) string {
	s := c.srv
	cfg := s.disp.Config()
	// Re-arm when the deadline fired, or when it must come sooner: at
	// registration the ping interval replaces the registration timeout.
	if want := t.deadline(c.client.Registered(), cfg.Timeouts); t.armed.IsZero() || want.Before(t.armed) {
		t.armed = want
		c.nc.SetReadDeadline(t.armed)
	}
	line, err := lr.next()
	if err != nil {
		return c.readFailed(err, t, cfg.Timeouts)
	}
	t.heard(time.Now())
	if len(bytes.TrimLeft(line, " ")) == 0 {
		return ""
	}
	if bucket != nil {
		if wait := bucket.take(time.Now()); wait > 0 {
			// Reading ahead reuses the buffer the line lives in.
			line = bytes.Clone(line)
			if !c.readAhead(lr, t, wait, cfg.Flood.RecvQ) {
				return "Excess Flood"
			}
		}
	}
	// Parsing and dispatching run on a worker: the reader's own stack stays
	// as small as a blocked read needs.
	c.run(func() { processLine(s.disp, c.client, line, cfg) })
	return ""
}

// processLine checks, parses and dispatches one line from client (on a
// worker): too long gets 417, unparsable is counted and dropped, not UTF-8
// on a UTF8ONLY server gets FAIL, the rest goes to the dispatcher.
func processLine(d *commands.Dispatcher, client *users.Client, line []byte, cfg *conf.Config) {
	msg, err := parseLine(line)
	switch {
	case errors.Is(err, errEmptyLine):
	case errors.Is(err, errTagsTooLong), errors.Is(err, errBodyTooLong):
		d.InputTooLong(client)
	case err != nil:
		d.Ignore()
	case cfg.Server.UTF8Only && !utf8.Valid(line):
		d.InvalidUTF8(client, msg.Command)
	default:
		d.Dispatch(client, msg)
	}
}

// readFailed turns a read error into a close reason, or sends a PING
// when a registered client has been quiet for a ping interval.
func (c *conn) readFailed(err error, t *timeouts, cfg conf.Timeouts) string {
	ping := cfg.Ping
	switch {
	case errors.Is(err, errLineTooLong):
		c.run(func() { c.srv.disp.InputTooLong(c.client) })
		return ""
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.armed = time.Time{}
		if time.Now().Before(t.deadline(c.client.Registered(), cfg)) {
			// The deadline is armed lazily; the client spoke since.
			return ""
		}
		if !c.client.Registered() {
			return "Registration timed out"
		}
		if t.pinged {
			return "Ping timeout: " + strconv.Itoa(int(ping.Seconds())) + " seconds"
		}
		t.pinged = true
		c.Send([]byte("PING :" + c.srv.disp.Config().Server.Name + "\r\n"))
		return ""
	}
	if r := c.closeReason(); r != "" {
		return r
	}
	return "Connection closed"
}

// readAhead waits out a flood delay while still reading, so that a client
// far past its budget is noticed: more than recvq unprocessed bytes ends it.
func (c *conn) readAhead(lr *lineReader, t *timeouts, wait time.Duration, recvq int) bool {
	until := time.Now().Add(wait)
	c.nc.SetReadDeadline(until)
	// The next read re-arms the connection's own deadline.
	defer func() { t.armed = time.Time{} }()
	for {
		err := lr.fill(recvq)
		switch {
		case err == nil:
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			return true
		case errors.Is(err, errBufferFull):
			return false
		default:
			// The read side failed; let the next read report it.
			return true
		}
	}
}
