package users

import (
	"errors"
	"sync"
)

// ErrNickInUse is returned when another client holds the nick.
var ErrNickInUse = errors.New("nick in use")

// Registry maps casefolded nicks to clients and knows every connection.
//
// Lock order: Registry.mu before Client.mu; the lookup cache's shard locks
// are leaves. Find goes first to the LRU of lookups (lookup.go), whose every
// hit is validated against the claim it found: a claim ends, under mu, when
// its nick changes hands or its client leaves, so the cache never routes to
// a stale holder; a miss reads byNick under mu as before.
type Registry struct {
	casemap  Casemapping
	lookups  *lookupCache
	whowas   *Whowas
	monitors *Monitors

	tally tally

	mu      sync.RWMutex
	byNick  map[string]*Client
	clients map[*Client]struct{}
}

// NewRegistry makes an empty registry that folds names with casemap,
// caching up to lookupCache nick lookups and remembering whowasSize
// departed nicks.
func NewRegistry(casemap Casemapping, lookupCache, whowasSize int) (*Registry, error) {
	lookups, err := newLookupCache(lookupCache)
	if err != nil {
		return nil, err
	}
	return &Registry{
		casemap:  casemap,
		lookups:  lookups,
		whowas:   NewWhowas(casemap, whowasSize),
		monitors: NewMonitors(casemap),
		byNick:   make(map[string]*Client),
		clients:  make(map[*Client]struct{}),
	}, nil
}

// Casemapping is how the registry compares names.
func (r *Registry) Casemapping() Casemapping { return r.casemap }

// Whowas is the history of departed nicks.
func (r *Registry) Whowas() *Whowas { return r.whowas }

// Monitors is the MONITOR index.
func (r *Registry) Monitors() *Monitors { return r.monitors }

// Fold returns the casefold of a nick or channel name. (Folding is
// table-driven and cheaper than any cache of it: the cache is of whole
// lookups, see Find.)
func (r *Registry) Fold(name string) string { return r.casemap.Fold(name) }

// Add records a new connection (not yet registered).
func (r *Registry) Add(c *Client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clients[c]; ok {
		return
	}
	r.clients[c] = struct{}{}
	r.tally.connections.Add(1)
	c.track(&r.tally)
}

// Remove forgets a connection and frees its nick.
func (r *Registry) Remove(c *Client) {
	r.mu.Lock()
	if _, ok := r.clients[c]; ok {
		r.tally.connections.Add(-1)
		c.track(nil)
	}
	delete(r.clients, c)
	if cl := c.claim; cl != nil {
		if r.byNick[cl.folded] == c {
			delete(r.byNick, cl.folded)
		}
		cl.holder.Store(nil)
		c.claim = nil
	}
	r.mu.Unlock()
}

// ClaimNick gives nick to c, releasing c's previous nick; it returns the
// previous nick, or ErrNickInUse when someone else holds nick. A client may
// change the case of its own nick.
func (r *Registry) ClaimNick(c *Client, nick string) (string, error) {
	return r.ClaimNickThen(c, nick, nil)
}

// ClaimNickThen is ClaimNick calling claimed (when set) under the
// registry's lock right after c got nick, before anyone can find c by it:
// the place to queue c's own NICK line, so that it comes before anything
// addressed to the new nick. claimed may take client and send-queue locks.
func (r *Registry) ClaimNickThen(c *Client, nick string, claimed func(old string)) (string, error) {
	folded := r.Fold(nick)
	r.mu.Lock()
	defer r.mu.Unlock()
	if holder, ok := r.byNick[folded]; ok && holder != c {
		return "", ErrNickInUse
	}
	old := c.Nick()
	prev := c.claim
	if prev != nil && r.byNick[prev.folded] == c {
		delete(r.byNick, prev.folded)
	}
	r.byNick[folded] = c
	c.Update(func(id *Identity) { id.Nick = nick })
	if claimed != nil {
		claimed(old)
	}
	// The claims change last, after c's own NICK is queued: until then a
	// cached lookup may still find c under its old nick (as if it came just
	// before the change), never under the new one.
	if prev == nil || prev.folded != folded {
		if prev != nil {
			prev.holder.Store(nil)
		}
		cl := &nickClaim{folded: folded}
		cl.holder.Store(c)
		c.claim = cl
	}
	return old, nil
}

// Find returns the client holding nick, or nil. A name found before, as
// typed, is answered from the LRU of lookups without the registry's lock
// or a fold, once its claim is checked to be current.
func (r *Registry) Find(nick string) *Client {
	if c := r.lookups.get(nick); c != nil {
		return c
	}
	folded := r.Fold(nick)
	r.mu.RLock()
	c := r.byNick[folded]
	var cl *nickClaim
	if c != nil {
		cl = c.claim
	}
	r.mu.RUnlock()
	if cl != nil {
		r.lookups.put(nick, cl)
	}
	return c
}

// NoticeWatchers returns the registered operators with user mode +s, who
// receive server notices. The set is kept as modes change, so the cost is
// theirs in number, not every client's.
func (r *Registry) NoticeWatchers() []*Client { return r.tally.watchers() }

// Counts summarises the connections for LUSERS.
type Counts struct {
	Users, Invisible, Unknown, Operators, Peak int
}

// Counts reads the LUSERS figures, kept up to date as clients come, change
// modes and go.
func (r *Registry) Counts() Counts {
	t := &r.tally
	users := int(t.users.Load())
	return Counts{
		Users:     users,
		Invisible: int(t.invisible.Load()),
		Unknown:   int(t.connections.Load()) - users,
		Operators: int(t.operators.Load()),
		Peak:      int(t.peak.Load()),
	}
}

// Clients returns every registered client, in no particular order.
func (r *Registry) Clients() []*Client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Client, 0, len(r.byNick))
	for _, c := range r.byNick {
		if c.Registered() {
			out = append(out, c)
		}
	}
	return out
}

// All returns every connection, registered or not.
func (r *Registry) All() []*Client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Client, 0, len(r.clients))
	for c := range r.clients {
		out = append(out, c)
	}
	return out
}
