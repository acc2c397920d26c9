package commands

import (
	"strings"
	"testing"
	"unicode/utf8"
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
