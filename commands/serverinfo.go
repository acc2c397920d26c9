package commands

import (
	"fmt"
	"strconv"
	"time"
)

// The server-information commands: VERSION, TIME, ADMIN, INFO and LINKS.
// Each takes an optional server parameter; this server is alone on its
// network, so any other name is answered with ERR_NOSUCHSERVER.

// targetsOtherServer answers ERR_NOSUCHSERVER and reports true when
// parameter i names a server other than this one.
func targetsOtherServer(r *Request, i int) bool {
	if i >= len(r.Params) || r.Params[i] == "" || r.d.isThisServer(r.Params[i]) {
		return false
	}
	r.Numeric(ERR_NOSUCHSERVER, echoParam(r.Params[i]), "No such server")
	return true
}

// maxEchoLen bounds a client's parameter echoed back in a numeric, so that
// the reply always fits in one line.
const maxEchoLen = 64

// echoParam makes a client's parameter safe to echo as a middle parameter:
// bounded, and "*" when it is empty or starts with ':' (which would turn it
// into the trailing parameter and shift the rest of the line).
func echoParam(s string) string {
	if s == "" || s[0] == ':' {
		return "*"
	}
	return truncate(s, maxEchoLen)
}

func handleVERSION(r *Request) {
	if targetsOtherServer(r, 0) {
		return
	}
	r.Numeric(RPL_VERSION, r.d.version, r.serverName(), r.Config.Server.Description)
	r.d.sendISupport(r)
}

// humanTimeLayout is the RPL_TIME text: the server's local time with its
// offset, unambiguous for a person reading it.
const humanTimeLayout = "Monday, 2 January 2006 15:04:05 -07:00"

// handleTIME answers RPL_TIME with the unix timestamp as well as the text,
// as Ergo and InspIRCd do, so clients may render it themselves.
func handleTIME(r *Request) {
	if targetsOtherServer(r, 0) {
		return
	}
	r.Numeric(RPL_TIME, r.serverName(), strconv.FormatInt(r.Now.Unix(), 10), r.Now.Format(humanTimeLayout))
}

func handleADMIN(r *Request) {
	if targetsOtherServer(r, 0) {
		return
	}
	admin := r.Config.Admin
	r.Numeric(RPL_ADMINME, r.serverName(), "Administrative info")
	r.Numeric(RPL_ADMINLOC1, admin.Location)
	r.Numeric(RPL_ADMINLOC2, admin.Organisation)
	r.Numeric(RPL_ADMINEMAIL, admin.Email)
}

// startedLayout renders the start time in INFO.
const startedLayout = "Mon Jan 2 2006 at 15:04:05 MST"

func handleINFO(r *Request) {
	if targetsOtherServer(r, 0) {
		return
	}
	for _, line := range infoLines(r) {
		r.Numeric(RPL_INFO, line)
	}
	r.Numeric(RPL_ENDOFINFO, "End of INFO list")
}

// infoLines is what INFO tells: what the server is and how long it has run.
func infoLines(r *Request) []string {
	started := r.d.started
	return []string{
		r.serverName() + " runs " + r.d.version + ",",
		"conference, an IRC server for small communities, written in Go.",
		"",
		"Network:  " + r.Config.Server.Network,
		"Started:  " + started.Format(startedLayout),
		"Uptime:   " + formatUptime(r.Now.Sub(started)),
		"",
		"Type /HELP for the commands this server knows.",
	}
}

// formatUptime renders a duration as "N days HH:MM:SS", as STATS u does.
func formatUptime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int64(d / time.Second)
	days, secs := secs/86400, secs%86400
	return fmt.Sprintf("%d days %02d:%02d:%02d", days, secs/3600, secs/60%60, secs%60)
}

// handleLINKS lists this server, the only one on the network.
// LINKS [[<remote server>] <server mask>]
func handleLINKS(r *Request) {
	mask := "*"
	switch len(r.Params) {
	case 0:
	case 1:
		mask = r.Params[0]
	default:
		if targetsOtherServer(r, 0) {
			return
		}
		mask = r.Params[1]
	}
	mask = echoParam(mask)
	if r.d.isThisServer(mask) {
		name := r.serverName()
		r.Numeric(RPL_LINKS, name, name, "0 "+r.Config.Server.Description)
	}
	r.Numeric(RPL_ENDOFLINKS, mask, "End of /LINKS list")
}
