package commands

import (
	"strconv"
	"strings"

	"github.com/conference-irc/conference/users"
)

// monitorLineBudget keeps 730/731/732 lines well under 512 bytes.
const monitorLineBudget = 400

func handleMONITOR(r *Request) {
	mon := r.d.users.Monitors()
	switch strings.ToUpper(r.Params[0]) {
	case "+":
		monitorAdd(r)
	case "-":
		if len(r.Params) < 2 {
			r.Numeric(ERR_NEEDMOREPARAMS, "MONITOR", "Not enough parameters")
			return
		}
		for _, nick := range splitTargets(r.Params[1], 0) {
			mon.Remove(r.Client, nick)
		}
	case "C":
		mon.Clear(r.Client)
	case "L":
		sendPacked(r, RPL_MONLIST, mon.List(r.Client))
		r.Numeric(RPL_ENDOFMONLIST, "End of MONITOR list")
	case "S":
		monitorStatus(r, mon.List(r.Client))
	default:
		r.Numeric(ERR_UNKNOWNCOMMAND, "MONITOR", "Unknown MONITOR subcommand")
	}
}

// splitTargets splits a comma list, dropping empty entries; max > 0
// bounds the count.
func splitTargets(list string, max int) []string {
	var out []string
	for _, t := range strings.Split(list, ",") {
		if t == "" {
			continue
		}
		if max > 0 && len(out) == max {
			break
		}
		out = append(out, t)
	}
	return out
}

func monitorAdd(r *Request) {
	if len(r.Params) < 2 {
		r.Numeric(ERR_NEEDMOREPARAMS, "MONITOR", "Not enough parameters")
		return
	}
	limit := r.Config.Limits.Monitor
	nicks := splitTargets(r.Params[1], 0)
	var added []string
	for i, nick := range nicks {
		if !validNick(nick, r.Config.Limits.NickLen) {
			continue
		}
		if !r.d.users.Monitors().Add(r.Client, nick, limit) {
			r.Numeric(ERR_MONLISTFULL, strconv.Itoa(limit), strings.Join(nicks[i:], ","), "Monitor list is full")
			break
		}
		added = append(added, nick)
	}
	monitorStatus(r, added)
}

// monitorStatus answers 730 for the nicks online and 731 for the rest.
func monitorStatus(r *Request, nicks []string) {
	var online, offline []string
	for _, nick := range nicks {
		if c := r.d.users.Find(nick); c != nil && c.Registered() {
			online = append(online, c.Source())
		} else {
			offline = append(offline, nick)
		}
	}
	sendPacked(r, RPL_MONONLINE, online)
	sendPacked(r, RPL_MONOFFLINE, offline)
}

// sendPacked sends items comma-joined in as few lines as fit.
func sendPacked(r *Request, code string, items []string) {
	var line strings.Builder
	for _, it := range items {
		if line.Len() > 0 && line.Len()+len(it)+1 > monitorLineBudget {
			r.Numeric(code, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(',')
		}
		line.WriteString(it)
	}
	if line.Len() > 0 {
		r.Numeric(code, line.String())
	}
}

// numericTo sends a numeric from the server to a client other than the
// requester.
func (d *Dispatcher) numericTo(c *users.Client, code string, params ...string) {
	all := append([]string{c.Nick()}, params...)
	c.Send(appendLine(nil, "", d.Config().Server.Name, code, all))
}

// monitorOnline tells c's watchers that c is online as source.
func (d *Dispatcher) monitorOnline(nick, source string) {
	for _, w := range d.users.Monitors().Watchers(nick) {
		d.numericTo(w, RPL_MONONLINE, source)
	}
}

// monitorOffline tells nick's watchers that it went offline.
func (d *Dispatcher) monitorOffline(nick string) {
	for _, w := range d.users.Monitors().Watchers(nick) {
		d.numericTo(w, RPL_MONOFFLINE, nick)
	}
}
