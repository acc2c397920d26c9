package server

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/conference-irc/conference/commands"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// closeGrace bounds how long a closing connection may take to write its
// last lines (the ERROR) to a client that stopped reading.
const closeGrace = 10 * time.Second

// conn is one client connection. It has no goroutine of its own: the
// poller hands it to a worker when its socket is readable (input.go) and
// to a writer when it has output to flush or its socket is writable again
// (output.go).
type conn struct {
	srv    *Server
	nc     net.Conn
	raw    syscall.RawConn
	client *users.Client
	host   string

	in input // the read side, owned by whoever holds in.mu

	mu        sync.Mutex
	queue     [][]byte
	unwritten []byte // the part of the last flush the kernel did not take
	queued    int    // bytes in queue and unwritten, bounded by sendqMax
	scheduled bool   // handed to a writer, or being flushed
	blocked   bool   // the socket is full: waiting for the poller's EPOLLOUT
	closing   bool
	hangup    bool // the quit path ran: close the socket once the queue is written
	closed    bool // the socket is closed and the server has forgotten it
	reason    string
	sendqMax  int
}

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
		c.wake()
		return
	}
	c.queue = append(c.queue, line)
	c.queued += len(line)
	schedule := c.scheduleLocked()
	c.mu.Unlock()
	if schedule {
		c.srv.output.schedule(c)
	}
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
	if c.closing {
		c.mu.Unlock()
		return false
	}
	c.closing, c.reason = true, reason
	line := []byte("ERROR :Closing Link: " + c.host + " (" + reason + ")\r\n")
	c.queue = append(c.queue, line)
	c.queued += len(line)
	schedule := c.scheduleLocked()
	c.mu.Unlock()
	if schedule {
		c.srv.output.schedule(c)
	}
	return true
}

// hangUp closes the socket once whatever is queued has been written, or
// after closeGrace if the client does not take it.
func (c *conn) hangUp() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hangup = true
	if c.idleLocked() {
		c.closeSocketLocked()
		return
	}
	time.AfterFunc(closeGrace, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.closeSocketLocked()
	})
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

// processLine checks, parses and dispatches one line from client: too
// long gets 417, unparsable is counted and dropped, not UTF-8 on a UTF8ONLY
// server gets FAIL, the rest goes to the dispatcher.
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
