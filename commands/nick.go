package commands

import (
	"errors"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// Aliases of the channel room's ISUPPORT values, so that the reply code
// reads them from one place.
const (
	chanModesISupport = channels.ChanModesISupport
	prefixISupport    = channels.PrefixISupport
	statusMsgISupport = channels.StatusMSGISupport
)

func matchMask(cm users.Casemapping, mask, text string) bool {
	return channels.MatchMask(cm, mask, text)
}

// validNick reports whether nick may be used: a letter or special first,
// then letters, digits, specials and '-', at most maxLen bytes.
func validNick(nick string, maxLen int) bool {
	if nick == "" || len(nick) > maxLen {
		return false
	}
	for i := 0; i < len(nick); i++ {
		c := nick[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c == '[' || c == ']' || c == '\\' || c == '`' || c == '_' || c == '^' || c == '{' || c == '|' || c == '}':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func handleNICK(r *Request) {
	if len(r.Params) == 0 || r.Params[0] == "" {
		r.Numeric(ERR_NONICKNAMEGIVEN, "No nickname given")
		return
	}
	nick := r.Params[0]
	if !validNick(nick, r.Config.Limits.NickLen) {
		r.Numeric(ERR_ERRONEUSNICKNAME, nick, "Erroneous nickname")
		return
	}
	c := r.Client
	before := c.Identity()
	if before.Nick == nick {
		return
	}
	var relay *Relay
	// The client's own NICK is queued under the nick registry's lock, the
	// moment the nick is its: before anything addressed to it can arrive.
	claimed := func(string) {
		if !c.Registered() {
			return
		}
		relay = NewRelay(Msg{Source: before.Source(), Command: "NICK", Params: []string{nick}, Time: r.Now, MsgID: r.d.newMsgID(), Account: before.Account})
		r.SendRelay(relay)
		r.flushPart()
	}
	if _, err := r.d.users.ClaimNickThen(c, nick, claimed); err != nil {
		if errors.Is(err, users.ErrNickInUse) {
			r.Numeric(ERR_NICKNAMEINUSE, nick, "Nickname is already in use")
		}
		return
	}
	if !c.Registered() {
		c.UpdateRegistration(func(reg *users.Registration) { reg.NickGiven = true })
		r.d.tryRegister(r)
		return
	}
	r.d.users.Whowas().Record(users.WhowasEntry{Identity: before, Server: r.Config.Server.Name, Left: r.Now})
	r.d.forEachPeer(c, func(peer *users.Client) { relay.SendTo(peer) })
	r.d.recordPeers(c, &relay.Msg)
	if !r.d.users.Casemapping().Equal(before.Nick, nick) {
		r.d.monitorOffline(before.Nick)
		r.d.monitorOnline(nick, c.Source())
	}
	r.d.checkNickOwnership(r)
}

// forEachPeer calls f once for every other client sharing a channel with c.
func (d *Dispatcher) forEachPeer(c *users.Client, f func(peer *users.Client)) {
	chans := c.Channels()
	if len(chans) == 1 {
		chans[0].(*channels.Channel).ForEachMember(func(m *users.Client, _ channels.Prefix) {
			if m != c {
				f(m)
			}
		})
		return
	}
	seen := make(map[*users.Client]struct{})
	for _, member := range chans {
		member.(*channels.Channel).ForEachMember(func(m *users.Client, _ channels.Prefix) {
			if m == c {
				return
			}
			if _, dup := seen[m]; !dup {
				seen[m] = struct{}{}
				f(m)
			}
		})
	}
}
