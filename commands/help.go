package commands

import (
	"slices"
	"strings"
)

// helpTexts holds a short text for each command: the first line is its
// syntax, the rest say what it does. HELP only answers for commands that are
// in the dispatch table, and a unit test fails when a command in the table
// has no entry here, so the two cannot drift apart.
var helpTexts = map[string][]string{
	// Registration and connection.
	"CAP":          {"CAP LS [302] | CAP REQ :<caps> | CAP LIST | CAP END", "Negotiates IRCv3 capabilities with the server."},
	"PASS":         {"PASS <password>", "Gives the server password, before NICK and USER."},
	"NICK":         {"NICK <nickname>", "Sets or changes your nickname."},
	"USER":         {"USER <username> 0 * :<realname>", "Gives your username and real name when connecting."},
	"PING":         {"PING <token>", "Asks the server to answer PONG with the same token."},
	"PONG":         {"PONG <token>", "Answers a PING from the server."},
	"QUIT":         {"QUIT [:<reason>]", "Disconnects you; your channels see the reason."},
	"AUTHENTICATE": {"AUTHENTICATE <mechanism> | <data>", "Logs in to an account with SASL while connecting."},
	"WEBIRC":       {"WEBIRC <password> <gateway> <hostname> <ip>", "Lets a trusted web gateway pass on its user's address."},
	"STARTTLS":     {"STARTTLS", "Upgrades the connection to TLS before registering."},
	"REGISTER":     {"REGISTER {<account>|*} {<email>|*} <password>", "Creates an account named after your nick and logs you in (draft/account-registration)."},
	"VERIFY":       {"VERIFY <account> <code>", "Completes a registration that needs a code (e-mail verification is off here)."},
	"NS":           {"NS <command> [<params>]", "Talks to NickServ, as /msg NickServ does: NS HELP lists its commands."},
	"NICKSERV":     {"NICKSERV <command> [<params>]", "Talks to NickServ, as /msg NickServ does: NICKSERV HELP lists its commands."},
	// Channels.
	"JOIN":   {"JOIN <channel>{,<channel>} [<key>{,<key>}]", "Joins channels, creating them if they do not exist. JOIN 0 leaves all of them."},
	"PART":   {"PART <channel>{,<channel>} [:<reason>]", "Leaves channels."},
	"TOPIC":  {"TOPIC <channel> [:<topic>]", "Shows the channel's topic, or sets it (clears it when empty)."},
	"NAMES":  {"NAMES [<channel>{,<channel>}]", "Lists the members of channels."},
	"LIST":   {"LIST [<channel>{,<channel>}] [<filter>]", "Lists channels with their member count and topic."},
	"INVITE": {"INVITE <nick> <channel>", "Invites a user to a channel (needs +o on invite-only channels)."},
	"KICK":   {"KICK <channel> <nick>{,<nick>} [:<reason>]", "Removes users from a channel (channel operators)."},
	"KNOCK":  {"KNOCK <channel> [:<message>]", "Asks the operators of an invite-only channel to invite you."},
	"MODE": {"MODE <channel> [<modes> [<params>]] | MODE <nick> [<modes>]",
		"Shows or changes channel modes (b e I k l m n o v s t i ...) or your user modes (+i +w +B)."},
	// Messages.
	"PRIVMSG": {"PRIVMSG <target>{,<target>} :<text>", "Sends a message to users or channels."},
	"NOTICE":  {"NOTICE <target>{,<target>} :<text>", "Sends a notice; nothing ever answers a notice automatically."},
	"TAGMSG":  {"@<tags> TAGMSG <target>", "Sends only message tags (typing notices, reactions); needs message-tags."},
	"AWAY":    {"AWAY [:<message>]", "Marks you away with a message, or back when given none."},
	"SETNAME": {"SETNAME :<realname>", "Changes your real name (needs the setname capability)."},
	// Queries about users.
	"WHO":      {"WHO <mask> [<flags>[%<fields>]]", "Lists users in a channel or matching a mask."},
	"WHOIS":    {"WHOIS [<server>] <nick>", "Shows who a user is, their channels and idle time."},
	"WHOWAS":   {"WHOWAS <nick> [<count>]", "Shows who recently used a nickname."},
	"USERHOST": {"USERHOST <nick>{ <nick>}", "Shows the user@host of up to five nicks."},
	"ISON":     {"ISON <nick>{ <nick>}", "Tells which of the nicks are online."},
	"MONITOR":  {"MONITOR + <nicks> | - <nicks> | C | L | S", "Watches nicks and tells you when they come online or leave."},
	"CHGHOST":  {"CHGHOST <nick> <host>", "Changes a user's shown host (operators only), as InspIRCd and UnrealIRCd do."},
	// The server.
	"MOTD":    {"MOTD [<server>]", "Shows the message of the day."},
	"LUSERS":  {"LUSERS", "Shows how many users, operators and channels there are."},
	"VERSION": {"VERSION [<server>]", "Shows the server's version and the features it supports (ISUPPORT)."},
	"TIME":    {"TIME [<server>]", "Shows the server's local time."},
	"ADMIN":   {"ADMIN [<server>]", "Shows who runs the server and how to reach them."},
	"INFO":    {"INFO [<server>]", "Describes the server and how long it has been running."},
	"LINKS":   {"LINKS [[<server>] <mask>]", "Lists the servers of the network (this one alone)."},
	"STATS": {"STATS <letter> [<server>]",
		"u: uptime.  m (or l): how often each command was used.  o: configured operators (operators only).  k, d: K-lines and D-lines (operators only)."},
	"TRACE":  {"TRACE [<nick>]", "Shows connections: operators see every client, others only themselves."},
	"HELP":   {"HELP [<command>]", "Lists the commands, or explains one."},
	"HELPOP": {"HELPOP [<command>]", "The same as HELP."},
	// Operators.
	"OPER":    {"OPER <name> <password>", "Makes you an IRC operator with an account from the configuration."},
	"KILL":    {"KILL <nick> :<reason>", "Disconnects a user (operators only)."},
	"WALLOPS": {"WALLOPS :<text>", "Sends a message to every user with mode +w (operators only)."},
	"KLINE":   {"KLINE [<minutes>|<duration>] <user@host> [:<reason>]", "Bans matching users from the server, for good or for a while; kept across restarts (operators only)."},
	"DLINE":   {"DLINE [<minutes>|<duration>] <ip>[/<bits>] [:<reason>]", "Bans an address or range from the server, for good or for a while; kept across restarts (operators only)."},
	"UNKLINE": {"UNKLINE <user@host>", "Removes a K-line (operators only)."},
	"UNDLINE": {"UNDLINE <ip>[/<bits>]", "Removes a D-line (operators only)."},
	"REHASH":  {"REHASH", "Reloads the configuration file; a bad file is refused and the old one stays (operators only)."},
	"DIE":     {"DIE [:<reason>]", "Stops the server, when control.die allows it (operators only)."},
	"RESTART": {"RESTART [:<reason>]", "Restarts the server in place, when control.restart allows it (operators only)."},
	"SQUIT":   {"SQUIT <server> :<comment>", "Drops a server link; this server has none (operators only)."},
	"CONNECT": {"CONNECT <server> [<port>]", "Links another server; none are configured (operators only)."},
	// IRCv3 extras that may be enabled.
	"BATCH":       {"BATCH +<id> draft/multiline <target> | BATCH -<id>", "Groups the lines of one multiline message (draft/multiline)."},
	"CHATHISTORY": {"CHATHISTORY LATEST|BEFORE|AFTER|AROUND <target> <msgid=…|timestamp=…|*> <limit> | BETWEEN <target> <ref> <ref> <limit> | TARGETS <timestamp=…> <timestamp=…> <limit>", "Fetches earlier messages of a channel you are in or of a private conversation of your account."},
	"MARKREAD":    {"MARKREAD <target> [timestamp=…]", "Shows or moves forward your account's read marker for a channel or conversation."},
	"REDACT":      {"REDACT <target> <msgid> [:<reason>]", "Deletes your message (or, as a channel's halfop and above, anyone's there) for everyone and from history."},
	"RENAME":      {"RENAME <channel> <new name> [:<reason>]", "Renames a channel (channel operators); its members and history follow."},
}

