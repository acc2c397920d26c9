package commands

import (
	"context"
	"errors"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// handleRENAME answers draft/channel-rename: RENAME <channel> <new name>
// [:reason], for the channel's operators. Members with the capability see
// RENAME; the others see themselves leave the old name and join the new
// one. The channel's history follows it.
func handleRENAME(r *Request) {
	from, to := r.Params[0], r.Params[1]
	reason := truncate(r.Param(2), r.Config.Limits.KickLen)
	ch := r.d.channels.Get(from)
	if ch == nil {
		r.Numeric(ERR_NOSUCHCHANNEL, from, "No such channel")
		return
	}
	p, in := ch.PrefixOf(r.Client)
	switch {
	case !in:
		r.Numeric(ERR_NOTONCHANNEL, ch.Name(), "You're not on that channel")
		return
	case !p.AtLeast(channels.Op):
		r.Numeric(ERR_CHANOPRIVSNEEDED, ch.Name(), "You're not channel operator")
		return
	case !validChannelName(to, r.Config.Limits.ChannelLen):
		r.Fail("RENAME", "CANNOT_RENAME", ch.Name(), to, "Invalid channel name")
		return
	case to == ch.Name():
		r.Fail("RENAME", "CANNOT_RENAME", ch.Name(), to, "That is already its name")
		return
	}
	oldName, oldKey := ch.Name(), history.ChannelKey(ch.Folded())
	if err := r.d.channels.Rename(ch, to); err != nil {
		if errors.Is(err, channels.ErrNameInUse) {
			r.Fail("RENAME", "CHANNEL_NAME_IN_USE", oldName, to, "That name is taken")
		} else {
			r.Fail("RENAME", "CANNOT_RENAME", oldName, to, "The channel could not be renamed")
		}
		return
	}
	id := r.Client.Identity()
	params := []string{oldName, to}
	if reason != "" {
		params = append(params, reason)
	}
	rename := NewRelay(Msg{Source: id.Source(), Command: "RENAME", Params: params, Time: r.Now,
		MsgID: r.d.newMsgID(), Account: id.Account})
	partReason := reason
	if partReason == "" {
		partReason = "Channel renamed to " + to
	}
	ch.ForEachMember(func(m *users.Client, _ channels.Prefix) {
		if m.HasCap(users.CapChannelRename) {
			if m == r.Client {
				r.SendRelay(rename)
			} else {
				rename.SendTo(m)
			}
			return
		}
		// Without the capability: leave the old name, join the new one.
		mid := m.Identity()
		part := Msg{Source: mid.Source(), Command: "PART", Params: []string{oldName, partReason}, Time: r.Now}
		join := Msg{Source: mid.Source(), Command: "JOIN", Params: []string{to}, Time: r.Now}
		out := append(part.Bytes(m.Caps()), join.Bytes(m.Caps())...)
		if m == r.Client {
			r.add(part.Bytes(m.Caps()))
			r.add(join.Bytes(m.Caps()))
			if t := ch.Topic(); t.Text != "" {
				sendTopic(r, ch, t)
			}
			sendNames(r, ch)
		} else {
			m.Send(out)
		}
	})
	h := r.d.history
	if h == nil {
		return
	}
	newKey := history.ChannelKey(ch.Folded())
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		if err := h.Rename(ctx, oldKey, newKey, r.Now); err != nil {
			r.d.log.Error("rename history", "from", oldName, "to", to, "err", err)
		}
	})
}
