package commands

import (
	"strconv"
	"strings"

	"github.com/conference-irc/conference/users"
)

// advertisedCaps are the capabilities offered in CAP LS, in order.
var advertisedCaps = []users.Cap{
	users.CapAccountTag, users.CapAwayNotify, users.CapBatch, users.CapCapNotify,
	users.CapEchoMessage, users.CapExtendedJoin, users.CapLabeledResponse,
	users.CapMessageTags, users.CapMultiPrefix, users.CapNoImplicitNames,
	users.CapServerTime, users.CapUserhostInNames,
}

// capLSLineBudget keeps each CAP LS line well under 512 bytes.
const capLSLineBudget = 400

// capValue is the value a capability advertises with CAP LS 302.
func capValue(c users.Cap) string { return "" }

func handleCAP(r *Request) {
	sub := strings.ToUpper(r.Params[0])
	switch sub {
	case "LS":
		capLS(r)
	case "LIST":
		r.Reply("CAP", r.capNick(), "LIST", r.Client.Caps().String())
	case "REQ":
		capREQ(r)
	case "END":
		if !r.Client.Registered() {
			r.Client.UpdateRegistration(func(reg *users.Registration) { reg.CapNegotiating = false })
			r.d.tryRegister(r)
		}
	default:
		r.Numeric(ERR_INVALIDCAPCMD, r.Params[0], "Invalid CAP command")
	}
}

// capNick is the nick CAP replies address: "*" before one is set.
func (r *Request) capNick() string { return r.Client.Nick() }

func capLS(r *Request) {
	version := 0
	if len(r.Params) > 1 {
		version, _ = strconv.Atoi(r.Params[1])
	}
	if !r.Client.Registered() {
		r.Client.UpdateRegistration(func(reg *users.Registration) {
			reg.CapNegotiating = true
			reg.CapVersion = max(reg.CapVersion, version)
		})
	}
	if version >= 302 {
		// CAP LS 302 implies cap-notify.
		r.Client.SetCaps(r.Client.Caps().With(users.CapCapNotify))
	}
	var lines []string
	var cur strings.Builder
	for _, c := range advertisedCaps {
		entry := c.Name()
		if v := capValue(c); v != "" && version >= 302 {
			entry += "=" + v
		}
		if cur.Len()+len(entry)+1 > capLSLineBudget {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(entry)
	}
	lines = append(lines, cur.String())
	for i, l := range lines {
		if i < len(lines)-1 && version >= 302 {
			r.Reply("CAP", r.capNick(), "LS", "*", l)
		} else {
			r.Reply("CAP", r.capNick(), "LS", l)
		}
	}
}

func isAdvertised(c users.Cap) bool {
	for _, a := range advertisedCaps {
		if a == c {
			return true
		}
	}
	return false
}

// capREQ applies a whole request or none of it.
func capREQ(r *Request) {
	if !r.Client.Registered() {
		r.Client.UpdateRegistration(func(reg *users.Registration) { reg.CapNegotiating = true })
	}
	requested := r.Param(1)
	set := r.Client.Caps()
	for _, name := range strings.Fields(requested) {
		remove := strings.HasPrefix(name, "-")
		c, ok := users.LookupCap(strings.TrimPrefix(name, "-"))
		if !ok || !isAdvertised(c) {
			r.Reply("CAP", r.capNick(), "NAK", requested)
			return
		}
		if remove {
			set = set.Without(c)
		} else {
			set = set.With(c)
		}
	}
	r.Client.SetCaps(set)
	r.Reply("CAP", r.capNick(), "ACK", requested)
}
