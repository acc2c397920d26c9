package wildcard

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		mask, text string
		want       bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*.example.org", "x.example.org", true}, {"*.example.org", "example.org", false},
		{"~spam*", "~spammer", true}, {"~spam*", "~alice", false},
		// Byte by byte: no folding here.
		{"A", "a", false},
		// '*' and '?' in the text are ordinary bytes that a '*' in the mask
		// must still match.
		{"*", "*x", true}, {"*b", "*b", true}, {"*c", "a*?c", true}, {"a", "*", false},
	}
	for _, c := range cases {
		if got := Match(c.mask, c.text); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.mask, c.text, got, c.want)
		}
	}
}
