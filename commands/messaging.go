package commands

import (
	"errors"
	"strings"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

func handlePRIVMSG(r *Request) { deliver(r, false) }

func handleNOTICE(r *Request) { deliver(r, true) }

// handleTAGMSG relays a tags-only message; it means nothing to, and is
// never sent to, clients without message-tags.
func handleTAGMSG(r *Request) {
	if r.Client.HasCap(users.CapMessageTags) {
		deliver(r, false)
	}
}

// deliver sends a PRIVMSG, NOTICE or TAGMSG to each target. NOTICE never
// answers with an error, as the protocol requires.
func deliver(r *Request, notice bool) {
	fail := func(code string, params ...string) {
		if !notice {
			r.Numeric(code, params...)
		}
	}
	if len(r.Params) == 0 || r.Params[0] == "" {
		fail(ERR_NORECIPIENT, "No recipient given ("+r.Command+")")
		return
	}
	tagOnly := r.Command == "TAGMSG"
	if !tagOnly && (len(r.Params) < 2 || r.Params[1] == "") {
		fail(ERR_NOTEXTTOSEND, "No text to send")
		return
	}
	targets := strings.Split(r.Params[0], ",")
	if len(targets) > r.Config.Limits.Targets {
		fail(ERR_TOOMANYTARGETS, targets[r.Config.Limits.Targets], "Too many targets")
		targets = targets[:r.Config.Limits.Targets]
	}
	r.Client.Touch(r.Now)
	id := r.Client.Identity()
	source, tags := id.Source(), clientTags(r)
	toNickServ := false
	for _, target := range targets {
		if target == "" {
			// "PRIVMSG a,,b": an empty name between commas.
			fail(ERR_NORECIPIENT, "No recipient given ("+r.Command+")")
			continue
		}
		if r.d.acct.reg != nil && r.d.isNickServ(target) {
			toNickServ = r.Command == "PRIVMSG"
			continue
		}
		var params []string
		if tagOnly {
			params = []string{target}
		} else {
			params = []string{target, r.Params[1]}
		}
		msg := Msg{Source: source, Command: r.Command, Params: params, Time: r.Now,
			MsgID: r.d.newMsgID(), Account: id.Account, Bot: id.Modes.Has(users.ModeBot),
			ClientTags: tags}
		if strings.IndexByte(channelPrefixes, target[0]) >= 0 && strings.IndexByte(target, '#') >= 0 {
			toChannel(r, target, msg, fail)
		} else {
			toNick(r, target, msg, notice, fail)
		}
	}
	if toNickServ {
		// Last: NickServ may hand its work off, after which the request
		// is no longer this handler's.
		runNickServ(r, r.Params[1])
	}
}

// channelPrefixes are the characters a channel target may start with: the
// channel type, or a STATUSMSG prefix in front of it.
const channelPrefixes = "#" + channels.StatusMSGISupport

func toChannel(r *Request, target string, msg Msg, fail func(string, ...string)) {
	name := target
	var minRank channels.Prefix
	for len(name) > 0 && name[0] != '#' {
		if p, ok := channels.PrefixBySymbol(name[0]); ok && (minRank == 0 || p < minRank) {
			minRank = p
		}
		name = name[1:]
	}
	ch := r.d.channels.Get(name)
	if ch == nil {
		fail(ERR_NOSUCHCHANNEL, name, "No such channel")
		return
	}
	if err := ch.CanSend(r.Client, func() []string { return speakMasks(r.Client) }); err != nil {
		fail(ERR_CANNOTSENDTOCHAN, ch.Name(), cannotSendReason(err))
		return
	}
	relay := NewRelay(msg)
	sender := r.Client
	echo := sender.HasCap(users.CapEchoMessage)
	tagOnly := msg.Command == "TAGMSG"
	if minRank == 0 {
		// Stored before anyone can see it, so a member who asks for
		// history right after receiving it finds it there.
		r.d.recordChannel(ch, &relay.Msg, false)
	}
	sent := 0
	ch.ForEachMember(func(m *users.Client, p channels.Prefix) {
		if minRank != 0 && !p.AtLeast(minRank) {
			return
		}
		if m != sender && (!tagOnly || m.HasCap(users.CapMessageTags)) {
			relay.SendTo(m)
			sent++
		}
	})
	r.d.deliveries.Add(uint64(sent))
	if echo {
		r.SendRelay(relay)
	}
}

func cannotSendReason(err error) string {
	switch {
	case errors.Is(err, channels.ErrNoExternal):
		return "Cannot send to channel (no external messages)"
	case errors.Is(err, channels.ErrModerated):
		return "Cannot send to channel (+m)"
	case errors.Is(err, channels.ErrBanned):
		return "Cannot send to channel (you're banned)"
	}
	return "Cannot send to channel"
}

func toNick(r *Request, target string, msg Msg, notice bool, fail func(string, ...string)) {
	to := r.d.users.Find(target)
	if to == nil || !to.Registered() {
		fail(ERR_NOSUCHNICK, target, "No such nick/channel")
		return
	}
	// The target as its holder spells it; but not a nick it took since
	// (a concurrent NICK): the recipient would see its new nick before its
	// own NICK line.
	if nick := to.Nick(); r.d.users.Casemapping().Equal(nick, target) {
		msg.Params[0] = nick
	}
	relay := NewRelay(msg)
	// Stored before the recipient can see it (see toChannel).
	r.d.recordDM(r.Client.Identity(), to, &relay.Msg)
	if msg.Command != "TAGMSG" || to.HasCap(users.CapMessageTags) {
		relay.SendTo(to)
		r.d.deliveries.Add(1)
	}
	if r.Client.HasCap(users.CapEchoMessage) {
		r.SendRelay(relay)
	}
	if away := to.Identity().Away; away != "" && msg.Command == "PRIVMSG" {
		r.Numeric(RPL_AWAY, to.Nick(), away)
	}
}

// maxRelayedClientTags bounds the client-only tags relayed with one
// message to what a client may send (message-tags: 4094 bytes of tag data),
// leaving the rest of the 8191 bytes to the server's own tags.
const maxRelayedClientTags = 4094

// clientTags returns the client-only tags (those starting with '+') the
// sender attached, encoded for relaying; "" when none. Tags with a name the
// specification does not allow are dropped (values that were not UTF-8
// were dropped by the parser), and the section never passes
// maxRelayedClientTags.
func clientTags(r *Request) string {
	if len(r.Tags) == 0 || !r.Client.HasCap(users.CapMessageTags) {
		return ""
	}
	var b strings.Builder
	for k, v := range r.Tags {
		if len(k) < 2 || k[0] != '+' || !validTagName(k[1:]) {
			continue
		}
		tag := k
		if v != "" {
			tag += "=" + irc.EncodeTagValue(v)
		}
		if b.Len()+len(tag)+1 > maxRelayedClientTags {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(tag)
	}
	return b.String()
}

// validTagName reports whether name is [<vendor>/]<key>: letters, digits,
// hyphens, and dots in the vendor's host name.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}
