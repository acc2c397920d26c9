package commands

import (
	"strings"

	"github.com/conference-irc/conference/users"
)

// maxISONNicks bounds the nicks one ISON looks up; a 512-byte line holds
// fewer, so it only matters if the line limit ever grows.
const maxISONNicks = 128

// maxUSERHOSTNicks is how many nicks USERHOST answers, as the protocol says.
const maxUSERHOSTNicks = 5

// isonLineBudget keeps each 303 line under 512 bytes.
const isonLineBudget = 400

// words gathers the space-separated words of every parameter, since
// clients send ISON and USERHOST nicks either as separate parameters or
// as one trailing parameter, keeping at most limit of them.
func words(params []string, limit int) []string {
	var out []string
	for _, p := range params {
		for _, w := range strings.Fields(p) {
			if len(out) == limit {
				return out
			}
			out = append(out, w)
		}
	}
	return out
}

// handleISON answers with the nicks that are online, in the order asked,
// each spelled as its holder spells it now. Nicks asked twice are answered
// once. A long answer is split over several 303 lines, as InspIRCd does.
func handleISON(r *Request) {
	seen := make(map[*users.Client]bool)
	var line strings.Builder
	sent := false
	flush := func() {
		r.Numeric(RPL_ISON, line.String())
		line.Reset()
		sent = true
	}
	for _, nick := range words(r.Params, maxISONNicks) {
		c := r.d.users.Find(nick)
		if c == nil || !c.Registered() || seen[c] {
			continue
		}
		seen[c] = true
		current := c.Nick()
		if line.Len()+len(current)+1 > isonLineBudget {
			flush()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(current)
	}
	if line.Len() > 0 || !sent {
		flush()
	}
}

// handleUSERHOST answers nick[*]=<+|->user@host for up to five nicks: '*'
// marks an operator, '-' someone away and '+' someone here. Unknown nicks
// are left out.
func handleUSERHOST(r *Request) {
	var replies []string
	for _, nick := range words(r.Params, maxUSERHOSTNicks) {
		c := r.d.users.Find(nick)
		if c == nil || !c.Registered() {
			continue
		}
		id := c.Identity()
		entry := id.Nick
		if id.Modes.Has(users.ModeOperator) {
			entry += "*"
		}
		entry += "="
		if id.Away != "" {
			entry += "-"
		} else {
			entry += "+"
		}
		replies = append(replies, entry+id.User+"@"+id.Host)
	}
	r.Numeric(RPL_USERHOST, strings.Join(replies, " "))
}
