package commands

import (
	"context"
	"errors"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// handleREDACT answers draft/message-redaction: REDACT <target> <msgid>
// [:reason]. The sender of a message may redact it (the same account, or
// the same nick!user@host when it was sent without one); a channel's
// halfops and above may redact anyone's message there. The message leaves
// history, and the channel's members (or the conversation's other side)
// that negotiated the capability are told.
func handleREDACT(r *Request) {
	h := r.d.history
	if h == nil {
		r.Numeric(ERR_UNKNOWNCOMMAND, "REDACT", "Unknown command")
		return
	}
	if len(r.Params) < 2 || r.Params[0] == "" || r.Params[1] == "" {
		r.Fail("REDACT", "NEED_MORE_PARAMS", "Missing parameters")
		return
	}
	target, msgid := r.Params[0], r.Params[1]
	reason := truncate(r.Param(2), r.Config.Limits.KickLen)
	key, ok := r.d.historyKey(r.Client, target)
	if !ok || key == "" {
		r.Fail("REDACT", "INVALID_TARGET", target, "You cannot redact messages there")
		return
	}
	var ch *channels.Channel
	op := false
	if target[0] == '#' {
		ch = r.d.channels.Get(target)
		p, _ := ch.PrefixOf(r.Client)
		op = p.AtLeast(channels.Halfop)
	}
	id := r.Client.Identity()
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		items, err := h.Query(ctx, history.Query{Target: key, Sub: history.Around, A: history.Selector{MsgID: msgid}, Limit: 1})
		if errors.Is(err, history.ErrNoSuchMsgID) || (err == nil && (len(items) == 0 || items[0].MsgID != msgid)) {
			r.Fail("REDACT", "UNKNOWN_MSGID", target, msgid, "This message does not exist or is too old")
			return
		}
		if err != nil {
			r.d.log.Error("redact", "err", err)
			r.Fail("REDACT", "INTERNAL_ERROR", target, msgid, "The message could not be redacted")
			return
		}
		if !op && !r.d.sentBy(&items[0], id) {
			r.Fail("REDACT", "REDACT_FORBIDDEN", target, msgid, "You may not redact this message")
			return
		}
		if err := h.Delete(ctx, key, msgid); err != nil && !errors.Is(err, history.ErrNoSuchMsgID) {
			r.d.log.Error("redact", "err", err)
			r.Fail("REDACT", "INTERNAL_ERROR", target, msgid, "The message could not be redacted")
			return
		}
		params := []string{target, msgid}
		if reason != "" {
			params = append(params, reason)
		}
		relay := NewRelay(Msg{Source: id.Source(), Command: "REDACT", Params: params, Time: r.Now,
			MsgID: r.d.newMsgID(), Account: id.Account})
		tell := func(m *users.Client) {
			if m != r.Client && m.HasCap(users.CapMessageRedaction) {
				relay.SendTo(m)
			}
		}
		if ch != nil {
			ch.ForEachMember(func(m *users.Client, _ channels.Prefix) { tell(m) })
		} else if other := r.d.users.Find(target); other != nil {
			tell(other)
		}
		if r.Client.HasCap(users.CapMessageRedaction) {
			r.SendRelay(relay)
		}
	})
}

// sentBy reports whether the stored message it was sent by the client
// whose identity is id.
func (d *Dispatcher) sentBy(it *history.Item, id users.Identity) bool {
	if it.Account != "" {
		return id.Account != "" && d.users.Fold(it.Account) == d.users.Fold(id.Account)
	}
	return it.Source == id.Source()
}
