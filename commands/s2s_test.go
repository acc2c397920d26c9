package commands

import (
	"testing"
	"time"
)

func TestSquitConnect(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	alice, aconn := env.client("alice")
	root, rconn := env.oper("root")
	tests := []struct {
		oper bool
		line string
		want string
	}{
		{false, "SQUIT irc.test.example :bye", "481"},
		{false, "CONNECT other.example", "481"},
		{true, "SQUIT other.example :bye", "402"},
		{true, "SQUIT irc.test.example :bye", "FAIL"},
		{true, "SQUIT other.example", "461"},
		{true, "CONNECT other.example 6667", "402"},
		{true, "CONNECT", "461"},
	}
	for _, tc := range tests {
		c, conn := alice, aconn
		if tc.oper {
			c, conn = root, rconn
		}
		env.send(c, tc.line)
		if got := commandsOf(conn.take(t)); got != tc.want {
			t.Errorf("%s (oper %v) = %q, want %q", tc.line, tc.oper, got, tc.want)
		}
	}
}

func TestTrace(t *testing.T) {
	env := newSVEnv(t, svConfig(t), Hooks{})
	alice, aconn := env.client("alice")
	env.client("bob")
	root, rconn := env.oper("root")
	env.now = svStart.Add(90 * time.Second)

	env.send(root, "TRACE")
	got := rconn.take(t)
	if commandsOf(got) != "205 205 204 262" {
		t.Fatalf("oper TRACE = %q", commandsOf(got))
	}
	want := []string{"root", "User", "users", "alice[~alice@127.0.0.1]", "(127.0.0.1)", "90"}
	for i, p := range want {
		if got[0].Param(i) != p {
			t.Errorf("205 param %d = %q, want %q (%v)", i, got[0].Param(i), p, got[0])
		}
	}
	if got[2].Param(1) != "Oper" || got[2].Param(3) != "root[~root@127.0.0.1]" {
		t.Errorf("204 = %v", got[2])
	}
	if got[3].Param(1) != "irc.test.example" || got[3].Param(2) != "conference-test" {
		t.Errorf("262 = %v", got[3])
	}

	env.send(root, "TRACE bob")
	if got := rconn.take(t); commandsOf(got) != "205 262" || got[0].Param(3) != "bob[~bob@127.0.0.1]" {
		t.Fatalf("oper TRACE bob = %v", got)
	}

	tests := []struct{ line, want string }{
		{"TRACE", "205 262"},
		{"TRACE irc.test.example", "205 262"},
		{"TRACE alice", "205 262"},
		{"TRACE bob", "262"},
		{"TRACE nobody", "401"},
		{"TRACE other.example", "402"},
	}
	for _, tc := range tests {
		env.send(alice, tc.line)
		got := aconn.take(t)
		if commandsOf(got) != tc.want {
			t.Errorf("user %s = %q, want %q", tc.line, commandsOf(got), tc.want)
		}
		if tc.want == "205 262" && got[0].Param(3) != "alice[~alice@127.0.0.1]" {
			t.Errorf("user %s traced %v", tc.line, got[0])
		}
	}
}
