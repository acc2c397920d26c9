package services

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/users"
)

// NickServName is the nick the service answers to.
const NickServName = "NickServ"

// Caller is who sent a line to a service, as it was when they sent it.
type Caller struct {
	// Client is the sender.
	Client *users.Client
	// Nick is its current nick.
	Nick string
	// Account is the account it is logged in to ("" when none).
	Account string
	// CertFP is its client certificate's fingerprint ("" when none).
	CertFP string
	// RegistrationOpen is the configuration's accounts.registration.
	RegistrationOpen bool
}

// Result is a service's answer: notices for the caller and the effects the
// commands room applies, in this order: Logout, Login, Disconnect,
// TakeNick, LogoutEverywhere.
type Result struct {
	// Notices are the lines NickServ sends the caller, in order.
	Notices []string
	// Login logs the caller in to this account.
	Login string
	// Logout logs the caller out.
	Logout bool
	// Disconnect is a client to disconnect (GHOST, REGAIN), with
	// DisconnectReason.
	Disconnect       *users.Client
	DisconnectReason string
	// TakeNick changes the caller's nick once Disconnect has freed it.
	TakeNick string
	// LogoutEverywhere logs every connection out of this account (it was
	// dropped).
	LogoutEverywhere string
	// FailedAuth is the error of a password check that failed, for the
	// caller's per-connection limit (nil when none failed).
	FailedAuth error
}

func (res *Result) say(lines ...string) { res.Notices = append(res.Notices, lines...) }

// NickServ runs the NickServ sub-commands.
type NickServ struct {
	accounts *accounts.Registry
	users    *users.Registry
	log      *slog.Logger
}

// NewNickServ makes the service over the given rooms.
func NewNickServ(acc *accounts.Registry, reg *users.Registry, log *slog.Logger) *NickServ {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &NickServ{accounts: acc, users: reg, log: log}
}

// nickServCommands maps each sub-command to its handler.
var nickServCommands = map[string]func(*NickServ, context.Context, Caller, []string, *Result){
	"REGISTER": (*NickServ).register,
	"IDENTIFY": (*NickServ).identify,
	"LOGIN":    (*NickServ).identify,
	"LOGOUT":   (*NickServ).logout,
	"GHOST":    (*NickServ).ghost,
	"REGAIN":   (*NickServ).regain,
	"RECOVER":  (*NickServ).regain,
	"DROP":     (*NickServ).drop,
	"SET":      (*NickServ).set,
	"INFO":     (*NickServ).info,
	"CERT":     (*NickServ).cert,
	"HELP":     (*NickServ).help,
}

// Run answers one line sent to NickServ. It may take milliseconds (bcrypt,
// a database write); it never changes the caller's connection itself.
func (ns *NickServ) Run(ctx context.Context, caller Caller, line string) Result {
	var res Result
	fields := strings.Fields(line)
	if len(fields) == 0 {
		res.say("Unknown command. Type /msg NickServ HELP for help.")
		return res
	}
	name := strings.ToUpper(fields[0])
	handler, ok := nickServCommands[name]
	if !ok {
		res.say("Unknown command " + truncateWord(fields[0]) + ". Type /msg NickServ HELP for help.")
		return res
	}
	handler(ns, ctx, caller, fields[1:], &res)
	return res
}

