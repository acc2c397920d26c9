// Package wildcard matches IRC masks ('*' any run of bytes, '?' any one
// byte): the one matcher behind channel bans and exceptions (channels) and
// K-lines (bans). It knows nothing of casemapping: callers fold both sides
// the same way first.
package wildcard

// Match reports whether text matches mask, byte by byte. It runs in linear
// time with one backtrack point, so hostile masks cannot make it slow.
func Match(mask, text string) bool {
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
