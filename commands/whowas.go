package commands

import (
	"strconv"
	"time"
)

// handleWHOWAS answers WHOWAS <nick>{,<nick>} [<count> [<server>]] from the
// history of departed nicks: 314 and 312 for each entry, newest first, or
// 406 when there is none, then 369 for each nick.
func handleWHOWAS(r *Request) {
	nicks, dropped := splitList(r.Param(0), r.Config.Limits.Targets)
	if len(nicks) == 0 {
		r.Numeric(ERR_NONICKNAMEGIVEN, "No nickname given")
		return
	}
	if len(r.Params) >= 3 && !r.d.isThisServer(r.Params[2]) {
		r.Numeric(ERR_NOSUCHSERVER, echo(r.Params[2]), "No such server")
		return
	}
	if dropped != "" {
		r.Numeric(ERR_TOOMANYTARGETS, echo(dropped), "Too many targets")
	}
	count := whowasCount(r.Param(1))
	for _, nick := range nicks {
		whowasOne(r, nick, count)
	}
}

// whowasCount reads the count parameter: a positive number limits the
// entries per nick; anything else (absent, zero, negative, not a number)
// means all of them, which the history bounds anyway.
func whowasCount(param string) int {
	n, err := strconv.Atoi(param)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func whowasOne(r *Request, nick string, count int) {
	entries := r.d.users.Whowas().Lookup(nick, count)
	if len(entries) == 0 {
		r.Numeric(ERR_WASNOSUCHNICK, echo(nick), "There was no such nickname")
	}
	for _, e := range entries {
		server := e.Server
		if server == "" {
			server = r.serverName()
		}
		r.Numeric(RPL_WHOWASUSER, e.Nick, e.User, e.Host, "*", e.Realname)
		r.Numeric(RPL_WHOISSERVER, e.Nick, server, e.Left.UTC().Format(time.ANSIC))
	}
	r.Numeric(RPL_ENDOFWHOWAS, echo(nick), "End of WHOWAS")
}
