package commands

import (
	"slices"
	"strconv"
	"strings"

	"github.com/conference-irc/conference/users"
)

// The commands about links between servers. This server is alone on its
// network and has no links to configure, so SQUIT and CONNECT can only
// explain that, and TRACE only ever reaches local clients.

// maxTraceLines bounds one TRACE reply: the whole reply is queued at once,
// and a reply larger than the send queue would disconnect the operator.
const maxTraceLines = 1000

// handleSQUIT answers SQUIT <server> <comment> (operators only).
func handleSQUIT(r *Request) {
	name := r.Params[0]
	if !r.d.users.Casemapping().Equal(name, r.serverName()) {
		r.Numeric(ERR_NOSUCHSERVER, echoParam(name), "No such server")
		return
	}
	r.Fail("SQUIT", "CANNOT_SQUIT_SELF", r.serverName(), "This server has no links to drop; use DIE to stop it")
}

// handleCONNECT answers CONNECT <server> [<port> [<remote>]] (operators
// only): no server links are configured, so no name can be reached.
func handleCONNECT(r *Request) {
	r.Numeric(ERR_NOSUCHSERVER, echoParam(r.Params[0]), "No such server")
}

// handleTRACE answers TRACE [<target>]. Operators see every local client
// (or the one named); anyone else sees only themselves.
func handleTRACE(r *Request) {
	oper := r.Client.Identity().Modes.Has(users.ModeOperator)
	var clients []*users.Client
	switch target := r.Param(0); {
	case target == "" || r.d.isThisServer(target):
		if oper {
			clients = r.d.users.Clients()
		} else {
			clients = []*users.Client{r.Client}
		}
	default:
		c := r.d.users.Find(target)
		switch {
		case c == nil && strings.ContainsAny(target, ".*?"):
			r.Numeric(ERR_NOSUCHSERVER, echoParam(target), "No such server")
			return
		case c == nil || !c.Registered():
			r.Numeric(ERR_NOSUCHNICK, echoParam(target), "No such nick/channel")
			return
		case oper || c == r.Client:
			clients = []*users.Client{c}
		}
	}
	sendTrace(r, clients)
	r.Numeric(RPL_TRACEEND, r.serverName(), r.d.version, "End of TRACE")
}

// sendTrace sends one 204 (operator) or 205 (user) line per client, sorted
// by nick, at most maxTraceLines of them.
func sendTrace(r *Request, clients []*users.Client) {
	type traced struct {
		c  *users.Client
		id users.Identity
	}
	list := make([]traced, 0, len(clients))
	for _, c := range clients {
		list = append(list, traced{c, c.Identity()})
	}
	slices.SortFunc(list, func(a, b traced) int { return strings.Compare(a.id.Nick, b.id.Nick) })
	if len(list) > maxTraceLines {
		r.Note("TRACE", "TRUNCATED", "Showing "+strconv.Itoa(maxTraceLines)+" of "+strconv.Itoa(len(list))+" clients; TRACE <nick> shows one")
		list = list[:maxTraceLines]
	}
	for _, t := range list {
		code, kind, class := RPL_TRACEUSER, "User", "users"
		if t.id.Modes.Has(users.ModeOperator) {
			code, kind, class = RPL_TRACEOPERATOR, "Oper", "opers"
		}
		idle := strconv.FormatInt(int64(t.c.Idle(r.Now).Seconds()), 10)
		r.Numeric(code, kind, class, t.id.Nick+"["+t.id.User+"@"+t.id.Host+"]", "("+t.c.IP().String()+")", idle)
	}
}
