package commands

import (
	"context"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// replayOnJoin sends a client that does not use CHATHISTORY the last
// history.replay messages of the channels it just joined, after the
// JOIN's own replies, with the tags it negotiated (server-time among
// them), in a chathistory batch when it has batch.
func (d *Dispatcher) replayOnJoin(r *Request, joined []*channels.Channel) {
	n, h := r.Config.History.Replay, d.history
	if h == nil || n <= 0 || len(joined) == 0 || r.Client.HasCap(users.CapChathistory) {
		return
	}
	type replay struct{ key, name string }
	var todo []replay
	for _, ch := range joined {
		todo = append(todo, replay{history.ChannelKey(ch.Folded()), ch.Name()})
	}
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		for _, j := range todo {
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
