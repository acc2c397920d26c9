package commands

import (
	"strings"

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

func handleREHASH(r *Request) {
	if r.d.hooks.Rehash == nil {
		r.Fail("REHASH", "UNAVAILABLE", "Rehash is not available")
		return
	}
	r.Numeric(RPL_REHASHING, "conference.yaml", "Rehashing")
	if err := r.d.hooks.Rehash(); err != nil {
		r.Fail("REHASH", "CONFIG_REFUSED", "New configuration refused, the old one stays in force: "+refusalText(err))
		return
	}
	r.Note("REHASH", "CONFIG_LOADED", "Configuration reloaded")
}

// maxRefusalLen bounds the problems quoted in a REHASH refusal, so that the
// FAIL line fits in 512 bytes with its prefix.
const maxRefusalLen = 300

// refusalText lists every problem of a refused configuration on one line
// (each problem names its key), so the operator can fix them all at once.
func refusalText(err error) string {
	problems := conf.Problems(err)
	for i, p := range problems {
		problems[i] = firstLine(p)
	}
	text := strings.Join(problems, "; ")
	if len(text) > maxRefusalLen {
		text = truncate(text, maxRefusalLen-3) + "..."
	}
	return text
}

// firstLine cuts a multi-line error to its first line for IRC.
func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return s[:i]
		}
	}
	return s
}
