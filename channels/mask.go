package channels

import (
	"github.com/conference-irc/conference/users"
	"github.com/conference-irc/conference/wildcard"
)

// MatchMask reports whether text matches the glob mask ('*' any run, '?'
// any one byte), comparing under the casemapping (wildcard.Match on both
// folded).
func MatchMask(cm users.Casemapping, mask, text string) bool {
	return wildcard.Match(cm.Fold(mask), cm.Fold(text))
}

// NormalizeMask completes a partial ban mask the way clients expect:
// "nick" becomes "nick!*@*", "user@host" becomes "*!user@host" and
// "nick!user" becomes "nick!user@*".
func NormalizeMask(mask string) string {
	bang, at := -1, -1
	for i := 0; i < len(mask); i++ {
		switch mask[i] {
		case '!':
			if bang < 0 {
				bang = i
			}
		case '@':
			if at < 0 {
				at = i
			}
		}
	}
	switch {
	case bang < 0 && at < 0:
		return mask + "!*@*"
	case bang < 0:
		return "*!" + mask
	case at < 0:
		return mask + "@*"
	}
	return mask
}
