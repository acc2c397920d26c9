package commands

import (
	"slices"
	"strconv"
	"strings"

	"github.com/conference-irc/conference/users"
)

// handleSTATS answers STATS <query> [<server>]. The queries are:
//
//	u      uptime (242)
//	m, l   per-command counters (212); with no server links, l ("links")
//	       has nothing of its own to show, so it is the same as m
//	o      configured operators (243), operators only
//	k, d   K-lines (216) and D-lines (225), operators only
//
// Any other letter answers just the end of the report, as servers do for
// queries they do not know. The report always ends with 219.
func handleSTATS(r *Request) {
	query := r.Params[0]
	if query == "" {
		r.Numeric(ERR_NEEDMOREPARAMS, "STATS", "Not enough parameters")
		return
	}
	if targetsOtherServer(r, 1) {
		return
	}
	letter := query[:1]
	switch letter {
	case "u", "U":
		r.Numeric(RPL_STATSUPTIME, "Server Up "+formatUptime(r.Now.Sub(r.d.started)))
	case "m", "M", "l", "L":
		statsCommands(r)
	case "o", "O":
		if !r.Client.Identity().Modes.Has(users.ModeOperator) {
			r.Numeric(ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator")
			break
		}
		statsOperators(r)
	case "k", "K", "d", "D":
		if !r.Client.Identity().Modes.Has(users.ModeOperator) {
			r.Numeric(ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator")
			break
		}
		statsBans(r, strings.ToUpper(letter))
	}
	r.Numeric(RPL_ENDOFSTATS, statsLetter(query[0]), "End of /STATS report")
}

// statsLetter renders the query letter for 219; a byte that is not a
// printable ASCII character (part of a UTF-8 sequence, ':') shows as "*".
func statsLetter(b byte) string {
	if b > ' ' && b < 0x7f && b != ':' {
		return string(rune(b))
	}
	return "*"
}

// statsCommands lists every command used at least once, by name, with its
// count. The byte and remote counts are not tracked here and read 0.
func statsCommands(r *Request) {
	names := make([]string, 0, len(r.d.table))
	for name, cmd := range r.d.table {
		if cmd.count.Load() > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		count := strconv.FormatUint(r.d.table[name].count.Load(), 10)
		r.Numeric(RPL_STATSCOMMANDS, name, count, "0", "0")
	}
}

// statsOperators lists the configured operator accounts with the host
// masks they may use; the password hashes are never shown.
func statsOperators(r *Request) {
	for _, op := range r.Config.Operators {
		hosts := op.Hosts
		if len(hosts) == 0 {
			hosts = []string{"*@*"}
		}
		for _, h := range hosts {
			r.Numeric(RPL_STATSOLINE, "O", h, "*", op.Name)
		}
	}
}
