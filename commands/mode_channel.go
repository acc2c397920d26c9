package commands

import (
	"strconv"
	"strings"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

func handleMODE(r *Request) {
	if strings.HasPrefix(r.Params[0], "#") {
		channelMode(r)
		return
	}
	userMode(r)
}

// modeChange is one applied change, to be broadcast.
type modeChange struct {
	add    bool
	letter byte
	param  string
}

// modeRun parses and applies one MODE line against one channel.
type modeRun struct {
	r       *Request
	ch      *channels.Channel
	prefix  channels.Prefix
	member  bool
	denied  bool
	args    []string
	applied []modeChange
	paramed int   // changes that took a parameter, bounded by MODES
	listed  uint8 // the lists already sent, by 1<<ListKind
}

func channelMode(r *Request) {
	// An outsider learns nothing of a secret channel, not even that it
	// exists (its modes, creation time, lists).
	ch := r.visibleChannel(r.Params[0])
	if ch == nil {
		return
	}
	prefix, member := ch.PrefixOf(r.Client)
	if len(r.Params) == 1 {
		modes, params := ch.ModeString(member)
		r.Numeric(RPL_CHANNELMODEIS, append([]string{ch.Name(), modes}, params...)...)
		r.Numeric(RPL_CREATIONTIME, ch.Name(), strconv.FormatInt(ch.Created().Unix(), 10))
		return
	}
	run := &modeRun{r: r, ch: ch, prefix: prefix, member: member, args: r.Params[2:]}
	run.apply(r.Params[1])
	run.announce()
}

// nextArg takes the next mode parameter, if any.
func (m *modeRun) nextArg() (string, bool) {
	if len(m.args) == 0 {
		return "", false
	}
	a := m.args[0]
	m.args = m.args[1:]
	return a, true
}

// allowed checks the requester's rank for a change, answering 482 once.
func (m *modeRun) allowed(need channels.Prefix) bool {
	if m.prefix.AtLeast(need) {
		return true
	}
	if !m.denied {
		m.denied = true
		if !m.member {
			m.r.Numeric(ERR_NOTONCHANNEL, m.ch.Name(), "You're not on that channel")
		} else {
			m.r.Numeric(ERR_CHANOPRIVSNEEDED, m.ch.Name(), "You're not channel operator")
		}
	}
	return false
}

func (m *modeRun) apply(modes string) {
	add := true
	for i := 0; i < len(modes); i++ {
		letter := modes[i]
		switch letter {
		case '+':
			add = true
			continue
		case '-':
			add = false
			continue
		}
		if m.paramed >= m.r.Config.Limits.Modes && takesParam(letter, add) {
			continue
		}
		m.applyOne(add, letter)
	}
}

// takesParam reports whether the mode letter consumes a parameter.
func takesParam(letter byte, add bool) bool {
	if _, ok := channels.PrefixByLetter(letter); ok {
		return true
	}
	if _, ok := channels.ListByLetter(letter); ok {
		return true
	}
	return letter == 'k' || (letter == 'l' && add)
}

func (m *modeRun) applyOne(add bool, letter byte) {
	if f, ok := channels.FlagByLetter(letter); ok {
		if m.allowed(channels.Halfop) && m.ch.SetFlag(f, add) {
			m.applied = append(m.applied, modeChange{add: add, letter: letter})
		}
		return
	}
	if p, ok := channels.PrefixByLetter(letter); ok {
		m.applyPrefix(add, letter, p)
		return
	}
	if kind, ok := channels.ListByLetter(letter); ok {
		m.applyList(add, letter, kind)
		return
	}
	switch letter {
	case 'k':
		m.applyKey(add)
	case 'l':
		m.applyLimit(add)
	default:
		m.r.Numeric(ERR_UNKNOWNMODE, string(letter), "is unknown mode char to me")
	}
}

// prefixNeeds is the rank needed to grant or take a status: voice needs
// halfop, halfop and op need op, admin and founder need founder.
func prefixNeeds(p channels.Prefix) channels.Prefix {
	switch p {
	case channels.Voice:
		return channels.Halfop
	case channels.Halfop, channels.Op:
		return channels.Op
	}
	return channels.Founder
}

func (m *modeRun) applyPrefix(add bool, letter byte, p channels.Prefix) {
	nick, ok := m.nextArg()
	if !ok {
		m.r.Numeric(ERR_INVALIDMODEPARAM, m.ch.Name(), string(letter), "*", "You must specify a parameter for this mode")
		return
	}
	m.paramed++
	if !m.allowed(prefixNeeds(p)) {
		return
	}
	target := m.r.d.users.Find(nick)
	if target == nil {
		m.r.Numeric(ERR_NOSUCHNICK, nick, "No such nick/channel")
		return
	}
	member, changed := m.ch.SetPrefix(target, p, add)
	if !member {
		m.r.Numeric(ERR_USERNOTINCHANNEL, target.Nick(), m.ch.Name(), "They aren't on that channel")
		return
	}
	if changed {
		m.applied = append(m.applied, modeChange{add: add, letter: letter, param: target.Nick()})
	}
}

func (m *modeRun) applyList(add bool, letter byte, kind channels.ListKind) {
	mask, ok := m.nextArg()
	if !ok {
		// Each list at most once a line: "MODE #c bbbb..." must not
		// send a full list hundreds of times.
		if m.listed&(1<<kind) == 0 {
			m.listed |= 1 << kind
			m.sendList(kind)
		}
		return
	}
	m.paramed++
	if !m.allowed(channels.Halfop) {
		return
	}
	normalized, known := normalizeListMask(mask)
	if !known {
		m.r.Numeric(ERR_INVALIDMODEPARAM, m.ch.Name(), string(letter), mask, "Unknown extended ban")
		return
	}
	mask = normalized
	if strings.ContainsAny(mask, " ,") || mask[0] == ':' || len(mask) > 255 {
		m.r.Numeric(ERR_INVALIDMODEPARAM, m.ch.Name(), string(letter), mask, "Invalid mask")
		return
	}
	if !add {
		if stored, ok := m.ch.RemoveFromList(kind, mask); ok {
			m.applied = append(m.applied, modeChange{add: false, letter: letter, param: stored})
		}
		return
	}
	entry := channels.ListEntry{Mask: mask, SetBy: m.r.Client.Source(), SetAt: m.r.Now}
	changed, err := m.ch.AddToList(kind, entry, m.r.Config.Limits.ListSize)
	if err != nil {
		m.r.Numeric(ERR_BANLISTFULL, m.ch.Name(), mask, "Channel "+string(letter)+" list is full")
		return
	}
	if changed {
		m.applied = append(m.applied, modeChange{add: true, letter: letter, param: mask})
	}
}

// listNumerics are the entry and end numerics of each mask list.
var listNumerics = map[channels.ListKind][3]string{
	channels.Bans:       {RPL_BANLIST, RPL_ENDOFBANLIST, "End of channel ban list"},
	channels.Exceptions: {RPL_EXCEPTLIST, RPL_ENDOFEXCEPTLIST, "End of channel exception list"},
	channels.Invexes:    {RPL_INVEXLIST, RPL_ENDOFINVEXLIST, "End of channel invite list"},
}

func (m *modeRun) sendList(kind channels.ListKind) {
	num := listNumerics[kind]
	// channelMode has already refused outsiders of a secret channel.
	for _, e := range m.ch.List(kind) {
		m.r.Numeric(num[0], m.ch.Name(), e.Mask, e.SetBy, strconv.FormatInt(e.SetAt.Unix(), 10))
	}
	m.r.Numeric(num[1], m.ch.Name(), num[2])
}

func (m *modeRun) applyKey(add bool) {
	key, ok := m.nextArg()
	if !ok && add {
		m.r.Numeric(ERR_INVALIDMODEPARAM, m.ch.Name(), "k", "*", "You must specify a parameter for the key mode")
		return
	}
	m.paramed++
	if !m.allowed(channels.Halfop) {
		return
	}
	if !add {
		if old := m.ch.Key(); old != "" && m.ch.SetKey("") {
			m.applied = append(m.applied, modeChange{add: false, letter: 'k', param: "*"})
		}
		return
	}
	if key == "" || len(key) > 23 || strings.ContainsAny(key, " ,:") {
		m.r.Numeric(ERR_INVALIDKEY, m.ch.Name(), "Key is not well-formed")
		return
	}
	if m.ch.SetKey(key) {
		m.applied = append(m.applied, modeChange{add: true, letter: 'k', param: key})
	}
}

func (m *modeRun) applyLimit(add bool) {
	if !add {
		if m.allowed(channels.Halfop) && m.ch.SetLimit(0) {
			m.applied = append(m.applied, modeChange{add: false, letter: 'l'})
		}
		return
	}
	arg, ok := m.nextArg()
	if !ok {
		m.r.Numeric(ERR_INVALIDMODEPARAM, m.ch.Name(), "l", "*", "You must specify a parameter for the limit mode")
		return
	}
	m.paramed++
	if !m.allowed(channels.Halfop) {
		return
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n <= 0 || n > 1_000_000 {
		m.r.Numeric(ERR_INVALIDMODEPARAM, m.ch.Name(), "l", arg, "Invalid limit")
		return
	}
	if m.ch.SetLimit(n) {
		m.applied = append(m.applied, modeChange{add: true, letter: 'l', param: strconv.Itoa(n)})
	}
}

// announce broadcasts what was actually applied, as one MODE line.
func (m *modeRun) announce() {
	if len(m.applied) == 0 {
		return
	}
	var modes strings.Builder
	params := []string{m.ch.Name(), ""}
	sign := byte(0)
	for _, ch := range m.applied {
		s := byte('-')
		if ch.add {
			s = '+'
		}
		if s != sign {
			modes.WriteByte(s)
			sign = s
		}
		modes.WriteByte(ch.letter)
		if ch.param != "" {
			params = append(params, ch.param)
		}
	}
	params[1] = modes.String()
	id := m.r.Client.Identity()
	relay := NewRelay(Msg{Source: id.Source(), Command: "MODE", Params: params, Time: m.r.Now, MsgID: m.r.d.newMsgID(), Account: id.Account})
	m.r.d.broadcast(m.r, m.ch, relay)
}

func userMode(r *Request) {
	target := r.Params[0]
	if !r.d.users.Casemapping().Equal(target, r.Client.Nick()) {
		if r.d.users.Find(target) == nil {
			r.Numeric(ERR_NOSUCHNICK, target, "No such nick/channel")
		} else {
			r.Numeric(ERR_USERSDONTMATCH, "Cant change mode for other users")
		}
		return
	}
	if len(r.Params) == 1 {
		r.Numeric(RPL_UMODEIS, r.Client.Identity().Modes.String())
		return
	}
	var applied []byte
	unknown := false
	add := true
	sign := byte(0)
	hasCloak := r.Client.CloakHost() != ""
	r.Client.Update(func(id *users.Identity) {
		for _, letter := range []byte(r.Params[1]) {
			if letter == '+' || letter == '-' {
				add = letter == '+'
				continue
			}
			mode, ok := users.UserModeByLetter(letter)
			if !ok {
				unknown = true
				continue
			}
			// Operator status comes only from OPER; server notices only for opers.
			if add && (mode == users.ModeOperator || mode == users.ModeServerNotices && !id.Modes.Has(users.ModeOperator)) {
				continue
			}
			// +x needs a cloak to show (cloak.go).
			if mode == users.ModeCloaked && !hasCloak {
				continue
			}
			if id.Modes.Has(mode) == add {
				continue
			}
			if add {
				id.Modes |= users.UserModes(mode)
			} else {
				id.Modes &^= users.UserModes(mode)
				if mode == users.ModeOperator {
					id.Modes &^= users.UserModes(users.ModeServerNotices)
				}
			}
			s := byte('-')
			if add {
				s = '+'
			}
			if s != sign {
				applied = append(applied, s)
				sign = s
			}
			applied = append(applied, letter)
		}
	})
	if unknown {
		r.Numeric(ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag")
	}
	if len(applied) > 0 {
		id := r.Client.Identity()
		if hasCloak && (id.Host == r.Client.CloakHost()) != id.Modes.Has(users.ModeCloaked) {
			r.d.showCloak(r, id.Modes.Has(users.ModeCloaked))
			id = r.Client.Identity()
		}
		r.Send(&Msg{Source: id.Source(), Command: "MODE", Params: []string{id.Nick, string(applied)}})
	}
}
