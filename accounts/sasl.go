package accounts

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/xdg-go/scram"
)

// The SASL mechanisms this package runs.
const (
	MechPlain    = "PLAIN"
	MechSCRAM256 = "SCRAM-SHA-256"
	MechExternal = "EXTERNAL"
)

// More errors of the SASL exchanges.
var (
	// ErrUnknownMechanism: the client asked for a mechanism not offered.
	ErrUnknownMechanism = errors.New("unknown SASL mechanism")
	// ErrBadMessage: the client's SASL message is malformed.
	ErrBadMessage = errors.New("malformed SASL message")
	// ErrAuthzid: the client asked to act as another account.
	ErrAuthzid = errors.New("authorization identity differs from authentication identity")
)

// Mechanisms are the mechanism names to advertise, EXTERNAL only when
// certificates can be checked.
func Mechanisms(external bool) []string {
	if external {
		return []string{MechPlain, MechSCRAM256, MechExternal}
	}
	return []string{MechPlain, MechSCRAM256}
}

// Exchange is one SASL authentication in progress for one connection. It
// is not safe for concurrent use: a connection drives its own exchange.
type Exchange struct {
	r       *Registry
	mech    string
	certfp  string
	conv    *scram.ServerConversation
	step    int
	account string
}

// StartSASL begins an exchange with mechanism mech for a connection whose
// client certificate has fingerprint certfp ("" when none).
func (r *Registry) StartSASL(mech, certfp string) (*Exchange, error) {
	e := &Exchange{r: r, mech: mech, certfp: normalizeFP(certfp)}
	switch mech {
	case MechPlain:
	case MechExternal:
		if e.certfp == "" {
			return nil, fmt.Errorf("%w: no client certificate", ErrNoCert)
		}
	case MechSCRAM256:
		server, err := scram.SHA256.NewServer(r.scramLookup)
		if err != nil {
			return nil, fmt.Errorf("scram: %w", err)
		}
		e.conv = server.WithNonceGenerator(r.nonce).NewConversation()
	default:
		return nil, ErrUnknownMechanism
	}
	return e, nil
}

// Mechanism is the exchange's mechanism name.
func (e *Exchange) Mechanism() string { return e.mech }

// Account is the account name once the exchange is done.
func (e *Exchange) Account() string { return e.account }

// Step feeds the client's next (decoded) message and returns the server's
// next challenge, or done with Account set. An error ends the exchange as
// failed. PLAIN hashes a password: Step may take milliseconds.
func (e *Exchange) Step(response []byte) (challenge []byte, done bool, err error) {
	e.step++
	switch e.mech {
	case MechPlain:
		return nil, true, e.plain(response)
	case MechExternal:
		return nil, true, e.external(response)
	default:
		return e.scramStep(response)
	}
}

// plain checks "authzid NUL authcid NUL password" (RFC 4616).
func (e *Exchange) plain(msg []byte) error {
	parts := bytes.Split(msg, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return ErrBadMessage
	}
	authzid, authcid, password := string(parts[0]), string(parts[1]), string(parts[2])
	if err := e.checkAuthzid(authzid, authcid); err != nil {
		return err
	}
	name, err := e.r.Authenticate(authcid, password)
	if err != nil {
		return err
	}
	e.account = name
	return nil
}

// external logs in the account the certificate is linked to; the message
// is empty or names that same account.
func (e *Exchange) external(msg []byte) error {
	info, ok := e.r.ByCertFP(e.certfp)
	if !ok {
		return fmt.Errorf("%w: certificate is linked to no account", ErrNoCert)
	}
	if err := e.checkAuthzid(string(msg), info.Name); err != nil {
		return err
	}
	e.account = info.Name
	return nil
}

// scramStep runs RFC 5802's exchange: client-first → server-first,
// client-final → server-final (v=...), then the client's empty reply.
func (e *Exchange) scramStep(msg []byte) ([]byte, bool, error) {
	switch e.step {
	case 1:
		out, err := e.conv.Step(string(msg))
		if err != nil {
			if errors.Is(err, ErrNoAccount) || errors.Is(err, ErrThrottled) {
				return nil, true, err
			}
			return nil, true, fmt.Errorf("%w: %v", ErrBadMessage, err)
		}
		return []byte(out), false, nil
	case 2:
		out, err := e.conv.Step(string(msg))
		if err != nil || !e.conv.Valid() {
			if a, ok := e.r.account(e.conv.Username()); ok {
				e.r.failures.Fail(a.Key)
			}
			return nil, true, ErrWrongPassword
		}
		a, ok := e.r.account(e.conv.Username())
		if !ok {
			return nil, true, ErrNoAccount
		}
		if err := e.checkAuthzid(e.conv.AuthzID(), a.Name); err != nil {
			return nil, true, err
		}
		e.account = a.Name
		return []byte(out), false, nil
	default:
		if len(msg) != 0 || e.account == "" {
			e.account = ""
			return nil, true, ErrBadMessage
		}
		return nil, true, nil
	}
}

// checkAuthzid refuses an authorization identity other than the account.
func (e *Exchange) checkAuthzid(authzid, authcid string) error {
	if authzid != "" && e.r.fold(authzid) != e.r.fold(authcid) {
		return ErrAuthzid
	}
	return nil
}

// scramLookup gives the SCRAM server an account's verifiers, refusing an
// account that is throttled.
func (r *Registry) scramLookup(name string) (scram.StoredCredentials, error) {
	a, ok := r.account(name)
	if !ok {
		return scram.StoredCredentials{}, ErrNoAccount
	}
	if !r.failures.Allow(a.Key) {
		return scram.StoredCredentials{}, ErrThrottled
	}
	return r.scramCredentials(name)
}

// nonce is the server's part of a SCRAM nonce, from the injected source.
func (r *Registry) nonce() string {
	b := make([]byte, 18)
	if _, err := io.ReadFull(r.random, b); err != nil {
		panic("accounts: random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
