package users

import "testing"

func TestFold(t *testing.T) {
	tests := []struct {
		cm   Casemapping
		in   string
		want string
	}{
		{RFC1459, "", ""},
		{RFC1459, "alice", "alice"},
		{RFC1459, "ALICE", "alice"},
		{RFC1459, "Foo[", "foo{"},
		{RFC1459, "[]\\~", "{}|^"},
		{RFC1459, "{}|^", "{}|^"},
		{RFC1459, "#Chan[", "#chan{"},
		{RFC1459, "Zz09-_`", "zz09-_`"},
		{RFC1459, "ÉCOLE", "École"}, // only ASCII folds; UTF-8 bytes pass through
		{RFC1459Strict, "[]\\~", "{}|~"},
		{RFC1459Strict, "A^", "a^"},
		{ASCII, "[]\\~AZ", "[]\\~az"},
		{ASCII, "Foo[", "foo["},
	}
	for _, tt := range tests {
		if got := tt.cm.Fold(tt.in); got != tt.want {
			t.Errorf("%v.Fold(%q) = %q, want %q", tt.cm, tt.in, got, tt.want)
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		cm   Casemapping
		a, b string
		want bool
	}{
		{RFC1459, "Foo[", "foo{", true},
		{RFC1459, "a~", "A^", true},
		{RFC1459, "a\\", "A|", true},
		{RFC1459, "a]", "a}", true},
		{RFC1459, "alice", "alice2", false},
		{RFC1459, "", "", true},
		{RFC1459Strict, "a~", "a^", false},
		{RFC1459Strict, "a[", "A{", true},
		{ASCII, "a[", "a{", false},
		{ASCII, "ABC", "abc", true},
	}
	for _, tt := range tests {
		if got := tt.cm.Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("%v.Equal(%q, %q) = %v, want %v", tt.cm, tt.a, tt.b, got, tt.want)
		}
		// Equal must agree with comparing folds.
		if folds := tt.cm.Fold(tt.a) == tt.cm.Fold(tt.b); folds != tt.want {
			t.Errorf("%v: Fold(%q) == Fold(%q) is %v, want %v", tt.cm, tt.a, tt.b, folds, tt.want)
		}
	}
}

func TestFoldAllBytes(t *testing.T) {
	// Every byte folds to itself or its documented partner, and folding is
	// idempotent.
	for _, cm := range []Casemapping{RFC1459, RFC1459Strict, ASCII} {
		for b := 0; b < 256; b++ {
			s := string([]byte{byte(b)})
			f := cm.Fold(s)
			if cm.Fold(f) != f {
				t.Errorf("%v: fold of %q is not idempotent", cm, s)
			}
			if len(f) != 1 {
				t.Fatalf("%v: fold of %q changed length", cm, s)
			}
		}
	}
}

func TestFoldDoesNotAllocateWhenFolded(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = RFC1459.Fold("already{folded}|^")
		_ = RFC1459.Equal("Foo[", "foo{")
	})
	if allocs != 0 {
		t.Errorf("Fold/Equal on folded names allocate %v times", allocs)
	}
}

func TestParseCasemapping(t *testing.T) {
	for _, cm := range []Casemapping{RFC1459, RFC1459Strict, ASCII} {
		got, err := ParseCasemapping(cm.String())
		if err != nil || got != cm {
			t.Errorf("ParseCasemapping(%q) = %v, %v", cm.String(), got, err)
		}
	}
	if got, err := ParseCasemapping(""); err != nil || got != RFC1459 {
		t.Errorf(`ParseCasemapping("") = %v, %v; want rfc1459`, got, err)
	}
	if _, err := ParseCasemapping("utf8"); err == nil {
		t.Error(`ParseCasemapping("utf8") succeeded`)
	}
}
