package channels

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/conference-irc/conference/users"
)

type nopConn struct{}

func (nopConn) Send([]byte)  {}
func (nopConn) Close(string) {}

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// member makes a client named nick, as a channel sees it.
func member(id uint64, nick string) (*users.Client, []string) {
	c := users.NewClient(id, nopConn{}, netip.MustParseAddr("192.0.2.1"), "192.0.2.1", epoch, false)
	c.Update(func(i *users.Identity) { i.Nick, i.User = nick, "~"+nick })
	return c, []string{nick + "!~" + nick + "@192.0.2.1"}
}

func mustJoin(t *testing.T, r *Registry, name string, c *users.Client, masks []string, key string) (*Channel, Prefix) {
	t.Helper()
	ch, p, _, err := r.Join(name, JoinRequest{Client: c, Key: key, Masks: masks}, epoch)
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	return ch, p
}

func TestJoinCreatesWithOpAndPartRemoves(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	alice, am := member(1, "alice")
	bob, bm := member(2, "bob")

	ch, p, created, err := r.Join("#Chan[", JoinRequest{Client: alice, Masks: am}, epoch)
	if err != nil || !created || p != Op {
		t.Fatalf("first join: created %v, prefix %v, err %v", created, p, err)
	}
	if ch.Name() != "#Chan[" || ch.Folded() != "#chan{" {
		t.Errorf("name %q folded %q", ch.Name(), ch.Folded())
	}
	if !ch.Flags().Has(NoExternal) || !ch.Flags().Has(TopicLocked) {
		t.Errorf("new channel modes +%s, want +nt", ch.Flags().Letters())
	}
	// The second member finds the same channel under another case and gets
	// no status.
	ch2, p, created, err := r.Join("#CHAN{", JoinRequest{Client: bob, Masks: bm}, epoch)
	if err != nil || created || ch2 != ch || p != 0 {
		t.Fatalf("second join: same %v, created %v, prefix %v, err %v", ch2 == ch, created, p, err)
	}
	if _, _, _, err := r.Join("#chan[", JoinRequest{Client: bob, Masks: bm}, epoch); !errors.Is(err, ErrAlreadyIn) {
		t.Errorf("joining twice: %v, want ErrAlreadyIn", err)
	}
	if ch.MemberCount() != 2 || r.Count() != 1 {
		t.Fatalf("members %d, channels %d", ch.MemberCount(), r.Count())
	}

	if !r.Part(ch, alice) {
		t.Error("Part(alice) reported not a member")
	}
	if r.Part(ch, alice) {
		t.Error("second Part(alice) reported a member")
	}
	if r.Get("#chan{") != ch {
		t.Fatal("channel vanished while bob is still in it")
	}
	r.Part(ch, bob)
	if r.Get("#chan{") != nil || r.Count() != 0 {
		t.Fatal("empty channel still exists")
	}

	// A fresh join recreates it, and the newcomer is op again.
	ch3, p := mustJoin(t, r, "#chan{", bob, bm, "")
	if ch3 == ch || p != Op {
		t.Errorf("rejoin: same channel %v, prefix %v", ch3 == ch, p)
	}
}

