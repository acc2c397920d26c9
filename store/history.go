package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// History is what the history room asks of a database: records appended in
// batches (one transaction each), read back as ranges of one target in time
// order, and pruned. Like Store, every method may wait on the disk.
type History interface {
	// AppendHistory stores a batch of records in one transaction.
	AppendHistory(ctx context.Context, batch []HistoryRecord) error
	// HistoryRange returns the records of one target inside a range,
	// oldest first.
	HistoryRange(ctx context.Context, q HistoryRange) ([]HistoryRecord, error)
	// HistoryPosition is where the record with msgid stands in target;
	// ErrNotFound when target has no such record.
	HistoryPosition(ctx context.Context, target, msgid string) (HistoryPos, error)
	// HistoryTargets lists the targets among keys, or those party may
	// read, whose newest record is inside (from, to), newest first.
	HistoryTargets(ctx context.Context, q HistoryTargets) ([]HistoryTarget, error)
	// HistoryTargetKeys lists every target that has ever had a record.
	HistoryTargetKeys(ctx context.Context) ([]string, error)
	// PruneHistory deletes, from one target, records older than before and
	// all but the newest keep (keep <= 0: no count limit), at most max of
	// them, and says how many it deleted.
	PruneHistory(ctx context.Context, target string, before time.Time, keep, max int) (int, error)
	// DeleteHistory deletes the record with msgid from target; ErrNotFound
	// when there is none.
	DeleteHistory(ctx context.Context, target, msgid string) error
	// RenameHistoryTarget gives target's records the key to (a channel
	// renamed at since). Records already under to from since on join them
	// (sent after the rename, before this call); older ones are set aside
	// under a key no one asks for, and age out. Renaming a target to its
	// own key (a change of case) changes nothing.
	RenameHistoryTarget(ctx context.Context, from, to string, since time.Time) error
	// ReadMarker is the time of the last message account has read in
	// target (draft/read-marker); zero when none was set.
	ReadMarker(ctx context.Context, account, target string) (time.Time, error)
	// SetReadMarker moves the marker forward to t (never back) and
	// returns it as stored, once committed.
	SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error)
}

var _ History = (*SQLite)(nil)

// HistoryRecord is one stored line.
type HistoryRecord struct {
	// Target is the key of the conversation the record belongs to.
	Target string
	// Parties, on a record whose target is new, are the keys that may read
	// the target besides whoever the caller admits by its own rules.
	Parties []string
	// Pos is where the record stands (set on reads).
	Pos HistoryPos
	// Time is when the line was sent (kept to the millisecond).
	Time time.Time
	// Event is true for a membership or channel event, false for a message.
	Event bool
	// MsgID, Command, Source, Account, Params and Tags are the line.
	MsgID, Command, Source, Account string
	Params                          []string
	Tags                            string
}

// HistoryPos orders records: by time in unix milliseconds, then by
// insertion order (ID, the record's seq).
type HistoryPos struct {
	Time int64
	ID   int64
}

// less orders positions.
func (p HistoryPos) less(q HistoryPos) bool {
	return p.Time < q.Time || (p.Time == q.Time && p.ID < q.ID)
}

// PosBefore is the position just before every record at t: a range bound
// that excludes records at t as an upper bound and includes them as a
// lower one.
func PosBefore(t time.Time) HistoryPos { return HistoryPos{Time: t.UnixMilli()} }

// PosAfter is the position just after every record at t.
func PosAfter(t time.Time) HistoryPos { return HistoryPos{Time: t.UnixMilli(), ID: math.MaxInt64} }

// HistoryRange selects records of one target between two exclusive bounds.
type HistoryRange struct {
	Target string
	// After and Before are exclusive bounds; nil means unbounded.
	After, Before *HistoryPos
	// Limit is the most records returned.
	Limit int
	// Newest takes the newest Limit records of the range instead of the
	// oldest.
	Newest bool
	// Events includes event records.
	Events bool
}

// HistoryTargets selects targets by recent activity: their newest message
// (events do not count).
type HistoryTargets struct {
	// Keys are targets the asker may read (its channels).
	Keys []string
	// Party adds the targets that list it among their parties ("": none).
	Party string
	// From and To bound the newest record's time (exclusive, either order).
	From, To time.Time
	Limit    int
}

