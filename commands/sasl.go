package commands

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/users"
)

// SASL framing (IRCv3 sasl-3.1): payloads travel base64-encoded in
// AUTHENTICATE lines of at most 400 bytes; a line of exactly 400 bytes
// means more follows, and "+" stands for an empty payload or ends one
// whose length was a multiple of 400.
const (
	saslChunk = 400
	// maxSASLPayload bounds the base64 a client may send for one step.
	maxSASLPayload = 8 * saslChunk
)

// syntheticLine stands for a request the server makes on a client's
// behalf (a logout after DROP, an enforced rename).
var syntheticLine = &irc.Message{Command: "*"}

// saslState is one connection's SASL exchange in progress.
type saslState struct {
	ex  *accounts.Exchange
	buf strings.Builder // base64 received so far for the current step
}

// saslMechanisms is the sasl capability's value and 908's list. EXTERNAL
// is always listed: it works for a TLS client that shows a certificate
// linked to an account (NickServ CERT ADD), and answers 904 otherwise.
func saslMechanisms() string { return strings.Join(accounts.Mechanisms(true), ",") }

func (d *Dispatcher) saslOf(c *users.Client) *saslState {
	d.acct.mu.Lock()
	defer d.acct.mu.Unlock()
	return d.acct.sasl[c]
}

func (d *Dispatcher) setSASL(c *users.Client, st *saslState) {
	d.acct.mu.Lock()
	defer d.acct.mu.Unlock()
	if st == nil {
		delete(d.acct.sasl, c)
	} else {
		d.acct.sasl[c] = st
	}
}

func handleAUTHENTICATE(r *Request) {
	if !r.accountsOn() {
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed: accounts are not enabled")
		return
	}
	arg := r.Params[0]
	c := r.Client
	st := r.d.saslOf(c)
	if st == nil {
		saslStart(r, arg)
		return
	}
	switch {
	case arg == "*":
		r.d.setSASL(c, nil)
		r.Numeric(ERR_SASLABORTED, "SASL authentication aborted")
		return
	case len(arg) > saslChunk:
		r.d.setSASL(c, nil)
		r.Numeric(ERR_SASLTOOLONG, "SASL message too long")
		return
	case arg != "+":
		st.buf.WriteString(arg)
	}
	if st.buf.Len() > maxSASLPayload {
		r.d.setSASL(c, nil)
		r.Numeric(ERR_SASLTOOLONG, "SASL message too long")
		return
	}
	if len(arg) == saslChunk {
		return // more follows
	}
	payload, err := base64.StdEncoding.DecodeString(st.buf.String())
	st.buf.Reset()
	if err != nil {
		r.d.setSASL(c, nil)
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed: invalid base64")
		return
	}
	r.d.offload(r, func(context.Context) func(*Request) {
		challenge, done, err := st.ex.Step(payload)
		return func(r *Request) { saslStepped(r, st, challenge, done, err) }
	})
}

// saslStart begins an exchange with the mechanism the client names.
func saslStart(r *Request, arg string) {
	c := r.Client
	if c.Identity().Account != "" {
		r.Numeric(ERR_SASLALREADY, "You have already authenticated using SASL")
		return
	}
	if arg == "*" {
		r.Numeric(ERR_SASLABORTED, "SASL authentication aborted")
		return
	}
	if err := r.checkConnAttempts(); err != nil {
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed: too many failed attempts, try again later")
		return
	}
	mech := strings.ToUpper(arg)
	ex, err := r.d.acct.reg.StartSASL(mech, c.CertFP())
	switch {
	case errors.Is(err, accounts.ErrUnknownMechanism):
		r.Numeric(RPL_SASLMECHS, saslMechanisms(), "are available SASL mechanisms")
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed")
		return
	case err != nil:
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed: "+err.Error())
		return
	}
	r.d.setSASL(c, &saslState{ex: ex})
	r.Reply("AUTHENTICATE", "+")
}

// saslStepped answers one step's outcome: the next challenge, a failure,
// or the login.
func saslStepped(r *Request, st *saslState, challenge []byte, done bool, err error) {
	c := r.Client
	if r.d.saslOf(c) != st {
		return // aborted meanwhile (CAP END, AUTHENTICATE *)
	}
	if err != nil {
		r.d.setSASL(c, nil)
		r.failedAttempt(err)
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed"+saslReason(err))
		return
	}
	if !done {
		sendSASLChallenge(r, challenge)
		return
	}
	r.d.setSASL(c, nil)
	if err := r.d.logIn(r, st.ex.Account()); err != nil {
		r.Numeric(ERR_SASLFAIL, "SASL authentication failed"+saslReason(err))
		return
	}
	r.Numeric(RPL_SASLSUCCESS, "SASL authentication successful")
}

// saslReason is a short explanation after "SASL authentication failed".
func saslReason(err error) string {
	switch {
	case errors.Is(err, accounts.ErrThrottled), errors.Is(err, errLoginThrottled):
		return ": too many failed attempts, try again later"
	case errors.Is(err, accounts.ErrTooManySessions):
		return ": too many sessions for this account"
	case errors.Is(err, accounts.ErrAuthzid):
		return ": you may only log in as yourself"
	case errors.Is(err, accounts.ErrBadMessage):
		return ": malformed message"
	}
	return ""
}

// sendSASLChallenge sends a server message in 400-byte AUTHENTICATE lines.
func sendSASLChallenge(r *Request, challenge []byte) {
	enc := base64.StdEncoding.EncodeToString(challenge)
	for len(enc) >= saslChunk {
		r.Reply("AUTHENTICATE", enc[:saslChunk])
		enc = enc[saslChunk:]
	}
	if enc == "" {
		enc = "+"
	}
	r.Reply("AUTHENTICATE", enc)
}

// abortSASL ends an exchange still in progress when the client completes
// registration (sasl-3.1: the server aborts it with 906).
func (d *Dispatcher) abortSASL(r *Request) {
	if d.saslOf(r.Client) == nil {
		return
	}
	d.setSASL(r.Client, nil)
	r.Numeric(ERR_SASLABORTED, "SASL authentication aborted")
}
