package commands

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conference-irc/conference/channels"
)

// maxListItems bounds the comma-separated items of one LIST.
const maxListItems = 32

// maxListNumber bounds the numbers in ELIST conditions (users, minutes),
// far above any real value, so that arithmetic on them cannot overflow.
const maxListNumber = 100_000_000

// listFilter is a parsed LIST parameter. Names and masks are alternatives
// (a channel passes if it matches any, or when none are given); every
// other condition must hold. Conditions follow ELIST=CMNTU:
// "<n"/">n" users, "C<n"/"C>n" minutes since creation, "T<n"/"T>n" minutes
// since the topic was set, "!mask" excludes.
type listFilter struct {
	names    []string
	masks    []string
	notMasks []string
	conds    []listCond
}

// listCond is one numeric ELIST condition.
type listCond struct {
	kind byte // 'U' users, 'C' creation age, 'T' topic age
	less bool // "<" rather than ">"
	n    int
}

func parseListFilter(param string) listFilter {
	var f listFilter
	items, _ := splitList(param, maxListItems)
	for _, item := range items {
		switch {
		case item[0] == '<' || item[0] == '>':
			f.addCond('U', item)
		case len(item) > 1 && (item[1] == '<' || item[1] == '>') && strings.IndexByte("CcTt", item[0]) >= 0:
			f.addCond(item[0]&^0x20, item[1:]) // upper-case letter
		case item[0] == '!':
			f.notMasks = append(f.notMasks, item[1:])
		case hasWildcard(item):
			f.masks = append(f.masks, item)
		default:
			f.names = append(f.names, item)
		}
	}
	return f
}

// addCond adds a condition written as "<n" or ">n"; a malformed one is
// ignored, as if the client had not sent it.
func (f *listFilter) addCond(kind byte, s string) {
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 || n > maxListNumber {
		return
	}
	f.conds = append(f.conds, listCond{kind: kind, less: s[0] == '<', n: n})
}

// holds reports whether the condition holds for ch at now. Time conditions
// compare whole minutes; a channel without a topic fails topic conditions.
func (c listCond) holds(ch *channels.Channel, now time.Time) bool {
	var v int
	switch c.kind {
	case 'U':
		v = ch.MemberCount()
	case 'C':
		v = int(now.Sub(ch.Created()) / time.Minute)
	case 'T':
		t := ch.Topic()
		if t.Text == "" {
			return false
		}
		v = int(now.Sub(t.SetAt) / time.Minute)
	}
	if c.less {
		return v < c.n
	}
	return v > c.n
}

// handleLIST answers LIST [<channels>|<conditions>] [<server>] with 321,
// one 322 per visible channel that passes the filter, and 323: secret and
// private channels are hidden from everyone but their members and opers.
// The 322
// text is "[+modes] topic", as InspIRCd sends it; mode parameters (key,
// limit) are never shown.
func handleLIST(r *Request) {
	if len(r.Params) >= 2 && !r.d.isThisServer(r.Params[1]) {
		r.Numeric(ERR_NOSUCHSERVER, echo(r.Params[1]), "No such server")
		return
	}
	f := parseListFilter(r.Param(0))
	oper := isOper(r.Client)
	r.Numeric(RPL_LISTSTART, "Channel", "Users  Name")
	for _, ch := range listCandidates(r, f) {
		if replyFull(r) {
			break
		}
		if (oper || canSee(ch, r.Client)) && f.passes(r, ch) {
			sendListEntry(r, ch)
		}
	}
	r.Numeric(RPL_LISTEND, "End of /LIST")
}

// listCandidates are the channels to consider: the named ones, in the
// order named, when only plain names were given (no scan of every
// channel); else every channel, sorted by name.
func listCandidates(r *Request, f listFilter) []*channels.Channel {
	if len(f.names) > 0 && len(f.masks) == 0 {
		var out []*channels.Channel
		for _, name := range f.names {
			if ch := r.d.channels.Get(name); ch != nil && !slices.Contains(out, ch) {
				out = append(out, ch)
			}
		}
		return out
	}
	all := r.d.channels.All()
	slices.SortFunc(all, func(a, b *channels.Channel) int { return strings.Compare(a.Folded(), b.Folded()) })
	return all
}

// passes reports whether ch passes the filter.
func (f listFilter) passes(r *Request, ch *channels.Channel) bool {
	cm := r.d.users.Casemapping()
	if len(f.names) > 0 || len(f.masks) > 0 {
		wanted := slices.ContainsFunc(f.names, func(n string) bool { return cm.Equal(n, ch.Name()) }) ||
			slices.ContainsFunc(f.masks, func(m string) bool { return matchMask(cm, m, ch.Name()) })
		if !wanted {
			return false
		}
	}
	if slices.ContainsFunc(f.notMasks, func(m string) bool { return matchMask(cm, m, ch.Name()) }) {
		return false
	}
	for _, c := range f.conds {
		if !c.holds(ch, r.Now) {
			return false
		}
	}
	return true
}

func sendListEntry(r *Request, ch *channels.Channel) {
	modes, _ := ch.ModeString(false)
	text := "[" + modes + "]"
	if t := ch.Topic(); t.Text != "" {
		text += " " + t.Text
	}
	r.Numeric(RPL_LIST, ch.Name(), strconv.Itoa(ch.MemberCount()), text)
}
