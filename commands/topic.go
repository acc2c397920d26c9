package commands

import (
	"strconv"
	"strings"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

func sendTopic(r *Request, ch *channels.Channel, t channels.Topic) {
	r.Numeric(RPL_TOPIC, ch.Name(), t.Text)
	r.Numeric(RPL_TOPICWHOTIME, ch.Name(), t.SetBy, strconv.FormatInt(t.SetAt.Unix(), 10))
}

// canSee reports whether c may learn about ch: members always, outsiders
// only when it is neither secret nor private.
func canSee(ch *channels.Channel, c *users.Client) bool {
	f := ch.Flags()
	return !(f.Has(channels.Secret) || f.Has(channels.Private)) || isMember(ch, c)
}

// visibleChannel finds the channel a command names, or answers 403 and
// returns nil: for an outsider, a secret channel does not exist, so that
// no command tells it apart from a free name.
func (r *Request) visibleChannel(name string) *channels.Channel {
	ch := r.d.channels.Get(name)
	if ch == nil || !canSee(ch, r.Client) {
		r.Numeric(ERR_NOSUCHCHANNEL, echo(name), "No such channel")
		return nil
	}
	return ch
}

func handleTOPIC(r *Request) {
	name := r.Params[0]
	ch := r.visibleChannel(name)
	if ch == nil {
		return
	}
	prefix, member := ch.PrefixOf(r.Client)
	if len(r.Params) < 2 {
		if t := ch.Topic(); t.Text != "" {
			sendTopic(r, ch, t)
		} else {
			r.Numeric(RPL_NOTOPIC, ch.Name(), "No topic is set")
		}
		return
	}
	if !member {
		r.Numeric(ERR_NOTONCHANNEL, ch.Name(), "You're not on that channel")
		return
	}
	if ch.Flags().Has(channels.TopicLocked) && !prefix.AtLeast(channels.Halfop) {
		r.Numeric(ERR_CHANOPRIVSNEEDED, ch.Name(), "You're not channel operator")
		return
	}
	id := r.Client.Identity()
	text := truncate(r.Params[1], r.Config.Limits.TopicLen)
	ch.SetTopic(channels.Topic{Text: text, SetBy: id.Source(), SetAt: r.Now})
	relay := NewRelay(Msg{Source: id.Source(), Command: "TOPIC", Params: []string{ch.Name(), text}, Time: r.Now, MsgID: r.d.newMsgID(), Account: id.Account})
	r.d.broadcast(r, ch, relay)
}

func handleNAMES(r *Request) {
	if len(r.Params) == 0 || r.Params[0] == "" {
		r.Numeric(RPL_ENDOFNAMES, "*", "End of /NAMES list")
		return
	}
	// 353 for each channel the requester may see, then one 366 naming
	// the list as given (what irctest expects of a multi-target NAMES).
	for _, name := range strings.Split(r.Params[0], ",") {
		if ch := r.d.channels.Get(name); ch != nil && canSee(ch, r.Client) {
			sendNameLines(r, ch)
		}
	}
	r.Numeric(RPL_ENDOFNAMES, echo(r.Params[0]), "End of /NAMES list")
}

// namesLineBudget keeps 353 lines under 512 bytes with space for the prefix.
const namesLineBudget = 400

// sendNames sends 353 lines packing as many names as fit, then 366.
// Outsiders do not see invisible (+i) members.
func sendNames(r *Request, ch *channels.Channel) {
	sendNameLines(r, ch)
	r.Numeric(RPL_ENDOFNAMES, ch.Name(), "End of /NAMES list")
}

// sendNameLines sends the 353 lines of one channel.
func sendNameLines(r *Request, ch *channels.Channel) {
	c := r.Client
	member := isMember(ch, c)
	multi := c.HasCap(users.CapMultiPrefix)
	uhnames := c.HasCap(users.CapUserhostInNames)
	symbol := "="
	if f := ch.Flags(); f.Has(channels.Secret) {
		symbol = "@"
	} else if f.Has(channels.Private) {
		symbol = "*"
	}
	var line strings.Builder
	flush := func() {
		if line.Len() > 0 {
			r.Numeric(RPL_NAMREPLY, symbol, ch.Name(), line.String())
			line.Reset()
		}
	}
	for _, m := range ch.Members() {
		id := m.Client.Identity()
		if !member && id.Modes.Has(users.ModeInvisible) {
			continue
		}
		entry := m.Prefix.Symbols(multi) + id.Nick
		if uhnames {
			entry += "!" + id.User + "@" + id.Host
		}
		if line.Len()+len(entry)+1 > namesLineBudget {
			flush()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(entry)
	}
	flush()
}
