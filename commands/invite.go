package commands

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// handleINVITE answers INVITE <nick> <channel>; without parameters it
// ends the (empty) list of pending invitations, which the channel room
// does not expose per user.
func handleINVITE(r *Request) {
	switch len(r.Params) {
	case 0:
		r.Numeric(RPL_ENDOFINVITELIST, "End of /INVITE list")
		return
	case 1:
		r.Numeric(ERR_NEEDMOREPARAMS, "INVITE", "Not enough parameters")
		return
	}
	nick, name := r.Params[0], r.Params[1]
	target := r.d.users.Find(nick)
	if target == nil || !target.Registered() {
		r.Numeric(ERR_NOSUCHNICK, echo(nick), "No such nick/channel")
		return
	}
	ch := r.visibleChannel(name)
	if ch == nil {
		return
	}
	if inviteRefused(r, ch, target) {
		return
	}
	// Only an invitation from a halfop or above is recorded, to let the
	// target past +i, +l and bans; a plain member's (allowed on a -i
	// channel) is a notice and lets the target past nothing.
	ch.Invite(r.Client, target)
	invite(r, ch, target)
}

// inviteRefused checks the inviter's right to invite target into ch and
// answers the reason when it has none.
func inviteRefused(r *Request, ch *channels.Channel, target *users.Client) bool {
	prefix, member := ch.PrefixOf(r.Client)
	switch {
	case !member:
		r.Numeric(ERR_NOTONCHANNEL, ch.Name(), "You're not on that channel")
	case ch.Flags().Has(channels.InviteOnly) && !prefix.AtLeast(channels.ModeRank):
		r.Numeric(ERR_CHANOPRIVSNEEDED, ch.Name(), "You're not channel operator")
	case isMember(ch, target):
		r.Numeric(ERR_USERONCHANNEL, target.Nick(), ch.Name(), "is already on channel")
	default:
		return false
	}
	return true
}

// invite tells the inviter (341, and 301 when the target is away), the
// target, and the channel's halfops and above who asked for invite-notify.
func invite(r *Request, ch *channels.Channel, target *users.Client) {
	tid := target.Identity()
	r.Numeric(RPL_INVITING, tid.Nick, ch.Name())
	if tid.Away != "" {
		r.Numeric(RPL_AWAY, tid.Nick, tid.Away)
	}
	id := r.Client.Identity()
	relay := NewRelay(Msg{Source: id.Source(), Command: "INVITE", Params: []string{tid.Nick, ch.Name()},
		Time: r.Now, MsgID: r.d.newMsgID(), Account: id.Account})
	relay.SendTo(target)
	ch.ForEachMember(func(m *users.Client, p channels.Prefix) {
		if m != r.Client && m != target && p.AtLeast(channels.Halfop) && m.HasCap(users.CapInviteNotify) {
			relay.SendTo(m)
		}
	})
}

// handleKNOCK answers KNOCK <channel> [<message>]: someone outside an
// invite-only channel asks its halfops and above for an invitation.
func handleKNOCK(r *Request) {
	ch := r.visibleChannel(r.Params[0])
	switch {
	case ch == nil:
	case isMember(ch, r.Client):
		r.Numeric(ERR_KNOCKONCHAN, ch.Name(), "You're already on that channel")
	case !ch.Flags().Has(channels.InviteOnly):
		r.Numeric(ERR_CHANOPEN, ch.Name(), "Channel is open")
	case !r.d.knocks.allow(r.Client.ID(), ch.Folded(), r.Now):
		r.Numeric(ERR_TOOMANYKNOCK, ch.Name(), "Too many KNOCKs (channel)")
	default:
		knock(r, ch)
	}
}

// maxKnockLen bounds a knock's message so that the 710 line, which also
// carries the recipient, the channel and the knocker's full mask, stays
// under 512 bytes.
const maxKnockLen = 200

// knock delivers 710 to the channel's halfops and above and confirms with
// 711. Each 710 names its recipient, so each is built for it.
func knock(r *Request, ch *channels.Channel) {
	text := "has asked for an invite"
	if msg := truncate(r.Param(1), maxKnockLen); msg != "" {
		text += ": " + msg
	}
	source := r.Client.Source()
	ch.ForEachMember(func(m *users.Client, p channels.Prefix) {
		if p.AtLeast(channels.Halfop) {
			m.Send(appendLine(nil, "", r.serverName(), RPL_KNOCK, []string{m.Nick(), ch.Name(), source, text}))
		}
	})
	r.Numeric(RPL_KNOCKDLVR, ch.Name(), "Your KNOCK has been delivered")
}

// knockInterval is how often one client may knock on one channel.
const knockInterval = time.Minute

// maxKnocksKept bounds the knocks remembered for rate limiting; past it
// the oldest are forgotten, which at worst lets a flood of distinct
// knocks through early, never lets the map grow.
const maxKnocksKept = 4096

// knockKey is one client knocking on one channel (by casefolded name).
// The client's id rather than the client keeps departed clients collectable.
type knockKey struct {
	client  uint64
	channel string
}

// knockLimiter remembers recent knocks, so that a client may knock on a
// channel only once per knockInterval. Its zero value is ready to use.
type knockLimiter struct {
	mu     sync.Mutex
	recent *simplelru.LRU[knockKey, time.Time]
}

// allow reports whether client may knock on channel now, and if so
// records the knock.
func (k *knockLimiter) allow(client uint64, channel string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.recent == nil {
		k.recent, _ = simplelru.NewLRU[knockKey, time.Time](maxKnocksKept, nil)
	}
	key := knockKey{client: client, channel: channel}
	if last, ok := k.recent.Get(key); ok && now.Sub(last) < knockInterval {
		return false
	}
	k.recent.Add(key, now)
	return true
}
