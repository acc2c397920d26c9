package commands

import (
	"context"
	"errors"
	"strings"

	"github.com/conference-irc/conference/accounts"
)

// registrationCapValue is draft/account-registration's value: REGISTER
// works before connection registration unless a server password must be
// checked first (the spec asks that early registration bypass no such
// check). Accounts are named after the nick, and no e-mail is required.
func registrationCapValue(serverPassword string) string {
	if serverPassword != "" {
		return ""
	}
	return "before-connect"
}

// handleREGISTER is draft/account-registration's REGISTER, in both forms:
// REGISTER <account> {<email>|*} <password> and REGISTER {<email>|*} <password>.
func handleREGISTER(r *Request) {
	var account, email, password string
	if len(r.Params) >= 3 {
		account, email, password = r.Params[0], r.Params[1], r.Params[2]
	} else {
		account, email, password = "*", r.Params[0], r.Params[1]
	}
	c := r.Client
	id := c.Identity()
	shown := account
	if shown == "*" {
		shown = id.Nick
	}
	fail := func(code, text string) { r.Fail("REGISTER", code, shown, text) }
	switch {
	case !r.accountsOn() || !r.Config.Accounts.Registration:
		fail("TEMPORARILY_UNAVAILABLE", "Account registration is disabled")
		return
	case !c.Registered() && registrationCapValue(r.Config.Password) == "":
		r.Fail("REGISTER", "COMPLETE_CONNECTION_REQUIRED", "Finish connecting before registering an account")
		return
	case id.Nick == "*":
		r.Fail("REGISTER", "NEED_NICK", "*", "Choose a nick before registering an account")
		return
	case id.Account != "":
		fail("ALREADY_AUTHENTICATED", "You are already logged in as "+id.Account)
		return
	case account != "*" && !r.d.users.Casemapping().Equal(account, id.Nick):
		fail("ACCOUNT_NAME_MUST_BE_NICK", "The account name must be your current nick")
		return
	case accounts.CheckName(id.Nick) != nil:
		fail("BAD_ACCOUNT_NAME", "That account name is not acceptable")
		return
	}
	if email == "*" {
		email = ""
	}
	if email != "" && !plausibleEmail(email) {
		fail("INVALID_EMAIL", "That is not a valid e-mail address")
		return
	}
	if err := accounts.CheckNewPassword(password); err != nil {
		if len(password) < accounts.MinPasswordLen {
			fail("WEAK_PASSWORD", "A password needs at least 8 characters")
		} else {
			fail("UNACCEPTABLE_PASSWORD", "That password is not acceptable")
		}
		return
	}
	if _, taken := r.d.acct.reg.Owner(id.Nick); taken {
		fail("ACCOUNT_EXISTS", "That account is already registered")
		return
	}
	reg := r.d.acct.reg
	r.d.offload(r, func(ctx context.Context) func(*Request) {
		info, err := reg.Register(ctx, id.Nick, password, email)
		return func(r *Request) { registered(r, id.Nick, info.Name, err) }
	})
}

// registered answers REGISTER once the account is (or is not) created.
func registered(r *Request, shown, account string, err error) {
	switch {
	case errors.Is(err, accounts.ErrExists):
		r.Fail("REGISTER", "ACCOUNT_EXISTS", shown, "That account is already registered")
		return
	case err != nil:
		r.d.log.Error("register account", "account", shown, "err", err)
		r.Fail("REGISTER", "TEMPORARILY_UNAVAILABLE", shown, "The account could not be created; try again later")
		return
	}
	if err := r.d.logIn(r, account); err != nil {
		r.d.log.Warn("login after register", "account", account, "err", err)
	}
	r.Reply("REGISTER", "SUCCESS", account, "Account created")
}

// plausibleEmail accepts something@something without spaces; no mail is
// sent, so this only keeps obvious garbage out.
func plausibleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return len(s) <= 254 && at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " ,\x00\r\n")
}

// handleVERIFY is draft/account-registration's VERIFY. Verification by
// e-mail is off, so no code is ever pending.
func handleVERIFY(r *Request) {
	if account := r.Client.Identity().Account; account != "" {
		r.Fail("VERIFY", "ALREADY_AUTHENTICATED", account, "You are already logged in")
		return
	}
	r.Fail("VERIFY", "INVALID_CODE", r.Params[0], "No verification is pending for that account")
}
