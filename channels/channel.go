package channels

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conference-irc/conference/users"
)

// Reasons a JOIN is refused.
var (
	ErrBanned     = errors.New("banned")
	ErrInviteOnly = errors.New("invite only")
	ErrBadKey     = errors.New("bad key")
	ErrFull       = errors.New("channel is full")
	ErrSecureOnly = errors.New("secure connections only")
	ErrAlreadyIn  = errors.New("already a member")
	ErrListFull   = errors.New("list is full")
	errDead       = errors.New("channel is gone")
)

// ModeRank is the status needed to set the channel's modes and lists
// (+i, +k, +l, +b...), and so to issue an invitation that lets its holder
// past them.
const ModeRank = Halfop

// Reasons a message to the channel is refused.
var (
	ErrNoExternal = errors.New("no external messages")
	ErrModerated  = errors.New("moderated")
)

// Topic is a channel's topic with who set it and when.
type Topic struct {
	Text  string
	SetBy string
	SetAt time.Time
}

// ListEntry is one mask on a ban, exception or invite list.
type ListEntry struct {
	Mask  string
	SetBy string
	SetAt time.Time
	seq   uint64 // the channel's change count when added (see Channel.seq)
}

// Member is one client in a channel with its status.
type Member struct {
	Client *users.Client
	Prefix Prefix
}

// Channel is one IRC channel. Every field is guarded by mu; no method calls
// out to other rooms (packages) while holding it except Client methods that
// only take the client's own lock (lock order: Registry.mu, Channel.mu, Client.mu, send
// queue locks).
type Channel struct {
	id      uint64                       // unique in the registry: invitations name it
	names   atomic.Pointer[channelNames] // changed only by Registry.Rename
	casemap users.Casemapping
	created time.Time

	mu      sync.RWMutex
	members map[*users.Client]Prefix
	topic   Topic
	flags   Flags
	key     string
	limit   int
	lists   [listKinds][]ListEntry
	// seq counts invitations and list additions, so that a ban added
	// after an invitation is known to be newer than it.
	seq  uint64
	dead bool
}

// channelNames are a channel's name as spelled and casefolded.
type channelNames struct{ name, folded string }

func newChannel(id uint64, name, folded string, cm users.Casemapping, now time.Time) *Channel {
	ch := &Channel{
		id: id, casemap: cm, created: now,
		members: make(map[*users.Client]Prefix),
		flags:   Flags(NoExternal | TopicLocked),
	}
	ch.names.Store(&channelNames{name, folded})
	return ch
}

// Name is the channel's name as its creator (or its last RENAME) spelled
// it.
func (ch *Channel) Name() string { return ch.names.Load().name }

// Folded is the channel's casefolded name.
func (ch *Channel) Folded() string { return ch.names.Load().folded }

// Created is when the channel came into being.
func (ch *Channel) Created() time.Time { return ch.created }

// JoinRequest is who wants in and with what.
type JoinRequest struct {
	Client *users.Client
	Key    string
	// Masks are the client's nick!user@host forms to match against lists.
	Masks []string
	// Joined, when set, is called under the channel's lock right after the
	// client became a member, before anyone else can see it there: the
	// place to queue the joiner's own JOIN line, so that it comes before
	// any traffic of the channel. It may take client and send-queue locks,
	// never a channel's.
	Joined func(ch *Channel)
}

// join adds the client after checking the channel's rules.
func (ch *Channel) join(req JoinRequest) (Prefix, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.dead {
		return 0, errDead
	}
	if _, ok := ch.members[req.Client]; ok {
		return 0, ErrAlreadyIn
	}
	inv, invited := req.Client.Invitation(ch.id)
	if err := ch.admitLocked(req, inv, invited); err != nil {
		return 0, err
	}
	if invited {
		req.Client.DropInvitation(ch.id)
	}
	var p Prefix
	if len(ch.members) == 0 {
		p = Op
	}
	ch.members[req.Client] = p
	// Recorded under the channel's lock, so that a KICK or PART racing
	// with this JOIN can never leave the client's channel set out of step.
	req.Client.AddChannel(ch)
	if req.Joined != nil {
		req.Joined(ch)
	}
	return p, nil
}

