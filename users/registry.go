package users

import (
	"errors"
	"fmt"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// ErrNickInUse is returned when another client holds the nick.
var ErrNickInUse = errors.New("nick in use")

// Registry maps casefolded nicks to clients and knows every connection.
//
// Lock order: Registry.mu before Client.mu. The fold cache holds only pure
// results (name -> casefold), so it can never route a message to a stale
// holder of a nick: ownership is always read from byNick under mu.
type Registry struct {
	casemap  Casemapping
	folds    *lru.Cache[string, string]
	whowas   *Whowas
	monitors *Monitors

	tally tally

	mu      sync.RWMutex
	byNick  map[string]*Client
	clients map[*Client]struct{}
}

// NewRegistry makes an empty registry that folds names with casemap,
// caching up to foldCache folds and remembering whowasSize departed nicks.
func NewRegistry(casemap Casemapping, foldCache, whowasSize int) (*Registry, error) {
	folds, err := lru.New[string, string](foldCache)
	if err != nil {
		return nil, fmt.Errorf("nick fold cache: %w", err)
	}
	return &Registry{
		casemap:  casemap,
		folds:    folds,
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

// Fold returns the casefold of a nick or channel name, through the LRU.
func (r *Registry) Fold(name string) string {
	if f, ok := r.folds.Get(name); ok {
		return f
	}
	f := r.casemap.Fold(name)
	r.folds.Add(name, f)
	return f
}

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
	folded := r.Fold(c.Nick())
	if _, ok := r.clients[c]; ok {
		r.tally.connections.Add(-1)
		c.track(nil)
	}
	delete(r.clients, c)
	if r.byNick[folded] == c {
		delete(r.byNick, folded)
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
	if oldFolded := r.Fold(old); r.byNick[oldFolded] == c {
		delete(r.byNick, oldFolded)
	}
	r.byNick[folded] = c
	c.Update(func(id *Identity) { id.Nick = nick })
	if claimed != nil {
		claimed(old)
	}
	return old, nil
}

// Find returns the client holding nick, or nil.
func (r *Registry) Find(nick string) *Client {
	folded := r.Fold(nick)
	r.mu.RLock()
	c := r.byNick[folded]
	r.mu.RUnlock()
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
