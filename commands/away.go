package commands

import "github.com/conference-irc/conference/users"

func handleAWAY(r *Request) {
	text := ""
	if len(r.Params) > 0 {
		text = truncate(r.Params[0], r.Config.Limits.AwayLen)
	}
	r.Client.Update(func(id *users.Identity) { id.Away = text })
	if text == "" {
		r.Numeric(RPL_UNAWAY, "You are no longer marked as being away")
	} else {
		r.Numeric(RPL_NOWAWAY, "You have been marked as being away")
	}
	id := r.Client.Identity()
	params := []string{}
	if text != "" {
		params = append(params, text)
	}
	relay := NewRelay(Msg{Source: id.Source(), Command: "AWAY", Params: params, Time: r.Now, Account: id.Account})
	r.d.notifyChange(r.Client, relay, users.CapAwayNotify, r.SendRelay)
}
