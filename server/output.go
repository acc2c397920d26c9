package server

import (
	"sync"
	"syscall"
)

// writeChunk is the size of the shared buffers output is copied into.
const writeChunk = 32 << 10

// output is the pool of writers: a few goroutines that flush connections
// handed to them, with non-blocking writes. A socket that is full is not
// waited on; the poller reports when it drains (EPOLLOUT). So no client,
// however slow, holds a goroutine, and an idle client holds no output
// memory.
type output struct {
	ready   chan *conn
	done    chan struct{}
	buffers sync.Pool
}

func newOutput(writers int) *output {
	o := &output{ready: make(chan *conn, 4096), done: make(chan struct{})}
	o.buffers.New = func() any {
		b := make([]byte, 0, writeChunk)
		return &b
	}
	for i := 0; i < writers; i++ {
		go o.write()
	}
	return o
}

func (o *output) write() {
	for {
		select {
		case c := <-o.ready:
			c.flush(o)
		case <-o.done:
			return
		}
	}
}

// schedule hands c to a writer (never while holding c.mu: writers take it).
func (o *output) schedule(c *conn) {
	select {
	case o.ready <- c:
	case <-o.done:
	}
}

// stop ends the writers once no connection is left.
func (o *output) stop() { close(o.done) }

// scheduleLocked marks c for a writer unless one already has it or the
// socket is full; it reports whether the caller must hand it over.
func (c *conn) scheduleLocked() bool {
	if c.scheduled || c.blocked || c.closed {
		return false
	}
	c.scheduled = true
	return true
}

// idleLocked reports whether nothing is left to write.
func (c *conn) idleLocked() bool {
	return !c.scheduled && !c.blocked && len(c.queue) == 0 && len(c.unwritten) == 0
}

// onWritable is the poller's news that a full socket drained.
func (c *conn) onWritable() {
	c.mu.Lock()
	if !c.blocked {
		c.mu.Unlock()
		return
	}
	c.blocked = false
	schedule := c.scheduleLocked()
	c.mu.Unlock()
	if schedule {
		c.srv.output.schedule(c)
	}
}

// flush writes what is queued, as far as the kernel takes it without
// blocking, in chunks of one shared buffer: one system call for many lines.
func (c *conn) flush(o *output) {
	for {
		c.mu.Lock()
		if c.closed || (len(c.queue) == 0 && len(c.unwritten) == 0) {
			c.scheduled = false
			if c.hangup {
				c.closeSocketLocked()
			}
			c.mu.Unlock()
			return
		}
		bp := o.buffers.Get().(*[]byte)
		buf := c.takeChunkLocked((*bp)[:0])
		c.mu.Unlock()

		n, err := c.writeNow(buf)

		c.mu.Lock()
		if n < len(buf) && err == nil {
			// The socket is full: keep the rest, first in line, and let
			// the poller say when to come back.
			c.unwritten = append([]byte(nil), buf[n:]...)
			c.queued += len(c.unwritten)
			c.scheduled, c.blocked = false, true
		}
		o.buffers.Put(bp)
		if err != nil {
			c.failWriteLocked()
			c.mu.Unlock()
			c.wake()
			return
		}
		stop := c.blocked
		c.mu.Unlock()
		if stop {
			return
		}
	}
}

// takeChunkLocked moves up to writeChunk bytes of output (more when one
// line is longer) into buf, oldest first.
func (c *conn) takeChunkLocked(buf []byte) []byte {
	buf = append(buf, c.unwritten...)
	c.queued -= len(c.unwritten)
	c.unwritten = nil
	i := 0
	for ; i < len(c.queue); i++ {
		line := c.queue[i]
		if len(buf) > 0 && len(buf)+len(line) > writeChunk {
			break
		}
		buf = append(buf, line...)
		c.queued -= len(line)
		c.queue[i] = nil
	}
	c.queue = c.queue[i:]
	if len(c.queue) == 0 {
		c.queue = nil // an idle client keeps no queue
	}
	return buf
}

// writeNow makes one non-blocking write; a full socket is not an error.
func (c *conn) writeNow(buf []byte) (int, error) {
	var n int
	var werr error
	if err := c.raw.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), buf)
			if werr != syscall.EINTR {
				return true // one attempt: never wait for the socket here
			}
		}
	}); err != nil {
		return 0, err
	}
	if werr == syscall.EAGAIN {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return max(n, 0), nil
}

// failWriteLocked gives up on a connection whose writes fail: the read
// side is woken to run the quit path.
func (c *conn) failWriteLocked() {
	c.closing = true
	if c.reason == "" {
		c.reason = "Write error"
	}
	c.queue, c.unwritten, c.queued = nil, nil, 0
	c.scheduled, c.blocked = false, false
	c.nc.Close()
	if c.hangup {
		c.closeSocketLocked()
	}
}
