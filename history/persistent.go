package history

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conference-irc/conference/store"
)

// Persistent is a Store kept in the database. Add queues the record for the
// writer goroutine and returns: the sender's fan-out never waits for the
// disk. The writer takes everything queued (up to MaxBatch records) and
// commits it in one transaction, then the next batch: group commit, so the
// batches grow with the rate and the disk does one fsync per batch, not per
// message. Queries first wait until what was queued before them is
// committed, so a client always finds in history what it has just seen.
//
// When the queue is full (the disk has fallen behind by Queue records), a
// record is dropped, counted (Stats.Dropped) and logged: live traffic is
// never slowed down to save history.
type Persistent struct {
	db        store.History
	retention Retention
	clock     func() time.Time
	log       *slog.Logger
	maxBatch  int

	in      chan store.HistoryRecord
	stop    chan struct{}
	stopped chan struct{}
	closing atomic.Bool

	queued, stored, dropped, batches atomic.Uint64

	mu      sync.Mutex
	done    uint64        // records written or dropped by the writer
	advance chan struct{} // closed (and replaced) whenever done grows
}

var _ Store = (*Persistent)(nil)

// Options configure a Persistent store.
type Options struct {
	// DB is where the records go.
	DB store.History
	// Queue is how many records may wait for the writer (65536 if 0).
	Queue int
	// MaxBatch is the most records in one transaction (4096 if 0).
	MaxBatch int
	// Retention says how long records are kept.
	Retention Retention
	// Clock is the time retention counts from (time.Now if nil).
	Clock func() time.Time
	// Logger reports dropped records and failed writes.
	Logger *slog.Logger
}

// Retention bounds what is kept, by age and by count per target, for
// channels and for private conversations. Zero means no bound.
type Retention struct {
	ChannelAge   time.Duration
	ChannelCount int
	DMAge        time.Duration
	DMCount      int
	// Interval is how often the pruner runs (0: never on its own).
	Interval time.Duration
}

// NewPersistent starts the writer (and the pruner, when
// Retention.Interval is set) over opts.DB.
func NewPersistent(opts Options) *Persistent {
	if opts.Queue <= 0 {
		opts.Queue = 65536
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 4096
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Persistent{
		db: opts.DB, retention: opts.Retention, clock: opts.Clock, log: opts.Logger,
		maxBatch: opts.MaxBatch,
		in:       make(chan store.HistoryRecord, opts.Queue),
		stop:     make(chan struct{}), stopped: make(chan struct{}),
		advance: make(chan struct{}),
	}
	go p.write()
	if opts.Retention.Interval > 0 {
		go p.pruneEvery(opts.Retention.Interval)
	}
	return p
}

// Add queues e for the writer, or drops it when the queue is full.
func (p *Persistent) Add(e Entry) {
	if p.closing.Load() {
		return
	}
	// Counted before it can be written, so that a Sync that starts after
	// Add returns always waits for it.
	p.queued.Add(1)
	select {
	case p.in <- e.record():
	default:
		p.queued.Add(^uint64(0))
		if n := p.dropped.Add(1); n == 1 || n%10000 == 0 {
			p.log.Warn("history queue full: records dropped", "dropped", n, "queue", cap(p.in))
		}
	}
}

// write is the writer goroutine.
func (p *Persistent) write() {
	defer close(p.stopped)
	batch := make([]store.HistoryRecord, 0, p.maxBatch)
	for {
		select {
		case rec := <-p.in:
			batch = append(batch[:0], rec)
		case <-p.stop:
			// Write what is queued, then stop.
			for {
				batch = p.take(batch[:0])
				if len(batch) == 0 {
					return
				}
				p.commit(batch)
			}
		}
		batch = p.take(batch)
		p.commit(batch)
	}
}

// take appends to batch what is queued, up to maxBatch records.
func (p *Persistent) take(batch []store.HistoryRecord) []store.HistoryRecord {
	for len(batch) < p.maxBatch {
		select {
		case rec := <-p.in:
			batch = append(batch, rec)
		default:
			return batch
		}
	}
	return batch
}

// commit writes one batch in one transaction.
func (p *Persistent) commit(batch []store.HistoryRecord) {
	err := p.db.AppendHistory(context.Background(), batch)
	if err != nil {
		p.dropped.Add(uint64(len(batch)))
		p.log.Error("history write failed: batch dropped", "records", len(batch), "err", err)
	} else {
		p.stored.Add(uint64(len(batch)))
		p.batches.Add(1)
	}
	clear(batch) // let the strings go
	p.mu.Lock()
	p.done += uint64(len(batch))
	close(p.advance)
	p.advance = make(chan struct{})
	p.mu.Unlock()
}

// Sync waits until every record queued before the call is written (or
// dropped).
func (p *Persistent) Sync(ctx context.Context) error {
	want := p.queued.Load()
	for {
		p.mu.Lock()
		done, advance := p.done, p.advance
		p.mu.Unlock()
		if done >= want {
			return nil
		}
		select {
		case <-advance:
		case <-p.stopped:
			return errors.New("history is closed")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Query answers q from the database, once what was queued before it is
// written.
func (p *Persistent) Query(ctx context.Context, q Query) ([]Item, error) {
	if err := p.Sync(ctx); err != nil {
		return nil, err
	}
	age := p.retention.ChannelAge
	if IsDM(q.Target) {
		age = p.retention.DMAge
	}
	if age > 0 {
		q.NotBefore = p.clock().Add(-age)
	}
	return run(ctx, p.db, q)
}

// Targets lists conversations by recent activity.
func (p *Persistent) Targets(ctx context.Context, q TargetsQuery) ([]Target, error) {
	if err := p.Sync(ctx); err != nil {
		return nil, err
	}
	ts, err := p.db.HistoryTargets(ctx, store.HistoryTargets{Keys: q.Channels, Party: q.Account,
		From: q.From, To: q.To, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Target, len(ts))
	for i, t := range ts {
		out[i] = Target{Key: t.Key, Latest: t.Latest}
	}
	return out, nil
}

// Delete removes one message once what was queued before is written.
func (p *Persistent) Delete(ctx context.Context, target, msgid string) error {
	if err := p.Sync(ctx); err != nil {
		return err
	}
	err := p.db.DeleteHistory(ctx, target, msgid)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoSuchMsgID
	}
	return err
}

// Rename moves a target once what was queued before is written.
func (p *Persistent) Rename(ctx context.Context, from, to string, since time.Time) error {
	if err := p.Sync(ctx); err != nil {
		return err
	}
	return p.db.RenameHistoryTarget(ctx, from, to, since)
}

// Stats reads the counters.
func (p *Persistent) Stats() Stats {
	return Stats{Queued: p.queued.Load(), Stored: p.stored.Load(), Dropped: p.dropped.Load(),
		Batches: p.batches.Load()}
}

// Close writes what is queued and stops the writer and the pruner. The
// database itself stays open (its owner closes it).
func (p *Persistent) Close() error {
	if p.closing.Swap(true) {
		return nil
	}
	close(p.stop)
	<-p.stopped
	s := p.Stats()
	p.log.Info("history writer stopped", "queued", s.Queued, "stored", s.Stored, "dropped", s.Dropped, "batches", s.Batches)
	return nil
}
