package conf

import (
	"reflect"
	"strings"
	"testing"
)

func TestYAMLRoundTrip(t *testing.T) {
	motd := writeFile(t, "motd.txt", "from a file\n")
	tests := []struct {
		name string
		yaml string
	}{
		{"defaults", ""},
		{"everything changed", `
server:
  name: irc.example.org
  network: Example
  description: "a: tricky # description"
  casemapping: ascii
  utf8only: true
listen: ["127.0.0.1:6667", "[::1]:6667"]
motd:
  text: "line one\n  indented line\n\nafter a blank\n"
  file: ` + motd + `
limits: {nicklen: 9, channellen: 50, topiclen: 100, awaylen: 100, kicklen: 100, namelen: 50, userlen: 10,
  channels: 5, targets: 1, listsize: 10, modes: 3, monitor: 0, whowas: 0}
timeouts: {registration: 1m30s, ping: 2h}
flood: {burst: 5, rate: 0.5, recvq: 2048}
sendq: 8192
password: HASH
operators:
  - name: alice
    password: HASH
    hosts: ["*@127.0.0.1", "alice@*.example.org"]
  - name: bob
    password: HASH
exempt: [10.0.0.0/8, "::1"]
admin: {location: Here, organisation: Us, email: ""}
control: {die: true, restart: true}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "conference.yaml", strings.ReplaceAll(tt.yaml, "HASH", testHash(t)))
			first := mustLoad(t, Options{File: file, Environ: noEnv})
			out, err := first.YAML()
			if err != nil {
				t.Fatal(err)
			}
			second := mustLoad(t, Options{File: writeFile(t, "printed.yaml", string(out)), Environ: noEnv})
			first.file, second.file = "", "" // the settings are compared, not where they were read
			if !reflect.DeepEqual(first, second) {
				t.Errorf("reloaded config differs\nfirst:  %+v\nsecond: %+v\nYAML:\n%s", first, second, out)
			}
		})
	}
}

func TestYAMLKeyOrder(t *testing.T) {
	out, err := Default().YAML()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	order := []string{"server:", "listen:", "motd:", "limits:", "timeouts:", "flood:", "sendq:", "password:", "operators:", "exempt:", "admin:", "control:"}
	last := -1
	for _, key := range order {
		i := strings.Index(text, "\n"+key)
		if key == "server:" {
			i = strings.Index(text, key)
		}
		if i <= last {
			t.Fatalf("%s out of order in:\n%s", key, text)
		}
		last = i
	}
	if !strings.Contains(text, "registration: 1m\n") {
		t.Errorf("durations not in short Go syntax:\n%s", text)
	}
}
