package commands

import (
	"slices"
	"strings"
	"time"

	"github.com/conference-irc/conference/users"
)

// forcedTrailing lists the commands whose last parameter is always written
// with a leading ':' (numerics too), because some clients (mIRC among them)
// read the text of these lines only from a trailing parameter.
var forcedTrailing = map[string]bool{
	"PRIVMSG": true, "NOTICE": true, "TOPIC": true, "PART": true, "QUIT": true,
	"KICK": true, "AWAY": true, "ERROR": true, "WALLOPS": true, "SETNAME": true,
	"KILL": true, "PONG": true, "PING": true, "CAP": true, "NICK": true,
}

func needsTrailing(command, last string) bool {
	if last == "" || last[0] == ':' || strings.IndexByte(last, ' ') >= 0 {
		return true
	}
	if len(command) == 3 && command[0] >= '0' && command[0] <= '9' {
		return true
	}
	return forcedTrailing[command]
}

// maxLineBody is the longest line body the protocol allows: everything
// but the tags, CRLF included.
const maxLineBody = 512

// appendLine serialises one IRC line ending in CRLF onto buf. tags is the
// already encoded tag section without '@' ("" for none). The last
// parameter (a message's text, a topic, a reason) is trimmed on a UTF-8
// boundary so that the body, with its source, never passes maxLineBody:
// what a client may send in 512 bytes can take more once the server puts
// the sender's full nick!user@host in front of it.
func appendLine(buf []byte, tags, source, command string, params []string) []byte {
	buf = slices.Grow(buf, lineSize(tags, source, command, params))
	if tags != "" {
		buf = append(buf, '@')
		buf = append(buf, tags...)
		buf = append(buf, ' ')
	}
	body := len(buf)
	if source != "" {
		buf = append(buf, ':')
		buf = append(buf, source...)
		buf = append(buf, ' ')
	}
	buf = append(buf, command...)
	for i, p := range params {
		buf = append(buf, ' ')
		if i == len(params)-1 {
			trailing := needsTrailing(command, p)
			avail := maxLineBody - 2 - (len(buf) - body)
			if trailing {
				avail--
			}
			if len(p) > avail {
				// A trimmed text always goes after ':', even if it
				// ends up empty.
				if !trailing {
					trailing = true
					avail--
				}
				p = truncate(p, max(avail, 0))
			}
			if trailing {
				buf = append(buf, ':')
			}
		} else if !validMiddle(p) {
			// A name the client sent ("NAMES ,", "NICK :a b") echoed in
			// a reply would shift every parameter after it.
			p = "*"
		}
		buf = append(buf, p...)
	}
	return append(buf, '\r', '\n')
}

// lineSize is about how many bytes appendLine writes: exact for a line
// that needs no trimming, never much more than maxLineBody otherwise, so
// that a line costs one allocation at most.
func lineSize(tags, source, command string, params []string) int {
	n := len(source) + len(command) + 2*len(params) + 4 // ':', ' ', "\r\n", each param's ' ' and maybe ':'
	for _, p := range params {
		n += len(p)
	}
	n = min(n, maxLineBody)
	if tags != "" {
		n += len(tags) + 2 // '@', ' '
	}
	return n
}

// validMiddle reports whether p can be sent as a parameter other than the
// last: not empty, no space, no leading ':'.
func validMiddle(p string) bool {
	return p != "" && p[0] != ':' && strings.IndexByte(p, ' ') < 0
}

// Msg is an outgoing line before serialisation, with the tags that depend
// on what each recipient negotiated.
type Msg struct {
	Source  string
	Command string
	// Params are never changed once the Msg is sent or recorded: history
	// keeps them as they are.
	Params []string
	// Time is sent as the server-time "time" tag (zero: none).
	Time time.Time
	// MsgID is sent as "msgid" to message-tags clients ("" for none).
	MsgID string
	// Account is sent as "account" to account-tag clients ("" for none).
	Account string
	// ClientTags are the encoded client-only tags ("+a=b;+c") relayed to
	// message-tags clients.
	ClientTags string
	// Bot adds the "bot" tag for message-tags clients.
	Bot bool
}

