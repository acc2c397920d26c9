package channels

// Prefix is the set of status modes a member holds (founder, admin, op,
// halfop, voice), as bits ordered by rank.
type Prefix uint8

// The member status modes, lowest rank first.
const (
	Voice   Prefix = 1 << iota // +v, shown as +
	Halfop                     // +h, shown as %
	Op                         // +o, shown as @
	Admin                      // +a, shown as &
	Founder                    // +q, shown as ~
)

// prefixTable lists the status modes from highest rank to lowest.
var prefixTable = []struct {
	prefix Prefix
	letter byte
	symbol byte
}{{Founder, 'q', '~'}, {Admin, 'a', '&'}, {Op, 'o', '@'}, {Halfop, 'h', '%'}, {Voice, 'v', '+'}}

// PrefixISupport is the ISUPPORT PREFIX value.
const PrefixISupport = "(qaohv)~&@%+"

// StatusMSGISupport is the ISUPPORT STATUSMSG value.
const StatusMSGISupport = "~&@%+"

// PrefixByLetter finds the status mode for a mode letter.
func PrefixByLetter(letter byte) (Prefix, bool) {
	for _, p := range prefixTable {
		if p.letter == letter {
			return p.prefix, true
		}
	}
	return 0, false
}

// PrefixBySymbol finds the status mode for a NAMES symbol (e.g. '@').
func PrefixBySymbol(symbol byte) (Prefix, bool) {
	for _, p := range prefixTable {
		if p.symbol == symbol {
			return p.prefix, true
		}
	}
	return 0, false
}

// Has reports whether p includes every bit of q.
func (p Prefix) Has(q Prefix) bool { return p&q == q && q != 0 }

// Rank is the highest single status held (0 for none).
func (p Prefix) Rank() Prefix {
	for _, e := range prefixTable {
		if p&e.prefix != 0 {
			return e.prefix
		}
	}
	return 0
}

// AtLeast reports whether the highest status held ranks at or above q.
func (p Prefix) AtLeast(q Prefix) bool { return p.Rank() >= q }

// Symbols renders the NAMES/WHO prefix: every symbol when all is true
// (multi-prefix), else only the highest.
func (p Prefix) Symbols(all bool) string {
	var out []byte
	for _, e := range prefixTable {
		if p&e.prefix != 0 {
			out = append(out, e.symbol)
			if !all {
				break
			}
		}
	}
	return string(out)
}

// Flag is one parameterless channel mode, as a bit.
type Flag uint16

// The parameterless channel modes.
const (
	InviteOnly  Flag = 1 << iota // +i
	Moderated                    // +m
	NoExternal                   // +n
	Secret                       // +s
	TopicLocked                  // +t
	Private                      // +p
	SecureOnly                   // +z: only clients connected with TLS may join
)

var flagTable = []struct {
	flag   Flag
	letter byte
}{{InviteOnly, 'i'}, {Moderated, 'm'}, {NoExternal, 'n'}, {Private, 'p'}, {Secret, 's'}, {TopicLocked, 't'}, {SecureOnly, 'z'}}

// FlagByLetter finds a parameterless mode by its letter.
func FlagByLetter(letter byte) (Flag, bool) {
	for _, f := range flagTable {
		if f.letter == letter {
			return f.flag, true
		}
	}
	return 0, false
}

// Flags is a set of parameterless channel modes.
type Flags Flag

// Has reports whether f is set.
func (s Flags) Has(f Flag) bool { return Flag(s)&f != 0 }

// Letters renders the set as mode letters in a stable order.
func (s Flags) Letters() string {
	var out []byte
	for _, f := range flagTable {
		if s.Has(f.flag) {
			out = append(out, f.letter)
		}
	}
	return string(out)
}

// ListKind names one of the channel's mask lists.
type ListKind int

// The mask lists.
const (
	Bans       ListKind = iota // +b
	Exceptions                 // +e
	Invexes                    // +I
	listKinds
)

// ListByLetter finds a mask list by its mode letter.
func ListByLetter(letter byte) (ListKind, bool) {
	switch letter {
	case 'b':
		return Bans, true
	case 'e':
		return Exceptions, true
	case 'I':
		return Invexes, true
	}
	return 0, false
}

// Letter is the list's mode letter.
func (k ListKind) Letter() byte { return "beI"[k] }

// ChanModesISupport is the ISUPPORT CHANMODES value: lists, then modes with
// a parameter always, then with a parameter only when set, then flags.
const ChanModesISupport = "beI,k,l,imnpstz"