// helpIndexWidth is how many command names one index line holds.
const helpIndexWidth = 8

// handleHELP answers HELP [<subject>] with 704/705/706, or 524 when there
// is no help on the subject.
func handleHELP(r *Request) {
	subject := strings.ToUpper(strings.TrimPrefix(r.Param(0), "/"))
	if subject == "" {
		helpIndex(r)
		return
	}
	cmd, known := r.d.table[subject]
	text, ok := helpTexts[subject]
	if !known || !ok {
		r.Numeric(ERR_HELPNOTFOUND, echoParam(subject), "No help available on this topic")
		return
	}
	r.Numeric(RPL_HELPSTART, subject, "** The "+subject+" command **")
	r.Numeric(RPL_HELPTXT, subject, "")
	for _, line := range text {
		r.Numeric(RPL_HELPTXT, subject, line)
	}
	if cmd.oper {
		r.Numeric(RPL_HELPTXT, subject, "Only IRC operators may use it.")
	}
	r.Numeric(RPL_ENDOFHELP, subject, "End of /HELP")
}

// helpIndex lists every command of the dispatch table, the operators'
// commands apart.
func helpIndex(r *Request) {
	var everyone, opers []string
	for name, cmd := range r.d.table {
		if cmd.oper {
			opers = append(opers, name)
		} else {
			everyone = append(everyone, name)
		}
	}
	r.Numeric(RPL_HELPSTART, "*", "** Help System **")
	r.Numeric(RPL_HELPTXT, "*", "")
	r.Numeric(RPL_HELPTXT, "*", "Commands (type /HELP <command> for more):")
	helpColumns(r, everyone)
	r.Numeric(RPL_HELPTXT, "*", "")
	r.Numeric(RPL_HELPTXT, "*", "Operator commands:")
	helpColumns(r, opers)
	r.Numeric(RPL_ENDOFHELP, "*", "End of /HELP")
}

// helpColumns sends names sorted, helpIndexWidth to a line.
func helpColumns(r *Request, names []string) {
	slices.Sort(names)
	for len(names) > 0 {
		n := min(helpIndexWidth, len(names))
		r.Numeric(RPL_HELPTXT, "*", strings.Join(names[:n], " "))
		names = names[n:]
	}
}
