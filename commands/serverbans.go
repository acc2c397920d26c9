package commands

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/conference-irc/conference/bans"
	"github.com/conference-irc/conference/users"
)

// Server-ban numerics (Solanum's).
const (
	RPL_STATSKLINE = "216"
	RPL_STATSDLINE = "225"
)

// maxBanDuration bounds a temporary ban's length.
const maxBanDuration = 365 * 24 * time.Hour

// serverBanCommands are the operator commands for server bans.
func serverBanCommands() map[string]*command {
	return map[string]*command{
		"KLINE":   {handler: func(r *Request) { handleAddBan(r, bans.KLine) }, minParams: 1, oper: true},
		"DLINE":   {handler: func(r *Request) { handleAddBan(r, bans.DLine) }, minParams: 1, oper: true},
		"UNKLINE": {handler: func(r *Request) { handleRemoveBan(r, bans.KLine) }, minParams: 1, oper: true},
		"UNDLINE": {handler: func(r *Request) { handleRemoveBan(r, bans.DLine) }, minParams: 1, oper: true},
	}
}

// parseBanDuration reads KLINE/DLINE's optional duration: minutes (as
// Solanum and Charybdis take it) or a Go duration such as 90m or 2h.
func parseBanDuration(s string) (time.Duration, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Minute, n > 0 && time.Duration(n)*time.Minute <= maxBanDuration
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0 && d <= maxBanDuration
}

// handleAddBan is KLINE/DLINE [duration] <mask> [:reason].
func handleAddBan(r *Request, kind string) {
	if r.d.bans == nil {
		r.Fail(r.Command, "DISABLED", "Server bans need the database")
		return
	}
	params := r.Params
	var duration time.Duration
	if len(params) >= 2 {
		if d, ok := parseBanDuration(params[0]); ok {
			duration, params = d, params[1:]
		} else if _, err := strconv.Atoi(params[0]); err == nil {
			r.Fail(r.Command, "INVALID_DURATION", params[0], "A duration is 1 minute to 1 year")
			return
		}
	}
	mask, err := bans.NormalizeMask(kind, params[0])
	if err != nil {
		r.Fail(r.Command, "INVALID_MASK", truncate(params[0], 64), "Not a valid mask")
		return
	}
	reason := "No reason given"
	if len(params) > 1 && params[1] != "" {
		reason = truncate(params[1], r.Config.Limits.KickLen)
	}
	ban := bans.Ban{Kind: kind, Mask: mask, Reason: reason, SetBy: r.Client.Nick(), SetAt: r.Now.UTC().Truncate(time.Second)}
	if duration > 0 {
		ban.Expires = ban.SetAt.Add(duration)
	}
	list := r.d.bans
	r.d.offload(r, func(ctx context.Context) func(*Request) {
		err := list.Add(ctx, ban)
		return func(r *Request) { banSaved(r, ban, err) }
	})
}

// banSaved answers the operator and puts the new ban in force.
func banSaved(r *Request, ban bans.Ban, err error) {
	if err != nil {
		r.d.log.Error("add server ban", "kind", ban.Kind, "mask", ban.Mask, "err", err)
		r.Fail(r.Command, "TEMPORARILY_UNAVAILABLE", ban.Mask, "The ban could not be saved")
		return
	}
	r.Note(r.Command, "ADDED", ban.Mask, ban.Kind+"-line added ("+banUntil(ban)+"): "+ban.Reason)
	r.d.banAdded(r, ban)
}

// banUntil says how long ban lasts.
func banUntil(ban bans.Ban) string {
	if ban.Expires.IsZero() {
		return "permanent"
	}
	return "until " + ban.Expires.Format(time.RFC3339)
}

// banAdded logs a ban just saved, tells the operators, and disconnects
// whoever it covers but the operator who set it (r's client; r is nil
// outside IRC). KLINE, DLINE and the admin API share it.
func (d *Dispatcher) banAdded(r *Request, ban bans.Ban) {
	d.log.Info("server ban added", "kind", ban.Kind, "mask", ban.Mask, "by", ban.SetBy, "expires", ban.Expires)
	d.serverNotice(r, ban.SetBy+" added "+ban.Kind+"-line for ["+ban.Mask+"] ("+banUntil(ban)+"): "+ban.Reason)
	var except *users.Client
	if r != nil {
		except = r.Client
	}
	for _, c := range d.users.All() {
		if c == except {
			continue
		}
		if b := d.bannedBy(c); b != nil {
			d.closeBanned(r, c, *b)
		}
	}
}

