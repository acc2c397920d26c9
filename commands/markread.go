package commands

import (
	"context"
	"strings"
	"time"

	"github.com/conference-irc/conference/users"
)

// markerParam is a read marker as MARKREAD sends it: timestamp=… or "*"
// when none was set.
func markerParam(t time.Time) string {
	if t.IsZero() {
		return "*"
	}
	return "timestamp=" + formatTime(t)
}

// handleMARKREAD answers draft/read-marker: MARKREAD <target> reads the
// account's marker, MARKREAD <target> timestamp=… moves it forward (never
// back), stores it, and tells every connection of the account that
// negotiated the capability.
func handleMARKREAD(r *Request) {
	h := r.d.history
	if h == nil {
		r.Numeric(ERR_UNKNOWNCOMMAND, "MARKREAD", "Unknown command")
		return
	}
	if len(r.Params) == 0 || r.Params[0] == "" {
		r.Fail("MARKREAD", "NEED_MORE_PARAMS", "Missing parameters")
		return
	}
	target := r.Params[0]
	if strings.ContainsAny(target, ",*?!@ ") || len(target) > r.Config.Limits.ChannelLen {
		r.Fail("MARKREAD", "INVALID_PARAMS", target, "Invalid target")
		return
	}
	acct := r.Client.Identity().Account
	if acct == "" {
		r.Fail("MARKREAD", "ACCOUNT_REQUIRED", target, "You must be logged in to keep read markers")
		return
	}
	account, key := r.d.users.Fold(acct), r.d.users.Fold(target)
	if len(r.Params) == 1 {
		r.Later(func(r *Request) {
			ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
			defer cancel()
			t, err := h.ReadMarker(ctx, account, key)
			if err != nil {
				r.d.log.Error("read marker", "err", err)
				r.Fail("MARKREAD", "INTERNAL_ERROR", target, "Read marker could not be read")
				return
			}
			r.Reply("MARKREAD", target, markerParam(t))
		})
		return
	}
	sel, ok := parseSelector(r.Params[1], false)
	if !ok || sel.Time.IsZero() {
		r.Fail("MARKREAD", "INVALID_PARAMS", target, "Invalid timestamp")
		return
	}
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		t, err := h.SetReadMarker(ctx, account, key, sel.Time)
		if err != nil {
			r.d.log.Error("set read marker", "err", err)
			r.Fail("MARKREAD", "INTERNAL_ERROR", target, "Read marker could not be saved")
			return
		}
		params := []string{target, markerParam(t)}
		r.Reply("MARKREAD", params...)
		line := appendLine(nil, "", r.serverName(), "MARKREAD", params)
		for _, c := range r.d.users.Clients() {
			if c != r.Client && c.HasCap(users.CapReadMarker) && r.d.users.Fold(c.Identity().Account) == account {
				c.Send(line)
			}
		}
	})
}
