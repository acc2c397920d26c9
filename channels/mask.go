package channels

import "github.com/conference-irc/conference/users"

// MatchMask reports whether text matches the glob mask ('*' any run, '?'
// any one byte), comparing under the casemapping. It runs in linear time
// with one backtrack point, so hostile masks cannot make it slow.
func MatchMask(cm users.Casemapping, mask, text string) bool {
	mask, text = cm.Fold(mask), cm.Fold(text)
	m, t := 0, 0
	star, mark := -1, 0
	for t < len(text) {
		switch {
		// '*' comes first: a '*' in the text is an ordinary byte that must
		// not consume the mask's wildcard.
		case m < len(mask) && mask[m] == '*':
			star, mark = m, t
			m++
		case m < len(mask) && (mask[m] == '?' || mask[m] == text[t]):
			m++
			t++
		case star >= 0:
			m = star + 1
			mark++
			t = mark
		default:
			return false
		}
	}
	for m < len(mask) && mask[m] == '*' {
		m++
	}
	return m == len(mask)
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