// truncateWord bounds a client's word echoed in a reply.
func truncateWord(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

func (ns *NickServ) register(ctx context.Context, c Caller, args []string, res *Result) {
	switch {
	case len(args) < 1 || len(args) > 2:
		res.say("Syntax: REGISTER <password> [email]")
	case c.Account != "":
		res.say("You are already logged in as " + c.Account + ".")
	case !c.RegistrationOpen:
		res.say("Account registration is disabled on this server.")
	case ns.users.Find(c.Nick) != c.Client:
		res.say("You must use the nick you want to register.")
	default:
		email := ""
		if len(args) == 2 {
			email = args[1]
		}
		info, err := ns.accounts.Register(ctx, c.Nick, args[0], email)
		if err != nil {
			res.say(registerError(err, c.Nick))
			return
		}
		res.say("Account created")
		res.Login = info.Name
	}
}

// registerError explains why an account could not be created.
func registerError(err error, name string) string {
	switch {
	case errors.Is(err, accounts.ErrExists):
		return "The account " + name + " is already registered."
	case errors.Is(err, accounts.ErrBadPassword):
		return "That password is not acceptable: " + strings.TrimPrefix(err.Error(), accounts.ErrBadPassword.Error()+": ") + "."
	case errors.Is(err, accounts.ErrBadName):
		return "That account name or address is not acceptable."
	default:
		return "The account could not be created; try again later."
	}
}

func (ns *NickServ) identify(_ context.Context, c Caller, args []string, res *Result) {
	var name, password string
	switch len(args) {
	case 1:
		name, password = c.Nick, args[0]
	case 2:
		name, password = args[0], args[1]
	default:
		res.say("Syntax: IDENTIFY [account] <password>")
		return
	}
	if c.Account != "" {
		res.say("You are already logged in as " + c.Account + ".")
		return
	}
	account, err := ns.accounts.Authenticate(name, password)
	if err != nil {
		res.authFailed(err)
		return
	}
	res.Login = account
}

// authFailed records a failed password check and explains it.
func (res *Result) authFailed(err error) {
	res.FailedAuth = err
	res.say(authError(err))
}

// authError explains a failed password check without saying whether the
// account exists beyond what INFO shows anyway.
func authError(err error) string {
	switch {
	case errors.Is(err, accounts.ErrThrottled):
		return "Too many failed attempts for this account; try again later."
	case errors.Is(err, accounts.ErrNoAccount):
		return "No such account."
	default:
		return "Invalid password."
	}
}

func (ns *NickServ) logout(_ context.Context, c Caller, _ []string, res *Result) {
	if c.Account == "" {
		res.say("You are not logged in.")
		return
	}
	res.Logout = true
}

// ghost disconnects another client using a nick of one's account: the
// caller is logged in to the account that owns the nick or the ghost's
// account, or gives that account's password.
func (ns *NickServ) ghost(ctx context.Context, c Caller, args []string, res *Result) {
	if target := ns.ghostTarget(c, args, res, "GHOST"); target != nil {
		res.Disconnect, res.DisconnectReason = target, "GHOST command used by "+c.Nick
		res.say(target.Nick() + " has been ghosted.")
	}
}

func (ns *NickServ) regain(ctx context.Context, c Caller, args []string, res *Result) {
	target := ns.ghostTarget(c, args, res, "REGAIN")
	if target == nil {
		return
	}
	nick := target.Nick()
	res.Disconnect, res.DisconnectReason = target, "REGAIN command used by "+c.Nick
	res.TakeNick = nick
	res.say("You have regained the nick " + nick + ".")
}

// ghostTarget finds the client that GHOST/REGAIN may disconnect, or says
// why not.
func (ns *NickServ) ghostTarget(c Caller, args []string, res *Result, cmd string) *users.Client {
	if len(args) < 1 || len(args) > 2 {
		res.say("Syntax: " + cmd + " <nick> [password]")
		return nil
	}
	target := ns.users.Find(args[0])
	switch {
	case target == nil:
		res.say("No one is using the nick " + truncateWord(args[0]) + ".")
		return nil
	case target == c.Client:
		res.say("You can't " + strings.ToLower(cmd) + " yourself.")
		return nil
	}
	owner, _ := ns.accounts.Owner(target.Nick())
	ghostAccount := target.Identity().Account
	fold := ns.users.Fold
	if c.Account != "" && (fold(c.Account) == fold(owner) || fold(c.Account) == fold(ghostAccount)) {
		return target
	}
	if len(args) == 2 && owner != "" {
		_, err := ns.accounts.Authenticate(owner, args[1])
		if err != nil {
			res.authFailed(err)
			return nil
		}
		return target
	}
	res.say("You may not " + strings.ToLower(cmd) + " " + target.Nick() + ": it is not a nick of your account.")
	return nil
}

func (ns *NickServ) drop(ctx context.Context, c Caller, args []string, res *Result) {
	if len(args) != 2 {
		res.say("Syntax: DROP <account> <password>")
		return
	}
	name, err := ns.accounts.Authenticate(args[0], args[1])
	if err != nil {
		res.authFailed(err)
		return
	}
	if err := ns.accounts.Drop(ctx, name); err != nil {
		ns.log.Error("drop account", "account", name, "err", err)
		res.say("The account could not be dropped; try again later.")
		return
	}
	res.LogoutEverywhere = name
	res.say("The account " + name + " has been dropped.")
}

func (ns *NickServ) set(ctx context.Context, c Caller, args []string, res *Result) {
	if len(args) != 2 || strings.ToUpper(args[0]) != "PASSWORD" {
		res.say("Syntax: SET PASSWORD <new password>")
		return
	}
	if c.Account == "" {
		res.say("You must be logged in to change your password.")
		return
	}
	if err := ns.accounts.SetPassword(ctx, c.Account, args[1]); err != nil {
		if errors.Is(err, accounts.ErrBadPassword) {
			res.say(registerError(err, c.Account))
			return
		}
		ns.log.Error("set password", "account", c.Account, "err", err)
		res.say("The password could not be changed; try again later.")
		return
	}
	res.say("Password changed.")
}

func (ns *NickServ) info(_ context.Context, c Caller, args []string, res *Result) {
	name := c.Account
	if len(args) > 0 {
		name = args[0]
	}
	if name == "" {
		res.say("Syntax: INFO <account>")
		return
	}
	info, ok := ns.accounts.Lookup(name)
	if !ok {
		res.say("No such account: " + truncateWord(name) + ".")
		return
	}
	res.say("Information on "+info.Name+":",
		"Registered: "+info.RegisteredAt.UTC().Format("Jan 2 2006 15:04:05 UTC"))
	if ns.users.Fold(c.Account) == ns.users.Fold(info.Name) {
		if info.Email != "" {
			res.say("Email: " + info.Email)
		}
		res.say("Certificate fingerprints: " + itoa(len(info.CertFPs)))
	}
	res.say("End of information.")
}

func (ns *NickServ) cert(ctx context.Context, c Caller, args []string, res *Result) {
	if c.Account == "" {
		res.say("You must be logged in to manage certificate fingerprints.")
		return
	}
	sub := ""
	if len(args) > 0 {
		sub = strings.ToUpper(args[0])
	}
	switch {
	case sub == "LIST" && len(args) == 1:
		info, _ := ns.accounts.Lookup(c.Account)
		res.say("Certificate fingerprints for " + info.Name + ":")
		for _, fp := range info.CertFPs {
			res.say(fp)
		}
		res.say("End of list.")
	case sub == "ADD" && len(args) <= 2:
		fp := c.CertFP
		if len(args) == 2 {
			fp = args[1]
		}
		if fp == "" {
			res.say("You are not using a client certificate; give a fingerprint: CERT ADD <fingerprint>")
			return
		}
		ns.certChange(ctx, c, fp, true, res)
	case sub == "DEL" && len(args) == 2:
		ns.certChange(ctx, c, args[1], false, res)
	default:
		res.say("Syntax: CERT LIST | CERT ADD [fingerprint] | CERT DEL <fingerprint>")
	}
}

func (ns *NickServ) certChange(ctx context.Context, c Caller, fp string, add bool, res *Result) {
	var err error
	if add {
		err = ns.accounts.AddCertFP(ctx, c.Account, fp)
	} else {
		err = ns.accounts.RemoveCertFP(ctx, c.Account, fp)
	}
	switch {
	case err == nil && add:
		res.say("Fingerprint " + truncateWord(fp) + " added.")
	case err == nil:
		res.say("Fingerprint " + truncateWord(fp) + " removed.")
	case errors.Is(err, accounts.ErrCertInUse):
		res.say("That fingerprint is already linked to an account.")
	case errors.Is(err, accounts.ErrTooManyCerts):
		res.say("Your account has as many fingerprints as it may.")
	case errors.Is(err, accounts.ErrNoCert) && add:
		res.say("That is not a SHA-256 fingerprint (64 hex digits).")
	case errors.Is(err, accounts.ErrNoCert):
		res.say("That fingerprint is not linked to your account.")
	default:
		ns.log.Error("certificate fingerprint", "account", c.Account, "err", err)
		res.say("The fingerprint could not be changed; try again later.")
	}
}

// nickServHelp is HELP's text.
var nickServHelp = []string{
	"NickServ lets you register an account and keep your nick.",
	"REGISTER <password> [email]    create an account named after your nick",
	"IDENTIFY [account] <password>  log in",
	"LOGOUT                          log out",
	"GHOST <nick> [password]         disconnect a session using a nick of your account",
	"REGAIN <nick> [password]        the same, then take that nick",
	"DROP <account> <password>       delete an account",
	"SET PASSWORD <new password>     change your password",
	"INFO [account]                  show an account",
	"CERT LIST | ADD [fp] | DEL <fp> manage client-certificate fingerprints",
	"/NS and /NICKSERV work as /msg NickServ.",
}

func (ns *NickServ) help(_ context.Context, _ Caller, _ []string, res *Result) {
	res.say(nickServHelp...)
}
