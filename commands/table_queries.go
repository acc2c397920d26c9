package commands

import (
	"slices"
	"strings"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// queryCommands are the commands that ask about users and channels.
func queryCommands() map[string]*command {
	return map[string]*command{
		"LIST":     {handler: handleLIST},
		"WHO":      {handler: handleWHO, minParams: 1},
		"WHOIS":    {handler: handleWHOIS},
		"WHOWAS":   {handler: handleWHOWAS},
		"ISON":     {handler: handleISON, minParams: 1},
		"USERHOST": {handler: handleUSERHOST, minParams: 1},
		"INVITE":   {handler: handleINVITE},
		"KNOCK":    {handler: handleKNOCK, minParams: 1},
	}
}

// maxEcho bounds a client's parameter when a reply repeats it, so that an
// echoed mask or name can never push a reply past the line length.
const maxEcho = 200

// echo bounds a client-supplied parameter for repeating it in a reply. One
// that could not stand as a middle parameter (empty, starting with ':',
// holding a space) becomes "*", as Ergo answers.
func echo(s string) string {
	if s == "" || s[0] == ':' || strings.IndexByte(s, ' ') >= 0 {
		return "*"
	}
	return truncate(s, maxEcho)
}

// replyFull reports whether the replies buffered so far have used the
// budget of one query. The budget is half the send queue, so that a LIST
// or WHO on a big server ends early instead of disconnecting the asker
// with "SendQ exceeded" (SAFELIST promises that it never does).
func replyFull(r *Request) bool { return r.size() >= r.Config.SendQ/2 }

// isOper reports whether c is an IRC operator; opers see through +i, +s
// and +p in every query.
func isOper(c *users.Client) bool { return c.Identity().Modes.Has(users.ModeOperator) }

// splitList splits a comma-separated parameter, dropping empty items and
// keeping at most limit of them; it returns the first item past the limit
// ("" when none), to name in ERR_TOOMANYTARGETS.
func splitList(param string, limit int) (items []string, dropped string) {
	for _, item := range strings.Split(param, ",") {
		if item == "" {
			continue
		}
		if len(items) == limit {
			return items, item
		}
		items = append(items, item)
	}
	return items, ""
}

// hasWildcard reports whether s is a mask rather than a plain name.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// channelView is one channel of a user as another user may see it.
type channelView struct {
	ch     *channels.Channel
	prefix channels.Prefix
}

// visibleChannels lists the channels of target that asker may learn about,
// sorted by name: all of them for the target itself and for opers, else
// those that are neither secret nor private, or that asker is in too.
func visibleChannels(asker, target *users.Client) []channelView {
	all := asker == target || isOper(asker)
	var out []channelView
	for _, member := range target.Channels() {
		ch := member.(*channels.Channel)
		p, member := ch.PrefixOf(target)
		if !member || !(all || canSee(ch, asker)) {
			continue
		}
		out = append(out, channelView{ch: ch, prefix: p})
	}
	slices.SortFunc(out, func(a, b channelView) int { return strings.Compare(a.ch.Folded(), b.ch.Folded()) })
	return out
}

// hiddenIP stands for an address the asker may not see (the WHOX spec's
// placeholder).
const hiddenIP = "255.255.255.255"

// ipParam renders c's IP so that it can stand as a middle parameter: an
// IPv6 address may not start with ':'.
func ipParam(c *users.Client) string {
	ip := c.IP()
	if !ip.IsValid() {
		return hiddenIP
	}
	return ipHost(ip)
}
