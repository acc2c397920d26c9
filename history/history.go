package history

import (
	"context"
	"errors"
	"time"

	"github.com/conference-irc/conference/store"
)

// ErrNoSuchMsgID is returned when a msgid= selector names a message the
// target does not have.
var ErrNoSuchMsgID = errors.New("no such msgid")

// Item is one stored line.
type Item struct {
	// Time is when the line was sent.
	Time time.Time
	// Event marks a membership or channel event (JOIN, PART, QUIT, KICK,
	// NICK, TOPIC, MODE), replayed only to clients that asked for them.
	Event bool
	// MsgID, Command, Source (nick!user@host) and Account describe the
	// line; Params are its parameters as sent.
	MsgID, Command, Source, Account string
	Params                          []string
	// Tags are the sender's client-only tags, encoded ("+a=b;+c").
	Tags string
}

// Entry is an Item on its way to a target.
type Entry struct {
	// Target is the key of the conversation (see ChannelKey, DMKey).
	Target string
	// Parties may read the target besides the members of a channel: the
	// accounts of a private conversation.
	Parties []string
	Item
}

// Store is what the server asks of history.
type Store interface {
	// Add records e. It never blocks; what it cannot keep is counted.
	Add(e Entry)
	// Query answers one CHATHISTORY request, oldest first.
	Query(ctx context.Context, q Query) ([]Item, error)
	// Targets lists the conversations with activity between two times.
	Targets(ctx context.Context, q TargetsQuery) ([]Target, error)
	// Delete removes a message (a redaction); ErrNoSuchMsgID when absent.
	Delete(ctx context.Context, target, msgid string) error
	// Rename moves a target's history to a new key (a renamed channel)
	// renamed at since: what was already recorded under the new key from
	// then on joins it; older records there are set aside.
	Rename(ctx context.Context, from, to string, since time.Time) error
	// ReadMarker is the time of the last message account has read in
	// target (draft/read-marker); zero when none was set.
	ReadMarker(ctx context.Context, account, target string) (time.Time, error)
	// SetReadMarker moves the marker forward to t (never back) and returns
	// it as kept.
	SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error)
	// Stats says what the store has done since it started.
	Stats() Stats
	// Close stops the store after writing what is queued.
	Close() error
}

// Stats are counters of a store.
type Stats struct {
	// Queued, Stored and Dropped count records: accepted by Add, committed,
	// and lost (queue full or a failed write).
	Queued, Stored, Dropped uint64
	// Batches counts the transactions that stored them.
	Batches uint64
}

// TargetsQuery is CHATHISTORY TARGETS: conversations whose newest record
// lies between From and To (exclusive, either order).
type TargetsQuery struct {
	// Channels are the keys of the channels the asker is in.
	Channels []string
	// Account is the asker's account key ("" when not logged in): its
	// private conversations are listed too.
	Account  string
	From, To time.Time
	Limit    int
}

// Target is one conversation and the time of its newest record.
type Target struct {
	Key    string
	Latest time.Time
}

// ChannelKey is the target key of a channel, given its casefolded name.
func ChannelKey(folded string) string { return folded }

// DMKey is the target key of the private conversation between two
// accounts (casefolded): the same whichever of them speaks.
func DMKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return "~" + a + " " + b
}

// IsDM tells a private conversation's key from a channel's.
func IsDM(key string) bool { return len(key) > 0 && key[0] == '~' }

// record is how an Entry is kept by the database.
func (e *Entry) record() store.HistoryRecord {
	return store.HistoryRecord{
		Target: e.Target, Parties: e.Parties, Time: e.Time, Event: e.Event,
		MsgID: e.MsgID, Command: e.Command, Source: e.Source, Account: e.Account,
		Params: e.Params, Tags: e.Tags,
	}
}

// itemOf is the Item a database record holds.
func itemOf(r *store.HistoryRecord) Item {
	return Item{Time: r.Time, Event: r.Event, MsgID: r.MsgID, Command: r.Command,
		Source: r.Source, Account: r.Account, Params: r.Params, Tags: r.Tags}
}
