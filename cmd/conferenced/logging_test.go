package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/conference-irc/conference/conf"
)

func TestNewLoggerFormatAndLevel(t *testing.T) {
	var buf bytes.Buffer
	level := new(slog.LevelVar)
	log := newLogger(&buf, conf.Log{Level: "warn", Format: "json"}, level)
	log.Info("hidden")
	log.Warn("shown", "nick", "alice")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON object: %q (%v)", buf.String(), err)
	}
	if line["msg"] != "shown" || line["nick"] != "alice" {
		t.Errorf("logged %v", line)
	}
	// A reload moves the level.
	buf.Reset()
	level.Set(conf.Log{Level: "debug"}.SlogLevel())
	log.Debug("now shown")
	if !strings.Contains(buf.String(), "now shown") {
		t.Errorf("debug after the level changed: %q", buf.String())
	}

	buf.Reset()
	newLogger(&buf, conf.Log{Level: "info", Format: "text"}, new(slog.LevelVar)).Info("plain", "k", "v")
	if !strings.Contains(buf.String(), "msg=plain k=v") {
		t.Errorf("text format: %q", buf.String())
	}
}

func TestLogLevelFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"--config", "", "--log-level", "loud", "--check-config"}, strings.NewReader(""), &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), `flags: log.level: must be one of debug, info, warn, error (got "loud")`) {
		t.Errorf("--log-level loud: exit %d, stderr %q", code, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	code = run([]string{"--config", "", "--log-level", "debug", "--print-config"}, strings.NewReader(""), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "level: debug") {
		t.Errorf("--log-level debug: exit %d, config %q", code, out.String())
	}
}
