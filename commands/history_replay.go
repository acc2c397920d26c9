package commands

import (
	"context"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// afterJoin sends, once the JOIN's own replies are out and from the slow
// path, what history adds to a join: the read marker of each channel for
// a logged-in draft/read-marker client, and to a client that does not use
// CHATHISTORY the last history.replay messages, with the tags it
// negotiated (server-time among them), in a chathistory batch when it has
// batch.
func (d *Dispatcher) afterJoin(r *Request, joined []*channels.Channel) {
	h := d.history
	if h == nil || len(joined) == 0 {
		return
	}
	n := r.Config.History.Replay
	if r.Client.HasCap(users.CapChathistory) {
		n = 0
	}
	account := ""
	if acct := r.Client.Identity().Account; acct != "" && r.Client.HasCap(users.CapReadMarker) {
		account = d.users.Fold(acct)
	}
	if n <= 0 && account == "" {
		return
	}
	type job struct{ key, name string }
	var todo []job
	for _, ch := range joined {
		todo = append(todo, job{history.ChannelKey(ch.Folded()), ch.Name()})
	}
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		for _, j := range todo {
			if account != "" {
				t, err := h.ReadMarker(ctx, account, j.key)
				if err != nil {
					d.log.Error("read marker on join", "channel", j.name, "err", err)
				}
				r.Reply("MARKREAD", j.name, markerParam(t))
			}
			if n <= 0 {
				continue
			}
			items, err := h.Query(ctx, history.Query{Target: j.key, Sub: history.Latest, Limit: n})
			if err != nil {
				d.log.Error("replay on join", "channel", j.name, "err", err)
				continue
			}
			if len(items) > 0 {
				sendHistory(r, "chathistory", j.name, items)
			}
		}
	})
}
