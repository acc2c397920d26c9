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

	label  string
	out    []byte
	starts []int // offset of each line in out
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

// add appends one serialised line to the reply buffer.
func (r *Request) add(line []byte) {
	r.starts = append(r.starts, len(r.out))
	r.out = append(r.out, line...)
}

// Numeric replies with a numeric addressed to the requester's nick.
func (r *Request) Numeric(code string, params ...string) {
	all := make([]string, 0, len(params)+1)
	all = append(all, r.Client.Nick())
	all = append(all, params...)
	r.starts = append(r.starts, len(r.out))
	r.out = appendLine(r.out, "", r.serverName(), code, all)
}

// Reply sends the requester a line from the server.
func (r *Request) Reply(command string, params ...string) {
	r.starts = append(r.starts, len(r.out))
	r.out = appendLine(r.out, "", r.serverName(), command, params)
}

// Send sends the requester a message, with the tags it negotiated.
func (r *Request) Send(m *Msg) { r.add(m.Bytes(r.Client.Caps())) }

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

// flush hands the buffered replies to the client's send queue in one piece,
// applying labeled-response when the client asked for it.
func (r *Request) flush() {
	if r.label != "" {
		r.applyLabel()
	}
	if len(r.out) > 0 {
		r.Client.Send(r.out)
	}
	r.out, r.starts = nil, nil
}

// applyLabel tags a single reply with the label, wraps several in a
// labeled-response batch, and answers ACK when there are none.
func (r *Request) applyLabel() {
	labelTag := "label=" + irc.EncodeTagValue(r.label)
	switch len(r.starts) {
	case 0:
		r.out = appendLine(nil, labelTag, r.serverName(), "ACK", nil)
	case 1:
		r.out = withTag(nil, r.out, labelTag)
	default:
		if !r.Client.HasCap(users.CapBatch) {
			return
		}
		id := r.d.newMsgID()
		out := appendLine(nil, labelTag, r.serverName(), "BATCH", []string{"+" + id, "labeled-response"})
		batchTag := "batch=" + id
		for i, start := range r.starts {
			end := len(r.out)
			if i+1 < len(r.starts) {
				end = r.starts[i+1]
			}
			out = withTag(out, r.out[start:end], batchTag)
		}
		r.out = appendLine(out, "", r.serverName(), "BATCH", []string{"-" + id})
	}
}

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