// HistoryTarget is a target and the time of its newest record.
type HistoryTarget struct {
	Key    string
	Latest time.Time
}

// historyState is the SQLite store's history bookkeeping: the ids of the
// targets the writer has met, and the pool of read-only connections that
// serve queries beside the one writing connection.
type historyState struct {
	mu      sync.Mutex
	targets map[string]int64
	readers *sql.DB
	seq     int64                // the last seq given; 0: not read yet
	stmts   map[string]*sql.Stmt // prepared reads, by their text
}

// maxHistoryReaders is how many queries may read at once (WAL lets readers
// run beside the writer).
const maxHistoryReaders = 4

// reader returns the read-only pool, opening it on first use.
func (s *SQLite) reader() (*sql.DB, error) {
	s.hist.mu.Lock()
	defer s.hist.mu.Unlock()
	if s.hist.readers == nil {
		db, err := sql.Open("sqlite", dsn(s.path)+"&_pragma=query_only(1)&_pragma=cache_size(-16384)&_pragma=mmap_size(268435456)")
		if err != nil {
			return nil, fmt.Errorf("history readers: %w", err)
		}
		db.SetMaxOpenConns(maxHistoryReaders)
		db.SetMaxIdleConns(maxHistoryReaders)
		s.hist.readers = db
	}
	return s.hist.readers, nil
}

// readStmt is the prepared form of a read query on the reader pool:
// queries come in a few shapes, each parsed once.
func (s *SQLite) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	s.hist.mu.Lock()
	st := s.hist.stmts[query]
	s.hist.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err = db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.hist.mu.Lock()
	defer s.hist.mu.Unlock()
	if prev := s.hist.stmts[query]; prev != nil {
		st.Close()
		return prev, nil
	}
	if s.hist.stmts == nil {
		s.hist.stmts = map[string]*sql.Stmt{}
	}
	s.hist.stmts[query] = st
	return st, nil
}

// AppendHistory stores batch in one transaction.
func (s *SQLite) AppendHistory(ctx context.Context, batch []HistoryRecord) error {
	if len(batch) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	defer tx.Rollback()
	seq, err := s.lastSeq(ctx, tx)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO history(target, time, seq, kind, msgid, command, source, account, params, tags)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	defer ins.Close()
	// Insert target by target (seq still in arrival order): the pages of
	// one conversation are written together instead of in turn.
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return batch[order[i]].Target < batch[order[j]].Target })
	latest := map[int64]int64{}
	for _, i := range order {
		rec := &batch[i]
		id, err := s.targetID(ctx, tx, rec.Target, rec.Parties)
		if err != nil {
			return fmt.Errorf("append history: %w", err)
		}
		ms := rec.Time.UnixMilli()
		kind := 0
		if rec.Event {
			kind = 1
		}
		if _, err := ins.ExecContext(ctx, id, ms, seq+int64(i)+1, kind, rec.MsgID, rec.Command, rec.Source, rec.Account,
			strings.Join(rec.Params, "\n"), rec.Tags); err != nil {
			return fmt.Errorf("append history: %w", err)
		}
		if !rec.Event {
			latest[id] = max(latest[id], ms)
		}
	}
	for id, ms := range latest {
		if _, err := tx.ExecContext(ctx, `UPDATE history_targets SET latest = max(latest, ?) WHERE id = ?`, ms, id); err != nil {
			return fmt.Errorf("append history: %w", err)
		}
	}
	seq += int64(len(batch))
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('history_seq', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(seq, 10)); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	err = tx.Commit()
	s.hist.mu.Lock()
	if err != nil {
		// What this transaction learnt may not exist after all.
		s.hist.targets, s.hist.seq = nil, 0
	} else {
		s.hist.seq = seq
	}
	s.hist.mu.Unlock()
	if err != nil {
		return fmt.Errorf("append history: commit: %w", err)
	}
	return nil
}

