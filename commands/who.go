package commands

import (
	"slices"
	"strconv"
	"strings"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// whoxOrder is the order in which WHOX fields are sent, whatever order the
// client named them in: the WHOX specification fixes it (ircu's order).
const whoxOrder = "tcuihsnfdlaor"

// maxWhoMatches bounds the users one mask WHO answers with, as Unreal's
// maxwho does: "WHO *" on a big server is a directory dump, not a query.
const maxWhoMatches = 500

// whoQuery is a parsed WHO <mask> [<flags>][%<fields>[,<token>]].
type whoQuery struct {
	mask      string
	opersOnly bool   // flag 'o': only IRC operators
	whox      bool   // '%' given: answer with 354 instead of 352
	fields    []byte // requested WHOX fields, in whoxOrder
	token     string // the 't' field: the client's query token
}

func parseWhoQuery(params []string) whoQuery {
	q := whoQuery{mask: params[0]}
	if len(params) < 2 {
		return q
	}
	flags, spec, whox := strings.Cut(params[1], "%")
	q.opersOnly = strings.IndexByte(flags, 'o') >= 0
	if !whox {
		return q
	}
	q.whox = true
	fields, token, _ := strings.Cut(spec, ",")
	for i := 0; i < len(whoxOrder); i++ {
		if strings.IndexByte(fields, whoxOrder[i]) >= 0 {
			q.fields = append(q.fields, whoxOrder[i])
		}
	}
	q.token = whoxToken(token)
	return q
}

// whoxToken keeps a token of one to three digits, as the specification
// requires of clients; anything else becomes "0", as InspIRCd answers,
// so that a hostile token never lands in a reply.
func whoxToken(token string) string {
	if token == "" || len(token) > 3 {
		return "0"
	}
	for i := 0; i < len(token); i++ {
		if token[i] < '0' || token[i] > '9' {
			return "0"
		}
	}
	return token
}

func handleWHO(r *Request) {
	q := parseWhoQuery(r.Params)
	switch {
	case q.mask == "":
	case q.mask[0] == '#':
		whoChannel(r, q)
	default:
		whoMask(r, q)
	}
	end := q.mask
	if end == "" {
		end = "*"
	}
	r.Numeric(RPL_ENDOFWHO, echo(end), "End of WHO list")
}

// whoChannel answers for the members of one channel. Outsiders see nothing
// of a secret or private channel, and no invisible (+i) member of any.
func whoChannel(r *Request, q whoQuery) {
	ch := r.d.channels.Get(q.mask)
	oper := isOper(r.Client)
	if ch == nil || !(oper || canSee(ch, r.Client)) {
		return
	}
	inside := isMember(ch, r.Client)
	members := ch.Members()
	entries := make([]clientEntry, len(members))
	for i, m := range members {
		id := m.Client.Identity()
		entries[i] = clientEntry{c: m.Client, id: id, key: r.d.users.Fold(id.Nick), prefix: m.Prefix}
	}
	slices.SortFunc(entries, func(a, b clientEntry) int { return strings.Compare(a.key, b.key) })
	for _, e := range entries {
		if !inside && !oper && e.id.Modes.Has(users.ModeInvisible) {
			continue
		}
		if q.opersOnly && !e.id.Modes.Has(users.ModeOperator) {
			continue
		}
		if replyFull(r) {
			return
		}
		whoReply(r, q, channelView{ch: ch, prefix: e.prefix}, e.c, e.id)
	}
}

// whoMask answers for the users whose nick, username, host, realname or
// server matches the mask ("0" means everyone). A plain nick names that
// user even when invisible, as WHOIS would; a mask never reveals an
// invisible user to someone who shares no channel with them.
func whoMask(r *Request, q whoQuery) {
	mask := q.mask
	if mask == "0" {
		mask = "*"
	}
	if !hasWildcard(mask) {
		if t := r.d.users.Find(mask); t != nil && t.Registered() {
			if id := t.Identity(); !q.opersOnly || id.Modes.Has(users.ModeOperator) {
				whoReply(r, q, firstChannel(r.Client, t), t, id)
			}
			return
		}
	}
	asker := r.Client
	oper := isOper(asker)
	cm := r.d.users.Casemapping()
	server := r.serverName()
	var peers map[*users.Client]bool // built on first need
	matched := 0
	for _, e := range sortedClients(r) {
		id := e.id
		if q.opersOnly && !id.Modes.Has(users.ModeOperator) {
			continue
		}
		if id.Modes.Has(users.ModeInvisible) && e.c != asker && !oper {
			if peers == nil {
				peers = peersOf(asker)
			}
			if !peers[e.c] {
				continue
			}
		}
		if !whoMatches(cm, mask, id, server) {
			continue
		}
		if matched == maxWhoMatches || replyFull(r) {
			return
		}
		matched++
		whoReply(r, q, firstChannel(asker, e.c), e.c, id)
	}
}

// peersOf is the set of clients sharing a channel with c, built once per
// query rather than asked of every invisible user.
func peersOf(c *users.Client) map[*users.Client]bool {
	peers := make(map[*users.Client]bool)
	for _, member := range c.Channels() {
		member.(*channels.Channel).ForEachMember(func(m *users.Client, _ channels.Prefix) { peers[m] = true })
	}
	return peers
}

// whoMatches reports whether mask matches one of the fields WHO searches.
func whoMatches(cm users.Casemapping, mask string, id users.Identity, server string) bool {
	return matchMask(cm, mask, id.Nick) || matchMask(cm, mask, id.User) ||
		matchMask(cm, mask, id.Host) || matchMask(cm, mask, id.Realname) ||
		matchMask(cm, mask, server)
}

// clientEntry is a client with the identity it had when listed.
type clientEntry struct {
	c      *users.Client
	id     users.Identity
	key    string          // casefolded nick, the sort key
	prefix channels.Prefix // status in the channel listed, if any
}

// sortedClients lists the registered clients by casefolded nick, so that
// answers come in a stable order.
func sortedClients(r *Request) []clientEntry {
	clients := r.d.users.Clients()
	out := make([]clientEntry, 0, len(clients))
	for _, c := range clients {
		id := c.Identity()
		out = append(out, clientEntry{c: c, id: id, key: r.d.users.Fold(id.Nick)})
	}
	slices.SortFunc(out, func(a, b clientEntry) int { return strings.Compare(a.key, b.key) })
	return out
}

// firstChannel is the channel a WHO line names for a user found by mask: the
// first, by name, that the asker may see (none: the zero channelView, "*").
func firstChannel(asker, target *users.Client) channelView {
	if chans := visibleChannels(asker, target); len(chans) > 0 {
		return chans[0]
	}
	return channelView{}
}

// whoFlags renders H or G (away), * (operator), the channel status prefix
// (every one with multi-prefix) and B (bot, the BOT ISUPPORT letter).
func whoFlags(id users.Identity, p channels.Prefix, multi bool) string {
	flags := "H"
	if id.Away != "" {
		flags = "G"
	}
	if id.Modes.Has(users.ModeOperator) {
		flags += "*"
	}
	flags += p.Symbols(multi)
	if id.Modes.Has(users.ModeBot) {
		flags += "B"
	}
	return flags
}

// whoRow is what one WHO line says about one user.
type whoRow struct {
	t      *users.Client
	id     users.Identity
	chName string // the channel named, or "*"
	flags  string
}

// whoReply sends one 352, or one 354 with the requested fields.
func whoReply(r *Request, q whoQuery, shown channelView, t *users.Client, id users.Identity) {
	row := whoRow{t: t, id: id, chName: "*", flags: whoFlags(id, shown.prefix, r.Client.HasCap(users.CapMultiPrefix))}
	if shown.ch != nil {
		row.chName = shown.ch.Name()
	}
	if !q.whox {
		r.Numeric(RPL_WHOREPLY, row.chName, id.User, id.Host, r.serverName(), id.Nick, row.flags, "0 "+id.Realname)
		return
	}
	params := make([]string, 0, len(q.fields))
	for _, f := range q.fields {
		params = append(params, whoxField(r, q, f, row))
	}
	r.Numeric(RPL_WHOSPCRPL, params...)
}

// whoxField renders one WHOX field. The IP is shown only to the user
// itself and to opers; 'o' (ircu's oplevel) does not exist here, so it is
// "n/a" as ircu and InspIRCd answer when there is none.
func whoxField(r *Request, q whoQuery, f byte, row whoRow) string {
	switch f {
	case 't':
		return q.token
	case 'c':
		return row.chName
	case 'u':
		return row.id.User
	case 'i':
		if row.t == r.Client || isOper(r.Client) {
			return ipParam(row.t)
		}
		return hiddenIP
	case 'h':
		return row.id.Host
	case 's':
		return r.serverName()
	case 'n':
		return row.id.Nick
	case 'f':
		return row.flags
	case 'd':
		return "0"
	case 'l':
		return strconv.FormatInt(int64(max(0, row.t.Idle(r.Now).Seconds())), 10)
	case 'a':
		if row.id.Account == "" {
			return "0"
		}
		return row.id.Account
	case 'o':
		return "n/a"
	}
	return row.id.Realname
}
