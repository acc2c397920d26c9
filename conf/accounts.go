package conf

import (
	"strings"
	"time"
)

// Nick enforcement modes for accounts.enforce.
const (
	// EnforceOff lets anyone use a registered nick.
	EnforceOff = "off"
	// EnforceWarn tells the user of a registered nick to identify.
	EnforceWarn = "warn"
	// EnforceRename also renames them to a guest nick after the grace period.
	EnforceRename = "enforce"
)

// Accounts configures user accounts: SASL, REGISTER, NickServ and the
// reservation of registered nicks.
type Accounts struct {
	// Enabled offers accounts at all: the sasl and
	// draft/account-registration capabilities and NickServ. A reload
	// applies it; connections already logged in stay so.
	Enabled bool `koanf:"enabled"`
	// Registration lets users create accounts (REGISTER and NickServ
	// REGISTER); off, only existing accounts can log in.
	Registration bool `koanf:"registration"`
	// MaxSessions is how many connections may be logged in to one
	// account at once; 0 means no limit.
	MaxSessions int `koanf:"maxsessions"`
	// Enforce is what happens to someone using a registered nick without
	// being logged in to its account: off, warn or enforce.
	Enforce string `koanf:"enforce"`
	// Grace is how long they have to identify before being renamed
	// (enforce only).
	Grace time.Duration `koanf:"grace"`
	// GuestPrefix starts the nick given to a renamed user (Guest12345).
	GuestPrefix string `koanf:"guestprefix"`
	// LoginAttempts is how many wrong passwords one connection may send
	// in a burst; after that it gets one more try every 10 seconds. Each
	// account has its own limit too (5, then one every 12 seconds).
	LoginAttempts int `koanf:"loginattempts"`
}

// accounts checks the accounts section.
func (c *checker) accounts(a Accounts) {
	switch a.Enforce {
	case EnforceOff, EnforceWarn, EnforceRename:
	default:
		c.addf("accounts.enforce", "must be one of off, warn, enforce (got %q)", a.Enforce)
	}
	c.atLeast("accounts.maxsessions", a.MaxSessions, 0)
	c.between("accounts.loginattempts", a.LoginAttempts, 1, 100)
	if a.Grace < 0 || a.Grace > time.Hour {
		c.addf("accounts.grace", "must be between 0s and 1h (got %s)", a.Grace)
	}
	if p := a.GuestPrefix; p == "" || len(p) > 16 || strings.ContainsAny(p, " ,*?!@:#&") || (p[0] >= '0' && p[0] <= '9') || p[0] == '-' {
		c.addf("accounts.guestprefix", "must be 1-16 characters that can start a nick (got %q)", p)
	}
}