// lastSeq is the last seq given, read from meta the first time.
func (s *SQLite) lastSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	s.hist.mu.Lock()
	seq := s.hist.seq
	s.hist.mu.Unlock()
	if seq > 0 {
		return seq, nil
	}
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'history_seq'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// targetID returns the id of target, creating it (with its parties) inside
// tx when it is new.
func (s *SQLite) targetID(ctx context.Context, tx *sql.Tx, key string, parties []string) (int64, error) {
	s.hist.mu.Lock()
	id, ok := s.hist.targets[key]
	s.hist.mu.Unlock()
	if ok {
		return id, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO history_targets(key) VALUES(?) ON CONFLICT(key) DO NOTHING`, key); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT id FROM history_targets WHERE key = ?`, key).Scan(&id); err != nil {
		return 0, err
	}
	for _, p := range parties {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO history_parties(party, target) VALUES(?, ?)`, p, id); err != nil {
			return 0, err
		}
	}
	s.hist.mu.Lock()
	if s.hist.targets == nil {
		s.hist.targets = map[string]int64{}
	}
	s.hist.targets[key] = id
	s.hist.mu.Unlock()
	return id, nil
}

// HistoryRange returns the records of q, oldest first.
func (s *SQLite) HistoryRange(ctx context.Context, q HistoryRange) ([]HistoryRecord, error) {
	var where strings.Builder
	args := []any{q.Target}
	where.WriteString(`target = (SELECT id FROM history_targets WHERE key = ?)`)
	if !q.Events {
		where.WriteString(` AND kind = 0`)
	}
	if q.After != nil {
		where.WriteString(` AND (time, seq) > (?, ?)`)
		args = append(args, q.After.Time, q.After.ID)
	}
	if q.Before != nil {
		where.WriteString(` AND (time, seq) < (?, ?)`)
		args = append(args, q.Before.Time, q.Before.ID)
	}
	order := "ASC"
	if q.Newest {
		order = "DESC"
	}
	args = append(args, q.Limit)
	st, err := s.readStmt(ctx, `SELECT seq, time, kind, msgid, command, source, account, params, tags
		FROM history WHERE `+where.String()+` ORDER BY time `+order+`, seq `+order+` LIMIT ?`)
	if err != nil {
		return nil, fmt.Errorf("history range: %w", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("history range: %w", err)
	}
	defer rows.Close()
	var out []HistoryRecord
	for rows.Next() {
		rec := HistoryRecord{Target: q.Target}
		var kind int
		var params string
		if err := rows.Scan(&rec.Pos.ID, &rec.Pos.Time, &kind, &rec.MsgID, &rec.Command, &rec.Source,
			&rec.Account, &params, &rec.Tags); err != nil {
			return nil, fmt.Errorf("history range: %w", err)
		}
		rec.Time = time.UnixMilli(rec.Pos.Time).UTC()
		rec.Event = kind != 0
		if params != "" {
			rec.Params = strings.Split(params, "\n")
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history range: %w", err)
	}
	if q.Newest {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// HistoryPosition finds msgid in target.
func (s *SQLite) HistoryPosition(ctx context.Context, target, msgid string) (HistoryPos, error) {
	st, err := s.readStmt(ctx, `SELECT seq, time FROM history WHERE msgid = ?
		AND target = (SELECT id FROM history_targets WHERE key = ?)`)
	if err != nil {
		return HistoryPos{}, fmt.Errorf("history position: %w", err)
	}
	var p HistoryPos
	err = st.QueryRowContext(ctx, msgid, target).Scan(&p.ID, &p.Time)
	if errors.Is(err, sql.ErrNoRows) {
		return HistoryPos{}, ErrNotFound
	}
	if err != nil {
		return HistoryPos{}, fmt.Errorf("history position: %w", err)
	}
	return p, nil
}

// HistoryTargets lists recently active targets, newest first.
func (s *SQLite) HistoryTargets(ctx context.Context, q HistoryTargets) ([]HistoryTarget, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	from, to := q.From.UnixMilli(), q.To.UnixMilli()
	if from > to {
		from, to = to, from
	}
	var which []string
	args := []any{from, to}
	if len(q.Keys) > 0 {
		which = append(which, `key IN (?`+strings.Repeat(`, ?`, len(q.Keys)-1)+`)`)
		for _, k := range q.Keys {
			args = append(args, k)
		}
	}
	if q.Party != "" {
		which = append(which, `id IN (SELECT target FROM history_parties WHERE party = ?)`)
		args = append(args, q.Party)
	}
	if len(which) == 0 {
		return nil, nil
	}
	args = append(args, q.Limit)
	rows, err := db.QueryContext(ctx, `SELECT key, latest FROM history_targets
		WHERE latest > ? AND latest < ? AND (`+strings.Join(which, " OR ")+`)
		ORDER BY latest DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("history targets: %w", err)
	}
	defer rows.Close()
	var out []HistoryTarget
	for rows.Next() {
		var t HistoryTarget
		var ms int64
		if err := rows.Scan(&t.Key, &ms); err != nil {
			return nil, fmt.Errorf("history targets: %w", err)
		}
		t.Latest = time.UnixMilli(ms).UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history targets: %w", err)
	}
	return out, nil
}

