package conf

import (
	"slices"
	"testing"
)

func TestKeepFixed(t *testing.T) {
	running := mustLoad(t, Options{Environ: noEnv})
	if kept, changed := KeepFixed(running, running); len(changed) != 0 || kept.Server.Name != running.Server.Name {
		t.Errorf("the same config: changed %q", changed)
	}
	file := writeFile(t, "conference.yaml", `
listen: [":6667"]
server:
  casemapping: ascii
  name: irc.next.example
log:
  format: json
  level: debug
motd:
  text: new motd
`)
	next := mustLoad(t, Options{File: file, Environ: noEnv})
	kept, changed := KeepFixed(running, next)
	if want := []string{"listen/listeners", "server.casemapping", "log.format"}; !slices.Equal(changed, want) {
		t.Errorf("changed %q, want %q", changed, want)
	}
	if !slices.Equal(kept.Listen, running.Listen) || kept.Server.Casemapping != "rfc1459" || kept.Log.Format != "text" {
		t.Errorf("fixed settings not kept: listen %q, casemapping %q, log.format %q", kept.Listen, kept.Server.Casemapping, kept.Log.Format)
	}
	if kept.Server.Name != "irc.next.example" || kept.Log.Level != "debug" || !slices.Equal(kept.MOTDLines(), []string{"new motd"}) {
		t.Errorf("the rest not applied: name %q, log.level %q, motd %q", kept.Server.Name, kept.Log.Level, kept.MOTDLines())
	}
	if next.Server.Casemapping != "ascii" || next.Listen[0] != ":6667" {
		t.Error("KeepFixed modified next")
	}
	// Moving a plain listener into a block of the same shape is no change.
	moved := mustLoad(t, Options{File: writeFile(t, "c.yaml", "listen: []\nlisteners: [{address: \":531\"}]\n"), Environ: noEnv})
	if _, changed := KeepFixed(running, moved); len(changed) != 0 {
		t.Errorf("the same listener written as a block: changed %q", changed)
	}
	if keys := FixedAtStart(); !slices.Contains(keys, "database.path") || len(keys) != 9 {
		t.Errorf("FixedAtStart() = %q", keys)
	}
}

// History is opened once, at start: a reload keeps what it was opened with
// (so the capabilities offered keep matching the store) and names it.
func TestKeepFixedHistory(t *testing.T) {
	running := mustLoad(t, Options{Environ: noEnv})
	next := mustLoad(t, Options{File: writeFile(t, "conference.yaml", `
history:
  enabled: false
  persistent: false
  memory: 5
  queue: 7
  retention: {channelcount: 9}
  limit: 20
  replay: 3
  dms: false
`), Environ: noEnv})
	kept, changed := KeepFixed(running, next)
	want := []string{"history.enabled", "history.persistent", "history.memory", "history.queue", "history.retention"}
	if !slices.Equal(changed, want) {
		t.Errorf("changed %q, want %q", changed, want)
	}
	h, r := kept.History, running.History
	if h.Enabled != r.Enabled || h.Persistent != r.Persistent || h.Memory != r.Memory || h.Queue != r.Queue || h.Retention != r.Retention {
		t.Errorf("history kept as %+v, running %+v", h, r)
	}
	if h.Limit != 20 || h.Replay != 3 || h.DMs {
		t.Errorf("limit, replay and dms not applied: %+v", h)
	}
}
