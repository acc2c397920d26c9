package conf

import (
	"path/filepath"
	"testing"
)

func TestDatabasePath(t *testing.T) {
	cases := []struct {
		path, configFile, want string
	}{
		{"", "", DefaultDatabaseFile},
		{"", "/etc/conference/conference.yaml", "/etc/conference/conference.db"},
		{"data/irc.db", "/etc/conference/conference.yaml", "/etc/conference/data/irc.db"},
		{"data/irc.db", "", "data/irc.db"},
		{"/var/lib/conference/irc.db", "/etc/conference/conference.yaml", "/var/lib/conference/irc.db"},
	}
	for _, c := range cases {
		cfg := &Config{Database: Database{Path: c.path}}
		if got := cfg.DatabasePath(c.configFile); got != filepath.Clean(c.want) {
			t.Errorf("DatabasePath(%q) with path %q = %q, want %q", c.configFile, c.path, got, c.want)
		}
	}
}
