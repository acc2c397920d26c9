package commands

import (
	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// newHistory is the history the dispatcher records to: the given store,
// or a memory one when history is on and none was given, or nil when
// history is off.
func newHistory(opts Options) history.Store {
	switch {
	case !opts.Config.History.Enabled:
		return nil
	case opts.History != nil:
		return opts.History
	default:
		return history.NewMemory(opts.Config.History.Memory)
	}
}

// History is the history store (nil when history is off).
func (d *Dispatcher) History() history.Store { return d.history }

// entryOf is the history entry of a relayed line. It shares m's Params,
// which no one changes once m is built (see Msg).
func entryOf(target string, m *Msg, event bool) history.Entry {
	return history.Entry{Target: target, Item: history.Item{
		Time: m.Time, Event: event, MsgID: m.MsgID, Command: m.Command, Source: m.Source,
		Account: m.Account, Params: m.Params, Tags: m.ClientTags,
	}}
}

// recordChannel stores a line sent to a channel's members: a message, or
// (event true) a JOIN, PART, KICK, TOPIC, MODE, NICK or QUIT.
func (d *Dispatcher) recordChannel(ch *channels.Channel, m *Msg, event bool) {
	if d.history == nil || m.MsgID == "" {
		return
	}
	d.history.Add(entryOf(history.ChannelKey(ch.Folded()), m, event))
}

// recordPeers stores an event that reached a client's channels (NICK,
// QUIT) in each of them.
func (d *Dispatcher) recordPeers(c *users.Client, m *Msg) {
	if d.history == nil {
		return
	}
	for _, member := range c.Channels() {
		d.recordChannel(member.(*channels.Channel), m, true)
	}
}

// recordDM stores a private message when both sides are logged in (and
// history.dms is on), under the conversation of their two accounts.
func (d *Dispatcher) recordDM(from users.Identity, to *users.Client, m *Msg) {
	if d.history == nil || !d.Config().History.DMs || from.Account == "" {
		return
	}
	toAccount := to.Identity().Account
	if toAccount == "" {
		return
	}
	a, b := d.users.Fold(from.Account), d.users.Fold(toAccount)
	e := entryOf(history.DMKey(a, b), m, false)
	e.Parties = []string{a, b}
	d.history.Add(e)
}