// tagVariant is the subset of capabilities that changes a relayed line.
type tagVariant uint8

const (
	variantMessageTags tagVariant = 1 << iota
	variantServerTime
	variantAccountTag
	variantCount = 1 << 3
)

func variantOf(caps users.CapSet) tagVariant {
	var v tagVariant
	if caps.Has(users.CapMessageTags) {
		v |= variantMessageTags
	}
	if caps.Has(users.CapServerTime) {
		v |= variantServerTime
	}
	if caps.Has(users.CapAccountTag) {
		v |= variantAccountTag
	}
	return v
}

// timeLayout is the server-time tag's format.
const timeLayout = "2006-01-02T15:04:05.000Z"

// formatTime renders a server-time tag value.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// appendTags appends the tag section variant v sees to dst: "@a=b;c "
// with its separating space, or nothing when it sees no tag.
func (m *Msg) appendTags(dst []byte, v tagVariant) []byte {
	start := len(dst)
	next := func() {
		if len(dst) == start {
			dst = append(dst, '@')
		} else {
			dst = append(dst, ';')
		}
	}
	if v&variantAccountTag != 0 && m.Account != "" {
		next()
		dst = appendTagValue(append(dst, "account="...), m.Account)
	}
	if v&variantMessageTags != 0 {
		if m.Bot {
			next()
			dst = append(dst, "bot"...)
		}
		if m.MsgID != "" {
			next()
			dst = appendTagValue(append(dst, "msgid="...), m.MsgID)
		}
	}
	if v&variantServerTime != 0 && !m.Time.IsZero() {
		next()
		dst = m.Time.UTC().AppendFormat(append(dst, "time="...), timeLayout)
	}
	if v&variantMessageTags != 0 && m.ClientTags != "" {
		next()
		dst = append(dst, m.ClientTags...)
	}
	if len(dst) > start {
		dst = append(dst, ' ')
	}
	return dst
}

// appendTagValue appends a tag value to dst, escaped as message-tags
// requires (irc.EncodeTagValue, without its allocations).
func appendTagValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case ';':
			dst = append(dst, '\\', ':')
		case ' ':
			dst = append(dst, '\\', 's')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// maxServerTagsLen is about the longest tag section appendTags writes,
// account, msgid and client tags aside: what Bytes reserves for it.
const maxServerTagsLen = 64

// Bytes serialises the line as a client with caps should see it.
func (m *Msg) Bytes(caps users.CapSet) []byte {
	size := maxServerTagsLen + len(m.Account) + len(m.MsgID) + len(m.ClientTags) + lineSize("", m.Source, m.Command, m.Params)
	return m.appendTo(make([]byte, 0, size), caps)
}

// appendTo appends the line as a client with caps should see it to dst.
func (m *Msg) appendTo(dst []byte, caps users.CapSet) []byte {
	return appendLine(m.appendTags(dst, variantOf(caps)), "", m.Source, m.Command, m.Params)
}

// Relay is a Msg on its way to many recipients: the line without its
// tags (trimmed to 512 bytes) is serialised once, and each tag variant
// once more with its tags in front; the bytes are shared by every
// recipient that needs them. A Relay belongs to the goroutine that builds
// it.
type Relay struct {
	Msg
	body  []byte // the line without tags, the same for every variant
	cache [variantCount][]byte
}

// NewRelay wraps m for fan-out.
func NewRelay(m Msg) *Relay { return &Relay{Msg: m} }

// For returns the shared bytes for a recipient with caps.
func (r *Relay) For(caps users.CapSet) []byte {
	v := variantOf(caps)
	if r.cache[v] != nil {
		return r.cache[v]
	}
	if r.body == nil {
		r.body = appendLine(nil, "", r.Source, r.Command, r.Params)
	}
	var scratch [256]byte
	line := r.body
	if tags := r.appendTags(scratch[:0], v); len(tags) > 0 {
		line = append(append(make([]byte, 0, len(tags)+len(r.body)), tags...), r.body...)
	}
	r.cache[v] = line
	return line
}

// SendTo queues the relay for c, in the variant c negotiated.
func (r *Relay) SendTo(c *users.Client) { c.Send(r.For(c.Caps())) }
