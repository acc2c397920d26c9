package history

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/conference-irc/conference/store"
)

// Memory is a Store that keeps the newest records of each target in memory:
// nothing survives a restart. It is what the server uses when persistent
// history is off.
type Memory struct {
	perTarget int

	mu      sync.Mutex
	targets map[string]*ring
	parties map[string]map[string]bool // party → targets
	markers map[markerKey]time.Time
	nextID  int64
	stats   Stats
}

var _ Store = (*Memory)(nil)

// ring is one target's records, oldest first, at most cap of them.
type ring struct {
	recs   []store.HistoryRecord
	latest int64
}

// NewMemory makes a Memory store keeping at most perTarget records of each
// target.
func NewMemory(perTarget int) *Memory {
	return &Memory{perTarget: max(perTarget, 1), targets: map[string]*ring{}, parties: map[string]map[string]bool{},
		markers: map[markerKey]time.Time{}}
}

// Add records e at once.
func (m *Memory) Add(e Entry) {
	rec := e.record()
	rec.Time = rec.Time.Truncate(time.Millisecond)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	rec.Pos = store.HistoryPos{Time: rec.Time.UnixMilli(), ID: m.nextID}
	r := m.targets[e.Target]
	if r == nil {
		r = &ring{}
		m.targets[e.Target] = r
		for _, p := range e.Parties {
			if m.parties[p] == nil {
				m.parties[p] = map[string]bool{}
			}
			m.parties[p][e.Target] = true
		}
	}
	if len(r.recs) >= m.perTarget {
		// Drop the oldest by re-slicing: append copies the ring only when
		// it runs out of room, so a record costs O(1) amortised.
		r.recs[0] = store.HistoryRecord{}
		r.recs = r.recs[1:]
	}
	if n := len(r.recs); n == 0 || r.recs[n-1].Pos.Time <= rec.Pos.Time {
		r.recs = append(r.recs, rec)
	} else {
		// Out of time order (a clock step): insert in place.
		i := sort.Search(n, func(i int) bool { return rec.Pos.Time < r.recs[i].Pos.Time })
		r.recs = append(r.recs, store.HistoryRecord{})
		copy(r.recs[i+1:], r.recs[i:])
		r.recs[i] = rec
	}
	if !rec.Event {
		r.latest = max(r.latest, rec.Pos.Time)
	}
	m.stats.Queued++
	m.stats.Stored++
}

// Query answers q.
func (m *Memory) Query(ctx context.Context, q Query) ([]Item, error) { return run(ctx, m, q) }

// HistoryRange reads a range of one target (see store.History).
func (m *Memory) HistoryRange(_ context.Context, q store.HistoryRange) ([]store.HistoryRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.targets[q.Target]
	if r == nil {
		return nil, nil
	}
	var out []store.HistoryRecord
	in := func(rec *store.HistoryRecord) bool {
		return (q.Events || !rec.Event) &&
			(q.After == nil || less(*q.After, rec.Pos)) &&
			(q.Before == nil || less(rec.Pos, *q.Before))
	}
	if q.Newest {
		for i := len(r.recs) - 1; i >= 0 && len(out) < q.Limit; i-- {
			if in(&r.recs[i]) {
				out = append(out, r.recs[i])
			}
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out, nil
	}
	for i := range r.recs {
		if len(out) >= q.Limit {
			break
		}
		if in(&r.recs[i]) {
			out = append(out, r.recs[i])
		}
	}
	return out, nil
}

// HistoryPosition finds msgid in target (see store.History).
func (m *Memory) HistoryPosition(_ context.Context, target, msgid string) (store.HistoryPos, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.targets[target]; r != nil {
		for i := range r.recs {
			if r.recs[i].MsgID == msgid {
				return r.recs[i].Pos, nil
			}
		}
	}
	return store.HistoryPos{}, store.ErrNotFound
}

// Targets lists conversations by recent activity.
func (m *Memory) Targets(_ context.Context, q TargetsQuery) ([]Target, error) {
	from, to := q.From.UnixMilli(), q.To.UnixMilli()
	if from > to {
		from, to = to, from
	}
	m.mu.Lock()
	keys := append([]string(nil), q.Channels...)
	for k := range m.parties[q.Account] {
		keys = append(keys, k)
	}
	var out []Target
	for _, k := range keys {
		if r := m.targets[k]; r != nil && r.latest > from && r.latest < to {
			out = append(out, Target{Key: k, Latest: time.UnixMilli(r.latest).UTC()})
		}
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Latest.After(out[j].Latest) })
	if len(out) > q.Limit {
		out = out[:max(q.Limit, 0)]
	}
	return out, nil
}

// Delete removes one message.
func (m *Memory) Delete(_ context.Context, target, msgid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.targets[target]; r != nil {
		for i := range r.recs {
			if r.recs[i].MsgID == msgid {
				r.recs = append(r.recs[:i], r.recs[i+1:]...)
				return nil
			}
		}
	}
	return ErrNoSuchMsgID
}

// Rename moves a target's ring to a new key, replacing what was there.
func (m *Memory) Rename(_ context.Context, from, to string, since time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.targets[from]
	if r == nil {
		r = &ring{}
	}
	delete(m.targets, from)
	if newer := m.targets[to]; newer != nil {
		for _, rec := range newer.recs {
			if rec.Pos.Time >= since.UnixMilli() {
				r.recs = append(r.recs, rec)
				r.latest = max(r.latest, rec.Pos.Time)
			}
		}
	}
	m.targets[to] = r
	return nil
}

// Stats says how many records were added.
func (m *Memory) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

// Close does nothing: there is nothing to write.
func (m *Memory) Close() error { return nil }
