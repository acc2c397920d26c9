package channels

import (
	"strings"
	"testing"
	"time"

	"github.com/conference-irc/conference/users"
)

func TestMatchMask(t *testing.T) {
	tests := []struct {
		mask, text string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything!at@all", true},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"?", "", false},
		{"?", "x", true},
		{"??", "x", false},
		{"nick!*@*", "nick!~u@192.0.2.1", true},
		{"nick!*@*", "nick2!~u@192.0.2.1", false},
		{"*!*@192.0.2.*", "someone!~u@192.0.2.77", true},
		{"*!*@192.0.2.*", "someone!~u@192.0.3.77", false},
		{"n?ck!*@*", "nack!x@y", true},
		{"*a*b*c", "xaxbxc", true},
		{"*a*b*c", "xaxcxb", false},
		{"a*", "a", true},
		{"*a", "a", true},
		{"**", "", true},
		{"a**b", "ab", true},
		{"*ab", "aab", true},
		{"*aab", "aaab", true},
		{"*x*", "xxxxx", true},
		// Casemapping applies to both sides.
		{"FOO[!*@*", "foo{!u@h", true},
		{"*!*@HOST", "n!u@host", true},
		{"a~*", "A^b", true},
		// '*' and '?' in the text are ordinary characters that a '*' in the
		// mask must still match.
		{"*", "*", true},
		{"*", "*abc", true},
		{"a*", "a*b", true},
		{"*b", "*b", true},
		{"*c", "a*?c", true},
		{"?", "*", true},
		{"a", "*", false},
	}
	for _, tt := range tests {
		if got := MatchMask(users.RFC1459, tt.mask, tt.text); got != tt.want {
			t.Errorf("MatchMask(%q, %q) = %v, want %v", tt.mask, tt.text, got, tt.want)
		}
	}
}

func TestMatchMaskASCIICasemapping(t *testing.T) {
	if MatchMask(users.ASCII, "foo[", "FOO{") {
		t.Error("ascii casemapping folded [ to {")
	}
	if !MatchMask(users.ASCII, "foo[", "FOO[") {
		t.Error("ascii casemapping did not fold letters")
	}
}

// TestMatchMaskPathological feeds masks that make naive backtracking
// matchers exponential. The whole test must finish in well under a second.
func TestMatchMaskPathological(t *testing.T) {
	long := strings.Repeat("a", 20000)
	masks := []string{
		"*a*a*a*a*a*b",
		strings.Repeat("*a", 50) + "*b",
		strings.Repeat("?", 100) + "*b",
		strings.Repeat("*", 300) + "b",
		strings.Repeat("*?", 60) + "!",
	}
	start := time.Now()
	for _, m := range masks {
		if MatchMask(users.RFC1459, m, long) {
			t.Errorf("%q matched a string of a's", m)
		}
		if !MatchMask(users.RFC1459, m[:len(m)-1], long) && !strings.HasSuffix(m, "!") {
			t.Errorf("%q without its last byte did not match", m)
		}
	}
	if !MatchMask(users.RFC1459, "*a*a*a*a*a*b", long+"b") {
		t.Error("*a*a*a*a*a*b did not match a...ab")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("pathological masks took %v", d)
	}
}

func TestNormalizeMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nick", "nick!*@*"},
		{"*", "*!*@*"},
		{"user@host", "*!user@host"},
		{"@host", "*!@host"},
		{"nick!user", "nick!user@*"},
		{"nick!user@host", "nick!user@host"},
		{"*!*@*", "*!*@*"},
		{"n!u!x@h@y", "n!u!x@h@y"},
	}
	for _, tt := range tests {
		if got := NormalizeMask(tt.in); got != tt.want {
			t.Errorf("NormalizeMask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
