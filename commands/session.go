package commands

import (
	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

func handlePING(r *Request) {
	r.Reply("PONG", r.serverName(), r.Params[0])
}

// handlePONG accepts a PONG; the connection already counts any line as a
// sign of life.
func handlePONG(*Request) {}

func handleQUIT(r *Request) {
	reason := "Client Quit"
	if len(r.Params) > 0 && r.Params[0] != "" {
		reason = "Quit: " + truncate(r.Params[0], r.Config.Limits.KickLen)
	}
	r.flush()
	r.Client.Close(reason)
}

// Quit is the one way a client leaves: its channel peers see QUIT with the
// reason, it leaves every channel, WHOWAS remembers it and its nick is
// freed. The connection calls it exactly once, whatever ended it.
func (d *Dispatcher) Quit(c *users.Client, reason string) {
	// Free the nick first: a peer that reacts to the QUIT may take it.
	d.users.Remove(c)
	if c.Registered() {
		id := c.Identity()
		now := d.clock()
		relay := NewRelay(Msg{Source: id.Source(), Command: "QUIT", Params: []string{reason}, Time: now, MsgID: d.newMsgID(), Account: id.Account})
		d.forEachPeer(c, func(peer *users.Client) { relay.SendTo(peer) })
		d.recordPeers(c, &relay.Msg)
		for _, member := range c.Channels() {
			d.channels.Part(member.(*channels.Channel), c)
		}
		d.users.Whowas().Record(users.WhowasEntry{Identity: id, Server: d.Config().Server.Name, Left: now})
	}
	d.users.Monitors().Clear(c)
	d.accountQuit(c)
	d.multiline.set(c, nil)
	if c.Registered() {
		d.monitorOffline(c.Nick())
	}
}
