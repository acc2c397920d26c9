package commands

import (
	"strings"
	"time"

	"gopkg.in/irc.v4"

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
	Params  []string
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

// formatTime renders a server-time tag value.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// tags renders the tag section the variant should see.
func (m *Msg) tags(v tagVariant) string {
	var b strings.Builder
	add := func(k, val string) {
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(k)
		if val != "" {
			b.WriteByte('=')
			b.WriteString(irc.EncodeTagValue(val))
		}
	}
	if v&variantAccountTag != 0 && m.Account != "" {
		add("account", m.Account)
	}
	if v&variantMessageTags != 0 {
		if m.Bot {
			add("bot", "")
		}
		if m.MsgID != "" {
			add("msgid", m.MsgID)
		}
	}
	if v&variantServerTime != 0 && !m.Time.IsZero() {
		add("time", formatTime(m.Time))
	}
	if v&variantMessageTags != 0 && m.ClientTags != "" {
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(m.ClientTags)
	}
	return b.String()
}

// Bytes serialises the line as a client with caps should see it.
func (m *Msg) Bytes(caps users.CapSet) []byte {
	v := variantOf(caps)
	return appendLine(nil, m.tags(v), m.Source, m.Command, m.Params)
}

// Relay is a Msg on its way to many recipients: each tag variant is
// serialised once and the bytes are shared by every recipient that needs
// it. A Relay belongs to the goroutine that builds it.
type Relay struct {
	Msg
	cache [variantCount][]byte
}

// NewRelay wraps m for fan-out.
func NewRelay(m Msg) *Relay { return &Relay{Msg: m} }

// For returns the shared bytes for a recipient with caps.
func (r *Relay) For(caps users.CapSet) []byte {
	v := variantOf(caps)
	if r.cache[v] == nil {
		r.cache[v] = appendLine(nil, r.tags(v), r.Source, r.Command, r.Params)
	}
	return r.cache[v]
}

// SendTo queues the relay for c, in the variant c negotiated.
func (r *Relay) SendTo(c *users.Client) { c.Send(r.For(c.Caps())) }
