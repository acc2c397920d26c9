package conf

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPassword(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !isBcryptHash(hash) {
		t.Errorf("HashPassword gave %q, which validation would refuse", hash)
	}
	if cost, _ := bcrypt.Cost([]byte(hash)); cost != bcrypt.DefaultCost {
		t.Errorf("cost = %d, want %d", cost, bcrypt.DefaultCost)
	}
	if !CheckPassword(hash, "correct horse") {
		t.Errorf("CheckPassword refused the password HashPassword hashed")
	}
}

func TestCheckPassword(t *testing.T) {
	hash := testHash(t) // of "secret", at a cost cheap enough for tests
	tests := []struct {
		hash, plain string
		want        bool
	}{
		{hash, "secret", true},
		{hash, "secret ", false},
		{hash, "Secret", false},
		{hash, "", false},
		{"", "", false},
		{"secret", "secret", false},
	}
	for _, tt := range tests {
		if got := CheckPassword(tt.hash, tt.plain); got != tt.want {
			t.Errorf("CheckPassword(%q, %q) = %v, want %v", tt.hash, tt.plain, got, tt.want)
		}
	}
}

func TestHashPasswordRefuses(t *testing.T) {
	for _, plain := range []string{"", strings.Repeat("x", 73)} {
		if hash, err := HashPassword(plain); err == nil {
			t.Errorf("HashPassword(%d bytes) = %q, want an error", len(plain), hash)
		}
	}
}