// admitLocked applies the channel's rules to a join. An invitation (only
// ever issued by someone of ModeRank) lets its holder past +i, +l and the
// bans set before it; a ban set after it wins, and +k always applies.
func (ch *Channel) admitLocked(req JoinRequest, inv users.Invitation, invited bool) error {
	// Not even an invitation lets a plain-text client into a +z channel:
	// the mode promises its members that nobody reads along unencrypted.
	if ch.flags.Has(SecureOnly) && !req.Client.Secure() {
		return ErrSecureOnly
	}
	if ch.flags.Has(InviteOnly) && !invited && !ch.matchesLocked(Invexes, req.Masks) {
		return ErrInviteOnly
	}
	if banSeq, banned := ch.latestMatchLocked(Bans, req.Masks); banned && !(invited && inv.Seq > banSeq) &&
		!ch.matchesLocked(Exceptions, req.Masks) {
		return ErrBanned
	}
	if ch.key != "" && req.Key != ch.key {
		return ErrBadKey
	}
	if ch.limit > 0 && len(ch.members) >= ch.limit && !invited {
		return ErrFull
	}
	return nil
}

func (ch *Channel) matchesLocked(kind ListKind, masks []string) bool {
	_, ok := ch.latestMatchLocked(kind, masks)
	return ok
}

// latestMatchLocked finds the newest entry of a list that matches one of
// masks and reports when it was added.
func (ch *Channel) latestMatchLocked(kind ListKind, masks []string) (seq uint64, ok bool) {
	list := ch.lists[kind]
	for i := len(list) - 1; i >= 0; i-- {
		for _, m := range masks {
			if MatchMask(ch.casemap, list[i].Mask, m) {
				return list[i].seq, true
			}
		}
	}
	return 0, false
}

// remove takes c out; it reports whether c was a member and whether the
// channel is now empty (and so dead).
func (ch *Channel) remove(c *users.Client) (wasMember, empty bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if _, ok := ch.members[c]; !ok {
		return false, len(ch.members) == 0
	}
	delete(ch.members, c)
	c.RemoveChannel(ch)
	if len(ch.members) == 0 {
		ch.dead = true
	}
	return true, ch.dead
}

// killIfEmpty marks a channel without members dead; it reports whether
// the channel is dead.
func (ch *Channel) killIfEmpty() bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if len(ch.members) == 0 {
		ch.dead = true
	}
	return ch.dead
}

func (ch *Channel) isDead() bool {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return ch.dead
}

// MemberCount is how many clients are in the channel.
func (ch *Channel) MemberCount() int {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return len(ch.members)
}

// PrefixOf returns c's status and whether c is a member.
func (ch *Channel) PrefixOf(c *users.Client) (Prefix, bool) {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	p, ok := ch.members[c]
	return p, ok
}

// ForEachMember calls f for every member under the channel's read lock. f
// must not block nor take any lock but a client's or a send queue's.
func (ch *Channel) ForEachMember(f func(c *users.Client, p Prefix)) {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	for c, p := range ch.members {
		f(c, p)
	}
}

// Members returns a copy of the member list.
func (ch *Channel) Members() []Member {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	out := make([]Member, 0, len(ch.members))
	for c, p := range ch.members {
		out = append(out, Member{Client: c, Prefix: p})
	}
	return out
}

// CanSend checks whether c may speak in the channel: +n keeps outsiders
// out, +m needs voice, a ban (without exception) silences. masks is called
// only when the ban list is not empty.
func (ch *Channel) CanSend(c *users.Client, masks func() []string) error {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	p, member := ch.members[c]
	switch {
	case !member && ch.flags.Has(NoExternal):
		return ErrNoExternal
	case ch.flags.Has(Moderated) && !p.AtLeast(Voice):
		return ErrModerated
	case len(ch.lists[Bans]) > 0 && !p.AtLeast(Voice):
		m := masks()
		if ch.matchesLocked(Bans, m) && !ch.matchesLocked(Exceptions, m) {
			return ErrBanned
		}
	}
	return nil
}

