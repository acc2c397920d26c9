package commands

import (
	"errors"
	"strings"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// validChannelName reports whether name may name a channel: '#' first, no
// spaces, commas, BEL or control characters, at most maxLen bytes.
func validChannelName(name string, maxLen int) bool {
	if len(name) < 2 || len(name) > maxLen || name[0] != '#' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == ',' || c == 0x7f {
			return false
		}
	}
	return true
}

// clientMasks are the forms of c's identity that bans and invite
// exceptions are matched against.
func clientMasks(c *users.Client) []string {
	id := c.Identity()
	forms := hostForms(c)
	masks := make([]string, len(forms))
	for i, host := range forms {
		masks[i] = id.Nick + "!" + id.User + "@" + host
	}
	if a := accountMask(id); a != "" {
		masks = append(masks, a) // $a: extbans, see extbans.go
	}
	return masks
}

func handleJOIN(r *Request) {
	if r.Params[0] == "0" {
		for _, member := range r.Client.Channels() {
			r.d.part(r, member.(*channels.Channel), "")
		}
		return
	}
	names := strings.Split(r.Params[0], ",")
	var keys []string
	if len(r.Params) > 1 {
		keys = strings.Split(r.Params[1], ",")
	}
	maxChannels := r.Config.Limits.Channels
	var joined []*channels.Channel
	for i, name := range names {
		if i >= maxChannels {
			r.Numeric(ERR_TOOMANYCHANNELS, name, "You have joined too many channels")
			break
		}
		key := ""
		if i < len(keys) {
			key = keys[i]
		}
		if ch := r.d.join(r, name, key); ch != nil {
			joined = append(joined, ch)
		}
	}
	r.d.afterJoin(r, joined)
}

// join puts the requester in one channel and tells everyone; it returns
// the channel when the requester joined it.
func (d *Dispatcher) join(r *Request, name, key string) *channels.Channel {
	c := r.Client
	if !validChannelName(name, r.Config.Limits.ChannelLen) {
		r.Numeric(ERR_NOSUCHCHANNEL, name, "No such channel")
		return nil
	}
	if c.ChannelCount() >= r.Config.Limits.Channels {
		if ch := d.channels.Get(name); ch == nil || !isMember(ch, c) {
			r.Numeric(ERR_TOOMANYCHANNELS, name, "You have joined too many channels")
		}
		return nil
	}
	id := c.Identity()
	var plain, extended *Relay
	pick := func(m *users.Client) *Relay {
		if m.HasCap(users.CapExtendedJoin) {
			return extended
		}
		return plain
	}
	// The joiner's own JOIN is queued under the channel's lock, the moment
	// it becomes a member: before any line of the channel can reach it.
	joined := func(ch *channels.Channel) {
		plain = NewRelay(Msg{Source: id.Source(), Command: "JOIN", Params: []string{ch.Name()}, Time: r.Now, MsgID: d.newMsgID(), Account: id.Account})
		account := id.Account
		if account == "" {
			account = "*"
		}
		extended = NewRelay(plain.Msg)
		extended.Params = []string{ch.Name(), account, id.Realname}
		r.SendRelay(pick(c))
		r.flushPart()
	}
	ch, _, _, err := d.channels.Join(name, channels.JoinRequest{Client: c, Key: key, Masks: clientMasks(c), Joined: joined}, r.Now)
	if err != nil {
		d.joinRefused(r, name, err)
		return nil
	}
	ch.ForEachMember(func(m *users.Client, _ channels.Prefix) {
		if m != c {
			pick(m).SendTo(m)
		}
	})
	d.recordChannel(ch, &plain.Msg, true)
	d.sendAwayOnJoin(r, ch)
	if t := ch.Topic(); t.Text != "" {
		sendTopic(r, ch, t)
	}
	if !c.HasCap(users.CapNoImplicitNames) {
		sendNames(r, ch)
	}
	return ch
}

func (d *Dispatcher) joinRefused(r *Request, name string, err error) {
	switch {
	case errors.Is(err, channels.ErrAlreadyIn):
	case errors.Is(err, channels.ErrBanned):
		r.Numeric(ERR_BANNEDFROMCHAN, name, "Cannot join channel (+b)")
	case errors.Is(err, channels.ErrInviteOnly):
		r.Numeric(ERR_INVITEONLYCHAN, name, "Cannot join channel (+i)")
	case errors.Is(err, channels.ErrBadKey):
		r.Numeric(ERR_BADCHANNELKEY, name, "Cannot join channel (+k)")
	case errors.Is(err, channels.ErrFull):
		r.Numeric(ERR_CHANNELISFULL, name, "Cannot join channel (+l)")
	case errors.Is(err, channels.ErrSecureOnly):
		r.Numeric(ERR_SECUREONLYCHAN, name, "Cannot join channel (+z): TLS connections only")
	default:
		r.Numeric(ERR_UNKNOWNERROR, "JOIN", name, err.Error())
	}
}

func isMember(ch *channels.Channel, c *users.Client) bool {
	_, ok := ch.PrefixOf(c)
	return ok
}

func handlePART(r *Request) {
	reason := ""
	if len(r.Params) > 1 {
		reason = truncate(r.Params[1], r.Config.Limits.KickLen)
	}
	for _, name := range strings.Split(r.Params[0], ",") {
		ch := r.visibleChannel(name)
		if ch == nil {
			continue
		}
		if !isMember(ch, r.Client) {
			r.Numeric(ERR_NOTONCHANNEL, name, "You're not on that channel")
			continue
		}
		r.d.part(r, ch, reason)
	}
}

// part tells the channel that the requester leaves, then takes it out.
func (d *Dispatcher) part(r *Request, ch *channels.Channel, reason string) {
	c := r.Client
	id := c.Identity()
	params := []string{ch.Name()}
	if reason != "" {
		params = append(params, reason)
	}
	relay := NewRelay(Msg{Source: id.Source(), Command: "PART", Params: params, Time: r.Now, MsgID: d.newMsgID(), Account: id.Account})
	d.broadcast(r, ch, relay)
	d.channels.Part(ch, c)
}

// broadcast sends relay to every member of ch, the requester's copy going
// through its reply path, and records it in the channel's history as an
// event.
func (d *Dispatcher) broadcast(r *Request, ch *channels.Channel, relay *Relay) {
	d.recordChannel(ch, &relay.Msg, true)
	ch.ForEachMember(func(m *users.Client, _ channels.Prefix) {
		if m == r.Client {
			r.SendRelay(relay)
		} else {
			relay.SendTo(m)
		}
	})
}
