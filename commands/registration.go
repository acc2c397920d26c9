package commands

import (
	"strconv"
	"strings"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

func handlePASS(r *Request) {
	if r.Client.Registered() {
		r.Numeric(ERR_ALREADYREGISTERED, "You may not reregister")
		return
	}
	r.Client.UpdateRegistration(func(reg *users.Registration) { reg.Password = r.Params[0] })
}

func handleUSER(r *Request) {
	if r.Client.Registered() {
		r.Numeric(ERR_ALREADYREGISTERED, "You may not reregister")
		return
	}
	if r.Params[0] == "" || r.Params[3] == "" {
		r.Numeric(ERR_NEEDMOREPARAMS, "USER", "Not enough parameters")
		return
	}
	username := sanitizeUsername(r.Params[0], r.Config.Limits.UserLen)
	if username == "" {
		// Nothing usable (emoji, punctuation): register with a stock
		// username, as Ergo does, rather than leave the client waiting
		// for a 461 it cannot act on.
		username = fallbackUsername
	}
	realname := truncate(r.Params[3], r.Config.Limits.NameLen)
	r.Client.Update(func(id *users.Identity) {
		// No ident lookup: the username is the client's claim, marked with ~.
		id.User = "~" + username
		id.Realname = realname
	})
	r.Client.UpdateRegistration(func(reg *users.Registration) { reg.UserGiven = true })
	r.d.tryRegister(r)
}

// fallbackUsername is the username of a client whose USER gave none that
// can be shown.
const fallbackUsername = "user"

// sanitizeUsername keeps the characters a username may hold and bounds it.
func sanitizeUsername(s string, maxLen int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxLen-1; i++ {
		c := s[i]
		if c > ' ' && c < 0x7f && c != '@' && c != '!' && c != ':' && c != '*' && c != '?' && c != ',' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// tryRegister completes registration once NICK and USER are in and CAP
// negotiation (if any) has ended.
func (d *Dispatcher) tryRegister(r *Request) {
	c := r.Client
	reg := c.Registration()
	if c.Registered() || !reg.NickGiven || !reg.UserGiven || reg.CapNegotiating {
		return
	}
	if d.refuseBanned(r) {
		return
	}
	if hash := r.Config.Password; hash != "" {
		// bcrypt is slow work: it runs on the slow pool, and the client's
		// next lines wait for it.
		password := reg.Password
		r.Later(func(r *Request) {
			if !conf.CheckPassword(hash, password) {
				r.Numeric(ERR_PASSWDMISMATCH, "Password incorrect")
				r.flush()
				d.badPassword(c)
				c.Close("Bad password")
				return
			}
			d.register(r)
		})
		return
	}
	d.register(r)
}

// register makes the client registered and welcomes it.
func (d *Dispatcher) register(r *Request) {
	c := r.Client
	d.applyCloak(r)
	c.SetRegistered()
	d.clientConnected(c)
	d.registration.observe(r.Now.Sub(c.Signon()))
	d.welcome(r)
	d.monitorOnline(c.Nick(), c.Source())
	d.checkNickOwnership(r)
}

// welcome sends 001-005, LUSERS and the MOTD.
func (d *Dispatcher) welcome(r *Request) {
	cfg := r.Config
	id := r.Client.Identity()
	r.Numeric(RPL_WELCOME, "Welcome to the "+cfg.Server.Network+" IRC Network "+id.Source())
	r.Numeric(RPL_YOURHOST, "Your host is "+cfg.Server.Name+", running version "+d.version)
	r.Numeric(RPL_CREATED, "This server was created "+d.started.UTC().Format("Mon Jan 2 2006 at 15:04:05 UTC"))
	r.Numeric(RPL_MYINFO, cfg.Server.Name, d.version, "iosBwx", "beIiklmnpstqaohv", "beIklqaohv")
	d.sendISupport(r)
	sendLusers(r)
	sendMOTD(r)
}

// isupportTokens lists the ISUPPORT tokens for cfg.
func (d *Dispatcher) isupportTokens(cfg *conf.Config) []string {
	l := cfg.Limits
	n := strconv.Itoa
	targets := n(l.Targets)
	tokens := []string{
		"AWAYLEN=" + n(l.AwayLen),
		"BOT=B",
		"CASEMAPPING=" + d.users.Casemapping().String(),
		"CHANLIMIT=#:" + n(l.Channels),
		"CHANMODES=" + chanModesISupport,
		"CHANNELLEN=" + n(l.ChannelLen),
		"CHANTYPES=#",
		"CLIENTTAGDENY=",
		"ELIST=CMNTU",
		"EXCEPTS=e",
		extbanISupport,
		"INVEX=I",
		"KICKLEN=" + n(l.KickLen),
		"MAXLIST=beI:" + n(l.ListSize),
		"MAXTARGETS=" + targets,
		"MODES=" + n(l.Modes),
		"MONITOR=" + n(l.Monitor),
		"NAMELEN=" + n(l.NameLen),
		"NETWORK=" + cfg.Server.Network,
		"NICKLEN=" + n(l.NickLen),
		"PREFIX=" + prefixISupport,
		"SAFELIST",
		"STATUSMSG=" + statusMsgISupport,
		"TARGMAX=JOIN:,KICK:1,LIST:,MONITOR:,NAMES:,NOTICE:" + targets + ",PRIVMSG:" + targets + ",TAGMSG:" + targets + ",WHOIS:" + targets,
		"TOPICLEN=" + n(l.TopicLen),
		"USERLEN=" + n(l.UserLen),
		"WHOX",
	}
	if cfg.Server.UTF8Only {
		tokens = append(tokens, "UTF8ONLY")
	}
	if cfg.History.Enabled {
		tokens = append(tokens, "CHATHISTORY="+n(cfg.History.Limit), "MSGREFTYPES=msgid,timestamp")
	}
	return tokens
}

// sendISupport sends RPL_ISUPPORT, at most 13 tokens a line.
func (d *Dispatcher) sendISupport(r *Request) {
	tokens := d.isupportTokens(r.Config)
	for len(tokens) > 0 {
		n := min(13, len(tokens))
		params := append(append([]string(nil), tokens[:n]...), "are supported by this server")
		r.Numeric(RPL_ISUPPORT, params...)
		tokens = tokens[n:]
	}
}

func handleLUSERS(r *Request) { sendLusers(r) }

func sendLusers(r *Request) {
	n := r.d.users.Counts()
	itoa := strconv.Itoa
	r.Numeric(RPL_LUSERCLIENT, "There are "+itoa(n.Users-n.Invisible)+" users and "+itoa(n.Invisible)+" invisible on 1 servers")
	r.Numeric(RPL_LUSEROP, itoa(n.Operators), "operator(s) online")
	r.Numeric(RPL_LUSERUNKNOWN, itoa(n.Unknown), "unknown connection(s)")
	r.Numeric(RPL_LUSERCHANNELS, itoa(r.d.channels.Count()), "channels formed")
	r.Numeric(RPL_LUSERME, "I have "+itoa(n.Users)+" clients and 0 servers")
	r.Numeric(RPL_LOCALUSERS, itoa(n.Users), itoa(n.Peak), "Current local users "+itoa(n.Users)+", max "+itoa(n.Peak))
	r.Numeric(RPL_GLOBALUSERS, itoa(n.Users), itoa(n.Peak), "Current global users "+itoa(n.Users)+", max "+itoa(n.Peak))
}

func handleMOTD(r *Request) {
	if len(r.Params) > 0 && !r.d.isThisServer(r.Params[0]) {
		r.Numeric(ERR_NOSUCHSERVER, r.Params[0], "No such server")
		return
	}
	sendMOTD(r)
}

func sendMOTD(r *Request) {
	lines := r.Config.MOTDLines()
	if len(lines) == 0 {
		r.Numeric(ERR_NOMOTD, "MOTD File is missing")
		return
	}
	r.Numeric(RPL_MOTDSTART, "- "+r.Config.Server.Name+" Message of the Day -")
	for _, l := range lines {
		r.Numeric(RPL_MOTD, "- "+l)
	}
	r.Numeric(RPL_ENDOFMOTD, "End of /MOTD command.")
}

// isThisServer reports whether a server-name parameter names us (a mask
// matching our name counts).
func (d *Dispatcher) isThisServer(name string) bool {
	own := d.Config().Server.Name
	return matchMask(d.users.Casemapping(), name, own) || d.users.Casemapping().Equal(name, own)
}
