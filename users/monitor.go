package users

import (
	"sort"
	"sync"
)

// Monitors records which clients MONITOR which nicks, in both directions,
// so that a nick coming or going notifies its watchers in time linear in
// their number.
type Monitors struct {
	casemap  Casemapping
	mu       sync.Mutex
	watchers map[string]map[*Client]struct{} // folded nick -> watchers
	watching map[*Client]map[string]string   // watcher -> folded -> as given
}

// NewMonitors makes an empty monitor index.
func NewMonitors(cm Casemapping) *Monitors {
	return &Monitors{
		casemap:  cm,
		watchers: make(map[string]map[*Client]struct{}),
		watching: make(map[*Client]map[string]string),
	}
}

// Add makes c watch nick; it reports false when c already watches limit
// nicks (a nick already watched is accepted again).
func (m *Monitors) Add(c *Client, nick string, limit int) bool {
	folded := m.casemap.Fold(nick)
	m.mu.Lock()
	defer m.mu.Unlock()
	mine := m.watching[c]
	if _, ok := mine[folded]; ok {
		return true
	}
	if len(mine) >= limit {
		return false
	}
	if mine == nil {
		mine = make(map[string]string)
		m.watching[c] = mine
	}
	mine[folded] = nick
	w := m.watchers[folded]
	if w == nil {
		w = make(map[*Client]struct{})
		m.watchers[folded] = w
	}
	w[c] = struct{}{}
	return true
}

// Remove stops c watching nick.
func (m *Monitors) Remove(c *Client, nick string) {
	folded := m.casemap.Fold(nick)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(c, folded)
}

func (m *Monitors) removeLocked(c *Client, folded string) {
	delete(m.watching[c], folded)
	if len(m.watching[c]) == 0 {
		delete(m.watching, c)
	}
	if w := m.watchers[folded]; w != nil {
		delete(w, c)
		if len(w) == 0 {
			delete(m.watchers, folded)
		}
	}
}

// Clear stops c watching anything (MONITOR C, and on quit).
func (m *Monitors) Clear(c *Client) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for folded := range m.watching[c] {
		m.removeLocked(c, folded)
	}
}

// List returns the nicks c watches, sorted, as c spelled them.
func (m *Monitors) List(c *Client) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.watching[c]))
	for _, nick := range m.watching[c] {
		out = append(out, nick)
	}
	sort.Strings(out)
	return out
}

// Watchers returns the clients watching nick.
func (m *Monitors) Watchers(nick string) []*Client {
	folded := m.casemap.Fold(nick)
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.watchers[folded]
	if len(w) == 0 {
		return nil
	}
	out := make([]*Client, 0, len(w))
	for c := range w {
		out = append(out, c)
	}
	return out
}
