package services

import (
	"context"
	"crypto/rand"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/store"
	"github.com/conference-irc/conference/users"
)

type nopConn struct{}

func (nopConn) Send([]byte)  {}
func (nopConn) Close(string) {}

// fixture is NickServ over a fresh database and a user registry.
func fixture(t *testing.T) (*NickServ, *users.Registry) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ns.db"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg, err := users.NewRegistry(users.RFC1459, 64, 10)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.Load(context.Background(), accounts.Options{
		Store: st, Fold: reg.Fold, Clock: time.Now, Random: rand.Reader, BcryptCost: bcrypt.MinCost,
	})
	if err != nil {
		t.Fatal(err)
	}
	return NewNickServ(acc, reg, nil), reg
}

func connect(t *testing.T, reg *users.Registry, id uint64, nick string) *users.Client {
	t.Helper()
	c := users.NewClient(id, nopConn{}, netip.MustParseAddr("192.0.2.1"), "192.0.2.1", time.Now(), false)
	reg.Add(c)
	if _, err := reg.ClaimNick(c, nick); err != nil {
		t.Fatal(err)
	}
	return c
}

func said(res Result, want string) bool {
	for _, n := range res.Notices {
		if strings.Contains(n, want) {
			return true
		}
	}
	return false
}

func TestNickServRegisterAndEffects(t *testing.T) {
	ns, reg := fixture(t)
	ctx := context.Background()
	alice := connect(t, reg, 1, "alice")
	caller := Caller{Client: alice, Nick: "alice", RegistrationOpen: true}

	res := ns.Run(ctx, caller, "register alice-passw0rd")
	if !said(res, "Account created") || res.Login != "alice" {
		t.Fatalf("REGISTER: %+v", res)
	}
	caller.Account = "alice"
	if res := ns.Run(ctx, caller, "LOGOUT"); !res.Logout {
		t.Fatalf("LOGOUT: %+v", res)
	}
	caller.Account = ""
	if res := ns.Run(ctx, caller, "IDENTIFY nope-nope"); res.Login != "" || res.FailedAuth == nil {
		t.Fatalf("IDENTIFY with a wrong password: %+v", res)
	}
	if res := ns.Run(ctx, caller, "IDENTIFY alice alice-passw0rd"); res.Login != "alice" {
		t.Fatalf("IDENTIFY: %+v", res)
	}

	// REGAIN from another connection of the same account.
	caller.Account = "alice"
	reg.ClaimNick(alice, "alice_")
	caller.Nick = "alice_"
	squatter := connect(t, reg, 2, "alice")
	res = ns.Run(ctx, caller, "REGAIN alice")
	if res.Disconnect != squatter || res.TakeNick != "alice" {
		t.Fatalf("REGAIN: %+v", res)
	}

	// DROP asks for the password and logs the account out everywhere.
	res = ns.Run(ctx, caller, "DROP alice alice-passw0rd")
	if res.LogoutEverywhere != "alice" || !said(res, "dropped") {
		t.Fatalf("DROP: %+v", res)
	}
}

func TestNickServRefusals(t *testing.T) {
	ns, reg := fixture(t)
	ctx := context.Background()
	bob := connect(t, reg, 1, "bob")
	cases := []struct {
		caller Caller
		line   string
		want   string
	}{
		{Caller{Client: bob, Nick: "bob"}, "REGISTER bob-passw0rd", "disabled"},
		{Caller{Client: bob, Nick: "bob", RegistrationOpen: true}, "REGISTER", "Syntax"},
		{Caller{Client: bob, Nick: "bob", RegistrationOpen: true}, "REGISTER a b c", "Syntax"},
		{Caller{Client: bob, Nick: "robert", RegistrationOpen: true}, "REGISTER bob-passw0rd", "nick you want"},
		{Caller{Client: bob, Nick: "bob", Account: "bob"}, "REGISTER bob-passw0rd", "already logged in"},
		{Caller{Client: bob, Nick: "bob"}, "SET PASSWORD x", "must be logged in"},
		{Caller{Client: bob, Nick: "bob"}, "SET EMAIL x", "Syntax"},
		{Caller{Client: bob, Nick: "bob"}, "CERT LIST", "must be logged in"},
		{Caller{Client: bob, Nick: "bob"}, "GHOST", "Syntax"},
		{Caller{Client: bob, Nick: "bob"}, "GHOST bob", "yourself"},
		{Caller{Client: bob, Nick: "bob"}, "INFO", "Syntax"},
		{Caller{Client: bob, Nick: "bob"}, "", "Unknown command"},
		{Caller{Client: bob, Nick: "bob"}, strings.Repeat("X", 300), "Unknown command"},
	}
	for _, c := range cases {
		res := ns.Run(ctx, c.caller, c.line)
		if !said(res, c.want) {
			t.Errorf("%q: %q, want %q", c.line, res.Notices, c.want)
		}
		for _, n := range res.Notices {
			if len(n) > 200 {
				t.Errorf("%q: a notice of %d bytes", c.line, len(n))
			}
		}
	}
}
