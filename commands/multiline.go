package commands

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// The limits of one draft/multiline batch, advertised in the capability's
// value.
const (
	multilineMaxBytes = 4096
	multilineMaxLines = 100
	maxBatchRefLen    = 64
)

// multilineValue is the draft/multiline capability's value.
var multilineValue = "max-bytes=" + strconv.Itoa(multilineMaxBytes) + ",max-lines=" + strconv.Itoa(multilineMaxLines)

// multilineBatches are the batches clients have opened and not yet closed,
// at most one per client.
type multilineBatches struct {
	mu   sync.Mutex
	open map[*users.Client]*multilineBatch
}

// multilineBatch is one draft/multiline batch being received.
type multilineBatch struct {
	ref, target, command string
	lines                []multilinePart
	bytes                int
	failed               bool
}

// multilinePart is one line of a batch.
type multilinePart struct {
	text   string
	concat bool // draft/multiline-concat: joins the previous line
}

func (b *multilineBatches) get(c *users.Client) *multilineBatch {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open[c]
}

func (b *multilineBatches) set(c *users.Client, mb *multilineBatch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if mb == nil {
		delete(b.open, c)
		return
	}
	if b.open == nil {
		b.open = map[*users.Client]*multilineBatch{}
	}
	b.open[c] = mb
}

// handleBATCH opens and closes a client's draft/multiline batch.
func handleBATCH(r *Request) {
	ref := r.Params[0]
	if len(ref) < 2 || len(ref) > maxBatchRefLen+1 {
		r.Fail("BATCH", "MULTILINE_INVALID", "Invalid batch reference")
		return
	}
	open := r.d.multiline.get(r.Client)
	switch ref[0] {
	case '+':
		if !r.Client.HasCap(users.CapMultiline) || !strings.EqualFold(r.Param(1), "draft/multiline") || r.Param(2) == "" {
			r.Fail("BATCH", "MULTILINE_INVALID", "Only draft/multiline batches with a target are accepted")
			return
		}
		if open != nil {
			r.d.multiline.set(r.Client, nil)
			r.Fail("BATCH", "MULTILINE_INVALID", "A batch is already open")
			return
		}
		r.d.multiline.set(r.Client, &multilineBatch{ref: ref[1:], target: r.Params[2]})
	case '-':
		if open == nil || open.ref != ref[1:] {
			r.Fail("BATCH", "MULTILINE_INVALID", "No such batch is open")
			return
		}
		r.d.multiline.set(r.Client, nil)
		if !open.failed {
			r.d.deliverMultiline(r, open)
		}
	default:
		r.Fail("BATCH", "MULTILINE_INVALID", "Invalid batch reference")
	}
}

// inMultiline keeps a line tagged with the client's open batch and reports
// whether it did (the line is then not dispatched on its own).
func (d *Dispatcher) inMultiline(r *Request, msg *irc.Message) bool {
	ref, ok := msg.Tags["batch"]
	if !ok {
		return false
	}
	b := d.multiline.get(r.Client)
	if b == nil || b.ref != ref {
		return false
	}
	if b.failed {
		return true
	}
	fail := func(code string, params ...string) {
		b.failed = true
		r.Fail("BATCH", code, params...)
	}
	_, concat := msg.Tags["draft/multiline-concat"]
	text := msg.Trailing()
	switch {
	case (msg.Command != "PRIVMSG" && msg.Command != "NOTICE") || len(msg.Params) != 2:
		fail("MULTILINE_INVALID", "Only PRIVMSG and NOTICE lines may be in a multiline batch")
	case b.command != "" && msg.Command != b.command:
		fail("MULTILINE_INVALID", "All lines of a batch must be the same command")
	case !d.users.Casemapping().Equal(msg.Params[0], b.target):
		fail("MULTILINE_INVALID_TARGET", msg.Params[0], "All lines of a batch must go to its target")
	case concat && text == "":
		fail("MULTILINE_INVALID", "A concatenated line may not be empty")
	case len(b.lines) >= multilineMaxLines:
		fail("MULTILINE_MAX_LINES", strconv.Itoa(multilineMaxLines), "Too many lines")
	case b.bytes+len(text) > multilineMaxBytes:
		fail("MULTILINE_MAX_BYTES", strconv.Itoa(multilineMaxBytes), "Too many bytes")
	default:
		b.command = msg.Command
		b.bytes += len(text)
		b.lines = append(b.lines, multilinePart{text: text, concat: concat && len(b.lines) > 0})
	}
	return true
}

