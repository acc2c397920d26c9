package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/conference-irc/conference/store"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

type fixture struct {
	reg   *Registry
	st    *store.SQLite
	path  string
	clock *fakeClock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{path: filepath.Join(t.TempDir(), "accounts.db"), clock: &fakeClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}}
	f.reopen(t)
	return f
}

// reopen closes the store (if open) and loads everything again from disk.
func (f *fixture) reopen(t *testing.T) {
	t.Helper()
	if f.st != nil {
		f.st.Close()
	}
	st, err := store.Open(context.Background(), f.path, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.reg, err = Load(context.Background(), Options{
		Store: st, Fold: strings.ToLower, Clock: f.clock.Now, Random: rand.Reader,
		BcryptCost: bcrypt.MinCost,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) register(t *testing.T, name, password string) {
	t.Helper()
	if _, err := f.reg.Register(context.Background(), name, password, ""); err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
}

func TestRegisterAuthenticateAndReload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	info, err := f.reg.Register(ctx, "Alice", "correct horse", "alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "Alice" || info.Email != "alice@example.org" || !info.RegisteredAt.Equal(f.clock.Now()) {
		t.Fatalf("info = %+v", info)
	}
	if _, err := f.reg.Register(ctx, "ALICE", "another one", ""); !errors.Is(err, ErrExists) {
		t.Fatalf("register of an existing account (other case): %v", err)
	}
	if name, err := f.reg.Authenticate("alice", "correct horse"); err != nil || name != "Alice" {
		t.Fatalf("authenticate = %q, %v", name, err)
	}
	if _, err := f.reg.Authenticate("alice", "wrong horse"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := f.reg.Authenticate("bob", "whatever1"); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("missing account: %v", err)
	}
	if owner, ok := f.reg.Owner("aLiCe"); !ok || owner != "Alice" {
		t.Fatalf("owner = %q, %v", owner, ok)
	}
	f.reopen(t)
	if name, err := f.reg.Authenticate("alice", "correct horse"); err != nil || name != "Alice" {
		t.Fatalf("after reload: %q, %v", name, err)
	}
	if f.reg.Count() != 1 {
		t.Fatalf("count = %d", f.reg.Count())
	}
}

func TestPasswordAndNameRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, pw := range []string{"short", strings.Repeat("x", MaxPasswordLen+1), "new\nline password"} {
		if _, err := f.reg.Register(ctx, "carol", pw, ""); !errors.Is(err, ErrBadPassword) {
			t.Errorf("password %q: %v, want ErrBadPassword", pw, err)
		}
	}
	for _, name := range []string{"", "*", "a b", "a,b", strings.Repeat("n", 65)} {
		if _, err := f.reg.Register(ctx, name, "good password", ""); !errors.Is(err, ErrBadName) {
			t.Errorf("name %q: %v, want ErrBadName", name, err)
		}
	}
}

func TestSetPasswordAndDrop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.register(t, "dave", "first password")
	if err := f.reg.SetPassword(ctx, "DAVE", "second password"); err != nil {
		t.Fatal(err)
	}
	f.reopen(t)
	if _, err := f.reg.Authenticate("dave", "first password"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := f.reg.Authenticate("dave", "second password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if err := f.reg.SetPassword(ctx, "nobody", "second password"); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("set password of a missing account: %v", err)
	}
	if err := f.reg.Drop(ctx, "dave"); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.Drop(ctx, "dave"); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("second drop: %v", err)
	}
	f.reopen(t)
	if _, ok := f.reg.Lookup("dave"); ok {
		t.Fatal("dropped account came back after reload")
	}
}

const fp1 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestCertFPs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.register(t, "erin", "erin's password")
	f.register(t, "frank", "frank's password")
	if err := f.reg.AddCertFP(ctx, "erin", strings.ToUpper(fp1)); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.AddCertFP(ctx, "frank", fp1); !errors.Is(err, ErrCertInUse) {
		t.Fatalf("fingerprint linked twice: %v", err)
	}
	if err := f.reg.AddCertFP(ctx, "frank", "abc"); !errors.Is(err, ErrNoCert) {
		t.Fatalf("bad fingerprint: %v", err)
	}
	f.reopen(t)
	if info, ok := f.reg.ByCertFP(fp1); !ok || info.Name != "erin" {
		t.Fatalf("by fingerprint after reload: %+v %v", info, ok)
	}
	if err := f.reg.RemoveCertFP(ctx, "frank", fp1); !errors.Is(err, ErrNoCert) {
		t.Fatalf("remove of another's fingerprint: %v", err)
	}
	if err := f.reg.RemoveCertFP(ctx, "erin", fp1); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.reg.ByCertFP(fp1); ok {
		t.Fatal("removed fingerprint still resolves")
	}
}

func TestWrongPasswordsAreThrottledPerAccount(t *testing.T) {
	f := newFixture(t)
	f.register(t, "gina", "gina's password")
	for i := range 5 {
		if _, err := f.reg.Authenticate("gina", "nope nope"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	// Even the right password waits now: a guesser learns nothing.
	if _, err := f.reg.Authenticate("gina", "gina's password"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("sixth try: %v, want ErrThrottled", err)
	}
	f.clock.Advance(12 * time.Second)
	if _, err := f.reg.Authenticate("gina", "gina's password"); err != nil {
		t.Fatalf("after waiting: %v", err)
	}
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	f.register(t, "hank", "hank's password")
	for range 2 {
		if err := f.reg.Login("HANK", 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.reg.Login("hank", 2); !errors.Is(err, ErrTooManySessions) {
		t.Fatalf("third session: %v", err)
	}
	f.reg.Logout("hank")
	if err := f.reg.Login("hank", 2); err != nil {
		t.Fatalf("after a logout: %v", err)
	}
	if f.reg.Sessions("hank") != 2 {
		t.Fatalf("sessions = %d", f.reg.Sessions("hank"))
	}
}
