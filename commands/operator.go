package commands

import (
	"strings"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// The operator commands KILL, WALLOPS, DIE and RESTART. The table marks
// them oper-only, so the dispatcher has already answered 481 to anyone
// else; OPER and REHASH live in oper.go.

// handleKILL disconnects a user: KILL <nick> <reason>. The victim sees the
// KILL, then its connection closes and its channel peers see it QUIT with
// "Killed (<killer> (<reason>))".
func handleKILL(r *Request) {
	target, reason := r.Params[0], truncate(r.Params[1], r.Config.Limits.KickLen)
	if r.d.users.Casemapping().Equal(target, r.serverName()) {
		r.Numeric(ERR_CANTKILLSERVER, "You cannot kill a server!")
		return
	}
	victim := r.d.users.Find(target)
	if victim == nil || !victim.Registered() {
		r.Numeric(ERR_NOSUCHNICK, echoParam(target), "No such nick/channel")
		return
	}
	killer := r.Client.Identity()
	r.d.kill(r, killer.Nick, killer.Source(), victim, reason)
}

// handleWALLOPS sends WALLOPS <text> to every user with mode +w, the
// sender included when it has +w too.
func handleWALLOPS(r *Request) {
	id := r.Client.Identity()
	relay := NewRelay(Msg{Source: id.Source(), Command: "WALLOPS", Params: []string{r.Params[0]}, Time: r.Now, MsgID: r.d.newMsgID()})
	for _, c := range r.d.users.Clients() {
		if !c.Identity().Modes.Has(users.ModeWallops) {
			continue
		}
		if c == r.Client {
			r.SendRelay(relay)
		} else {
			relay.SendTo(c)
		}
	}
}

// handleDIE stops the server: DIE [<reason>]. It must be switched on with
// control.die, because one command stops service for everyone.
func handleDIE(r *Request) {
	stopProcess(r, r.Config.Control.Die, "control.die", r.d.hooks.Die, "Server shutting down")
}

// handleRESTART re-executes the server in place: RESTART [<reason>]. It
// must be switched on with control.restart.
func handleRESTART(r *Request) {
	restart := func(r *Request) {
		stopProcess(r, r.Config.Control.Restart, "control.restart", r.d.hooks.Restart, "Server restarting")
	}
	check := r.d.hooks.CheckRestart
	if !r.Config.Control.Restart || check == nil {
		restart(r)
		return
	}
	// Loading the configuration the new process will read is slow work:
	// off the workers, like REHASH.
	r.Later(func(r *Request) {
		if err := check(); err != nil {
			r.d.log.Warn("restart refused", "oper", r.Client.Nick(), "err", strings.Join(conf.Problems(err), "; "))
			r.Fail("RESTART", "CONFIG_REFUSED", "Not restarting, the configuration would not load: "+refusalText(err))
			return
		}
		restart(r)
	})
}

// stopProcess runs DIE or RESTART once the configuration allows it and the
// process provided the hook. The reason every client sees in its ERROR line
// names the operator.
func stopProcess(r *Request, allowed bool, key string, hook func(string), what string) {
	if !allowed {
		r.Fail(r.Command, "DISABLED", r.Command+" is disabled in the configuration (set "+key+": true to allow it)")
		return
	}
	if hook == nil {
		r.Fail(r.Command, "UNAVAILABLE", r.Command+" is not available in this server process")
		return
	}
	nick := r.Client.Nick()
	reason := what + " (" + r.Command + " by " + nick + ")"
	if text := truncate(r.Param(0), r.Config.Limits.KickLen); text != "" {
		reason = what + " (" + r.Command + " by " + nick + ": " + text + ")"
	}
	r.d.log.Warn(strings.ToLower(r.Command), "oper", nick, "ip", r.Client.IP().String(), "reason", reason)
	r.d.serverNotice(r, reason)
	// The hook must only start the stop: it runs on the requester's reader
	// goroutine, which the shutdown waits for.
	hook(reason)
}
