package commands

import (
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// noSuchOperHash is a bcrypt hash (at the default cost) of a password no
// one knows: an OPER naming no operator is checked against it, so that it
// takes as long as a wrong password.
const noSuchOperHash = "$2a$10$EAw90aNRevjhQenVYScrTOKRwg9xbSAlE9zZZ5dqxphqtyVQ/v9CO"

// maxOperFailDelay bounds the wait after a failed OPER.
const maxOperFailDelay = 30 * time.Second

// operFailDelay is how long the n-th failed OPER on a connection holds the
// client's next lines: 1 s, doubling, up to 30 s.
func operFailDelay(n int) time.Duration {
	return min(time.Second<<min(n-1, 5), maxOperFailDelay)
}

// handleOPER checks the name, the host masks, the TLS client certificate
// (when the operator has certfp) and the password, in that order but all
// at the same cost: whatever was wrong, the answer is the same 464 after
// the same bcrypt, and the same hold on the client's next lines, so that
// OPER tells nothing about which was wrong (the log does, for the
// operators). The password check is slow work: it runs on the slow pool.
func handleOPER(r *Request) {
	name, password := r.Params[0], r.Params[1]
	var match *conf.Operator
	for i := range r.Config.Operators {
		if r.Config.Operators[i].Name == name {
			match = &r.Config.Operators[i]
			break
		}
	}
	hash, problem := noSuchOperHash, "no such operator"
	if match != nil {
		hash, problem = match.Password, ""
		switch {
		case !r.d.operHostAllowed(r.Client, match.Hosts):
			problem = "host not allowed"
		case match.CertFP != "" && conf.NormalizeCertFP(match.CertFP) != r.Client.CertFP():
			problem = "no matching TLS client certificate"
		}
	}
	r.Later(func(r *Request) {
		if !conf.CheckPassword(hash, password) && problem == "" {
			problem = "wrong password"
		}
		if problem != "" {
			r.d.operFailed(r, name, problem)
			return
		}
		r.d.operUp(r, name)
	})
}

// operFailed logs a failed OPER, answers 464 and holds the client's next
// lines for a delay that grows with each failure on the connection.
func (d *Dispatcher) operFailed(r *Request, name, problem string) {
	c := r.Client
	n := c.NoteAuthFailure()
	d.log.Warn("oper failed", "nick", c.Nick(), "ip", c.IP().String(), "conn", c.ID(),
		"oper", name, "reason", problem, "failures", n)
	r.Numeric(ERR_PASSWDMISMATCH, "Password incorrect")
	r.Hold(operFailDelay(n))
}

// operUp gives the requester operator status.
func (d *Dispatcher) operUp(r *Request, name string) {
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
	d.log.Info("oper up", "nick", r.Client.Nick(), "oper", name, "ip", r.Client.IP().String())
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
