// Package channels knows which channels exist: each channel's topic, modes,
// key, limit, ban/exception/invite lists and members with their status, and
// the registry from casefolded name to channel.
package channels

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conference-irc/conference/users"
)

// Registry maps casefolded channel names to channels.
//
// Lock order: Registry.mu before Channel.mu. The registry's lock guards the
// map alone: a JOIN takes it only to find (read) or create (write) the
// channel, and is admitted under the channel's own lock, so JOINs to
// different channels never wait for each other. A channel that loses its
// last member is marked dead under its own lock and then removed here; a
// JOIN that finds a dead channel replaces it, so no one ever joins a ghost.
type Registry struct {
	casemap users.Casemapping
	lastID  atomic.Uint64
	mu      sync.RWMutex
	byName  map[string]*Channel
}

// NewRegistry makes an empty registry comparing names with casemap.
func NewRegistry(casemap users.Casemapping) *Registry {
	return &Registry{casemap: casemap, byName: make(map[string]*Channel)}
}

// Get finds a channel by name, or nil.
func (r *Registry) Get(name string) *Channel {
	folded := r.casemap.Fold(name)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byName[folded]
}

// Join puts the client in the named channel, creating it (with the client
// as op) when it does not exist. It reports the channel, the status the
// client got, and whether the channel was created.
func (r *Registry) Join(name string, req JoinRequest, now time.Time) (ch *Channel, p Prefix, created bool, err error) {
	folded := r.casemap.Fold(name)
	for {
		ch, created = r.findOrCreate(name, folded, now)
		// Admission runs under the channel's lock only. A concurrent last
		// PART can kill ch between the lookup and the join; the next round
		// replaces it.
		if p, err = ch.join(req); err != errDead {
			break
		}
	}
	if err != nil {
		if created {
			r.dropIfEmpty(ch)
		}
		return nil, 0, false, err
	}
	return ch, p, created, nil
}

// findOrCreate returns the live channel named folded, creating it when
// there is none; it reports whether it created it. The write lock is taken
// only to create.
func (r *Registry) findOrCreate(name, folded string, now time.Time) (*Channel, bool) {
	r.mu.RLock()
	ch := r.byName[folded]
	r.mu.RUnlock()
	if ch != nil && !ch.isDead() {
		return ch, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// Another JOIN may have created it meanwhile.
	if ch = r.byName[folded]; ch != nil && !ch.isDead() {
		return ch, false
	}
	ch = newChannel(r.lastID.Add(1), name, folded, r.casemap, now)
	r.byName[folded] = ch
	return ch, true
}

// dropIfEmpty removes a channel that a refused JOIN created, unless someone
// joined it meanwhile.
func (r *Registry) dropIfEmpty(ch *Channel) {
	if !ch.killIfEmpty() {
		return
	}
	r.mu.Lock()
	if r.byName[ch.Folded()] == ch {
		delete(r.byName, ch.Folded())
	}
	r.mu.Unlock()
}

// Part takes the client out of the channel and drops the channel when it
// is left empty; it reports whether the client was a member.
func (r *Registry) Part(ch *Channel, c *users.Client) bool {
	wasMember, empty := ch.remove(c)
	if empty {
		r.mu.Lock()
		if r.byName[ch.Folded()] == ch && ch.isDead() {
			delete(r.byName, ch.Folded())
		}
		r.mu.Unlock()
	}
	return wasMember
}

// ErrNameInUse is returned by Rename when another channel has the name.
var ErrNameInUse = errors.New("channel name in use")

// Rename gives ch a new name (a change of case only, or a name no live
// channel has), under the registry's lock so that no JOIN or PART sees the
// map and the channel disagree. A channel that lost its last member
// meanwhile is not renamed (an error): it is gone, and must not come back
// under the new name.
func (r *Registry) Rename(ch *Channel, name string) error {
	folded := r.casemap.Fold(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	// Under the registry's lock, a PART that kills ch either comes first
	// (ch is dead here) or removes ch under its new name afterwards.
	if ch.isDead() {
		return errDead
	}
	if other := r.byName[folded]; other != nil && other != ch && !other.isDead() {
		return ErrNameInUse
	}
	if old := ch.Folded(); r.byName[old] == ch {
		delete(r.byName, old)
	}
	ch.names.Store(&channelNames{name, folded})
	r.byName[folded] = ch
	return nil
}

// Count is how many channels exist.
func (r *Registry) Count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byName)
}

// All returns every channel, in no particular order.
func (r *Registry) All() []*Channel {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Channel, 0, len(r.byName))
	for _, ch := range r.byName {
		out = append(out, ch)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
