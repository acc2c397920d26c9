package channels

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

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

// TestJoinRules walks through each rule that can refuse a JOIN. setup
// may call invite, which records an invitation from the channel's op.
func TestJoinRules(t *testing.T) {
	list := func(mask string) ListEntry { return ListEntry{Mask: mask, SetBy: "op", SetAt: epoch} }
	ban := func(mask string) func(*Channel, func()) {
		return func(ch *Channel, _ func()) { ch.AddToList(Bans, list(mask), 10) }
	}
	tests := []struct {
		name  string
		setup func(ch *Channel, invite func())
		key   string
		want  error
	}{
		{"open", func(*Channel, func()) {}, "", nil},
		{"invite only", func(ch *Channel, _ func()) { ch.SetFlag(InviteOnly, true) }, "", ErrInviteOnly},
		{"invite only, invited", func(ch *Channel, invite func()) { ch.SetFlag(InviteOnly, true); invite() }, "", nil},
		{"invite only, invex", func(ch *Channel, _ func()) {
			ch.SetFlag(InviteOnly, true)
			ch.AddToList(Invexes, list("joiner!*@*"), 10)
		}, "", nil},
		{"invite only, other invex", func(ch *Channel, _ func()) {
			ch.SetFlag(InviteOnly, true)
			ch.AddToList(Invexes, list("other!*@*"), 10)
		}, "", ErrInviteOnly},
		{"key missing", func(ch *Channel, _ func()) { ch.SetKey("sesame") }, "", ErrBadKey},
		{"key wrong", func(ch *Channel, _ func()) { ch.SetKey("sesame") }, "Sesame", ErrBadKey},
		{"key right", func(ch *Channel, _ func()) { ch.SetKey("sesame") }, "sesame", nil},
		{"key needed even when invited", func(ch *Channel, invite func()) { ch.SetKey("sesame"); invite() }, "", ErrBadKey},
		{"full", func(ch *Channel, _ func()) { ch.SetLimit(1) }, "", ErrFull},
		{"full, invited", func(ch *Channel, invite func()) { ch.SetLimit(1); invite() }, "", nil},
		{"space left", func(ch *Channel, _ func()) { ch.SetLimit(2) }, "", nil},
		{"banned", ban("JOINER!*@*"), "", ErrBanned},
		{"banned by host", ban("*!*@192.0.2.*"), "", ErrBanned},
		{"banned, excepted", func(ch *Channel, _ func()) {
			ch.AddToList(Bans, list("*!*@*"), 10)
			ch.AddToList(Exceptions, list("joiner!*@*"), 10)
		}, "", nil},
		{"banned, then invited", func(ch *Channel, invite func()) {
			ch.AddToList(Bans, list("joiner!*@*"), 10)
			invite()
		}, "", nil},
		// A ban newer than the invitation wins.
		{"invited, then banned", func(ch *Channel, invite func()) {
			invite()
			ch.AddToList(Bans, list("joiner!*@*"), 10)
		}, "", ErrBanned},
		{"banned, invited, banned again", func(ch *Channel, invite func()) {
			ch.AddToList(Bans, list("joiner!*@*"), 10)
			invite()
			ch.AddToList(Bans, list("*!*@192.0.2.1"), 10)
		}, "", ErrBanned},
		{"other ban", ban("other!*@*"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry(users.RFC1459)
			op, om := member(1, "op")
			joiner, jm := member(2, "joiner")
			ch, _ := mustJoin(t, r, "#room", op, om, "")
			tt.setup(ch, func() {
				if !ch.Invite(op, joiner) {
					t.Fatal("the op's invitation was not recorded")
				}
			})
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

// TestInviteNeedsModeRank: a plain member's invitation lets the invitee
// past nothing; a halfop's does.
func TestInviteNeedsModeRank(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	plain, pm := member(2, "plain")
	guest, gm := member(3, "guest")
	outsider, _ := member(4, "outsider")
	ch, _ := mustJoin(t, r, "#room", op, om, "")
	mustJoin(t, r, "#room", plain, pm, "")
	ch.AddToList(Bans, ListEntry{Mask: "guest!*@*"}, 10)
	ch.SetLimit(2)
	if ch.Invite(plain, guest) || ch.Invite(outsider, guest) {
		t.Fatal("an invitation from a plain member or an outsider was recorded")
	}
	if _, ok := guest.Invitation(ch.id); ok {
		t.Fatal("guest holds an invitation")
	}
	if _, _, _, err := r.Join("#room", JoinRequest{Client: guest, Masks: gm}, epoch); !errors.Is(err, ErrBanned) {
		t.Fatalf("join on a plain member's invitation: %v, want ErrBanned", err)
	}
	ch.RemoveFromList(Bans, "guest!*@*")
	if _, _, _, err := r.Join("#room", JoinRequest{Client: guest, Masks: gm}, epoch); !errors.Is(err, ErrFull) {
		t.Fatalf("join on a plain member's invitation: %v, want ErrFull", err)
	}
	ch.SetPrefix(plain, Halfop, true)
	if !ch.Invite(plain, guest) {
		t.Fatal("a halfop's invitation was not recorded")
	}
	mustJoin(t, r, "#room", guest, gm, "")
}

func TestInviteIsUsedOnce(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	guest, gm := member(2, "guest")
	ch, _ := mustJoin(t, r, "#vip", op, om, "")
	ch.SetFlag(InviteOnly, true)
	ch.Invite(op, guest)
	mustJoin(t, r, "#vip", guest, gm, "")
	r.Part(ch, guest)
	if _, _, _, err := r.Join("#vip", JoinRequest{Client: guest, Masks: gm}, epoch); !errors.Is(err, ErrInviteOnly) {
		t.Errorf("second join on one invite: %v, want ErrInviteOnly", err)
	}
}

// TestInviteDoesNotOutliveChannel: a channel created anew under the same
// name does not honour the old one's invitations.
func TestInviteDoesNotOutliveChannel(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	guest, gm := member(2, "guest")
	ch, _ := mustJoin(t, r, "#vip", op, om, "")
	ch.Invite(op, guest)
	r.Part(ch, op)
	ch2, _ := mustJoin(t, r, "#vip", op, om, "")
	ch2.SetFlag(InviteOnly, true)
	if _, _, _, err := r.Join("#vip", JoinRequest{Client: guest, Masks: gm}, epoch); !errors.Is(err, ErrInviteOnly) {
		t.Errorf("join on the old channel's invitation: %v, want ErrInviteOnly", err)
	}
}

// TestInvitesPinNoClient: an invited client that goes away (its connection
// drops every reference to it) is collected; the channel keeps nothing of
// it, so there is nothing for the quit path to walk.
func TestInvitesPinNoClient(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	ch, _ := mustJoin(t, r, "#vip", op, om, "")
	var gone []weak.Pointer[users.Client]
	for i := range 100 {
		guest, _ := member(uint64(10+i), fmt.Sprintf("g%d", i))
		if !ch.Invite(op, guest) {
			t.Fatal("invitation not recorded")
		}
		gone = append(gone, weak.Make(guest))
	}
	runtime.GC()
	runtime.GC()
	for i, w := range gone {
		if w.Value() != nil {
			t.Fatalf("invited client %d is still reachable after it went away", i)
		}
	}
	runtime.KeepAlive(ch)
}

// TestInvitesBounded: one client holds at most users.MaxInvitations, the
// newest.
func TestInvitesBounded(t *testing.T) {
	r := NewRegistry(users.RFC1459)
	op, om := member(1, "op")
	guest, gm := member(2, "guest")
	var chans []*Channel
	for i := range 3 * users.MaxInvitations {
		ch, _ := mustJoin(t, r, fmt.Sprintf("#c%d", i), op, om, "")
		ch.SetFlag(InviteOnly, true)
		ch.Invite(op, guest)
		chans = append(chans, ch)
	}
	held := 0
	for _, ch := range chans {
		if _, ok := guest.Invitation(ch.id); ok {
			held++
		}
	}
	if held != users.MaxInvitations {
		t.Errorf("guest holds %d invitations, want %d", held, users.MaxInvitations)
	}
	last := chans[len(chans)-1]
	mustJoin(t, r, last.Name(), guest, gm, "")
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
