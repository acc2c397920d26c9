package server

import (
	"bytes"
	"errors"
	"sync/atomic"

	"github.com/conference-irc/conference/users"
	"github.com/conference-irc/conference/web"
)

// counters are the edge's running totals for metrics: one atomic add where
// each happens (per line read, per batch written), read at scrape time.
type counters struct {
	linesIn, bytesIn   atomic.Uint64
	linesOut, bytesOut atomic.Uint64
	sendqDrops         atomic.Uint64
	floodDrops         atomic.Uint64
	accepted           [len(web.Kinds)]atomic.Uint64
}

// kindOf is the index in web.Kinds of a client's transport.
func kindOf(t users.Transport) int {
	k := 0
	if t.WebSocket {
		k = 2
	}
	if t.Secure {
		k++
	}
	return k
}

// Stats reads the edge's counters (web.Edge).
func (s *Server) Stats() web.EdgeStats {
	st := web.EdgeStats{
		Open:       make(map[string]int, len(web.Kinds)),
		Accepted:   make(map[string]uint64, len(web.Kinds)),
		LinesIn:    s.stats.linesIn.Load(),
		BytesIn:    s.stats.bytesIn.Load(),
		LinesOut:   s.stats.linesOut.Load(),
		BytesOut:   s.stats.bytesOut.Load(),
		SendQDrops: s.stats.sendqDrops.Load(),
		FloodDrops: s.stats.floodDrops.Load(),
	}
	var open [len(web.Kinds)]int
	s.mu.Lock()
	for c := range s.conns {
		open[c.kind]++
	}
	s.mu.Unlock()
	for i, k := range web.Kinds {
		st.Open[k] = open[i]
		st.Accepted[k] = s.stats.accepted[i].Load()
	}
	return st
}

// Ready reports nil once the listeners are open, until shutdown starts
// (web.Edge; the /readyz check).
func (s *Server) Ready() error {
	if s.stopping.Load() {
		return errors.New("shutting down")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) == 0 {
		return errors.New("no listener open")
	}
	return nil
}

// read counts one line read from a client.
func (c *counters) read(line []byte) {
	c.linesIn.Add(1)
	c.bytesIn.Add(uint64(len(line)))
}

// wrote counts a batch written to a client. An entry of the queue may
// hold several lines (a command's replies go in one piece).
func (c *counters) wrote(batch [][]byte) {
	n, lines := 0, 0
	for _, l := range batch {
		n += len(l)
		lines += bytes.Count(l, []byte{'\n'})
	}
	c.linesOut.Add(uint64(lines))
	c.bytesOut.Add(uint64(n))
}
