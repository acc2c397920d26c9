package conf

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// noEnv is an empty environment, so tests never see the real one.
var noEnv = []string{}

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustLoad loads opts and fails the test on any problem.
func mustLoad(t *testing.T, opts Options) *Config {
	t.Helper()
	cfg, err := Load(opts)
	if err != nil {
		t.Fatalf("Load: unexpected problems:\n%s", strings.Join(Problems(err), "\n"))
	}
	return cfg
}

// loadProblems loads opts, expects it to fail, and returns its problems.
func loadProblems(t *testing.T, opts Options) []string {
	t.Helper()
	cfg, err := Load(opts)
	if err == nil {
		t.Fatalf("Load succeeded, want problems (config %+v)", cfg)
	}
	if cfg != nil {
		t.Errorf("Load returned a Config along with problems")
	}
	return Problems(err)
}

// testHash is a cheap bcrypt hash of "secret" for configs that need one.
func testHash(t *testing.T) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestLoadDefaults(t *testing.T) {
	cfg := mustLoad(t, Options{Environ: noEnv})
	checks := []struct {
		name      string
		got, want any
	}{
		{"server.name", cfg.Server.Name, "irc.conference.local"},
		{"server.casemapping", cfg.Server.Casemapping, "rfc1459"},
		{"listen", cfg.Listen, []string{":531"}},
		{"limits.nicklen", cfg.Limits.NickLen, 30},
		{"limits.whowas", cfg.Limits.Whowas, 1000},
		{"timeouts.registration", cfg.Timeouts.Registration, 60 * time.Second},
		{"timeouts.ping", cfg.Timeouts.Ping, 120 * time.Second},
		{"flood.rate", cfg.Flood.Rate, 4.0},
		{"sendq", cfg.SendQ, 262144},
		{"operators", len(cfg.Operators), 0},
		{"control.die", cfg.Control.Die, false},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if !reflect.DeepEqual(Default(), cfg) {
		t.Errorf("Default() differs from Load with no file")
	}
}

func TestLoadPrecedence(t *testing.T) {
	file := writeFile(t, "conference.yaml", "limits:\n  nicklen: 20\n  channellen: 40\n  topiclen: 300\nlisten: [':6667']\n")
	tests := []struct {
		name  string
		opts  Options
		get   func(*Config) any
		want  any
		about string
	}{
		{"file over defaults", Options{File: file}, func(c *Config) any { return c.Limits.NickLen }, 20, "nicklen"},
		{"defaults kept beside file", Options{File: file}, func(c *Config) any { return c.Limits.KickLen }, 390, "kicklen"},
		{"env over file", Options{File: file, Environ: []string{"CONFERENCE_LIMITS_NICKLEN=25"}},
			func(c *Config) any { return c.Limits.NickLen }, 25, "nicklen"},
		{"file kept beside env", Options{File: file, Environ: []string{"CONFERENCE_LIMITS_NICKLEN=25"}},
			func(c *Config) any { return c.Limits.ChannelLen }, 40, "channellen"},
		{"flags over env", Options{File: file, Environ: []string{"CONFERENCE_LIMITS_NICKLEN=25"},
			Flags: map[string]any{"limits.nicklen": 12}}, func(c *Config) any { return c.Limits.NickLen }, 12, "nicklen"},
		{"flag list over file", Options{File: file, Flags: map[string]any{"listen": []string{":7000", ":7001"}}},
			func(c *Config) any { return c.Listen }, []string{":7000", ":7001"}, "listen"},
		{"env ignored without prefix", Options{File: file, Environ: []string{"LIMITS_NICKLEN=25", "HOME=/root"}},
			func(c *Config) any { return c.Limits.NickLen }, 20, "nicklen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Environ == nil {
				tt.opts.Environ = noEnv
			}
			got := tt.get(mustLoad(t, tt.opts))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.about, got, tt.want)
			}
		})
	}
}

