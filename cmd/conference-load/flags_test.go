package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/conference-irc/conference/loadgen"
)

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags([]string{"-scenario", "direct", "-clients", "200", "-rate", "5000",
		"-duration", "2.5", "-timeout", "90s", "-json", "-quiet", "-nick-prefix", "lg"}, &stderr)
	if err != nil {
		t.Fatalf("parseFlags: %v (%s)", err, stderr.String())
	}
	c := o.cfg
	if c.Scenario != loadgen.ScenarioDirect || c.Clients != 200 || c.Rate != 5000 || c.NickPrefix != "lg" {
		t.Errorf("cfg = %+v", c)
	}
	if c.Duration != 2500*time.Millisecond || c.Timeout != 90*time.Second {
		t.Errorf("duration %v timeout %v, want 2.5s and 90s", c.Duration, c.Timeout)
	}
	if !o.jsonOnly || c.ProgressEvery != 0 {
		t.Errorf("json %v progress %v", o.jsonOnly, c.ProgressEvery)
	}
}

func TestParseFlagsDefaultTimeout(t *testing.T) {
	o, err := parseFlags([]string{"-duration", "30"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Timeout != 150*time.Second {
		t.Errorf("timeout = %v, want duration + 120s", o.cfg.Timeout)
	}
}

func TestParseFlagsRefusesOutOfBounds(t *testing.T) {
	tests := [][]string{
		{"-clients", "50001"},
		{"-duration", "3601"},
		{"-scenario", "flood"},
		{"-size", "1000"},
		{"-nick-prefix", "9lives"},
		{"-scenario", "fanout", "-channels", "0"},
		{"-senders", "500"},
		{"-connect-rate", "-1"},
		{"extra"},
	}
	for _, args := range tests {
		if _, err := parseFlags(args, new(bytes.Buffer)); err == nil {
			t.Errorf("parseFlags(%q) succeeded, want an error", args)
		}
	}
}

func TestRunRefusesRemoteTarget(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-addr", "10.0.0.1:6667", "-quiet"}, &stdout, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "loopback") {
		t.Errorf("exit %d, stderr %q; want %d and a loopback refusal", code, stderr.String(), exitError)
	}
}
