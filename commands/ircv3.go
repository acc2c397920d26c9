package commands

import (
	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// ircv3Commands are the commands that IRCv3 extensions add.
func ircv3Commands() map[string]*command {
	return map[string]*command{
		"TAGMSG":  {handler: handleTAGMSG, minParams: 1},
		"MONITOR": {handler: handleMONITOR, minParams: 1},
		"SETNAME": {handler: handleSETNAME, minParams: 1},
		"CHGHOST": {handler: handleCHGHOST, minParams: 2, oper: true},
	}
}

// notifyChange sends relay to the subject's channel peers that negotiated
// capability, to its MONITOR watchers that negotiated extended-monitor and
// capability, and to the subject itself when it negotiated capability.
func (d *Dispatcher) notifyChange(subject *users.Client, relay *Relay, capability users.Cap, self func(*Relay)) {
	seen := map[*users.Client]struct{}{subject: {}}
	d.forEachPeer(subject, func(peer *users.Client) {
		seen[peer] = struct{}{}
		if peer.HasCap(capability) {
			relay.SendTo(peer)
		}
	})
	for _, w := range d.users.Monitors().Watchers(subject.Nick()) {
		if _, dup := seen[w]; dup {
			continue
		}
		seen[w] = struct{}{}
		if w.HasCap(users.CapExtendedMonitor) && w.HasCap(capability) {
			relay.SendTo(w)
		}
	}
	if subject.HasCap(capability) {
		self(relay)
	}
}

func handleSETNAME(r *Request) {
	realname := r.Params[0]
	if realname == "" || len(realname) > r.Config.Limits.NameLen {
		r.Fail("SETNAME", "INVALID_REALNAME", "Realname is not valid")
		return
	}
	r.Client.Update(func(id *users.Identity) { id.Realname = realname })
	id := r.Client.Identity()
	relay := NewRelay(Msg{Source: id.Source(), Command: "SETNAME", Params: []string{realname}, Time: r.Now, Account: id.Account})
	r.d.notifyChange(r.Client, relay, users.CapSetname, r.SendRelay)
}

// validHost reports whether a host may be shown in nick!user@host.
func validHost(h string) bool {
	if h == "" || len(h) > 63 || h[0] == ':' {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '/' || c == '_') {
			return false
		}
	}
	return true
}

// handleCHGHOST lets an operator change a user's shown host (InspIRCd's
// CHGHOST); peers with the chghost capability are told.
func handleCHGHOST(r *Request) {
	target := r.d.users.Find(r.Params[0])
	if target == nil || !target.Registered() {
		r.Numeric(ERR_NOSUCHNICK, r.Params[0], "No such nick/channel")
		return
	}
	host := r.Params[1]
	if !validHost(host) {
		r.Fail("CHGHOST", "INVALID_HOST", host, "Invalid hostname")
		return
	}
	r.d.ChangeHost(target, host)
	r.Note("CHGHOST", "HOST_CHANGED", target.Nick(), "Host changed to "+host)
}

// ChangeHost changes c's shown host and tells those who negotiated chghost.
func (d *Dispatcher) ChangeHost(c *users.Client, host string) {
	before := c.Identity()
	if before.Host == host {
		return
	}
	c.Update(func(id *users.Identity) { id.Host = host })
	relay := NewRelay(Msg{Source: before.Source(), Command: "CHGHOST", Params: []string{before.User, host}, Time: d.clock(), Account: before.Account})
	d.notifyChange(c, relay, users.CapChghost, func(rl *Relay) { rl.SendTo(c) })
}

// SetAccount records that c is logged in to account ("" logs out) and
// tells those who negotiated account-notify. Logins from clients go
// through logIn (accounts.go), which calls setAccount; this is for tests
// and integrations.
func (d *Dispatcher) SetAccount(c *users.Client, account string) {
	d.setAccount(c, account, func(rl *Relay) { rl.SendTo(c) })
}

// setAccount is SetAccount with the client's own copy handed to self (its
// request's reply path, when it is the client's own command).
func (d *Dispatcher) setAccount(c *users.Client, account string, self func(*Relay)) {
	c.Update(func(id *users.Identity) { id.Account = account })
	id := c.Identity()
	shown := account
	if shown == "" {
		shown = "*"
	}
	relay := NewRelay(Msg{Source: id.Source(), Command: "ACCOUNT", Params: []string{shown}, Time: d.clock()})
	d.notifyChange(c, relay, users.CapAccountNotify, self)
}

// sendAwayOnJoin tells away-notify members that a joining user is away, as
// the away-notify specification asks.
func (d *Dispatcher) sendAwayOnJoin(r *Request, ch *channels.Channel) {
	id := r.Client.Identity()
	if id.Away == "" {
		return
	}
	relay := NewRelay(Msg{Source: id.Source(), Command: "AWAY", Params: []string{id.Away}, Time: r.Now, Account: id.Account})
	ch.ForEachMember(func(m *users.Client, _ channels.Prefix) {
		if m != r.Client && m.HasCap(users.CapAwayNotify) {
			relay.SendTo(m)
		}
	})
}