// banRemoved logs a ban just lifted and tells the operators.
func (d *Dispatcher) banRemoved(r *Request, kind, mask, by string) {
	d.log.Info("server ban removed", "kind", kind, "mask", mask, "by", by)
	d.serverNotice(r, by+" removed "+kind+"-line for ["+mask+"]")
}

// handleRemoveBan is UNKLINE/UNDLINE <mask>.
func handleRemoveBan(r *Request, kind string) {
	if r.d.bans == nil {
		r.Fail(r.Command, "DISABLED", "Server bans need the database")
		return
	}
	mask, err := bans.NormalizeMask(kind, r.Params[0])
	if err != nil {
		r.Fail(r.Command, "INVALID_MASK", truncate(r.Params[0], 64), "Not a valid mask")
		return
	}
	list := r.d.bans
	r.d.offload(r, func(ctx context.Context) func(*Request) {
		err := list.Remove(ctx, kind, mask)
		return func(r *Request) {
			switch {
			case errors.Is(err, bans.ErrNoBan):
				r.Fail(r.Command, "NO_SUCH_BAN", mask, "There is no such ban")
			case err != nil:
				r.d.log.Error("remove server ban", "kind", kind, "mask", mask, "err", err)
				r.Fail(r.Command, "TEMPORARILY_UNAVAILABLE", mask, "The ban could not be removed")
			default:
				r.Note(r.Command, "REMOVED", mask, kind+"-line removed")
				r.d.banRemoved(r, kind, mask, r.Client.Nick())
			}
		}
	})
}

// bannedBy returns the ban that keeps c out, if any. K-lines match every
// form of c's host (hostForms), and before registration also the cloak it
// is about to get: a ban on what operators see holds when c comes back.
func (d *Dispatcher) bannedBy(c *users.Client) *bans.Ban {
	if d.bans == nil {
		return nil
	}
	if b, ok := d.bans.MatchIP(c.IP()); ok {
		return &b
	}
	user := c.Identity().User
	if user == "" {
		return nil
	}
	hosts := hostForms(c)
	if !c.Registered() {
		if cloak := d.cloakFor(d.Config(), c); cloak != "" {
			hosts = append(hosts, cloak)
		}
	}
	if b, ok := d.bans.MatchUser(user, hosts); ok {
		return &b
	}
	return nil
}

// closeBanned disconnects c for ban, logs it and tells the operators
// (through r's reply path when r's client is one of them; r may be nil).
func (d *Dispatcher) closeBanned(r *Request, c *users.Client, ban bans.Ban) {
	id := c.Identity()
	ip := c.IP().String()
	d.log.Info("server ban active", "id", c.ID(), "nick", id.Nick, "user", id.User, "ip", ip, "kind", ban.Kind, "mask", ban.Mask)
	d.serverNotice(r, ban.Kind+"-line active for "+id.Nick+" ("+id.User+"@"+id.Host+") ["+ip+"]: "+ban.Mask)
	c.Close(ban.Kind + "-Lined: " + ban.Reason)
}

// refuseBanned answers 465 and disconnects a registering client that a
// ban covers; it reports whether it did.
func (d *Dispatcher) refuseBanned(r *Request) bool {
	ban := d.bannedBy(r.Client)
	if ban == nil {
		return false
	}
	r.Numeric(ERR_YOUREBANNEDCREEP, "You are banned from this server: "+ban.Reason)
	r.flush()
	d.closeBanned(r, r.Client, *ban)
	return true
}

// statsBans lists the bans of kind for STATS k / STATS d (operators).
func statsBans(r *Request, kind string) {
	if r.d.bans == nil {
		return
	}
	for _, b := range r.d.bans.List(kind) {
		reason := b.Reason + " (set by " + b.SetBy + " " + b.SetAt.Format(time.RFC3339)
		if !b.Expires.IsZero() {
			reason += ", expires " + b.Expires.Format(time.RFC3339)
		}
		reason += ")"
		if kind == bans.KLine {
			user, host, _ := strings.Cut(b.Mask, "@")
			r.Numeric(RPL_STATSKLINE, "K", host, "*", user, reason)
		} else {
			r.Numeric(RPL_STATSDLINE, "D", b.Mask, reason)
		}
	}
}
