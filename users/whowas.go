package users

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// WhowasEntry is what WHOWAS remembers of a nick that left or changed.
type WhowasEntry struct {
	Identity
	Server string
	Left   time.Time
}

// perNickHistory bounds how many entries one nick keeps.
const perNickHistory = 8

// Whowas is a bounded history of departed nicks: an LRU of nicks, each with
// its newest entries first.
type Whowas struct {
	casemap Casemapping
	mu      sync.Mutex
	byNick  *lru.Cache[string, []WhowasEntry]
}

// NewWhowas makes a history that remembers up to size nicks (0 disables it).
func NewWhowas(casemap Casemapping, size int) *Whowas {
	w := &Whowas{casemap: casemap}
	if size > 0 {
		w.byNick, _ = lru.New[string, []WhowasEntry](size)
	}
	return w
}

// Resize changes how many nicks are remembered (a reload of
// limits.whowas): the most recent stay; 0 forgets them all and records no
// more.
func (w *Whowas) Resize(size int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case size <= 0:
		w.byNick = nil
	case w.byNick == nil:
		w.byNick, _ = lru.New[string, []WhowasEntry](size)
	default:
		w.byNick.Resize(size)
	}
}

// Record remembers e under its nick.
func (w *Whowas) Record(e WhowasEntry) {
	key := w.casemap.Fold(e.Nick)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byNick == nil {
		return
	}
	old, _ := w.byNick.Get(key)
	entries := make([]WhowasEntry, 0, min(len(old)+1, perNickHistory))
	entries = append(entries, e)
	for _, o := range old {
		if len(entries) == perNickHistory {
			break
		}
		entries = append(entries, o)
	}
	w.byNick.Add(key, entries)
}

// Lookup returns up to count entries for nick, newest first (count <= 0: all).
func (w *Whowas) Lookup(nick string, count int) []WhowasEntry {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byNick == nil {
		return nil
	}
	entries, _ := w.byNick.Get(w.casemap.Fold(nick))
	if count > 0 && len(entries) > count {
		entries = entries[:count]
	}
	return append([]WhowasEntry(nil), entries...)
}