func TestLoadEnvParsing(t *testing.T) {
	tests := []struct {
		env  string
		get  func(*Config) any
		want any
	}{
		{"CONFERENCE_TIMEOUTS_PING=90s", func(c *Config) any { return c.Timeouts.Ping }, 90 * time.Second},
		{"CONFERENCE_TIMEOUTS_REGISTRATION=1m30s", func(c *Config) any { return c.Timeouts.Registration }, 90 * time.Second},
		{"CONFERENCE_LISTEN=:6667,:6668", func(c *Config) any { return c.Listen }, []string{":6667", ":6668"}},
		{"CONFERENCE_LISTEN=:6667", func(c *Config) any { return c.Listen }, []string{":6667"}},
		{"CONFERENCE_EXEMPT=127.0.0.0/8,::1/128", func(c *Config) any { return c.Exempt }, []string{"127.0.0.0/8", "::1/128"}},
		{"CONFERENCE_EXEMPT= 10.0.0.0/8 , 192.0.2.1 ", func(c *Config) any { return c.Exempt }, []string{"10.0.0.0/8", "192.0.2.1"}},
		{"CONFERENCE_SERVER_UTF8ONLY=true", func(c *Config) any { return c.Server.UTF8Only }, true},
		{"CONFERENCE_FLOOD_RATE=2.5", func(c *Config) any { return c.Flood.Rate }, 2.5},
		{"CONFERENCE_SERVER_DESCRIPTION=chat, for everyone", func(c *Config) any { return c.Server.Description }, "chat, for everyone"},
		{"CONFERENCE_CONTROL_DIE=1", func(c *Config) any { return c.Control.Die }, true},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			got := tt.get(mustLoad(t, Options{Environ: []string{tt.env}}))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	file := writeFile(t, "conference.yaml", "limits:\n  nicklenn: 3\noperators:\n  - name: alice\n    hostz: []\n")
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"file", Options{File: file, Environ: noEnv}, []string{
			file + `: unknown key "limits.nicklenn"`,
			file + `: unknown key "operators[0].hostz"`,
		}},
		{"env", Options{Environ: []string{"CONFERENCE_FOO=1", "CONFERENCE_LIMITS_NICKLENN=3"}}, []string{
			`environment: unknown key "foo" (CONFERENCE_FOO)`,
			`environment: unknown key "limits.nicklenn" (CONFERENCE_LIMITS_NICKLENN)`,
		}},
		{"env section", Options{Environ: []string{"CONFERENCE_OPERATORS=alice"}}, []string{
			`environment: operators: cannot be set from the environment (CONFERENCE_OPERATORS); use the file`,
		}},
		{"flags", Options{Environ: noEnv, Flags: map[string]any{"lisen": ":1"}}, []string{
			`flags: unknown key "lisen"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadProblems(t, tt.opts)
			for _, want := range tt.want {
				if !slices.Contains(got, want) {
					t.Errorf("missing problem %q in:\n%s", want, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestLoadBadValues(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        []string
		want       string // with FILE standing for the file's path
	}{
		{"range", "limits:\n  nicklen: 0\n", nil, "FILE: limits.nicklen: must be between 1 and 255 (got 0)"},
		{"not a number", "limits:\n  nicklen: abc\n", nil, `FILE: limits.nicklen: cannot read "abc" as a whole number`},
		{"not a duration", "timeouts:\n  ping: soon\n", nil, `FILE: timeouts.ping: cannot read "soon" as a duration (like 60s)`},
		{"duration in words", "timeouts:\n  ping: 2 minutes\n", nil, `FILE: timeouts.ping: cannot read "2 minutes" as a duration (like 60s)`},
		{"duration in words from env", "", []string{"CONFERENCE_TIMEOUTS_PING=2 minutes"}, `environment: timeouts.ping: cannot read "2 minutes" as a duration (like 60s)`},
		{"log level", "log:\n  level: verbose\n", nil, `FILE: log.level: must be one of debug, info, warn, error (got "verbose")`},
		{"log format", "log:\n  format: xml\n", nil, `FILE: log.format: must be one of text, json (got "xml")`},
		{"not a section", "server: 5\n", nil, `FILE: server: expected a section of keys, got "5"`},
		{"casemapping", "server:\n  casemapping: unicode\n", nil,
			`FILE: server.casemapping: must be one of rfc1459, rfc1459-strict, ascii (got "unicode")`},
		{"listen", "listen: [':70000']\n", nil, `FILE: listen[0]: port must be a number from 0 to 65535 (got ":70000")`},
		{"operator", "operators:\n  - name: alice\n    password: hunter2\n", nil,
			"FILE: operators[0].password: must be a bcrypt hash (make one with `conferenced genpasswd`)"},
		{"blamed on env", "sendq: 100000\n", []string{"CONFERENCE_SENDQ=10"}, "environment: sendq: must be at least 4096 (got 10)"},
		{"parent replaced", "limits: 5\n", nil, `FILE: limits: expected a section of keys, got "5"`},
		{"bad yaml", "limits: [\n", nil, "FILE: yaml: line 1: did not find expected node content"},
		{"not a mapping", "hello\n", nil, "FILE: yaml: unmarshal errors: line 1: cannot unmarshal !!str `hello` into map[string]interface {}"},
		{"bare number duration", "timeouts:\n  ping: 120\n", nil, "FILE: timeouts.ping: must be at least 5s (got 120ns; give a unit, like 120s)"},
		{"list entry not a section", "operators: [alice]\n", nil, "FILE: operators[0]: expected a section of keys"},
		{"list entry wrong type", "operators: [{name: {a: 1}, password: x}]\n", nil, `FILE: operators[0].name: expected text, got "map[a:1]"`},
		{"list as section", "exempt: {a: 1}\n", nil, `FILE: exempt[0]: expected text, got "map[a:1]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "conference.yaml", tt.yaml)
			env := tt.env
			if env == nil {
				env = noEnv
			}
			got := loadProblems(t, Options{File: file, Environ: env})
			want := strings.ReplaceAll(tt.want, "FILE", file)
			if !slices.Contains(got, want) {
				t.Errorf("missing problem %q in:\n%s", want, strings.Join(got, "\n"))
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	got := loadProblems(t, Options{File: path, Environ: noEnv})
	want := path + ": no such file or directory"
	if !slices.Equal(got, []string{want}) {
		t.Errorf("problems = %q, want [%q]", got, want)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	file := writeFile(t, "conference.yaml", `
server:
  name: nodot
  network: ""
limits:
  nicklen: abc
  modes: 0
  bogus: 1
flood:
  rate: 0
exempt: [10.0.0.0/8, nonsense]
`)
	got := loadProblems(t, Options{
		File:    file,
		Environ: []string{"CONFERENCE_SENDQ=1", "CONFERENCE_NOPE=1"},
		Flags:   map[string]any{"motd.file": filepath.Join(t.TempDir(), "missing.txt")},
	})
	want := []string{
		`unknown key "limits.bogus"`,
		`unknown key "nope"`,
		"server.name: must contain a dot",
		"server.network: must not be empty",
		"limits.nicklen: cannot read",
		"limits.modes: must be between 1 and 100",
		"flood.rate: must be more than 0",
		"environment: sendq: must be at least 4096",
		"exempt[1]: must be a CIDR",
		"flags: motd.file: cannot read the MOTD",
	}
	joined := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), joined)
	}
}

func TestMOTD(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "motd.txt"), []byte("one\r\ntwo\n\nfour\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "conference.yaml")
	if err := os.WriteFile(config, []byte("motd:\n  file: motd.txt\n  text: ignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"file relative to config", Options{File: config}, []string{"one", "two", "", "four"}},
		{"file from flag", Options{Flags: map[string]any{"motd.file": filepath.Join(dir, "motd.txt")}}, []string{"one", "two", "", "four"}},
		{"text", Options{Environ: []string{"CONFERENCE_MOTD_TEXT=hello\nworld\n"}}, []string{"hello", "world"}},
		{"empty text", Options{Flags: map[string]any{"motd.text": ""}}, nil},
		{"empty file", Options{Flags: map[string]any{"motd.file": filepath.Join(dir, "empty.txt")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Environ == nil {
				tt.opts.Environ = noEnv
			}
			if got := mustLoad(t, tt.opts).MOTDLines(); !slices.Equal(got, tt.want) {
				t.Errorf("MOTDLines() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMOTDMissingFile(t *testing.T) {
	config := writeFile(t, "conference.yaml", "motd:\n  file: gone.txt\n")
	got := loadProblems(t, Options{File: config, Environ: noEnv})
	if len(got) != 1 || !strings.HasPrefix(got[0], config+": motd.file: cannot read the MOTD: ") {
		t.Errorf("problems = %q, want one naming motd.file", got)
	}
}

func TestMOTDLinesOfHandBuiltConfig(t *testing.T) {
	cfg := &Config{MOTD: MOTD{Text: "a\nb\n"}}
	if got := cfg.MOTDLines(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("MOTDLines() = %q", got)
	}
}

func TestProblems(t *testing.T) {
	if got := Problems(nil); got != nil {
		t.Errorf("Problems(nil) = %q", got)
	}
	if got := Problems(os.ErrNotExist); !slices.Equal(got, []string{os.ErrNotExist.Error()}) {
		t.Errorf("Problems(single) = %q", got)
	}
}

func TestLoadEmptyKeysKeepDefaults(t *testing.T) {
	file := writeFile(t, "conference.yaml", "limits:\n  # nicklen: 9\nlisten:\nserver:\n  name:\n  network: elsewhere\n")
	cfg := mustLoad(t, Options{File: file, Environ: noEnv})
	want := Default()
	if cfg.Limits != want.Limits || !slices.Equal(cfg.Listen, want.Listen) || cfg.Server.Name != want.Server.Name {
		t.Errorf("keys without a value changed the defaults: %+v", cfg)
	}
	if cfg.Server.Network != "elsewhere" {
		t.Errorf("server.network = %q, want elsewhere", cfg.Server.Network)
	}
}

// TestLoadEmptyEnvIsAnError: an empty CONFERENCE_* variable is refused the
// same way for every key, rather than clearing some settings (the server
// password) and failing on others.
func TestLoadEmptyEnvIsAnError(t *testing.T) {
	file := writeFile(t, "conference.yaml", "password: "+testHash(t)+"\n")
	for _, name := range []string{"CONFERENCE_PASSWORD", "CONFERENCE_LIMITS_NICKLEN", "CONFERENCE_EXEMPT", "CONFERENCE_SERVER_NAME"} {
		for _, value := range []string{"", "  "} {
			got := loadProblems(t, Options{File: file, Environ: []string{name + "=" + value}})
			key := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(name, EnvPrefix)), "_", ".")
			want := "environment: " + key + ": " + name + " is set but empty; unset it to keep the value from the file or the defaults"
			if !slices.Equal(got, []string{want}) {
				t.Errorf("%s=%q: problems %q, want [%q]", name, value, got, want)
			}
		}
	}
}

func TestLoadRemembersItsFile(t *testing.T) {
	if f := mustLoad(t, Options{Environ: noEnv}).File(); f != "" {
		t.Errorf("no file: File() = %q", f)
	}
	file := writeFile(t, "ircd.yaml", "motd: {text: hi}\n")
	if f := mustLoad(t, Options{File: file, Environ: noEnv}).File(); f != file {
		t.Errorf("File() = %q, want %q", f, file)
	}
}
