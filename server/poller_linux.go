package server

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// readEvents are what the poller waits for: input or a hang-up, edge
// triggered, so a socket is never re-armed (no system call per event): a
// worker reads it until it would block, and new input makes a new edge.
const readEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET

// poller waits on every client socket with one epoll instance and hands
// the readable ones to a few workers. Idle clients cost no goroutine.
type poller struct {
	epfd   int
	log    *slog.Logger
	ready  chan *conn
	done   chan struct{} // closed when the poller stops
	closed atomic.Bool

	mu   sync.Mutex
	byID map[uint64]*conn

	// onRun, when set (by tests, before any client connects), is called
	// as a worker starts (true) and ends (false) running a connection.
	onRun func(c *conn, starts bool)
}

// newPoller opens the epoll instance and starts the waiter and the
// workers: handlers never block on the network, so a few per core suffice.
func newPoller(log *slog.Logger) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	p := &poller{epfd: epfd, log: log, ready: make(chan *conn, 1024), done: make(chan struct{}), byID: make(map[uint64]*conn)}
	for i := 0; i < 4*runtime.GOMAXPROCS(0); i++ {
		go p.work()
	}
	go p.wait()
	return p, nil
}

func (p *poller) work() {
	for {
		var c *conn
		select {
		case c = <-p.ready:
		case <-p.done:
			return
		}
		if p.onRun != nil {
			p.onRun(c, true)
		}
		c.run()
		if p.onRun != nil {
			p.onRun(c, false)
		}
	}
}

// waitTimeout bounds each epoll_wait so that the waiter notices close
// (closing an epoll descriptor does not wake a thread waiting on it).
const waitTimeout = 500 // milliseconds

// wait delivers readiness events to the workers until the poller closes.
func (p *poller) wait() {
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(p.epfd, events, waitTimeout)
		if p.closed.Load() {
			unix.Close(p.epfd)
			close(p.done)
			return
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			p.log.Error("epoll_wait failed", "err", err)
			continue
		}
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			p.mu.Lock()
			c := p.byID[id]
			p.mu.Unlock()
			// A connection already queued or running is not handed to a
			// second worker: its runner looks again (input.notify).
			if c != nil && c.in.notify() {
				p.submit(c)
			}
		}
	}
}

// submit hands a connection to a worker (the caller won it through
// input.notify); after the poller stopped it does nothing.
func (p *poller) submit(c *conn) {
	select {
	case p.ready <- c:
	case <-p.done:
	}
}

// add starts watching a new connection.
func (p *poller) add(c *conn) error {
	p.mu.Lock()
	p.byID[c.client.ID()] = c
	p.mu.Unlock()
	return p.ctl(c, unix.EPOLL_CTL_ADD)
}

// remove stops watching a connection; one it never watched (WebSocket)
// is left alone.
func (p *poller) remove(c *conn) {
	p.mu.Lock()
	_, watched := p.byID[c.client.ID()]
	delete(p.byID, c.client.ID())
	p.mu.Unlock()
	if watched {
		_ = p.ctl(c, unix.EPOLL_CTL_DEL)
	}
}

// ctl runs epoll_ctl on the connection's descriptor while holding it, so
// that a concurrent close cannot hand the number to another socket.
func (p *poller) ctl(c *conn, op int) error {
	id := c.client.ID()
	ev := unix.EpollEvent{Events: readEvents, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
	var err error
	if cerr := c.raw.Control(func(fd uintptr) {
		err = unix.EpollCtl(p.epfd, op, int(fd), &ev)
	}); cerr != nil {
		return cerr
	}
	return err
}

// close stops the waiter and the workers once no connection is left.
func (p *poller) close() { p.closed.Store(true) }
