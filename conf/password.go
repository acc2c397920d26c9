package conf

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// HashPassword hashes a password with bcrypt at the default cost, for the
// password and operators[].password keys (`conferenced genpasswd`). An empty
// password is refused, and so is one longer than bcrypt's 72 bytes.
func HashPassword(plain string) (string, error) {
	if plain == "" {
		return "", errors.New("hash password: password is empty")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(plain), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// CheckPassword reports whether plain matches a bcrypt hash made by
// HashPassword. bcrypt compares in constant time; a malformed or empty hash
// matches nothing.
func CheckPassword(hash, plain string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(plain)) == nil
}
