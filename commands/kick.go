package commands

import (
	"strings"

	"github.com/conference-irc/conference/channels"
)

func handleKICK(r *Request) {
	ch := r.visibleChannel(r.Params[0])
	if ch == nil {
		return
	}
	prefix, member := ch.PrefixOf(r.Client)
	if !member {
		r.Numeric(ERR_NOTONCHANNEL, ch.Name(), "You're not on that channel")
		return
	}
	if !prefix.AtLeast(channels.Halfop) {
		r.Numeric(ERR_CHANOPRIVSNEEDED, ch.Name(), "You're not channel operator")
		return
	}
	id := r.Client.Identity()
	reason := id.Nick
	if len(r.Params) > 2 && r.Params[2] != "" {
		reason = truncate(r.Params[2], r.Config.Limits.KickLen)
	}
	for _, nick := range strings.Split(r.Params[1], ",") {
		target := r.d.users.Find(nick)
		if target == nil {
			r.Numeric(ERR_NOSUCHNICK, nick, "No such nick/channel")
			continue
		}
		theirs, in := ch.PrefixOf(target)
		if !in {
			r.Numeric(ERR_USERNOTINCHANNEL, target.Nick(), ch.Name(), "They aren't on that channel")
			continue
		}
		if theirs.Rank() > prefix.Rank() {
			r.Numeric(ERR_CHANOPRIVSNEEDED, ch.Name(), "You cannot kick someone of higher rank")
			continue
		}
		relay := NewRelay(Msg{Source: id.Source(), Command: "KICK", Params: []string{ch.Name(), target.Nick(), reason}, Time: r.Now, MsgID: r.d.newMsgID(), Account: id.Account})
		r.d.broadcast(r, ch, relay)
		r.d.channels.Part(ch, target)
	}
}
