package commands

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// historyCommands are the commands of message history.
func historyCommands() map[string]*command {
	return map[string]*command{
		"CHATHISTORY": {handler: handleCHATHISTORY},
		"MARKREAD":    {handler: handleMARKREAD},
		"REDACT":      {handler: handleREDACT},
		"BATCH":       {handler: handleBATCH, minParams: 1},
		"RENAME":      {handler: handleRENAME, minParams: 2},
	}
}

// historyTimeout bounds one history query.
const historyTimeout = 10 * time.Second

// chathistoryParams is how many parameters each subcommand takes.
var chathistoryParams = map[string]int{
	"LATEST": 4, "BEFORE": 4, "AFTER": 4, "AROUND": 4, "BETWEEN": 5, "TARGETS": 4,
}

// chathistorySubs maps the subcommands that read one target.
var chathistorySubs = map[string]history.Subcommand{
	"LATEST": history.Latest, "BEFORE": history.Before, "AFTER": history.After,
	"AROUND": history.Around, "BETWEEN": history.Between,
}

// handleCHATHISTORY answers draft/chathistory: the checks here, the read
// on the slow path, the answer in a chathistory batch.
func handleCHATHISTORY(r *Request) {
	h := r.d.history
	if h == nil {
		r.Numeric(ERR_UNKNOWNCOMMAND, "CHATHISTORY", "Unknown command")
		return
	}
	sub := strings.ToUpper(r.Param(0))
	n, known := chathistoryParams[sub]
	switch {
	case len(r.Params) == 0:
		r.Fail("CHATHISTORY", "NEED_MORE_PARAMS", "Missing parameters")
		return
	case !known:
		r.Fail("CHATHISTORY", "UNKNOWN_COMMAND", r.Param(0), "Unknown subcommand")
		return
	case len(r.Params) < n:
		r.Fail("CHATHISTORY", "NEED_MORE_PARAMS", sub, "Missing parameters")
		return
	}
	limit, err := strconv.Atoi(r.Params[n-1])
	if err != nil || limit < 0 {
		r.Fail("CHATHISTORY", "INVALID_PARAMS", sub, r.Params[n-1], "Invalid limit")
		return
	}
	if limit == 0 || limit > r.Config.History.Limit {
		limit = r.Config.History.Limit
	}
	if sub == "TARGETS" {
		chathistoryTargets(r, h, limit)
		return
	}
	q := history.Query{Sub: chathistorySubs[sub], Limit: limit, Events: r.Client.HasCap(users.CapEventPlayback)}
	var ok bool
	if q.A, ok = parseSelector(r.Params[2], sub == "LATEST"); !ok {
		r.Fail("CHATHISTORY", "INVALID_PARAMS", sub, r.Params[2], "Invalid message reference")
		return
	}
	if sub == "BETWEEN" {
		if q.B, ok = parseSelector(r.Params[3], false); !ok {
			r.Fail("CHATHISTORY", "INVALID_PARAMS", sub, r.Params[3], "Invalid message reference")
			return
		}
	}
	target := r.Params[1]
	key, ok := r.d.historyKey(r.Client, target)
	if !ok {
		r.Fail("CHATHISTORY", "INVALID_TARGET", sub, target, "Messages could not be retrieved")
		return
	}
	q.Target = key
	r.Later(func(r *Request) {
		var items []history.Item
		if key != "" {
			ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
			defer cancel()
			var err error
			items, err = h.Query(ctx, q)
			if errors.Is(err, history.ErrNoSuchMsgID) {
				items, err = nil, nil // expired, redacted or never here: nothing to show
			}
			if err != nil {
				r.d.log.Error("chathistory", "target", key, "err", err)
				r.Fail("CHATHISTORY", "MESSAGE_ERROR", sub, target, "Messages could not be retrieved")
				return
			}
		}
		sendHistory(r, "chathistory", target, items)
	})
}

// parseSelector reads a msgid= or timestamp= selector, or "*" when star
// is allowed.
func parseSelector(s string, star bool) (history.Selector, bool) {
	switch {
	case s == "*":
		return history.Selector{}, star
	case strings.HasPrefix(s, "msgid="):
		id := s[len("msgid="):]
		return history.Selector{MsgID: id}, id != "" && len(id) <= 128
	case strings.HasPrefix(s, "timestamp="):
		t, err := time.Parse(time.RFC3339Nano, s[len("timestamp="):])
		if err != nil || t.IsZero() {
			return history.Selector{}, false
		}
		return history.Selector{Time: t}, true
	}
	return history.Selector{}, false
}

