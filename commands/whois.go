package commands

import (
	"strconv"
	"strings"

	"github.com/conference-irc/conference/users"
)

// whoisLineBudget keeps 319 lines under 512 bytes with space for the
// server name, the numeric and both nicks.
const whoisLineBudget = 400

// handleWHOIS answers WHOIS [<server>] <nick>{,<nick>}: one block ending in
// 318 for each nick, at most Limits.Targets of them.
func handleWHOIS(r *Request) {
	list := r.Param(0)
	if len(r.Params) >= 2 {
		// "WHOIS nick nick" asks the nick's server, which is this one.
		if server := r.Params[0]; !r.d.isThisServer(server) && r.d.users.Find(server) == nil {
			r.Numeric(ERR_NOSUCHSERVER, echo(server), "No such server")
			return
		}
		list = r.Params[1]
	}
	targets, dropped := splitList(list, r.Config.Limits.Targets)
	if len(targets) == 0 {
		r.Numeric(ERR_NONICKNAMEGIVEN, "No nickname given")
		return
	}
	if dropped != "" {
		r.Numeric(ERR_TOOMANYTARGETS, echo(dropped), "Too many targets")
	}
	for _, name := range targets {
		whoisOne(r, name)
	}
}

// whoisOne answers for one nick, in the order Ergo and InspIRCd use:
// who, where, what, then idle time and the end.
func whoisOne(r *Request, name string) {
	t := r.d.users.Find(name)
	if t == nil || !t.Registered() {
		r.Numeric(ERR_NOSUCHNICK, echo(name), "No such nick/channel")
		r.Numeric(RPL_ENDOFWHOIS, echo(name), "End of /WHOIS list")
		return
	}
	id := t.Identity()
	r.Numeric(RPL_WHOISUSER, id.Nick, id.User, id.Host, "*", id.Realname)
	whoisChannels(r, t, id.Nick)
	r.Numeric(RPL_WHOISSERVER, id.Nick, r.serverName(), r.Config.Server.Description)
	if id.Modes.Has(users.ModeOperator) {
		r.Numeric(RPL_WHOISOPERATOR, id.Nick, "is an IRC operator")
	}
	if id.Away != "" {
		r.Numeric(RPL_AWAY, id.Nick, id.Away)
	}
	if id.Account != "" {
		r.Numeric(RPL_WHOISACCOUNT, id.Nick, id.Account, "is logged in as")
	}
	if id.Modes.Has(users.ModeBot) {
		r.Numeric(RPL_WHOISBOT, id.Nick, "is a bot on "+r.Config.Server.Network)
	}
	whoisTransport(r, t, id.Nick)
	// Where a user really connects from is for themselves and opers.
	if t == r.Client || isOper(r.Client) {
		real := t.RealHost()
		r.Numeric(RPL_WHOISHOST, id.Nick, "is connecting from *@"+real+" "+ipParam(t))
		r.Numeric(RPL_WHOISACTUALLY, id.Nick, id.User+"@"+real, ipParam(t), "Actual user@host, Actual IP")
	}
	idle := int64(max(0, t.Idle(r.Now).Seconds()))
	r.Numeric(RPL_WHOISIDLE, id.Nick, strconv.FormatInt(idle, 10), strconv.FormatInt(t.Signon().Unix(), 10), "seconds idle, signon time")
	r.Numeric(RPL_ENDOFWHOIS, echo(name), "End of /WHOIS list")
}

// whoisChannels sends the target's channels with their prefixes in as many
// 319 lines as they need; secret and private channels are left out unless
// the asker is in them too, is the target, or is an oper.
func whoisChannels(r *Request, t *users.Client, nick string) {
	multi := r.Client.HasCap(users.CapMultiPrefix)
	var line strings.Builder
	flush := func() {
		if line.Len() > 0 {
			r.Numeric(RPL_WHOISCHANNELS, nick, line.String())
			line.Reset()
		}
	}
	for _, view := range visibleChannels(r.Client, t) {
		entry := view.prefix.Symbols(multi) + view.ch.Name()
		if line.Len()+len(entry)+1 > whoisLineBudget {
			flush()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(entry)
	}
	flush()
}
