package commands

import (
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// maxLabelLen bounds the labeled-response label a client may send.
const maxLabelLen = 64

// Request is one command from one client, with the reply path back to it.
// Every line meant for the requester goes through the Request, which holds
// them until the handler returns, so that labeled-response can tag a single
// reply, wrap several in a batch, or ACK none, whatever the handler did.
// A handler may hand what it has so far to the client's queue earlier
// (flushPart): to order its own state change before the traffic that
// change lets reach the client, or to stream a big reply. A labeled
// request that does so becomes a labeled-response batch, opened at the
// first partial flush and closed at the end.
type Request struct {
	d      *Dispatcher
	Client *users.Client
	// Command is the upper-cased command name.
	Command string
	// Params are the command's parameters.
	Params []string
	// Tags are the tags the client sent.
	Tags irc.Tags
	// Now is when the command was received.
	Now time.Time
	// Config is the configuration snapshot this command runs under.
	Config *conf.Config

	label    string
	batch    string // the labeled-response batch, once a partial flush opened it
	out      []byte
	starts   []int // offset of each line in out
	sent     int   // bytes already handed to the client's queue
	finished bool  // the final flush ran

	next      func(*Request)      // the slow step handed off (later.go)
	hold      time.Duration       // how long the client's next lines wait after
	resume    func(time.Duration) // called once a request handed off has ended
	handedOff bool                // a step ran, or runs, on the slow pool
}

func (d *Dispatcher) newRequest(c *users.Client, msg *irc.Message) *Request {
	req := &Request{
		d: d, Client: c, Command: msg.Command, Params: msg.Params, Tags: msg.Tags,
		Now: d.clock(), Config: d.Config(),
	}
	if label, ok := msg.Tags["label"]; ok && label != "" && len(label) <= maxLabelLen &&
		c.HasCap(users.CapLabeledResponse) {
		req.label = label
	}
	return req
}

// Param returns parameter i, or "" when absent.
func (r *Request) Param(i int) string {
	if i < len(r.Params) {
		return r.Params[i]
	}
	return ""
}

// serverName is the source of the server's own lines.
func (r *Request) serverName() string { return r.Config.Server.Name }

// streamChunk is how much a reply may buffer before it streams what it
// has to the client's queue, so that the writer drains a big reply (a JOIN
// of many full channels, a long NAMES) while the handler builds it.
const streamChunk = 16 << 10

// add appends one serialised line to the reply buffer.
func (r *Request) add(line []byte) {
	r.starts = append(r.starts, len(r.out))
	r.out = append(r.out, line...)
	r.added()
}

// added streams the buffer once it is big (see streamChunk).
func (r *Request) added() {
	if len(r.out) >= min(streamChunk, r.Config.SendQ/8) {
		r.flushPart()
	}
}

// size is how many bytes this request has replied so far.
func (r *Request) size() int { return r.sent + len(r.out) }

// Numeric replies with a numeric addressed to the requester's nick.
func (r *Request) Numeric(code string, params ...string) {
	all := make([]string, 0, len(params)+1)
	all = append(all, r.Client.Nick())
	all = append(all, params...)
	r.starts = append(r.starts, len(r.out))
	r.out = appendLine(r.out, "", r.serverName(), code, all)
	r.added()
}

// Reply sends the requester a line from the server.
func (r *Request) Reply(command string, params ...string) {
	r.starts = append(r.starts, len(r.out))
	r.out = appendLine(r.out, "", r.serverName(), command, params)
	r.added()
}

// Send sends the requester a message, with the tags it negotiated.
func (r *Request) Send(m *Msg) {
	r.starts = append(r.starts, len(r.out))
	r.out = m.appendTo(r.out, r.Client.Caps())
	r.added()
}

// SendRelay sends the requester its variant of a relayed message.
func (r *Request) SendRelay(rl *Relay) { r.add(rl.For(r.Client.Caps())) }

// Fail sends a FAIL standard reply: FAIL <command> <code> [context...] :text.
func (r *Request) Fail(command, code string, contextAndText ...string) {
	r.Reply("FAIL", append([]string{command, code}, contextAndText...)...)
}

// Note sends a NOTE standard reply.
func (r *Request) Note(command, code string, contextAndText ...string) {
	r.Reply("NOTE", append([]string{command, code}, contextAndText...)...)
}

// flushPart hands the replies buffered so far to the client's queue now,
// before whatever the handler does next. For a labeled request the first
// partial flush opens the labeled-response batch.
func (r *Request) flushPart() {
	if len(r.starts) == 0 || r.finished {
		return
	}
	r.send(r.inBatch(r.openBatch()))
}

// flush is the final flush, once the handler (and any slow work it handed
// off) is done: it hands what is left to the client's queue, applying
// labeled-response when the client asked for it: a single reply carries
// the label, none is answered with ACK, several go in a labeled-response
// batch. It runs once.
func (r *Request) flush() {
	if r.finished {
		return
	}
	r.finished = true
	switch {
	case r.label != "" && r.batch == "" && len(r.starts) == 0:
		r.send(appendLine(nil, r.labelTag(), r.serverName(), "ACK", nil))
	case r.label != "" && r.batch == "" && len(r.starts) == 1:
		r.send(withTag(nil, r.out, r.labelTag()))
	default:
		out := r.inBatch(r.openBatch())
		if r.batch != "" {
			out = appendLine(out, "", r.serverName(), "BATCH", []string{"-" + r.batch})
		}
		r.send(out)
	}
}

// openBatch opens the labeled-response batch of a labeled request that
// has several replies, unless it is open already, and returns its BATCH
// line. A client without batch gets none, and its replies no label:
// several cannot carry one.
func (r *Request) openBatch() []byte {
	if r.label == "" || r.batch != "" {
		return nil
	}
	if !r.Client.HasCap(users.CapBatch) {
		r.label = ""
		return nil
	}
	r.batch = r.d.newMsgID()
	return appendLine(nil, r.labelTag(), r.serverName(), "BATCH", []string{"+" + r.batch, "labeled-response"})
}

// send queues out and empties the buffer.
func (r *Request) send(out []byte) {
	if len(out) > 0 {
		r.Client.Send(out)
		r.sent += len(out)
	}
	r.out, r.starts = nil, nil
}

// inBatch appends the buffered lines to dst, each tagged with the open
// labeled-response batch when there is one.
func (r *Request) inBatch(dst []byte) []byte {
	if r.batch == "" {
		if dst == nil {
			return r.out
		}
		return append(dst, r.out...)
	}
	tag := "batch=" + r.batch
	for i, start := range r.starts {
		end := len(r.out)
		if i+1 < len(r.starts) {
			end = r.starts[i+1]
		}
		dst = withTag(dst, r.out[start:end], tag)
	}
	return dst
}

func (r *Request) labelTag() string { return "label=" + irc.EncodeTagValue(r.label) }

// withTag appends line to dst with one more tag in front of its tags.
func withTag(dst, line []byte, tag string) []byte {
	if len(line) > 0 && line[0] == '@' {
		dst = append(dst, '@')
		dst = append(dst, tag...)
		dst = append(dst, ';')
		return append(dst, line[1:]...)
	}
	dst = append(dst, '@')
	dst = append(dst, tag...)
	dst = append(dst, ' ')
	return append(dst, line...)
}
