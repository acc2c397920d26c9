package commands

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/users"
)

// TestAppendLineFits: the last parameter is trimmed, on a UTF-8 boundary,
// so that the body with its source fits in 512 bytes with CRLF; tags do
// not count; lines that fit are left alone.
func TestAppendLineFits(t *testing.T) {
	source := strings.Repeat("n", 30) + "!~" + strings.Repeat("u", 17) + "@" + strings.Repeat("h", 63)
	tests := []struct {
		name    string
		tags    string
		command string
		params  []string
		text    string // the last parameter as it must arrive
	}{
		{"fits", "", "PRIVMSG", []string{"#c", "hello"}, "hello"},
		{"exactly fits", "", "PRIVMSG", []string{"#c", strings.Repeat("x", 510-len(source)-len(": PRIVMSG #c :"))},
			strings.Repeat("x", 510-len(source)-len(": PRIVMSG #c :"))},
		{"trimmed", "", "PRIVMSG", []string{"#c", strings.Repeat("x", 500)}, strings.Repeat("x", 510-len(source)-len(": PRIVMSG #c :"))},
		{"tags do not count", "a=" + strings.Repeat("t", 4000), "PRIVMSG", []string{"#c", strings.Repeat("x", 500)},
			strings.Repeat("x", 510-len(source)-len(": PRIVMSG #c :"))},
		{"cut between characters", "", "TOPIC", []string{"#c", strings.Repeat("é", 250)},
			strings.Repeat("é", (510-len(source)-len(": TOPIC #c :"))/2)},
		{"a last parameter without ':' gets one when trimmed", "", "MODE", []string{"#c", "+b", strings.Repeat("m", 500)},
			strings.Repeat("m", 510-len(source)-len(": MODE #c +b :"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := string(appendLine(nil, tt.tags, source, tt.command, tt.params))
			body := line
			if tt.tags != "" {
				body = line[len(tt.tags)+2:]
			}
			if len(body) > maxLineBody {
				t.Errorf("body of %d bytes", len(body))
			}
			if !utf8.ValidString(line) {
				t.Errorf("cut inside a character")
			}
			if _, text, _ := strings.Cut(strings.TrimSuffix(body[1:], "\r\n"), " :"); text != tt.text {
				t.Errorf("text of %d bytes %.20q..., want %d bytes", len(text), text, len(tt.text))
			}
		})
	}
}

// TestRelayVariants: every tag variant of a relayed line is the shared
// body with that variant's tags in front, escaped as message-tags requires,
// and Msg.Bytes writes the same bytes as the Relay.
func TestRelayVariants(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)
	m := Msg{Source: "n!u@h", Command: "PRIVMSG", Params: []string{"#c", strings.Repeat("x", 600)},
		Time: at, MsgID: "abc1", Account: `a;b c\d`, ClientTags: "+x=y", Bot: true}
	relay := NewRelay(m)
	body := string(appendLine(nil, "", m.Source, m.Command, m.Params))
	caps := []users.Cap{users.CapMessageTags, users.CapServerTime, users.CapAccountTag}
	for v := 0; v < variantCount; v++ {
		var set users.CapSet
		want := map[string]string{}
		if v&1 != 0 {
			set = set.With(caps[0])
			want["bot"], want["msgid"], want["+x"] = "", "abc1", "y"
		}
		if v&2 != 0 {
			set = set.With(caps[1])
			want["time"] = "2026-01-02T03:04:05.678Z"
		}
		if v&4 != 0 {
			set = set.With(caps[2])
			want["account"] = `a;b c\d`
		}
		line := string(relay.For(set))
		if got := string(m.Bytes(set)); got != line {
			t.Errorf("variant %d: Bytes %q, Relay %q", v, got, line)
		}
		if !strings.HasSuffix(line, body) {
			t.Errorf("variant %d: %q does not end in the shared body", v, line)
		}
		parsed, err := irc.ParseMessage(strings.TrimSuffix(line, "\r\n"))
		if err != nil {
			t.Fatalf("variant %d: %q: %v", v, line, err)
		}
		if len(parsed.Tags) != len(want) {
			t.Errorf("variant %d: tags %v, want %v", v, parsed.Tags, want)
		}
		for k, val := range want {
			if got, ok := parsed.Tags[k]; !ok || got != val {
				t.Errorf("variant %d: tag %s = %q, want %q", v, k, got, val)
			}
		}
	}
}
