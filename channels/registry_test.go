package channels

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conference-irc/conference/users"
)

// TestCreateRace has many clients create the same channel at once: one
// channel comes out, everyone is in it, exactly one is its operator, and
// each client's channel set agrees.
func TestCreateRace(t *testing.T) {
	for round := range 20 {
		r := NewRegistry(users.RFC1459)
		const n = 16
		clients := make([]*users.Client, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			c, m := member(uint64(i+1), fmt.Sprintf("c%d", i))
			clients[i] = c
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, _, _, err := r.Join(fmt.Sprintf("#New%d", round), JoinRequest{Client: c, Masks: m}, epoch); err != nil {
					t.Errorf("join: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if r.Count() != 1 {
			t.Fatalf("%d channels, want 1", r.Count())
		}
		ch := r.All()[0]
		ops := 0
		for _, m := range ch.Members() {
			if m.Prefix.AtLeast(Op) {
				ops++
			}
		}
		if ch.MemberCount() != n || ops != 1 {
			t.Fatalf("%d members and %d ops, want %d and 1", ch.MemberCount(), ops, n)
		}
		for _, c := range clients {
			if chans := c.Channels(); len(chans) != 1 || chans[0] != ch {
				t.Fatalf("%s's channels %v", c.Nick(), chans)
			}
		}
	}
}

// TestJoinWaitsOnlyForItsChannel: a JOIN stuck on one channel's lock (a
// long ban list being matched, say) does not hold up a JOIN elsewhere.
func TestJoinWaitsOnlyForItsChannel(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	slow, sm := member(2, "slow")
	other, xm := member(3, "other")
	busy, _ := mustJoin(t, r, "#busy", op, om, "")

	busy.mu.Lock()
	stuck := make(chan struct{})
	go func() {
		defer close(stuck)
		r.Join("#busy", JoinRequest{Client: slow, Masks: sm}, epoch)
	}()
	waitBlockedIn(t, "channels.(*Registry).Join")

	done := make(chan struct{})
	go func() {
		defer close(done)
		mustJoin(t, r, "#elsewhere", other, xm, "")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("a JOIN to another channel waited for #busy's lock")
	}
	busy.mu.Unlock()
	<-stuck
	<-done
}

// waitBlockedIn waits until some goroutine is blocked on a lock inside fn,
// by reading the goroutines' stacks (bounded by a deadline).
func waitBlockedIn(t *testing.T, fn string) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); runtime.Gosched() {
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[sync.RWMutex.") && strings.Contains(g, fn) {
				return
			}
		}
	}
	t.Fatalf("no goroutine blocked in %s", fn)
}

// TestRenameLeavesNoGhost: a channel whose last member left while a RENAME
// was on its way (a KICK, then the kicker's PART) is gone; the rename must
// not bring it back under the new name, where LIST would show it forever
// and a JOIN would have to replace it.
func TestRenameLeavesNoGhost(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	alice, am := member(1, "alice")
	ch, _ := mustJoin(t, r, "#old", alice, am, "")
	r.Part(ch, alice)
	if err := r.Rename(ch, "#new"); err == nil {
		t.Error("renaming a channel that no longer exists succeeded")
	}
	if got := r.Get("#new"); got != nil || r.Count() != 0 {
		t.Fatalf("after renaming a dead channel: Get(#new) = %v, %d channels, want none", got, r.Count())
	}
}