// TestJoinRules walks through each rule that can refuse a JOIN.
func TestJoinRules(t *testing.T) {
	list := func(mask string) ListEntry { return ListEntry{Mask: mask, SetBy: "op", SetAt: epoch} }
	tests := []struct {
		name    string
		setup   func(ch *Channel)
		key     string
		invited bool
		want    error
	}{
		{"open", func(*Channel) {}, "", false, nil},
		{"invite only", func(ch *Channel) { ch.SetFlag(InviteOnly, true) }, "", false, ErrInviteOnly},
		{"invite only, invited", func(ch *Channel) { ch.SetFlag(InviteOnly, true) }, "", true, nil},
		{"invite only, invex", func(ch *Channel) {
			ch.SetFlag(InviteOnly, true)
			ch.AddToList(Invexes, list("joiner!*@*"), 10)
		}, "", false, nil},
		{"invite only, other invex", func(ch *Channel) {
			ch.SetFlag(InviteOnly, true)
			ch.AddToList(Invexes, list("other!*@*"), 10)
		}, "", false, ErrInviteOnly},
		{"key missing", func(ch *Channel) { ch.SetKey("sesame") }, "", false, ErrBadKey},
		{"key wrong", func(ch *Channel) { ch.SetKey("sesame") }, "Sesame", false, ErrBadKey},
		{"key right", func(ch *Channel) { ch.SetKey("sesame") }, "sesame", false, nil},
		{"key needed even when invited", func(ch *Channel) { ch.SetKey("sesame") }, "", true, ErrBadKey},
		{"full", func(ch *Channel) { ch.SetLimit(1) }, "", false, ErrFull},
		{"full, invited", func(ch *Channel) { ch.SetLimit(1) }, "", true, nil},
		{"room left", func(ch *Channel) { ch.SetLimit(2) }, "", false, nil},
		{"banned", func(ch *Channel) { ch.AddToList(Bans, list("JOINER!*@*"), 10) }, "", false, ErrBanned},
		{"banned by host", func(ch *Channel) { ch.AddToList(Bans, list("*!*@192.0.2.*"), 10) }, "", false, ErrBanned},
		{"banned, excepted", func(ch *Channel) {
			ch.AddToList(Bans, list("*!*@*"), 10)
			ch.AddToList(Exceptions, list("joiner!*@*"), 10)
		}, "", false, nil},
		{"banned, invited", func(ch *Channel) { ch.AddToList(Bans, list("joiner!*@*"), 10) }, "", true, nil},
		{"other ban", func(ch *Channel) { ch.AddToList(Bans, list("other!*@*"), 10) }, "", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry(users.RFC1459)
			op, om := member(1, "op")
			joiner, jm := member(2, "joiner")
			ch, _ := mustJoin(t, r, "#room", op, om, "")
			tt.setup(ch)
			if tt.invited {
				ch.Invite(joiner)
			}
			_, p, created, err := r.Join("#room", JoinRequest{Client: joiner, Key: tt.key, Masks: jm}, epoch)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("join: %v, want %v", err, tt.want)
			}
			if created {
				t.Error("join created a new channel")
			}
			if err == nil && p != 0 {
				t.Errorf("joiner got prefix %v", p)
			}
			if want := 1 + map[bool]int{true: 1}[err == nil]; ch.MemberCount() != want {
				t.Errorf("members = %d, want %d", ch.MemberCount(), want)
			}
		})
	}
}

func TestInviteIsUsedOnce(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	guest, gm := member(2, "guest")
	ch, _ := mustJoin(t, r, "#vip", op, om, "")
	ch.SetFlag(InviteOnly, true)
	ch.Invite(guest)
	mustJoin(t, r, "#vip", guest, gm, "")
	r.Part(ch, guest)
	if _, _, _, err := r.Join("#vip", JoinRequest{Client: guest, Masks: gm}, epoch); !errors.Is(err, ErrInviteOnly) {
		t.Errorf("second join on one invite: %v, want ErrInviteOnly", err)
	}
}

func TestInvitesBounded(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	ch, _ := mustJoin(t, r, "#vip", op, om, "")
	for i := 0; i < 3*maxInvitesKept; i++ {
		c, _ := member(uint64(10+i), fmt.Sprintf("g%d", i))
		ch.Invite(c)
	}
	ch.mu.RLock()
	n := len(ch.invited)
	ch.mu.RUnlock()
	if n > maxInvitesKept {
		t.Errorf("channel remembers %d invites, bound is %d", n, maxInvitesKept)
	}
}

