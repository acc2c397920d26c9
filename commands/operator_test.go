package commands

import (
	"errors"
	"strings"
	"testing"

	"github.com/conference-irc/conference/users"
)

func TestKill(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	alice, aconn := env.client("alice")
	bob, bconn := env.client("bob")
	root, rconn := env.oper("root")
	root.Update(func(id *users.Identity) { id.Modes |= users.UserModes(users.ModeServerNotices) })
	env.send(alice, "JOIN #room")
	env.send(bob, "JOIN #room")
	aconn.take(t)
	bconn.take(t)

	env.send(alice, "KILL bob :go away")
	if got := commandsOf(aconn.take(t)); got != "481" {
		t.Fatalf("KILL by a user = %q", got)
	}
	for line, want := range map[string]string{
		"KILL nobody :x":           "401",
		"KILL irc.test.example :x": "483",
		"KILL bob":                 "461",
	} {
		env.send(root, line)
		if got := commandsOf(rconn.take(t)); got != want {
			t.Errorf("%s = %q, want %q", line, got, want)
		}
	}

	env.send(root, "KILL BOB :go away")
	got := bconn.take(t)
	if len(got) != 1 || got[0].Command != "KILL" || got[0].Prefix.Name != "root" ||
		got[0].Param(0) != "bob" || got[0].Trailing() != "go away" {
		t.Fatalf("victim got %v", got)
	}
	if bconn.closed != "Killed (root (go away))" {
		t.Fatalf("victim closed with %q", bconn.closed)
	}
	// The connection runs the quit path once it has closed.
	env.d.Quit(bob, bconn.closed)
	if got := aconn.take(t); len(got) != 1 || got[0].Command != "QUIT" || got[0].Trailing() != "Killed (root (go away))" {
		t.Fatalf("peer saw %v", got)
	}
	notices := rconn.take(t)
	if len(notices) != 1 || notices[0].Command != "NOTICE" || !strings.Contains(notices[0].Trailing(), "KILL message for bob!~bob@127.0.0.1 from root (go away)") {
		t.Fatalf("oper with +s got %v", notices)
	}
}

func TestKillSelf(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	root, rconn := env.oper("root")
	env.send(root, "KILL root :oops")
	if got := rconn.take(t); len(got) != 1 || got[0].Command != "KILL" {
		t.Fatalf("self-kill sent %v", got)
	}
	if rconn.closed != "Killed (root (oops))" {
		t.Fatalf("closed with %q", rconn.closed)
	}
}

func TestWallops(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	alice, aconn := env.client("alice")
	_, bconn := env.client("bob")
	root, rconn := env.oper("root")
	env.send(alice, "MODE alice +w")
	aconn.take(t)

	env.send(alice, "WALLOPS :hello")
	if got := commandsOf(aconn.take(t)); got != "481" {
		t.Fatalf("WALLOPS by a user = %q", got)
	}
	env.send(root, "WALLOPS :maintenance at noon")
	got := aconn.take(t)
	if len(got) != 1 || got[0].Command != "WALLOPS" || got[0].Prefix.String() != "root!~root@127.0.0.1" || got[0].Trailing() != "maintenance at noon" {
		t.Fatalf("+w user got %v", got)
	}
	if got := bconn.take(t); len(got) != 0 {
		t.Fatalf("-w user got %v", got)
	}
	if got := rconn.take(t); len(got) != 0 {
		t.Fatalf("-w sender got %v", got)
	}
	env.send(root, "MODE root +w")
	rconn.take(t)
	env.send(root, "WALLOPS :again")
	if got := rconn.take(t); len(got) != 1 || got[0].Command != "WALLOPS" {
		t.Fatalf("+w sender got %v", got)
	}
}

func TestDieRestart(t *testing.T) {
	var died, restarted []string
	hooks := Hooks{
		Die:     func(reason string) { died = append(died, reason) },
		Restart: func(reason string) { restarted = append(restarted, reason) },
	}
	t.Run("switched off", func(t *testing.T) {
		env := newSVEnv(t, svConfig(t), hooks)
		root, rconn := env.oper("root")
		for _, cmd := range []string{"DIE", "RESTART"} {
			env.send(root, cmd)
			got := rconn.take(t)
			if len(got) != 1 || got[0].Command != "FAIL" || got[0].Param(1) != "DISABLED" {
				t.Fatalf("%s while disabled = %v", cmd, got)
			}
		}
		if len(died)+len(restarted) != 0 {
			t.Fatal("a disabled command ran its hook")
		}
	})
	t.Run("not an operator", func(t *testing.T) {
		cfg := svConfig(t)
		cfg.Control.Die, cfg.Control.Restart = true, true
		env := newSVEnv(t, cfg, hooks)
		alice, aconn := env.client("alice")
		for _, cmd := range []string{"DIE", "RESTART"} {
			env.send(alice, cmd)
			if got := commandsOf(aconn.take(t)); got != "481" {
				t.Fatalf("%s by a user = %q", cmd, got)
			}
		}
		if len(died)+len(restarted) != 0 {
			t.Fatal("a user ran a hook")
		}
	})
	t.Run("allowed", func(t *testing.T) {
		cfg := svConfig(t)
		cfg.Control.Die, cfg.Control.Restart = true, true
		env := newSVEnv(t, cfg, hooks)
		root, _ := env.oper("root")
		env.send(root, "DIE")
		env.send(root, "RESTART :new binary")
		if len(died) != 1 || died[0] != "Server shutting down (DIE by root)" {
			t.Fatalf("Die hook got %q", died)
		}
		if len(restarted) != 1 || restarted[0] != "Server restarting (RESTART by root: new binary)" {
			t.Fatalf("Restart hook got %q", restarted)
		}
	})
	t.Run("no hook", func(t *testing.T) {
		cfg := svConfig(t)
		cfg.Control.Die, cfg.Control.Restart = true, true
		env := newSVEnv(t, cfg, Hooks{})
		root, rconn := env.oper("root")
		for _, cmd := range []string{"DIE", "RESTART"} {
			env.send(root, cmd)
			got := rconn.take(t)
			if len(got) != 1 || got[0].Command != "FAIL" || got[0].Param(1) != "UNAVAILABLE" {
				t.Fatalf("%s without a hook = %v", cmd, got)
			}
		}
	})
}

func TestRefusalText(t *testing.T) {
	err := errors.Join(
		errors.New("conference.yaml: limits.nicklen: must be between 1 and 255 (got 0)"),
		errors.New("conference.yaml: server.name: must contain a dot\nsecond line"),
	)
	want := "conference.yaml: limits.nicklen: must be between 1 and 255 (got 0); conference.yaml: server.name: must contain a dot"
	if got := refusalText(err); got != want {
		t.Fatalf("refusalText = %q, want %q", got, want)
	}
	long := refusalText(errors.New(strings.Repeat("x", 1000)))
	if len(long) > maxRefusalLen || !strings.HasSuffix(long, "...") {
		t.Fatalf("long refusal is %d bytes: %q", len(long), long)
	}
}
