package commands

import (
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// accountCaps are the capabilities that need accounts.
const accountCaps = users.CapSet(1<<users.CapSASL | 1<<users.CapAccountRegistration)

// withoutUnusableAccountCaps drops sasl and draft/account-registration when
// the configuration turns accounts (or registration) off.
func withoutUnusableAccountCaps(set users.CapSet, cfg *conf.Config) users.CapSet {
	if !cfg.Accounts.Enabled {
		return set &^ accountCaps
	}
	if !cfg.Accounts.Registration {
		set = set.Without(users.CapAccountRegistration)
	}
	return set
}

// offeredCaps are the capabilities offered under cfg by this dispatcher:
// without an account registry, none of the account ones.
func (d *Dispatcher) offeredCaps(cfg *conf.Config) users.CapSet {
	set := offeredCaps(cfg)
	if d.acct.reg == nil {
		set &^= accountCaps
	}
	return set
}

// capToken is a capability as CAP LS shows it: with its value for clients
// that asked for version 302.
func capToken(cfg *conf.Config, c users.Cap, version int) string {
	if version < 302 {
		return c.Name()
	}
	value := ""
	switch c {
	case users.CapSASL:
		value = saslMechanisms()
	case users.CapAccountRegistration:
		value = registrationCapValue(cfg.Password)
	case users.CapMultiline:
		value = multilineValue
	}
	if value == "" {
		return c.Name()
	}
	return c.Name() + "=" + value
}
