package server

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/conference-irc/conference/commands"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// maxSpareBatch bounds the queue slice a connection keeps for reuse: a
// burst (a big JOIN, a LIST) should not pin its memory on an idle client.
const maxSpareBatch = 8

// closeGrace bounds how long a closing connection may take to write its
// last lines (the ERROR) to a client that stopped reading.
const closeGrace = 10 * time.Second

// conn is one client connection. It has no goroutine of its own while the
// client is idle: the poller hands it to a worker when its socket is
// readable (input.go), and a writer goroutine exists only while there is
// something queued to write.
type conn struct {
	srv    *Server
	nc     net.Conn
	raw    syscall.RawConn
	client *users.Client
	host   string
	kind   int // index in web.Kinds

	in input // the read side, owned by whoever holds in.mu
	// readdressed: WEBIRC changed the client's address, and the read side
	// must make flood control follow it (readdress.go).
	readdressed atomic.Bool
	// own: the read side is dispatching this client's own line, which
	// lets its queue grow to replyBurst × sendq (see Send). Only the read
	// side sets it, twice a line: an atomic rather than the queue's lock.
	own atomic.Bool

	mu      sync.Mutex
	queue   [][]byte
	spare   [][]byte
	queued  int
	writing bool
	closing bool
	hangup  bool // the quit path ran: close the socket once the queue is written
	closed  bool // the socket is closed and the server has forgotten it
	reason  string
	// burst: the client's own reply took the queue past sendq, which
	// lets it grow to replyBurst × sendq until the writer takes it.
	burst bool
}

// replyBurst is how far past sendq a client's own reply may take its
// queue: a JOIN of many full channels or a long NAMES answers more than
// the send queue holds, and streams (Request.flushPart) while the writer
// drains; the bigger limit holds until the writer has taken the queue.
// A client that does not read still hits it and is cut off.
const replyBurst = 4

// Send queues a line; past the send queue limit the client is cut off,
// with an ERROR line that says so (best effort: after whatever is being
// written now, within closeGrace).
func (c *conn) Send(line []byte) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	// The limit in force now: a reload of sendq applies to every client.
	sendq := c.srv.disp.Config().SendQ
	limit := sendq
	own := c.own.Load()
	if own || c.burst {
		limit *= replyBurst
	}
	if c.queued+len(line) > limit {
		c.queue, c.queued = nil, 0
		c.closeLocked("SendQ exceeded")
		c.srv.stats.sendqDrops.Add(1)
		// A client that does not read must not keep the writer forever.
		c.nc.SetWriteDeadline(time.Now().Add(closeGrace))
		c.mu.Unlock()
		c.wake()
		return
	}
	c.queue = append(c.queue, line)
	c.queued += len(line)
	if own && c.queued > sendq {
		c.burst = true
	}
	c.startWriterLocked()
	c.mu.Unlock()
}

// Close sends ERROR with the reason and wakes the read side, which runs the
// quit path and then hangs up once the queue is written. The socket stays
// open until the quit path is done, so that a client that sees it close
// also finds its QUIT delivered, its nick free and its WHOWAS recorded.
func (c *conn) Close(reason string) {
	if c.startClose(reason) {
		c.wake()
	}
}

// startClose queues the ERROR line and marks the connection closing; it
// reports false when it already was.
func (c *conn) startClose(reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.closeLocked(reason)
	return true
}

// closeLocked marks the connection closing and queues the ERROR line.
func (c *conn) closeLocked(reason string) {
	c.closing, c.reason = true, reason
	line := []byte("ERROR :Closing Link: " + c.host + " (" + reason + ")\r\n")
	c.queue = append(c.queue, line)
	c.startWriterLocked()
}

// hangUp closes the socket once whatever is queued has been written.
func (c *conn) hangUp() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hangup = true
	if !c.writing {
		c.closeSocketLocked()
	}
}

// closeSocketLocked closes the socket and tells the server the connection
// is over, once.
func (c *conn) closeSocketLocked() {
	if c.closed {
		return
	}
	c.closed = true
	c.nc.Close()
	go c.srv.forget(c)
}

// writerDoneLocked records that the writer stops, closing the socket when
// the connection is hanging up.
func (c *conn) writerDoneLocked() {
	c.writing = false
	if c.hangup {
		c.closeSocketLocked()
	}
}

// closeReason is why the connection is closing ("" while it is not).
func (c *conn) closeReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// Closing reports whether the connection is closing (users.Client.Closing
// asks it, so that slow work for a leaving client is skipped).
func (c *conn) Closing() bool { return c.isClosing() }

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

// writeLoop drains the queue until it is empty, each batch copied into a
// shared 32 KiB buffer and written with one write per full buffer.
func (c *conn) writeLoop() {
	for {
		// Let whatever else is runnable (workers fanning out) go first:
		// under load more lines join this batch, one system call for
		// many; with nothing else to run this returns at once.
		runtime.Gosched()
		c.mu.Lock()
		if len(c.queue) == 0 {
			// An idle client keeps no queue memory.
			c.spare = nil
			c.writerDoneLocked()
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue, c.spare = c.spare[:0], nil
		c.queued, c.burst = 0, false
		c.mu.Unlock()

		err := c.writeBatch(batch)
		if err == nil {
			c.srv.stats.wrote(batch)
		}
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
			c.wake()
			return
		}
		c.mu.Unlock()
	}
}

// writeChunk is the size of the shared buffers a batch is copied into.
const writeChunk = 32 << 10

// writeBatch writes the lines with as few system calls as 32 KiB chunks
// allow. The lines are copied into a buffer shared through a pool rather
// than handed to writev: the runtime keeps a writev's iovec array on the
// socket for good, sized by the largest batch it ever sent (up to 16 KiB
// per client after one busy moment), which an idle client should not pay.
func (c *conn) writeBatch(batch [][]byte) error {
	if len(batch) == 1 {
		_, err := c.nc.Write(batch[0])
		return err
	}
	bp := c.srv.writeBuffers.Get().(*[]byte)
	defer c.srv.writeBuffers.Put(bp)
	buf := (*bp)[:0]
	for _, line := range batch {
		if len(buf)+len(line) > writeChunk && len(buf) > 0 {
			if _, err := c.nc.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if len(line) > writeChunk {
			if _, err := c.nc.Write(line); err != nil {
				return err
			}
			continue
		}
		buf = append(buf, line...)
	}
	if len(buf) > 0 {
		_, err := c.nc.Write(buf)
		return err
	}
	return nil
}

func writeErrorReason(err error) string {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "Write timeout"
	}
	return "Write error"
}

// processLine checks, parses and dispatches one line from client: too
// long gets 417, unparsable is counted and dropped, not UTF-8 on a UTF8ONLY
// server gets FAIL, the rest goes to the dispatcher. It reports whether
// the command handed slow work off: then resume is called when it is
// done, and the client's next line must wait until then (nil resume:
// processLine waits itself).
func processLine(d *commands.Dispatcher, client *users.Client, line []byte, cfg *conf.Config, resume func(hold time.Duration)) (inProgress bool) {
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
		return d.Handle(client, msg, resume)
	}
	return false
}
