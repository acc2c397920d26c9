package users

import (
	"fmt"
	"hash/maphash"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// nickClaim is one tenure of a nick by a client: made when the client
// claims a nick, ended (holder cleared) when it changes nick again or
// leaves. The lookup cache stores claims, never clients, so a hit is
// validated with one atomic load and a departed client is not kept alive by
// the cache (only this small record is, until it is evicted).
type nickClaim struct {
	holder atomic.Pointer[Client] // nil once the tenure ended
	folded string                 // the key the client holds in byNick
}

// lookupShards is how many independent LRUs the lookup cache is split into,
// so that concurrent lookups of different names rarely share a lock (an
// LRU's Get moves the entry to the front: it needs the exclusive lock).
const lookupShards = 32

// lookupCache is the LRU of nick lookups: a name exactly as typed → the
// claim it was last found under. It holds only what the registry already
// said under its lock, and every hit is validated against the claim, so it
// can never route to a stale holder: a nick that changed hands or a client
// that quit ends the claim, and the next lookup goes back to the registry.
type lookupCache struct {
	seed   maphash.Seed
	shards [lookupShards]*lru.Cache[string, *nickClaim]
}

// newLookupCache makes a cache of about size entries in all (at least one
// per shard).
func newLookupCache(size int) (*lookupCache, error) {
	per := max(size/lookupShards, 1)
	lc := &lookupCache{seed: maphash.MakeSeed()}
	for i := range lc.shards {
		s, err := lru.New[string, *nickClaim](per)
		if err != nil {
			return nil, fmt.Errorf("nick lookup cache: %w", err)
		}
		lc.shards[i] = s
	}
	return lc, nil
}

func (lc *lookupCache) shard(name string) *lru.Cache[string, *nickClaim] {
	return lc.shards[maphash.String(lc.seed, name)%lookupShards]
}

// get returns the current holder found under name, or nil when the cache
// has no live claim for it (the caller asks the registry).
func (lc *lookupCache) get(name string) *Client {
	cl, ok := lc.shard(name).Get(name)
	if !ok {
		return nil
	}
	return cl.holder.Load()
}

// put remembers that name led to cl.
func (lc *lookupCache) put(name string, cl *nickClaim) {
	lc.shard(name).Add(name, cl)
}
