package commands

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conference-irc/conference/conf"
)

func TestConfigFileName(t *testing.T) {
	if got := configFileName(conf.Default()); got != "*" {
		t.Errorf("no file: %q", got)
	}
	file := filepath.Join(t.TempDir(), "ircd.yaml")
	if err := os.WriteFile(file, []byte("motd: {text: hi}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := configFileName(cfg); got != "ircd.yaml" {
		t.Errorf("382 names %q, want ircd.yaml", got)
	}
}