// historyKey is the history target key of a CHATHISTORY target that c may
// read: a channel it is in, or a private conversation of its account. The
// key is "" (nothing stored) for the private conversations of a client
// that is not logged in; ok is false when c may not read target.
func (d *Dispatcher) historyKey(c *users.Client, target string) (key string, ok bool) {
	if target == "" {
		return "", false
	}
	if target[0] == '#' {
		ch := d.channels.Get(target)
		if ch == nil || !isMember(ch, c) {
			return "", false
		}
		return history.ChannelKey(ch.Folded()), true
	}
	if strings.ContainsAny(target, "#,*?!@ ") {
		return "", false
	}
	mine := c.Identity().Account
	if mine == "" || !d.Config().History.DMs {
		return "", true
	}
	theirs := target
	if other := d.users.Find(target); other != nil && other.Identity().Account != "" {
		theirs = other.Identity().Account
	}
	return history.DMKey(d.users.Fold(mine), d.users.Fold(theirs)), true
}

// sendHistory sends items in a batch of kind (when the client has batch),
// as the client would have seen them live.
func sendHistory(r *Request, kind, target string, items []history.Item) {
	caps := r.Client.Caps()
	id := ""
	if caps.Has(users.CapBatch) {
		id = r.d.newMsgID()
		r.Reply("BATCH", "+"+id, kind, target)
	}
	for _, it := range items {
		if it.Command == "TAGMSG" && !caps.Has(users.CapMessageTags) {
			continue
		}
		m := Msg{Source: it.Source, Command: it.Command, Params: it.Params, Time: it.Time,
			MsgID: it.MsgID, Account: it.Account, ClientTags: it.Tags}
		line := m.Bytes(caps)
		if id != "" {
			line = withTag(nil, line, "batch="+id)
		}
		r.add(line)
	}
	if id != "" {
		r.Reply("BATCH", "-"+id)
	}
}

// chathistoryTargets answers CHATHISTORY TARGETS: the client's channels and
// private conversations with activity between two timestamps.
func chathistoryTargets(r *Request, h history.Store, limit int) {
	from, ok1 := parseSelector(r.Params[1], false)
	to, ok2 := parseSelector(r.Params[2], false)
	if !ok1 || !ok2 || from.MsgID != "" || to.MsgID != "" {
		r.Fail("CHATHISTORY", "INVALID_PARAMS", "TARGETS", "Timestamps expected")
		return
	}
	q := history.TargetsQuery{From: from.Time, To: to.Time, Limit: limit}
	names := map[string]string{}
	for _, room := range r.Client.Channels() {
		ch := room.(*channels.Channel)
		key := history.ChannelKey(ch.Folded())
		q.Channels = append(q.Channels, key)
		names[key] = ch.Name()
	}
	if acct := r.Client.Identity().Account; acct != "" && r.Config.History.DMs {
		q.Account = r.d.users.Fold(acct)
	}
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		defer cancel()
		ts, err := h.Targets(ctx, q)
		if err != nil {
			r.d.log.Error("chathistory targets", "err", err)
			r.Fail("CHATHISTORY", "MESSAGE_ERROR", "TARGETS", "*", "Targets could not be retrieved")
			return
		}
		caps := r.Client.Caps()
		id := ""
		if caps.Has(users.CapBatch) {
			id = r.d.newMsgID()
			r.Reply("BATCH", "+"+id, "draft/chathistory-targets")
		}
		for _, t := range ts {
			name := names[t.Key]
			if history.IsDM(t.Key) {
				name = otherParty(t.Key, q.Account)
			}
			line := appendLine(nil, "", r.serverName(), "CHATHISTORY", []string{"TARGETS", name, formatTime(t.Latest)})
			if id != "" {
				line = withTag(nil, line, "batch="+id)
			}
			r.add(line)
		}
		if id != "" {
			r.Reply("BATCH", "-"+id)
		}
	})
}

// otherParty is the account on the other side of a private conversation.
func otherParty(key, me string) string {
	a, b, _ := strings.Cut(strings.TrimPrefix(key, "~"), " ")
	if a == me {
		return b
	}
	return a
}
