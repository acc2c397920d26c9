package commands

import (
	"strconv"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// checkNickOwnership runs whenever the requester's nick or account
// changes: someone using a nick that belongs to another account is told to
// identify and, under accounts.enforce: enforce, renamed to a guest nick
// once the grace period ends (EnforceNicks).
func (d *Dispatcher) checkNickOwnership(r *Request) {
	c := r.Client
	cfg := r.Config.Accounts
	if !r.accountsOn() || cfg.Enforce == conf.EnforceOff || !c.Registered() {
		d.clearDeadline(c)
		return
	}
	id := c.Identity()
	owner, owned := d.acct.reg.Owner(id.Nick)
	if !owned || (id.Account != "" && d.users.Casemapping().Equal(owner, id.Account)) {
		d.clearDeadline(c)
		return
	}
	r.nickServNotice("This nick is registered to another account. If it is yours, log in with /msg NickServ IDENTIFY " + owner + " <password>.")
	if cfg.Enforce != conf.EnforceRename {
		return
	}
	r.nickServNotice("If you do not log in within " + cfg.Grace.String() + ", your nick will be changed.")
	d.acct.mu.Lock()
	d.acct.deadlines[c] = r.Now.Add(cfg.Grace)
	d.acct.mu.Unlock()
	d.acct.after(cfg.Grace, d.EnforceNicks)
}

func (d *Dispatcher) clearDeadline(c *users.Client) {
	d.acct.mu.Lock()
	delete(d.acct.deadlines, c)
	d.acct.mu.Unlock()
}

// EnforceNicks renames every client whose grace period has ended (by the
// dispatcher's clock) and who still uses a nick of another account. The
// server's timers call it when a grace period ends; tests with an injected
// clock call it after moving the clock.
func (d *Dispatcher) EnforceNicks() {
	now := d.clock()
	var due []*users.Client
	d.acct.mu.Lock()
	for c, at := range d.acct.deadlines {
		if !now.Before(at) {
			due = append(due, c)
			delete(d.acct.deadlines, c)
		}
	}
	d.acct.mu.Unlock()
	for _, c := range due {
		d.renameToGuest(c)
	}
}

// maxGuestTries bounds the search for a free guest nick.
const maxGuestTries = 100

// renameToGuest gives c a free guest nick if it still uses a nick owned by
// an account it is not logged in to.
func (d *Dispatcher) renameToGuest(c *users.Client) {
	if d.users.Find(c.Nick()) != c {
		return // gone
	}
	id := c.Identity()
	owner, owned := d.acct.reg.Owner(id.Nick)
	if !owned || (id.Account != "" && d.users.Casemapping().Equal(owner, id.Account)) {
		return
	}
	prefix := d.Config().Accounts.GuestPrefix
	for range maxGuestTries {
		nick := prefix + strconv.FormatUint(d.acct.guestSeq.Add(1), 10)
		if d.users.Find(nick) != nil {
			continue
		}
		if _, owned := d.acct.reg.Owner(nick); owned {
			continue
		}
		d.forceNick(c, nick, nil)
		return
	}
	d.log.Warn("no free guest nick", "prefix", prefix)
}