func TestCanSend(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	plain, pm := member(2, "plain")
	outsider, xm := member(3, "outsider")
	ch, _ := mustJoin(t, r, "#talk", op, om, "")
	mustJoin(t, r, "#talk", plain, pm, "")
	masks := func(m []string) func() []string { return func() []string { return m } }

	if err := ch.CanSend(outsider, masks(xm)); !errors.Is(err, ErrNoExternal) {
		t.Errorf("outsider with +n: %v", err)
	}
	ch.SetFlag(NoExternal, false)
	if err := ch.CanSend(outsider, masks(xm)); err != nil {
		t.Errorf("outsider with -n: %v", err)
	}
	ch.SetFlag(Moderated, true)
	if err := ch.CanSend(plain, masks(pm)); !errors.Is(err, ErrModerated) {
		t.Errorf("plain member with +m: %v", err)
	}
	ch.SetPrefix(plain, Voice, true)
	if err := ch.CanSend(plain, masks(pm)); err != nil {
		t.Errorf("voiced member with +m: %v", err)
	}
	if err := ch.CanSend(op, masks(om)); err != nil {
		t.Errorf("op with +m: %v", err)
	}
	ch.SetFlag(Moderated, false)
	ch.SetPrefix(plain, Voice, false)
	ch.AddToList(Bans, ListEntry{Mask: "plain!*@*"}, 10)
	if err := ch.CanSend(plain, masks(pm)); !errors.Is(err, ErrBanned) {
		t.Errorf("banned member: %v", err)
	}
	ch.AddToList(Exceptions, ListEntry{Mask: "*!~plain@*"}, 10)
	if err := ch.CanSend(plain, masks(pm)); err != nil {
		t.Errorf("banned but excepted member: %v", err)
	}
}

func TestLists(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	ch, _ := mustJoin(t, r, "#l", op, om, "")
	add := func(mask string) (bool, error) {
		return ch.AddToList(Bans, ListEntry{Mask: mask, SetBy: "op", SetAt: epoch}, 2)
	}
	if ok, err := add("A[!*@*"); !ok || err != nil {
		t.Fatalf("add: %v %v", ok, err)
	}
	if ok, err := add("a{!*@*"); ok || err != nil {
		t.Errorf("adding a case variant: %v %v, want no change", ok, err)
	}
	add("b!*@*")
	if _, err := add("c!*@*"); !errors.Is(err, ErrListFull) {
		t.Errorf("third entry on a list of 2: %v", err)
	}
	if stored, ok := ch.RemoveFromList(Bans, "A{!*@*"); !ok || stored != "A[!*@*" {
		t.Errorf("remove by case variant: %q %v", stored, ok)
	}
	if got := ch.List(Bans); len(got) != 1 || got[0].Mask != "b!*@*" {
		t.Errorf("list = %+v", got)
	}
	if _, ok := ch.RemoveFromList(Bans, "zzz"); ok {
		t.Error("removed a mask that was not there")
	}
}

func TestModeString(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	ch, _ := mustJoin(t, r, "#m", op, om, "")
	ch.SetKey("k3y")
	ch.SetLimit(7)
	ch.SetFlag(Secret, true)
	modes, params := ch.ModeString(true)
	if modes != "+nstkl" || len(params) != 2 || params[0] != "k3y" || params[1] != "7" {
		t.Errorf("member view: %q %q", modes, params)
	}
	modes, params = ch.ModeString(false)
	if modes != "+nstkl" || len(params) != 0 {
		t.Errorf("outsider view: %q %q", modes, params)
	}
}

func TestSetPrefix(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	other, _ := member(2, "other")
	ch, _ := mustJoin(t, r, "#p", op, om, "")
	if m, changed := ch.SetPrefix(op, Voice, true); !m || !changed {
		t.Errorf("voice op: %v %v", m, changed)
	}
	if m, changed := ch.SetPrefix(op, Voice, true); !m || changed {
		t.Errorf("voice again: %v %v", m, changed)
	}
	if p, _ := ch.PrefixOf(op); p.Symbols(true) != "@+" || p.Symbols(false) != "@" {
		t.Errorf("symbols %q / %q", p.Symbols(true), p.Symbols(false))
	}
	if m, _ := ch.SetPrefix(other, Op, true); m {
		t.Error("SetPrefix on a non-member reported a member")
	}
}

// TestPartJoinRace has clients join and leave one channel concurrently:
// nobody ends up in a channel the registry no longer knows.
func TestPartJoinRace(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	const n = 16
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		c, m := member(uint64(i+1), fmt.Sprintf("c%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				ch, _, _, err := r.Join("#race", JoinRequest{Client: c, Masks: m}, epoch)
				if err != nil {
					t.Errorf("join: %v", err)
					return
				}
				if r.Get("#RACE") != ch {
					t.Errorf("joined a channel the registry does not hold")
					return
				}
				r.Part(ch, c)
			}
		}()
	}
	wg.Wait()
	if r.Count() != 0 {
		t.Errorf("%d channels left after everyone parted", r.Count())
	}
}
