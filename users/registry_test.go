package users

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// nopConn is a Conn that drops everything.
type nopConn struct{}

func (nopConn) Send([]byte)  {}
func (nopConn) Close(string) {}

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func newTestRegistry(t *testing.T) *Registry {
	t.Helper()
	// A tiny lookup cache (one entry a shard), so that evictions happen
	// during the tests.
	r, err := NewRegistry(RFC1459, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newTestClient(r *Registry, id uint64) *Client {
	c := NewClient(id, nopConn{}, netip.MustParseAddr("192.0.2.1"), "192.0.2.1", epoch, false)
	r.Add(c)
	return c
}

func mustClaim(t *testing.T, r *Registry, c *Client, nick string) {
	t.Helper()
	if _, err := r.ClaimNick(c, nick); err != nil {
		t.Fatalf("ClaimNick(%q): %v", nick, err)
	}
}

func TestClaimNickAndFind(t *testing.T) {
	r := newTestRegistry(t)
	alice := newTestClient(r, 1)
	bob := newTestClient(r, 2)

	old, err := r.ClaimNick(alice, "Alice[")
	if err != nil || old != "*" {
		t.Fatalf("first claim = %q, %v; want \"*\", nil", old, err)
	}
	for _, name := range []string{"Alice[", "alice{", "ALICE[", "aLiCe{"} {
		if got := r.Find(name); got != alice {
			t.Errorf("Find(%q) = %v, want alice", name, got)
		}
	}
	if r.Find("alice") != nil {
		t.Error(`Find("alice") found someone`)
	}

	// Someone else cannot take any case variant.
	if _, err := r.ClaimNick(bob, "ALICE{"); !errors.Is(err, ErrNickInUse) {
		t.Errorf("bob claiming ALICE{: %v, want ErrNickInUse", err)
	}
	// The holder can change the case of its own nick.
	if old, err := r.ClaimNick(alice, "aLICE{"); err != nil || old != "Alice[" {
		t.Errorf("alice recasing: %q, %v", old, err)
	}
	if alice.Nick() != "aLICE{" || r.Find("alice[") != alice {
		t.Errorf("after recasing: nick %q, Find %v", alice.Nick(), r.Find("alice["))
	}
}

func TestClaimNickReleasesOldNick(t *testing.T) {
	r := newTestRegistry(t)
	alice := newTestClient(r, 1)
	bob := newTestClient(r, 2)
	mustClaim(t, r, alice, "alice")
	mustClaim(t, r, bob, "bob")

	mustClaim(t, r, alice, "alice2")
	if r.Find("alice") != nil {
		t.Fatal("old nick still routes after NICK")
	}
	mustClaim(t, r, bob, "ALICE")
	if got := r.Find("alice"); got != bob {
		t.Errorf("Find(alice) = %v, want bob", got)
	}
	if got := r.Find("alice2"); got != alice {
		t.Errorf("Find(alice2) = %v, want alice", got)
	}
	if r.Find("bob") != nil {
		t.Error("bob's old nick still routes")
	}
}

func TestRemoveFreesNick(t *testing.T) {
	r := newTestRegistry(t)
	alice := newTestClient(r, 1)
	mustClaim(t, r, alice, "alice")
	r.Remove(alice)
	if r.Find("alice") != nil {
		t.Fatal("nick still routes after Remove")
	}
	if len(r.All()) != 0 {
		t.Errorf("All() = %d clients after Remove", len(r.All()))
	}
	carol := newTestClient(r, 3)
	mustClaim(t, r, carol, "Alice")
	if r.Find("ALICE") != carol {
		t.Error("freed nick cannot be claimed")
	}

	// Removing a client never frees a nick it does not hold.
	ghost := newTestClient(r, 4)
	ghost.Update(func(id *Identity) { id.Nick = "alice" })
	r.Remove(ghost)
	if r.Find("alice") != carol {
		t.Error("removing a non-holder freed the nick")
	}
}

func TestRemoveUnregisteredWithoutNick(t *testing.T) {
	r := newTestRegistry(t)
	c := newTestClient(r, 1)
	if n := r.Counts().Unknown; n != 1 {
		t.Errorf("Unknown = %d, want 1", n)
	}
	r.Remove(c)
	if n := r.Counts().Unknown; n != 0 {
		t.Errorf("Unknown = %d after Remove, want 0", n)
	}
}

func TestCountsAndClients(t *testing.T) {
	r := newTestRegistry(t)
	a, b, c := newTestClient(r, 1), newTestClient(r, 2), newTestClient(r, 3)
	mustClaim(t, r, a, "a")
	mustClaim(t, r, b, "b")
	mustClaim(t, r, c, "c") // c never finishes registration
	a.SetRegistered()
	b.SetRegistered()
	b.Update(func(id *Identity) { id.Modes = UserModes(ModeInvisible | ModeOperator) })

	n := r.Counts()
	want := Counts{Users: 2, Invisible: 1, Unknown: 1, Operators: 1, Peak: 2}
	if n != want {
		t.Errorf("Counts = %+v, want %+v", n, want)
	}
	if got := len(r.Clients()); got != 2 {
		t.Errorf("Clients() = %d, want the 2 registered", got)
	}
	r.Remove(a)
	if n := r.Counts(); n.Users != 1 || n.Peak != 2 {
		t.Errorf("after Remove: %+v, want 1 user, peak 2", n)
	}
	// A removed client's later mode changes are not counted.
	r.Remove(b)
	b.Update(func(id *Identity) { id.Modes = 0 })
	if n := r.Counts(); n != (Counts{Unknown: 1, Peak: 2}) {
		t.Errorf("after removing b: %+v", n)
	}
}

// TestClaimNickConcurrent races many clients for the same few nicks: each
// nick ends up with exactly one holder, and Find agrees with each client.
func TestClaimNickConcurrent(t *testing.T) {
	r := newTestRegistry(t)
	const clients = 32
	cs := make([]*Client, clients)
	for i := range cs {
		cs[i] = newTestClient(r, uint64(i+1))
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				r.ClaimNick(c, fmt.Sprintf("Nick[%d]", (i+j)%8))
			}
		}()
	}
	wg.Wait()
	holders := map[string]*Client{}
	for _, c := range cs {
		nick := c.Nick()
		if nick == "*" {
			continue
		}
		f := r.Fold(nick)
		if other, dup := holders[f]; dup {
			t.Fatalf("%q held by two clients (%d and %d)", nick, other.ID(), c.ID())
		}
		holders[f] = c
		if r.Find(nick) != c {
			t.Errorf("Find(%q) does not return its holder", nick)
		}
	}
}

