package bans

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/conference-irc/conference/store"
)

func TestBansMatchPersistAndExpire(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "bans.db")
	st, err := store.Open(ctx, path, now)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Load(ctx, st, clock)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := NormalizeMask(KLine, "~Spam*@*.Example.ORG")
	d, _ := NormalizeMask(DLine, "192.0.2.77/24")
	if d != "192.0.2.0/24" || k != "~spam*@*.example.org" {
		t.Fatalf("normalised to %q and %q", k, d)
	}
	if err := l.Add(ctx, Ban{Kind: KLine, Mask: k, Reason: "spam", SetBy: "op", SetAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(ctx, Ban{Kind: DLine, Mask: d, Reason: "flood", SetBy: "op", SetAt: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, err = store.Open(ctx, path, now)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err = Load(ctx, st, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.MatchUser("~spammer", []string{"cloak.example", "host.example.org"}); !ok {
		t.Error("K-line does not match after reload")
	}
	if _, ok := l.MatchUser("~spammer", []string{"cloak.example"}); ok {
		t.Error("K-line matches a host it does not name")
	}
	if _, ok := l.MatchUser("~alice", []string{"host.example.org"}); ok {
		t.Error("K-line matches another user")
	}
	if _, ok := l.MatchIP(netip.MustParseAddr("192.0.2.1")); !ok {
		t.Error("D-line does not match inside its range")
	}
	if _, ok := l.MatchIP(netip.MustParseAddr("::ffff:192.0.2.1")); !ok {
		t.Error("D-line does not match a v4-mapped address")
	}
	if _, ok := l.MatchIP(netip.MustParseAddr("198.51.100.1")); ok {
		t.Error("D-line matches outside its range")
	}
	now = now.Add(time.Hour)
	if _, ok := l.MatchIP(netip.MustParseAddr("192.0.2.1")); ok {
		t.Error("D-line still in force after it expired")
	}
	if err := l.Remove(ctx, KLine, k); err != nil {
		t.Fatal(err)
	}
	if err := l.Remove(ctx, KLine, k); !errors.Is(err, ErrNoBan) {
		t.Fatalf("second remove: %v", err)
	}
	for _, bad := range []string{"a b@c", "@host", "user@", "a@b@c"} {
		if _, err := NormalizeMask(KLine, bad); !errors.Is(err, ErrBadMask) {
			t.Errorf("K mask %q accepted", bad)
		}
	}
	if _, err := NormalizeMask(DLine, "not-an-ip"); !errors.Is(err, ErrBadMask) {
		t.Error("bad D mask accepted")
	}
}
