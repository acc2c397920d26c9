package commands

import (
	"github.com/conference-irc/conference/users"
)

// Server notices and the log lines that go with them: what an operator
// moderating the server needs to see, as it happens. The log carries the
// connection id, nick and address of every event; operators with user
// modes +o and +s receive the same events as "*** Notice -- ..." lines.
// Neither ever carries a password.

// ServerNotice sends "*** Notice -- text" to every operator with user mode
// +s. It costs one send per such operator, whatever the number of clients.
func (d *Dispatcher) ServerNotice(text string) { d.serverNotice(nil, text) }

// serverNotice is ServerNotice for a command's handler: the requester, if
// it is a recipient, gets the notice through its reply path, in order with
// the command's other replies.
func (d *Dispatcher) serverNotice(r *Request, text string) {
	source := d.Config().Server.Name
	for _, c := range d.users.NoticeWatchers() {
		if r != nil && c == r.Client {
			r.Reply("NOTICE", c.Nick(), "*** Notice -- "+text)
			continue
		}
		c.Send(appendLine(nil, "", source, "NOTICE", []string{c.Nick(), "*** Notice -- " + text}))
	}
}

// clientConnected logs a client that completed registration and tells
// the operators.
func (d *Dispatcher) clientConnected(c *users.Client) {
	id := c.Identity()
	d.log.Info("connect", "id", c.ID(), "nick", id.Nick, "user", id.User, "ip", c.IP().String(), "realname", id.Realname)
	d.ServerNotice("Client connecting: " + id.Nick + " (" + id.User + "@" + id.Host + ") [" + c.IP().String() + "]")
}

// ClientExited logs a connection that ended, with why, and tells the
// operators about registered clients (the server calls it once the quit
// path has run).
func (d *Dispatcher) ClientExited(c *users.Client, reason string) {
	id := c.Identity()
	registered := c.Registered()
	d.log.Info("disconnect", "id", c.ID(), "nick", id.Nick, "ip", c.IP().String(), "registered", registered, "reason", reason)
	if registered {
		d.ServerNotice("Client exiting: " + id.Nick + " (" + id.User + "@" + id.Host + ") [" + reason + "]")
	}
}

// badPassword logs and announces a registration refused for a wrong
// server password (the password itself is never shown).
func (d *Dispatcher) badPassword(c *users.Client) {
	id := c.Identity()
	d.log.Warn("bad server password", "id", c.ID(), "nick", id.Nick, "user", id.User, "ip", c.IP().String())
	d.ServerNotice("Bad server password from " + id.Nick + " (" + id.User + "@" + id.Host + ") [" + c.IP().String() + "]")
}