// IsBanned reports whether any of masks is banned without exception.
func (ch *Channel) IsBanned(masks []string) bool {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return ch.matchesLocked(Bans, masks) && !ch.matchesLocked(Exceptions, masks)
}

// Topic returns the current topic.
func (ch *Channel) Topic() Topic {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return ch.topic
}

// SetTopic replaces the topic.
func (ch *Channel) SetTopic(t Topic) {
	ch.mu.Lock()
	ch.topic = t
	ch.mu.Unlock()
}

// Flags returns the parameterless modes set.
func (ch *Channel) Flags() Flags {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return ch.flags
}

// SetFlag sets or clears one parameterless mode; it reports a change.
func (ch *Channel) SetFlag(f Flag, on bool) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.flags.Has(f) == on {
		return false
	}
	if on {
		ch.flags |= Flags(f)
	} else {
		ch.flags &^= Flags(f)
	}
	return true
}

// Key is the channel key ("" when none).
func (ch *Channel) Key() string {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return ch.key
}

// SetKey sets (or with "" clears) the key; it reports a change.
func (ch *Channel) SetKey(key string) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.key == key {
		return false
	}
	ch.key = key
	return true
}

// Limit is the member limit (0 when none).
func (ch *Channel) Limit() int {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return ch.limit
}

// SetLimit sets (or with 0 clears) the member limit; it reports a change.
func (ch *Channel) SetLimit(n int) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.limit == n {
		return false
	}
	ch.limit = n
	return true
}

// List returns a copy of one mask list.
func (ch *Channel) List(kind ListKind) []ListEntry {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	return append([]ListEntry(nil), ch.lists[kind]...)
}

// AddToList adds a mask unless an equal one is there; it reports a change,
// or ErrListFull when the list already holds max entries.
func (ch *Channel) AddToList(kind ListKind, e ListEntry, max int) (bool, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	for _, old := range ch.lists[kind] {
		if ch.casemap.Equal(old.Mask, e.Mask) {
			return false, nil
		}
	}
	if len(ch.lists[kind]) >= max {
		return false, ErrListFull
	}
	ch.seq++
	e.seq = ch.seq
	ch.lists[kind] = append(ch.lists[kind], e)
	return true, nil
}

// RemoveFromList removes a mask; it returns the mask as stored and whether
// it was there.
func (ch *Channel) RemoveFromList(kind ListKind, mask string) (string, bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	list := ch.lists[kind]
	for i, old := range list {
		if ch.casemap.Equal(old.Mask, mask) {
			ch.lists[kind] = append(list[:i:i], list[i+1:]...)
			return old.Mask, true
		}
	}
	return "", false
}

// SetPrefix grants or removes a status from a member; it reports whether
// the member exists and whether anything changed.
func (ch *Channel) SetPrefix(c *users.Client, p Prefix, on bool) (member, changed bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	old, ok := ch.members[c]
	if !ok {
		return false, false
	}
	now := old &^ p
	if on {
		now = old | p
	}
	ch.members[c] = now
	return true, now != old
}

// Invite lets c in once past +i, +l and the bans set so far, when the
// inviter is a member of ModeRank (someone who could have lifted them); it
// reports whether an invitation was recorded. Anyone else's invitation is
// only a notice: it lets the invitee past nothing. The invitee holds the
// invitation (users.Client), so it dies with the invitee's connection and
// the channel keeps no trace of it.
func (ch *Channel) Invite(by, c *users.Client) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if p, ok := ch.members[by]; !ok || !p.AtLeast(ModeRank) {
		return false
	}
	ch.seq++
	c.AddInvitation(users.Invitation{Channel: ch.id, Seq: ch.seq})
	return true
}

// ModeString renders the current modes for RPL_CHANNELMODEIS; the key and
// limit values are included only when showParams is true (members).
func (ch *Channel) ModeString(showParams bool) (modes string, params []string) {
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	out := []byte{'+'}
	out = append(out, ch.flags.Letters()...)
	if ch.key != "" {
		out = append(out, 'k')
		if showParams {
			params = append(params, ch.key)
		}
	}
	if ch.limit > 0 {
		out = append(out, 'l')
		if showParams {
			params = append(params, itoa(ch.limit))
		}
	}
	return string(out), params
}
