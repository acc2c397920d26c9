package commands

import (
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

func handleOPER(r *Request) {
	name, password := r.Params[0], r.Params[1]
	var match *conf.Operator
	for i := range r.Config.Operators {
		if r.Config.Operators[i].Name == name {
			match = &r.Config.Operators[i]
			break
		}
	}
	if match == nil || !conf.CheckPassword(match.Password, password) {
		r.Numeric(ERR_PASSWDMISMATCH, "Password incorrect")
		return
	}
	if !r.d.operHostAllowed(r.Client, match.Hosts) {
		r.Numeric(ERR_NOOPERHOST, "No O-lines for your host")
		return
	}
	if match.CertFP != "" && conf.NormalizeCertFP(match.CertFP) != r.Client.CertFP() {
		r.Numeric(ERR_NOOPERHOST, "This operator needs a TLS client certificate you did not present")
		return
	}
	var added bool
	r.Client.Update(func(id *users.Identity) {
		added = !id.Modes.Has(users.ModeOperator)
		id.Modes |= users.UserModes(users.ModeOperator)
	})
	r.Numeric(RPL_YOUREOPER, "You are now an IRC operator")
	if added {
		id := r.Client.Identity()
		r.Send(&Msg{Source: id.Source(), Command: "MODE", Params: []string{id.Nick, "+o"}})
	}
	r.d.log.Info("oper up", "nick", r.Client.Nick(), "oper", name, "ip", r.Client.IP().String())
}

// operHostAllowed checks the client against an operator's host masks
// (user@host, matched against both the shown host and the IP).
func (d *Dispatcher) operHostAllowed(c *users.Client, masks []string) bool {
	if len(masks) == 0 {
		return true
	}
	id := c.Identity()
	cm := d.users.Casemapping()
	for _, m := range masks {
		for _, host := range hostForms(c) {
			if matchMask(cm, m, id.User+"@"+host) {
				return true
			}
		}
	}
	return false
}