// deliverMultiline sends a closed batch: as a batch to recipients with
// draft/multiline, as separate lines to the others, and into history (first)
// as those separate lines.
func (d *Dispatcher) deliverMultiline(r *Request, b *multilineBatch) {
	if len(b.lines) == 0 || b.bytes == 0 {
		r.Fail("BATCH", "MULTILINE_INVALID", "A batch must carry text")
		return
	}
	id := r.Client.Identity()
	r.Client.Touch(r.Now)
	var ch *channels.Channel
	var to *users.Client
	if b.target[0] == '#' {
		if ch = d.channels.Get(b.target); ch == nil {
			r.Fail("BATCH", "MULTILINE_INVALID_TARGET", b.target, "No such channel")
			return
		}
		if err := ch.CanSend(r.Client, func() []string { return speakMasks(r.Client) }); err != nil {
			r.Numeric(ERR_CANNOTSENDTOCHAN, ch.Name(), cannotSendReason(err))
			return
		}
	} else if to = d.users.Find(b.target); to == nil || !to.Registered() {
		r.Fail("BATCH", "MULTILINE_INVALID_TARGET", b.target, "No such nick")
		return
	}
	target := b.target
	if ch != nil {
		target = ch.Name()
	} else {
		target = to.Nick()
	}
	ml := newMultilineRelay(d, id, b, target, r.Now)
	// Stored before anyone can receive it, as toChannel and toNick do.
	for i := range ml.fallback {
		if ch != nil {
			d.recordChannel(ch, &ml.fallback[i].Msg, false)
		} else {
			d.recordDM(id, to, &ml.fallback[i].Msg)
		}
	}
	send := func(m *users.Client) { m.Send(ml.bytesFor(m.Caps())) }
	if ch != nil {
		ch.ForEachMember(func(m *users.Client, _ channels.Prefix) {
			if m != r.Client {
				send(m)
			}
		})
	} else {
		send(to)
	}
	if r.Client.HasCap(users.CapEchoMessage) {
		r.add(ml.bytesFor(r.Client.Caps()))
	}
}

// multilineRelay is a batch on its way: the batch form for recipients with
// draft/multiline (and batch), one message per line for the others, each
// form serialised once per tag variant.
type multilineRelay struct {
	start    Msg // BATCH +id draft/multiline <target>, with msgid, time, account
	end      Msg
	parts    []Msg
	concat   []bool
	fallback []*Relay
	cache    map[int][]byte
}

// newMultilineRelay prepares batch b from id to target for every form a
// recipient may need.
func newMultilineRelay(d *Dispatcher, id users.Identity, b *multilineBatch, target string, now time.Time) *multilineRelay {
	bid := d.newMsgID()
	source := id.Source()
	bot := id.Modes.Has(users.ModeBot)
	ml := &multilineRelay{
		start: Msg{Source: source, Command: "BATCH", Params: []string{"+" + bid, "draft/multiline", target},
			Time: now, MsgID: d.newMsgID(), Account: id.Account, Bot: bot},
		end:   Msg{Source: source, Command: "BATCH", Params: []string{"-" + bid}},
		cache: map[int][]byte{},
	}
	for i, p := range b.lines {
		ml.parts = append(ml.parts, Msg{Source: source, Command: b.command, Params: []string{target, p.text}})
		ml.concat = append(ml.concat, p.concat)
		msgid := ml.start.MsgID
		if i > 0 {
			msgid = d.newMsgID()
		}
		ml.fallback = append(ml.fallback, NewRelay(Msg{Source: source, Command: b.command, Params: []string{target, p.text},
			Time: now, MsgID: msgid, Account: id.Account, Bot: bot}))
	}
	return ml
}

// bytesFor is what a recipient with caps receives.
func (ml *multilineRelay) bytesFor(caps users.CapSet) []byte {
	multi := caps.Has(users.CapMultiline) && caps.Has(users.CapBatch)
	key := int(variantOf(caps))
	if multi {
		key |= 1 << 8
	}
	if out, ok := ml.cache[key]; ok {
		return out
	}
	var out []byte
	if multi {
		bid := ml.start.Params[0][1:]
		out = append(out, ml.start.Bytes(caps)...)
		for i := range ml.parts {
			tag := "batch=" + bid
			if ml.concat[i] {
				tag += ";draft/multiline-concat"
			}
			out = withTag(out, ml.parts[i].Bytes(caps), tag)
		}
		out = append(out, ml.end.Bytes(caps)...)
	} else {
		for _, f := range ml.fallback {
			out = append(out, f.For(caps)...)
		}
	}
	ml.cache[key] = out
	return out
}