// HistoryTargetKeys lists every target.
func (s *SQLite) HistoryTargetKeys(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key FROM history_targets ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("history targets: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("history targets: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// PruneHistory applies retention to one target.
func (s *SQLite) PruneHistory(ctx context.Context, target string, before time.Time, keep, limit int) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("prune history %s: %w", target, err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM history_targets WHERE key = ?`, target).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("prune history %s: %w", target, err)
	}
	cut := PosBefore(before) // delete what is below cut
	if keep > 0 {
		var p HistoryPos
		err := tx.QueryRowContext(ctx, `SELECT time, seq FROM history WHERE target = ?
			ORDER BY time DESC, seq DESC LIMIT 1 OFFSET ?`, id, keep-1).Scan(&p.Time, &p.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, fmt.Errorf("prune history %s: %w", target, err)
		case cut.less(p):
			cut = p
		}
	}
	// At most limit records: stop below the limit-th oldest when it is
	// below cut.
	var p HistoryPos
	err = tx.QueryRowContext(ctx, `SELECT time, seq FROM history WHERE target = ?
		ORDER BY time, seq LIMIT 1 OFFSET ?`, id, limit).Scan(&p.Time, &p.ID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, fmt.Errorf("prune history %s: %w", target, err)
	case p.less(cut):
		cut = p
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM history WHERE target = ? AND (time, seq) < (?, ?)`,
		id, cut.Time, cut.ID)
	if err != nil {
		return 0, fmt.Errorf("prune history %s: %w", target, err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune history %s: commit: %w", target, err)
	}
	return int(n), nil
}

// DeleteHistory deletes one record.
func (s *SQLite) DeleteHistory(ctx context.Context, target, msgid string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM history WHERE msgid = ?
		AND target = (SELECT id FROM history_targets WHERE key = ?)`, msgid, target)
	if err != nil {
		return fmt.Errorf("delete history: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// RenameHistoryTarget moves a target to a new key.
func (s *SQLite) RenameHistoryTarget(ctx context.Context, from, to string, since time.Time) error {
	if from == to {
		// Setting aside what is under to would set aside the target itself.
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rename history %s: %w", from, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO history_targets(key) VALUES(?) ON CONFLICT(key) DO NOTHING`, from); err != nil {
		return fmt.Errorf("rename history %s: %w", from, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE history SET target = (SELECT id FROM history_targets WHERE key = ?)
		WHERE target = (SELECT id FROM history_targets WHERE key = ?) AND time >= ?`, from, to, since.UnixMilli()); err != nil {
		return fmt.Errorf("rename history %s: %w", from, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE history_targets SET key = key || ' ~' || id WHERE key = ?`, to); err != nil {
		return fmt.Errorf("rename history %s: %w", from, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE history_targets SET key = ? WHERE key = ?`, to, from); err != nil {
		return fmt.Errorf("rename history %s: %w", from, err)
	}
	err = tx.Commit()
	s.hist.mu.Lock()
	delete(s.hist.targets, from)
	delete(s.hist.targets, to)
	s.hist.mu.Unlock()
	if err != nil {
		return fmt.Errorf("rename history %s: commit: %w", from, err)
	}
	return nil
}
