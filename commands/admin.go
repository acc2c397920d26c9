package commands

import (
	"time"

	"github.com/conference-irc/conference/users"
)

// The actions that the admin API shares with IRC commands: each goes
// through the same function as its command, so its effect on clients (and
// in the log and the server notices) is the same whoever asked.

// Kill disconnects a registered client as KILL does, on behalf of by (an
// operator's nick, or "admin:<token name>"); the KILL line comes from
// source (the killer's nick!user@host, or the server's name). It reports
// false when there is no such registered client.
func (d *Dispatcher) Kill(by, source string, victim *users.Client, reason string) bool {
	if victim == nil || !victim.Registered() {
		return false
	}
	d.kill(nil, by, source, victim, reason)
	return true
}

// kill is the one path of a KILL: r is the requester's request when an
// operator sent the command (its replies go through it).
func (d *Dispatcher) kill(r *Request, by, source string, victim *users.Client, reason string) {
	if reason == "" {
		reason = "No reason given"
	}
	victimID := victim.Identity()
	kill := &Msg{Source: source, Command: "KILL", Params: []string{victimID.Nick, reason}, Time: d.clock()}
	d.log.Warn("kill", "killer", by, "victim", victimID.Nick, "ip", victim.IP().String(), "reason", reason)
	d.serverNotice(r, "Received KILL message for "+victimID.Source()+" from "+by+" ("+reason+")")
	if r != nil && victim == r.Client {
		// The reply buffer would be dropped once the connection closes.
		r.Send(kill)
		r.flush()
	} else {
		victim.Send(kill.Bytes(victim.Caps()))
	}
	victim.Close("Killed (" + by + " (" + reason + "))")
}

// Broadcast sends a NOTICE from the server to every registered client
// (the admin API's announcement), and logs who sent it. It returns how
// many clients it reached.
func (d *Dispatcher) Broadcast(by, text string) int {
	text = truncate(text, d.Config().Limits.TopicLen)
	source := d.Config().Server.Name
	clients := d.users.Clients()
	d.log.Warn("broadcast", "by", by, "text", text, "clients", len(clients))
	for _, c := range clients {
		c.Send(appendLine(nil, "", source, "NOTICE", []string{c.Nick(), text}))
	}
	return len(clients)
}

// RehashedBy logs a reload that by asked for outside IRC (the admin API)
// and tells the operators, as for REHASH.
func (d *Dispatcher) RehashedBy(by string, restart []string, err error) {
	d.rehashed(nil, by, restart, err)
}

// Started is when the dispatcher (the server) started.
func (d *Dispatcher) Started() time.Time { return d.started }