// TestFoldCacheNeverStale routes through the registry, with a lookup cache
// of one entry a shard evicting constantly, while nicks change hands, change case
// and move between RFC 1459 equivalents ([ and {, ~ and ^); after every
// step each spelling of every nick must find exactly the client a fresh
// fold says holds it, and a released nick nobody.
func TestFoldCacheNeverStale(t *testing.T) {
	r := newTestRegistry(t)
	clients := []*Client{newTestClient(r, 1), newTestClient(r, 2), newTestClient(r, 3)}
	holder := map[string]*Client{} // fresh fold -> holder, the model
	nickOf := map[*Client]string{}
	spellings := func(nick string) []string {
		return []string{nick, strings.ToUpper(nick), strings.ToLower(nick),
			strings.NewReplacer("[", "{", "]", "}", "\\", "|", "~", "^").Replace(nick),
			strings.NewReplacer("{", "[", "}", "]", "|", "\\", "^", "~").Replace(strings.ToUpper(nick))}
	}
	nicks := []string{"A[", "a{", "B]", "b}", "C\\", "c|", "D~", "d^", "Eve", "EVE"}
	for step := 0; step < 300; step++ {
		c := clients[step%len(clients)]
		nick := nicks[(step*7)%len(nicks)]
		fresh := RFC1459.Fold(nick)
		_, err := r.ClaimNick(c, nick)
		switch h, taken := holder[fresh]; {
		case taken && h != c:
			if !errors.Is(err, ErrNickInUse) {
				t.Fatalf("step %d: %q held by another, ClaimNick = %v", step, nick, err)
			}
		case err != nil:
			t.Fatalf("step %d: ClaimNick(%q) = %v", step, nick, err)
		default:
			delete(holder, RFC1459.Fold(nickOf[c]))
			holder[fresh], nickOf[c] = c, nick
		}
		for _, n := range nicks {
			for _, spelling := range spellings(n) {
				if got, want := r.Find(spelling), holder[RFC1459.Fold(spelling)]; got != want {
					t.Fatalf("step %d: Find(%q) = %v, want %v", step, spelling, got, want)
				}
			}
		}
	}
}
