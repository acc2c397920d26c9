// Package users knows who is connected: each client's identity (nick, user,
// host, realname, account, modes, capabilities, away), its handle to send,
// the registry from casefolded nick to client with its LRU of nick lookups, the
// casemapping, and the WHOWAS history.
package users

import "fmt"

// Casemapping says which characters compare equal in nicks and channel names.
type Casemapping int

const (
	// RFC1459 folds A-Z to a-z and []\~ to {}|^.
	RFC1459 Casemapping = iota
	// RFC1459Strict folds A-Z to a-z and []\ to {}| (not ~).
	RFC1459Strict
	// ASCII folds only A-Z to a-z.
	ASCII
)

// ParseCasemapping reads a casemapping by its ISUPPORT name.
func ParseCasemapping(name string) (Casemapping, error) {
	switch name {
	case "rfc1459", "":
		return RFC1459, nil
	case "rfc1459-strict":
		return RFC1459Strict, nil
	case "ascii":
		return ASCII, nil
	}
	return RFC1459, fmt.Errorf("unknown casemapping %q", name)
}

// String is the ISUPPORT CASEMAPPING token.
func (m Casemapping) String() string {
	switch m {
	case RFC1459Strict:
		return "rfc1459-strict"
	case ASCII:
		return "ascii"
	}
	return "rfc1459"
}

// foldTables holds, for each casemapping, the fold of every byte. It is
// computed once at start and never written again.
var foldTables = func() (t [ASCII + 1][256]byte) {
	for m := RFC1459; m <= ASCII; m++ {
		for b := 0; b < 256; b++ {
			t[m][b] = m.slowFoldByte(byte(b))
		}
	}
	return t
}()

// foldByte folds one byte under m.
func (m Casemapping) foldByte(b byte) byte { return foldTables[m][b] }

// slowFoldByte is the definition of folding one byte under m.
func (m Casemapping) slowFoldByte(b byte) byte {
	switch {
	case b >= 'A' && b <= 'Z':
		return b + ('a' - 'A')
	case m == ASCII:
		return b
	case b == '[' || b == ']' || b == '\\':
		return b + ('{' - '[')
	case b == '~' && m == RFC1459:
		return '^'
	}
	return b
}

// Fold returns the canonical form of name: two names are the same nick or
// channel exactly when their folds are equal. It allocates only when name
// has something to fold.
func (m Casemapping) Fold(name string) string {
	table := &foldTables[m]
	i := 0
	for ; i < len(name); i++ {
		if table[name[i]] != name[i] {
			break
		}
	}
	if i == len(name) {
		return name
	}
	out := []byte(name)
	for ; i < len(out); i++ {
		out[i] = table[out[i]]
	}
	return string(out)
}

// Equal reports whether a and b fold to the same name, without allocating.
func (m Casemapping) Equal(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if m.foldByte(a[i]) != m.foldByte(b[i]) {
			return false
		}
	}
	return true
}
