package server

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"gopkg.in/irc.v4"
)

// Reasons a line is not dispatched.
var (
	errEmptyLine   = errors.New("empty line")
	errBadLine     = errors.New("malformed line")
	errTagsTooLong = errors.New("tags too long")
	errBodyTooLong = errors.New("message too long")
)

// maxParams bounds the parameters kept from one line (RFC 1459 allows 15).
const maxParams = 15

// stripNULAndCR removes the NUL bytes and bare CRs that may sit inside a
// line (the line reader has taken the CRLF off), in place: the line is
// then processed without them, and they are never relayed, where a client
// that splits on CR would take the rest for another line.
func stripNULAndCR(line []byte) []byte {
	if bytes.IndexByte(line, 0) < 0 && bytes.IndexByte(line, '\r') < 0 {
		return line
	}
	out := line[:0]
	for _, b := range line {
		if b != 0 && b != '\r' {
			out = append(out, b)
		}
	}
	return out
}

// parseLine checks one line against the protocol's limits and parses it.
// gopkg.in/irc.v4 has no length bound and panics on some malformed input
// (tags or a source with nothing after them), so those are refused here
// first, and a recover turns any other panic into errBadLine.
func parseLine(line []byte) (msg *irc.Message, err error) {
	line = stripNULAndCR(line)
	if len(bytes.TrimLeft(line, " ")) == 0 {
		return nil, errEmptyLine
	}
	body, tags := line, []byte(nil)
	if line[0] == '@' {
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			return nil, errBadLine
		}
		// A client's whole tag section counts, with or without the '+'
		// prefix (message-tags: at most 4094 bytes between '@' and the
		// space), which leaves the server space for its own tags.
		if sp-1 > maxClientTagBytes {
			return nil, errTagsTooLong
		}
		tags = line[1:sp]
		body = bytes.TrimLeft(line[sp+1:], " ")
	}
	if len(body) > maxBodyBytes-2 {
		return nil, errBodyTooLong
	}
	if len(body) == 0 || body[0] == '@' {
		return nil, errBadLine
	}
	if body[0] == ':' {
		sp := bytes.IndexByte(body, ' ')
		if sp < 0 || len(bytes.TrimLeft(body[sp:], " ")) == 0 {
			return nil, errBadLine
		}
	}
	defer func() {
		if p := recover(); p != nil {
			msg, err = nil, fmt.Errorf("%w: parser panic: %v", errBadLine, p)
		}
	}()
	msg, err = irc.ParseMessage(string(line))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadLine, err)
	}
	dropInvalidTags(msg, tags)
	if len(msg.Params) > maxParams {
		// Fold the excess into the last parameter, as a 15-parameter parser would.
		rest := msg.Params[maxParams-1:]
		joined := rest[0]
		for _, p := range rest[1:] {
			joined += " " + p
		}
		msg.Params = append(msg.Params[:maxParams-1], joined)
	}
	return msg, nil
}

// dropInvalidTags removes the tags whose value is not UTF-8, as the
// message-tags specification requires values to be. The parser would turn
// each bad byte into U+FFFD (three bytes), so that relaying such a tag
// could triple its size past the limits input is held to.
func dropInvalidTags(msg *irc.Message, raw []byte) {
	if utf8.Valid(raw) {
		return
	}
	for _, tag := range bytes.Split(raw, []byte{';'}) {
		if key, value, _ := bytes.Cut(tag, []byte{'='}); !utf8.Valid(value) {
			delete(msg.Tags, string(key))
		}
	}
}
