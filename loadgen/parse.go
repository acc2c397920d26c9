package loadgen

import "bytes"

// splitCommand returns the command of an IRC line (without CR LF) and the
// parameters after it, skipping message tags and the source prefix. It does
// not allocate: both results alias line.
func splitCommand(line []byte) (cmd, params []byte) {
	if len(line) > 0 && line[0] == '@' {
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			return nil, nil
		}
		line = line[i+1:]
	}
	if len(line) > 0 && line[0] == ':' {
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			return nil, nil
		}
		line = line[i+1:]
	}
	line = bytes.TrimLeft(line, " ")
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return line, nil
	}
	return line[:i], line[i+1:]
}

// trailing returns the last parameter of params: the text after " :" (or a
// leading ':'), else the last space-separated word.
func trailing(params []byte) []byte {
	if len(params) > 0 && params[0] == ':' {
		return params[1:]
	}
	if i := bytes.Index(params, []byte(" :")); i >= 0 {
		return params[i+2:]
	}
	if i := bytes.LastIndexByte(params, ' '); i >= 0 {
		return params[i+1:]
	}
	return params
}

// nthParam returns the n-th (0-based) middle parameter of params, or nil.
func nthParam(params []byte, n int) []byte {
	for {
		if len(params) == 0 || params[0] == ':' {
			return nil
		}
		i := bytes.IndexByte(params, ' ')
		word := params
		if i >= 0 {
			word, params = params[:i], params[i+1:]
		} else {
			params = nil
		}
		if n == 0 {
			return word
		}
		n--
	}
}

// loadMsg is what a load message's text carries.
type loadMsg struct {
	sender    int64 // client index of the sender
	seq       int64 // the sender's sequence number
	sentNanos int64 // send time, nanoseconds since the run's epoch
}

// parseLoadText parses "<sender-id> <seq> <nanos>[ padding]", the text this
// package puts in every PRIVMSG it sends. ok is false for any other text.
func parseLoadText(text []byte) (m loadMsg, ok bool) {
	var rest []byte
	if m.sender, rest, ok = parseUint(text); !ok || len(rest) == 0 || rest[0] != ' ' {
		return loadMsg{}, false
	}
	if m.seq, rest, ok = parseUint(rest[1:]); !ok || len(rest) == 0 || rest[0] != ' ' {
		return loadMsg{}, false
	}
	if m.sentNanos, rest, ok = parseUint(rest[1:]); !ok || (len(rest) > 0 && rest[0] != ' ') {
		return loadMsg{}, false
	}
	return m, true
}

// parseLoadPrivmsg parses a whole received line and returns the load
// message of a PRIVMSG sent by this package.
func parseLoadPrivmsg(line []byte) (loadMsg, bool) {
	cmd, params := splitCommand(line)
	if string(cmd) != "PRIVMSG" {
		return loadMsg{}, false
	}
	return parseLoadText(trailing(params))
}

// parseUint parses a leading decimal number of at most 18 digits (so it
// cannot overflow) and returns it with the bytes after it.
func parseUint(b []byte) (n int64, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && i < 18 && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 || (i < len(b) && b[i] >= '0' && b[i] <= '9') {
		return 0, b, false
	}
	return n, b[i:], true
}
