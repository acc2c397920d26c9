package commands

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/services"
	"github.com/conference-irc/conference/users"
)

// connThrottleEvery is how often a connection that used up its burst of
// wrong passwords (accounts.loginattempts) earns one more try.
const connThrottleEvery = 10 * time.Second

// accountState is what the dispatcher keeps for accounts: the registry
// (nil when accounts are off), NickServ, each connection's SASL exchange,
// the per-connection throttle of wrong passwords, and the nick-enforcement
// deadlines.
type accountState struct {
	reg      *accounts.Registry
	nickServ *services.NickServ
	perConn  *accounts.Throttle
	after    func(time.Duration, func())
	guestSeq atomic.Uint64

	mu        sync.Mutex
	sasl      map[*users.Client]*saslState
	deadlines map[*users.Client]time.Time // nick enforcement: rename after
}

// init sets up the state; reg may be nil (accounts off).
func (a *accountState) init(d *Dispatcher, reg *accounts.Registry, after func(time.Duration, func())) {
	a.reg = reg
	a.after = after
	if a.after == nil {
		a.after = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	a.sasl = map[*users.Client]*saslState{}
	a.deadlines = map[*users.Client]time.Time{}
	if reg == nil {
		return
	}
	a.nickServ = services.NewNickServ(reg, d.users, d.log)
	burst := d.Config().Accounts.LoginAttempts
	a.perConn = accounts.NewThrottle(accounts.ThrottleRule{Burst: burst, Every: connThrottleEvery}, d.clock)
}

// accountsOn reports whether accounts are offered under the configuration
// in force for r.
func (r *Request) accountsOn() bool {
	return r.d.acct.reg != nil && r.Config.Accounts.Enabled
}

// connKey names a connection in the per-connection throttle.
func connKey(c *users.Client) string { return strconv.FormatUint(c.ID(), 10) }

// errLoginThrottled is a connection that sent too many wrong passwords.
var errLoginThrottled = errors.New("too many failed attempts from this connection")

// checkConnAttempts says whether the requester may try a password now.
func (r *Request) checkConnAttempts() error {
	if !r.d.acct.perConn.Allow(connKey(r.Client)) {
		return errLoginThrottled
	}
	return nil
}

// failedAttempt records a wrong password from the requester.
func (r *Request) failedAttempt(err error) {
	if errors.Is(err, accounts.ErrWrongPassword) || errors.Is(err, accounts.ErrNoAccount) {
		r.d.acct.perConn.Fail(connKey(r.Client))
	}
}

// logIn is the one path by which a connection becomes logged in to an
// account, whatever the means (SASL, REGISTER, NickServ): it counts the
// session against accounts.maxsessions, records the account on the client,
// tells account-notify peers (once registered), answers 900, and lifts any
// nick enforcement the account satisfies.
func (d *Dispatcher) logIn(r *Request, account string) error {
	c := r.Client
	before := c.Identity().Account
	if d.users.Casemapping().Equal(before, account) && before != "" {
		return nil
	}
	if err := d.acct.reg.Login(account, r.Config.Accounts.MaxSessions); err != nil {
		return err
	}
	if before != "" {
		d.acct.reg.Logout(before)
	}
	d.recordAccount(r, account)
	id := c.Identity()
	r.Numeric(RPL_LOGGEDIN, id.Source(), account, "You are now logged in as "+account)
	d.checkNickOwnership(r)
	return nil
}

// logOut is the one path by which a connection stops being logged in.
func (d *Dispatcher) logOut(r *Request) {
	c := r.Client
	account := c.Identity().Account
	if account == "" {
		return
	}
	d.acct.reg.Logout(account)
	d.recordAccount(r, "")
	r.Numeric(RPL_LOGGEDOUT, c.Source(), "You are now logged out")
	d.checkNickOwnership(r)
}

// recordAccount sets the requester's account, and tells account-notify
// peers once it is registered (before that, nobody can see it); its own
// copy goes through its reply path.
func (d *Dispatcher) recordAccount(r *Request, account string) {
	c := r.Client
	if c.Registered() {
		d.setAccount(c, account, r.SendRelay)
		return
	}
	c.Update(func(id *users.Identity) { id.Account = account })
}

// logOutEverywhere logs out every connection of a dropped account; the
// requester's own logout goes into its request.
func (d *Dispatcher) logOutEverywhere(r *Request, account string) {
	cm := d.users.Casemapping()
	for _, c := range d.users.All() {
		if a := c.Identity().Account; a == "" || !cm.Equal(a, account) {
			continue
		}
		if c == r.Client {
			d.logOut(r)
			continue
		}
		req := d.newRequest(c, syntheticLine)
		d.logOut(req)
		req.flush()
	}
}

// accountQuit forgets what the accounts side kept for a connection that
// left.
func (d *Dispatcher) accountQuit(c *users.Client) {
	a := &d.acct
	if a.reg == nil {
		return
	}
	if account := c.Identity().Account; account != "" {
		a.reg.Logout(account)
	}
	a.perConn.Forget(connKey(c))
	a.mu.Lock()
	delete(a.sasl, c)
	delete(a.deadlines, c)
	a.mu.Unlock()
}
