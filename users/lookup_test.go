package users

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// warm looks name up twice, so that the second answer comes from the LRU
// of lookups when the first one filled it.
func warm(r *Registry, name string) *Client {
	r.Find(name)
	return r.Find(name)
}

func TestLookupCacheFollowsNickChangingHands(t *testing.T) {
	r := newTestRegistry(t)
	alice := newTestClient(r, 1)
	bob := newTestClient(r, 2)
	mustClaim(t, r, alice, "Nick[")
	for _, typed := range []string{"Nick[", "nick{", "NICK["} {
		if got := warm(r, typed); got != alice {
			t.Fatalf("Find(%q) = %v, want alice", typed, got)
		}
	}
	// alice moves on, bob takes the nick: every cached spelling follows.
	mustClaim(t, r, alice, "Other")
	for _, typed := range []string{"Nick[", "nick{", "NICK["} {
		if got := r.Find(typed); got != nil {
			t.Fatalf("after alice left the nick, Find(%q) = %v, want nil", typed, got)
		}
	}
	mustClaim(t, r, bob, "NICK{")
	for _, typed := range []string{"Nick[", "nick{", "NICK["} {
		if got := warm(r, typed); got != bob {
			t.Fatalf("after bob took the nick, Find(%q) = %v, want bob", typed, got)
		}
	}
	// alice is found under her new nick, and again under the old one once
	// she takes it back (a new tenure).
	if got := warm(r, "other"); got != alice {
		t.Fatalf(`Find("other") = %v, want alice`, got)
	}
	mustClaim(t, r, bob, "Bob")
	mustClaim(t, r, alice, "nick[")
	if got := warm(r, "Nick["); got != alice {
		t.Fatalf(`Find("Nick[") after alice took it back = %v, want alice`, got)
	}
	if got := r.Find("Other"); got != nil {
		t.Fatalf(`Find("Other") after alice left it = %v, want nil`, got)
	}
}

func TestLookupCacheCaseChangeKeepsHolder(t *testing.T) {
	r := newTestRegistry(t)
	alice := newTestClient(r, 1)
	mustClaim(t, r, alice, "alice")
	warm(r, "ALICE")
	mustClaim(t, r, alice, "ALICE")
	for _, typed := range []string{"alice", "ALICE", "Alice"} {
		if got := warm(r, typed); got != alice {
			t.Fatalf("after a case change, Find(%q) = %v, want alice", typed, got)
		}
	}
}

func TestLookupCacheForgetsQuitClients(t *testing.T) {
	r := newTestRegistry(t)
	alice := newTestClient(r, 1)
	mustClaim(t, r, alice, "Alice")
	if warm(r, "alice") != alice {
		t.Fatal("alice not found")
	}
	r.Remove(alice)
	if got := r.Find("alice"); got != nil {
		t.Fatalf("after QUIT, Find = %v, want nil", got)
	}
	again := newTestClient(r, 2)
	mustClaim(t, r, again, "ALICE")
	if got := warm(r, "alice"); got != again {
		t.Fatalf("the next Alice is not found: %v", got)
	}
	// The cache keeps the ended claim, not the departed client.
	if cl, ok := r.lookups.shard("Alice").Peek("Alice"); ok && cl.holder.Load() == alice {
		t.Fatal("the cache still holds the departed client")
	}
}

func TestLookupCacheStaysBounded(t *testing.T) {
	r, err := NewRegistry(RFC1459, 64, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		c := newTestClient(r, uint64(i+1))
		mustClaim(t, r, c, fmt.Sprintf("N%d", i))
		warm(r, fmt.Sprintf("n%d", i))
	}
	total := 0
	for _, s := range r.lookups.shards {
		total += s.Len()
	}
	if total > 64 {
		t.Fatalf("cache holds %d entries, want at most 64", total)
	}
	for i := 0; i < 500; i += 50 {
		if r.Find(fmt.Sprintf("N%d", i)) == nil {
			t.Fatalf("N%d lost after evictions", i)
		}
	}
}

// TestLookupCacheNeverStaleConcurrent passes nicks between clients while
// readers look them up in several spellings, then has everyone quit. A
// reader may see a nick just before or just after a change, but never a
// client that had quit before its lookup began; once the changes are over,
// every spelling finds the holder, and after the quits nothing. Run under
// -race.
func TestLookupCacheNeverStaleConcurrent(t *testing.T) {
	r := newTestRegistry(t)
	const nicks, movers = 4, 8
	spellings := func(n int) []string {
		return []string{fmt.Sprintf("Nick[%d", n), fmt.Sprintf("NICK{%d", n), fmt.Sprintf("nick[%d", n)}
	}
	cs := make([]*Client, movers)
	quit := make([]atomic.Bool, movers)
	for i := range cs {
		cs[i] = newTestClient(r, uint64(i))
	}
	var stop atomic.Bool
	var stale atomic.Value
	var readers sync.WaitGroup
	for k := 0; k < 4; k++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for n := k; !stop.Load(); n++ {
				typed := spellings(n % nicks)[n%3]
				var gone [movers]bool
				for i := range quit {
					gone[i] = quit[i].Load()
				}
				if c := r.Find(typed); c != nil && gone[c.ID()] {
					stale.Store(fmt.Sprintf("Find(%q) found client %d, which had quit", typed, c.ID()))
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				r.ClaimNick(c, spellings((i + j) % nicks)[j%3])
			}
		}()
	}
	wg.Wait()
	for _, c := range cs {
		if nick := c.Nick(); nick != "*" {
			for _, typed := range spellings(int(nick[len(nick)-1] - '0')) {
				if got := warm(r, typed); got != c {
					t.Fatalf("Find(%q) = %v, want its holder %d", typed, got, c.ID())
				}
			}
		}
	}
	for i, c := range cs {
		r.Remove(c)
		quit[i].Store(true)
	}
	for n := 0; n < nicks; n++ {
		for _, typed := range spellings(n) {
			if c := r.Find(typed); c != nil {
				t.Fatalf("after everyone quit, Find(%q) = client %d", typed, c.ID())
			}
		}
	}
	stop.Store(true)
	readers.Wait()
	if msg := stale.Load(); msg != nil {
		t.Fatal(msg)
	}
}
