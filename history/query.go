package history

import (
	"context"
	"errors"
	"time"

	"github.com/conference-irc/conference/store"
)

// Subcommand is a CHATHISTORY subcommand that reads one target.
type Subcommand uint8

// The subcommands that read one target.
const (
	Latest Subcommand = iota
	Before
	After
	Around
	Between
)

// Selector is a msgid= or timestamp= selector; the zero Selector is "*".
type Selector struct {
	MsgID string
	Time  time.Time
}

// Star reports whether s is "*".
func (s Selector) Star() bool { return s.MsgID == "" && s.Time.IsZero() }

// Query is one CHATHISTORY request for one target.
type Query struct {
	Target string
	Sub    Subcommand
	// A is the first selector, B the second (BETWEEN only).
	A, B Selector
	// Limit is the most items returned (the server's limit applied).
	Limit int
	// Events includes JOIN, PART and the other events (event-playback).
	Events bool
	// NotBefore hides what retention by age is about to delete (zero:
	// nothing hidden).
	NotBefore time.Time
}

// ranger is what a query needs of a backend: range reads and msgid
// positions, with the semantics of store.History.
type ranger interface {
	HistoryRange(ctx context.Context, q store.HistoryRange) ([]store.HistoryRecord, error)
	HistoryPosition(ctx context.Context, target, msgid string) (store.HistoryPos, error)
}

// run answers q from b, oldest first. Every bound is exclusive, except
// AROUND, which includes the message its msgid= names.
func run(ctx context.Context, b ranger, q Query) ([]Item, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	base := store.HistoryRange{Target: q.Target, Limit: q.Limit, Events: q.Events}
	if !q.NotBefore.IsZero() {
		p := store.PosBefore(q.NotBefore)
		base.After = &p
	}
	var ranges []store.HistoryRange
	switch q.Sub {
	case Latest:
		r := base
		r.Newest = true
		if !q.A.Star() {
			p, err := position(ctx, b, q.Target, q.A, true)
			if err != nil {
				return nil, err
			}
			r.After = later(r.After, p)
		}
		ranges = append(ranges, r)
	case Before, After:
		p, err := position(ctx, b, q.Target, q.A, q.Sub == After)
		if err != nil {
			return nil, err
		}
		r := base
		if q.Sub == Before {
			r.Before, r.Newest = &p, true
		} else {
			r.After = later(r.After, p)
		}
		ranges = append(ranges, r)
	case Between:
		lo, err := position(ctx, b, q.Target, q.A, true)
		if err != nil {
			return nil, err
		}
		hi, err := position(ctx, b, q.Target, q.B, false)
		if err != nil {
			return nil, err
		}
		r := base
		if less(hi, lo) {
			// Backwards: the newest of the range, from A down towards B.
			lo, err = position(ctx, b, q.Target, q.B, true)
			if err == nil {
				hi, err = position(ctx, b, q.Target, q.A, false)
			}
			if err != nil {
				return nil, err
			}
			r.Newest = true
		}
		r.After, r.Before = later(r.After, lo), &hi
		ranges = append(ranges, r)
	case Around:
		p, err := position(ctx, b, q.Target, q.A, false)
		if err != nil {
			return nil, err
		}
		upper, lower := p, p
		if q.A.MsgID != "" {
			lower.ID-- // the message itself opens the half after
		}
		before, after := base, base
		before.Before, before.Newest, before.Limit = &upper, true, q.Limit/2
		after.After = later(after.After, lower)
		ranges = append(ranges, before, after)
	default:
		return nil, errors.New("unknown subcommand")
	}
	var out []Item
	for i, r := range ranges {
		if i > 0 {
			r.Limit = q.Limit - len(out)
		}
		if r.Limit <= 0 {
			continue
		}
		recs, err := b.HistoryRange(ctx, r)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			out = append(out, itemOf(&recs[i]))
		}
	}
	return out, nil
}

// position is where a selector stands, as a lower bound (lower: records at
// a timestamp are excluded by being at or below it) or an upper one.
func position(ctx context.Context, b ranger, target string, s Selector, lower bool) (store.HistoryPos, error) {
	if s.MsgID != "" {
		p, err := b.HistoryPosition(ctx, target, s.MsgID)
		if errors.Is(err, store.ErrNotFound) {
			return p, ErrNoSuchMsgID
		}
		return p, err
	}
	if lower {
		return store.PosAfter(s.Time), nil
	}
	return store.PosBefore(s.Time), nil
}

// less orders positions.
func less(a, b store.HistoryPos) bool {
	return a.Time < b.Time || (a.Time == b.Time && a.ID < b.ID)
}

// later returns the later of two lower bounds (cur may be nil).
func later(cur *store.HistoryPos, p store.HistoryPos) *store.HistoryPos {
	if cur != nil && less(p, *cur) {
		return cur
	}
	return &p
}
