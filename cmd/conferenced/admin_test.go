package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
)

func TestGentokenAndAdmin(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := gentoken(&out, &errOut); code != 0 {
		t.Fatalf("gentoken = %d: %s", code, errOut.String())
	}
	var token, hash string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "token: "); ok {
			token = v
		}
		if v, ok := strings.CutPrefix(line, "hash:  "); ok {
			hash = v
		}
	}
	if len(token) < 40 || !conf.CheckPassword(hash, token) {
		t.Fatalf("gentoken printed %q", out.String())
	}

	srv := harness.Start(t, `listeners:
  - {address: "127.0.0.1:0", http: true}
web:
  tokens: [{name: cli, hash: "`+hash+`"}]
`)
	base := "http://" + srv.ListenerAddr(t, 1)
	alice := srv.Register(t, "alice")
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := admin(append([]string{"--url", base, "--token", token}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, stdout, stderr := run("stats")
	var stats struct{ Users int }
	if code != 0 || json.Unmarshal([]byte(stdout), &stats) != nil || stats.Users != 1 {
		t.Errorf("admin stats = %d %q %q", code, stdout, stderr)
	}
	if code, stdout, stderr := run("broadcast", "maintenance", "in", "5", "minutes"); code != 0 {
		t.Errorf("admin broadcast = %d %q %q", code, stdout, stderr)
	}
	if n := alice.ExpectCommand("NOTICE"); n.Param(1) != "maintenance in 5 minutes" {
		t.Errorf("alice saw %v", n)
	}
	if code, _, _ := run("kill", "alice", "bye", "now"); code != 0 {
		t.Errorf("admin kill = %d", code)
	}
	if reason := alice.ExpectClosed(); !strings.Contains(reason, "Killed (admin:cli (bye now))") {
		t.Errorf("alice's ERROR: %q", reason)
	}
	if code, _, _ := run("client", "alice"); code != 1 {
		t.Errorf("admin client of a nick gone = %d, want 1", code)
	}
	if code, _, _ := run("frobnicate"); code != 2 {
		t.Errorf("admin with an unknown command = %d, want 2", code)
	}
	var o, e bytes.Buffer
	if code := admin([]string{"--url", base, "--token", "wrong", "stats"}, &o, &e); code != 1 || !strings.Contains(e.String(), "401") {
		t.Errorf("admin with a wrong token = %d %q", code, e.String())
	}
}
