package conf

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	hash := testHash(t)
	tests := []struct {
		name   string
		change func(*Config)
		key    string // "" means the config must be valid
		msg    string // a part of the message
	}{
		{"defaults", func(*Config) {}, "", ""},
		{"name without dot", func(c *Config) { c.Server.Name = "localhost" }, "server.name", "must contain a dot"},
		{"name with space", func(c *Config) { c.Server.Name = "irc .example" }, "server.name", "only letters"},
		{"name with dot at end", func(c *Config) { c.Server.Name = "irc.example." }, "server.name", "start or end"},
		{"network empty", func(c *Config) { c.Server.Network = "" }, "server.network", "must not be empty"},
		{"network with space", func(c *Config) { c.Server.Network = "my net" }, "server.network", "spaces"},
		{"casemapping ascii", func(c *Config) { c.Server.Casemapping = "ascii" }, "", ""},
		{"casemapping strict", func(c *Config) { c.Server.Casemapping = "rfc1459-strict" }, "", ""},
		{"casemapping unknown", func(c *Config) { c.Server.Casemapping = "utf8" }, "server.casemapping", "must be one of"},
		{"listen none", func(c *Config) { c.Listen = nil }, "listen", "at least one"},
		{"listen ipv6", func(c *Config) { c.Listen = []string{"[::1]:531", "127.0.0.1:0"} }, "", ""},
		{"listen no port", func(c *Config) { c.Listen = []string{"localhost"} }, "listen[0]", "host:port"},
		{"listen named port", func(c *Config) { c.Listen = []string{":ircd"} }, "listen[0]", "port must be a number"},
		{"listen twice", func(c *Config) { c.Listen = []string{":531", ":531"} }, "listen[1]", "listed twice"},
		{"nicklen high", func(c *Config) { c.Limits.NickLen = 256 }, "limits.nicklen", "between 1 and 255 (got 256)"},
		{"channellen low", func(c *Config) { c.Limits.ChannelLen = 1 }, "limits.channellen", "between 2 and 255"},
		{"topiclen", func(c *Config) { c.Limits.TopicLen = 0 }, "limits.topiclen", "between 1 and 450"},
		{"channels", func(c *Config) { c.Limits.Channels = 0 }, "limits.channels", "at least 1 (got 0)"},
		{"targets", func(c *Config) { c.Limits.Targets = 0 }, "limits.targets", "at least 1"},
		{"listsize", func(c *Config) { c.Limits.ListSize = 0 }, "limits.listsize", "at least 1"},
		{"modes high", func(c *Config) { c.Limits.Modes = 101 }, "limits.modes", "between 1 and 100"},
		{"monitor off", func(c *Config) { c.Limits.Monitor = 0 }, "", ""},
		{"monitor negative", func(c *Config) { c.Limits.Monitor = -1 }, "limits.monitor", "at least 0"},
		{"whowas negative", func(c *Config) { c.Limits.Whowas = -1 }, "limits.whowas", "at least 0"},
		{"registration", func(c *Config) { c.Timeouts.Registration = 500 * time.Millisecond }, "timeouts.registration", "at least 1s (got 500ms)"},
		{"ping", func(c *Config) { c.Timeouts.Ping = 4 * time.Second }, "timeouts.ping", "at least 5s"},
		{"burst", func(c *Config) { c.Flood.Burst = 0 }, "flood.burst", "at least 1"},
		{"rate", func(c *Config) { c.Flood.Rate = -0.5 }, "flood.rate", "more than 0"},
		{"recvq", func(c *Config) { c.Flood.RecvQ = 1023 }, "flood.recvq", "at least 1024"},
		{"sendq", func(c *Config) { c.SendQ = 4095 }, "sendq", "at least 4096"},
		{"password hash", func(c *Config) { c.Password = hash }, "", ""},
		{"password plain", func(c *Config) { c.Password = "letmein" }, "password", "bcrypt hash"},
		{"password bad hash", func(c *Config) { c.Password = "$2a$99$short" }, "password", "bcrypt hash"},
		{"operator", func(c *Config) {
			c.Operators = []Operator{{Name: "alice", Password: hash, Hosts: []string{"*@127.0.0.1"}}}
		}, "", ""},
		{"operator no name", func(c *Config) { c.Operators = []Operator{{Password: hash}} }, "operators[0].name", "must not be empty"},
		{"operator twice", func(c *Config) {
			c.Operators = []Operator{{Name: "alice", Password: hash}, {Name: "alice", Password: hash}}
		}, "operators[1].name", "used by an earlier operator"},
		{"operator plain password", func(c *Config) { c.Operators = []Operator{{Name: "alice", Password: "x"}} }, "operators[0].password", "bcrypt"},
		{"operator empty mask", func(c *Config) {
			c.Operators = []Operator{{Name: "alice", Password: hash, Hosts: []string{"*@*", ""}}}
		}, "operators[0].hosts[1]", "must not be empty"},
		{"operator mask with space", func(c *Config) {
			c.Operators = []Operator{{Name: "alice", Password: hash, Hosts: []string{"a @b"}}}
		}, "operators[0].hosts[0]", "spaces"},
		{"exempt", func(c *Config) { c.Exempt = []string{"10.0.0.0/8", "::1", "192.0.2.7", "2001:db8::/32"} }, "", ""},
		{"exempt bad", func(c *Config) { c.Exempt = []string{"10.0.0.0/8", "10.0.0.0/33"} }, "exempt[1]", "must be a CIDR"},
		{"exempt zone", func(c *Config) { c.Exempt = []string{"fe80::1%eth0"} }, "exempt[0]", "must be a CIDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			tt.change(cfg)
			got := cfg.validate()
			if tt.key == "" {
				if len(got) > 0 {
					t.Fatalf("validate() = %v, want no problems", got)
				}
				return
			}
			if len(got) != 1 || got[0].key != tt.key || !strings.Contains(got[0].msg, tt.msg) {
				t.Errorf("validate() = %+v, want one problem at %s containing %q", got, tt.key, tt.msg)
			}
		})
	}
}

func TestExemptNets(t *testing.T) {
	cfg := mustLoad(t, Options{Environ: []string{"CONFERENCE_EXEMPT=127.0.0.0/8,::1,10.1.2.3/8"}})
	want := []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("10.0.0.0/8"),
	}
	if got := cfg.ExemptNets(); !slices.Equal(got, want) {
		t.Errorf("ExemptNets() = %v, want %v", got, want)
	}
	handMade := &Config{Exempt: []string{"192.0.2.1", "junk"}}
	if got := handMade.ExemptNets(); !slices.Equal(got, []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}) {
		t.Errorf("ExemptNets() of a hand-built Config = %v", got)
	}
}
