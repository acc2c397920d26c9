package commands

import (
	"context"
	"net/netip"
	"strings"

	"github.com/conference-irc/conference/services"
	"github.com/conference-irc/conference/users"
)

// serviceConn is the connection of a pseudo-client: it has none.
type serviceConn struct{}

func (serviceConn) Send([]byte)  {}
func (serviceConn) Close(string) {}

// reserveServiceNicks holds NickServ's nick in the registry so that no
// user can take it. The holder is never registered: it is not counted and
// never listed.
func (d *Dispatcher) reserveServiceNicks() error {
	holder := users.NewClient(0, serviceConn{}, netip.Addr{}, "services", d.clock(), true)
	_, err := d.users.ClaimNick(holder, services.NickServName)
	return err
}

// isNickServ reports whether a PRIVMSG target names NickServ
// (NickServ or NickServ@<server>).
func (d *Dispatcher) isNickServ(target string) bool {
	if len(target) < len(services.NickServName) || target[0]|0x20 != 'n' {
		return false // the common case, decided without folding
	}
	name, _, _ := strings.Cut(target, "@")
	return d.users.Casemapping().Equal(name, services.NickServName)
}

// accountCommands are the commands of accounts: SASL, REGISTER, NickServ.
func accountCommands() map[string]*command {
	return map[string]*command{
		"AUTHENTICATE": {handler: handleAUTHENTICATE, minParams: 1, preReg: true},
		"REGISTER":     {handler: handleREGISTER, minParams: 2, preReg: true},
		"VERIFY":       {handler: handleVERIFY, minParams: 2, preReg: true},
		"NS":           {handler: handleNS, minParams: 1},
		"NICKSERV":     {handler: handleNS, minParams: 1},
	}
}

// handleNS is /NS and /NICKSERV: the same as /msg NickServ.
func handleNS(r *Request) {
	runNickServ(r, strings.Join(r.Params, " "))
}

// runNickServ hands a line for NickServ to the service, off the dispatch
// worker, and applies its answer.
func runNickServ(r *Request, text string) {
	if !r.accountsOn() {
		r.Numeric(ERR_NOSUCHNICK, services.NickServName, "No such nick/channel")
		return
	}
	id := r.Client.Identity()
	caller := services.Caller{
		Client: r.Client, Nick: id.Nick, Account: id.Account, CertFP: r.Client.CertFP(),
		RegistrationOpen: r.Config.Accounts.Registration,
	}
	if err := r.checkConnAttempts(); err != nil && passwordCommand(text) {
		r.nickServNotice("Too many failed attempts from this connection; try again later.")
		return
	}
	ns := r.d.acct.nickServ
	r.d.offload(r, func(ctx context.Context) func(*Request) {
		res := ns.Run(ctx, caller, text)
		return func(r *Request) { applyNickServ(r, res) }
	})
}

// passwordCommand reports whether a NickServ line checks a password (and
// so counts against the connection's wrong-password limit).
func passwordCommand(text string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	switch strings.ToUpper(word) {
	case "IDENTIFY", "LOGIN", "GHOST", "REGAIN", "RECOVER", "DROP":
		return true
	}
	return false
}

// applyNickServ sends NickServ's notices and applies its effects through
// the one path for each.
func applyNickServ(r *Request, res services.Result) {
	for _, line := range res.Notices {
		r.nickServNotice(line)
	}
	if res.FailedAuth != nil {
		r.failedAttempt(res.FailedAuth)
	}
	if res.Logout {
		r.d.logOut(r)
		r.nickServNotice("You are now logged out.")
	}
	if res.Login != "" {
		if err := r.d.logIn(r, res.Login); err != nil {
			r.nickServNotice("You could not be logged in to " + res.Login + saslReason(err) + ".")
		} else {
			r.nickServNotice("You are now logged in as " + res.Login + ".")
		}
	}
	if res.Disconnect != nil {
		// Free the nick at once, so that REGAIN can take it; the ghost's
		// quit path runs on its own connection.
		res.Disconnect.Close(res.DisconnectReason)
		r.d.users.Remove(res.Disconnect)
	}
	if res.TakeNick != "" {
		r.d.forceNick(r.Client, res.TakeNick, r)
	}
	if res.LogoutEverywhere != "" {
		r.d.logOutEverywhere(r, res.LogoutEverywhere)
	}
}

// nickServNotice sends the requester a NOTICE from NickServ.
func (r *Request) nickServNotice(text string) {
	r.Send(&Msg{Source: nickServSource(r.Config.Server.Name), Command: "NOTICE", Params: []string{r.Client.Nick(), text}, Time: r.Now})
}

// nickServSource is NickServ's nick!user@host.
func nickServSource(server string) string {
	return services.NickServName + "!" + services.NickServName + "@" + server
}

// forceNick changes c's nick through the NICK command's own path, as if c
// had sent it. When parent is c's own request the replies go into it (and
// keep its label); otherwise they go to c in one piece.
func (d *Dispatcher) forceNick(c *users.Client, nick string, parent *Request) {
	req := parent
	if req == nil || req.Client != c {
		req = d.newRequest(c, syntheticLine)
		defer req.flush()
	}
	command, params := req.Command, req.Params
	req.Command, req.Params = "NICK", []string{nick}
	handleNICK(req)
	req.Command, req.Params = command, params
}
