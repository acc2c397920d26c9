package accounts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/conference-irc/conference/store"
)

// Errors the registry returns; callers map them to replies.
var (
	// ErrExists: an account of that name is already registered.
	ErrExists = errors.New("account already exists")
	// ErrNoAccount: there is no account of that name.
	ErrNoAccount = errors.New("no such account")
	// ErrWrongPassword: the password does not match.
	ErrWrongPassword = errors.New("wrong password")
	// ErrThrottled: too many recent failures; try again later.
	ErrThrottled = errors.New("too many failed attempts")
	// ErrBadName: the account name is not acceptable.
	ErrBadName = errors.New("invalid account name")
	// ErrBadPassword: the new password is not acceptable.
	ErrBadPassword = errors.New("unacceptable password")
	// ErrCertInUse: the fingerprint is linked to an account already.
	ErrCertInUse = errors.New("certificate fingerprint already linked")
	// ErrNoCert: the fingerprint is not linked to the account.
	ErrNoCert = errors.New("certificate fingerprint not linked")
	// ErrTooManyCerts: the account has as many fingerprints as it may.
	ErrTooManyCerts = errors.New("too many certificate fingerprints")
	// ErrTooManySessions: the account has as many sessions as allowed.
	ErrTooManySessions = errors.New("too many sessions for this account")
)

// Password and name bounds.
const (
	// MinPasswordLen is the shortest password accepted at registration.
	MinPasswordLen = 8
	// MaxPasswordLen is bcrypt's limit: it reads 72 bytes at most.
	MaxPasswordLen = 72
	// MaxCertFPs is how many fingerprints one account may link.
	MaxCertFPs = 16
	// scramIterations is the PBKDF2 count (RFC 7677's minimum).
	scramIterations = 4096
	// saltLen is the SCRAM salt length in bytes.
	saltLen = 16
)

// Options configure a Registry.
type Options struct {
	// Store is where accounts last.
	Store store.Store
	// Fold casefolds an account name (the server's casemapping).
	Fold func(string) string
	// Clock is the time source (registration times, throttling).
	Clock func() time.Time
	// Random is the source of salts and SCRAM nonces.
	Random io.Reader
	// BcryptCost is the bcrypt work factor; zero means bcrypt.DefaultCost.
	BcryptCost int
	// Throttle bounds wrong passwords per account; zero values mean 5
	// failures, then one more every 12 seconds.
	Throttle ThrottleRule
	// Logger receives the registry's logs (never a password).
	Logger *slog.Logger
}

// Info is what may be shown about an account.
type Info struct {
	// Name is the account name as registered.
	Name string
	// Email is the registration address ("" when none).
	Email string
	// RegisteredAt is when the account was created.
	RegisteredAt time.Time
	// CertFPs are the linked certificate fingerprints.
	CertFPs []string
}

// Registry is every account, in memory, backed by the store.
type Registry struct {
	st       store.Store
	fold     func(string) string
	clock    func() time.Time
	random   io.Reader
	cost     int
	log      *slog.Logger
	failures *Throttle

	mu       sync.RWMutex
	byKey    map[string]*store.Account
	byCertFP map[string]string // fingerprint -> account key
	sessions map[string]int    // account key -> logged-in connections
}

// Load reads every account from the store into a new registry.
func Load(ctx context.Context, opts Options) (*Registry, error) {
	r := &Registry{
		st: opts.Store, fold: opts.Fold, clock: opts.Clock, random: opts.Random,
		cost: opts.BcryptCost, log: opts.Logger,
		byKey: map[string]*store.Account{}, byCertFP: map[string]string{}, sessions: map[string]int{},
	}
	if r.cost == 0 {
		r.cost = bcrypt.DefaultCost
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.failures = NewThrottle(opts.Throttle, opts.Clock)

	all, err := opts.Store.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	for i := range all {
		a := &all[i]
		r.byKey[a.Key] = a
		for _, fp := range a.CertFPs {
			r.byCertFP[fp] = a.Key
		}
	}
	r.log.Info("accounts loaded", "count", len(all))
	return r, nil
}

// Count is how many accounts are registered.
func (r *Registry) Count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byKey)
}

// Lookup returns the account called name (any case).
func (r *Registry) Lookup(name string) (Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.byKey[r.fold(name)]
	if !ok {
		return Info{}, false
	}
	return infoOf(a), true
}

// Owner returns the name of the account that owns nick, if one does: an
// account owns the nick equal to its name.
func (r *Registry) Owner(nick string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if a, ok := r.byKey[r.fold(nick)]; ok {
		return a.Name, true
	}
	return "", false
}

// ByCertFP returns the account a certificate fingerprint is linked to.
func (r *Registry) ByCertFP(fp string) (Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	key, ok := r.byCertFP[normalizeFP(fp)]
	if !ok {
		return Info{}, false
	}
	return infoOf(r.byKey[key]), true
}

func infoOf(a *store.Account) Info {
	return Info{Name: a.Name, Email: a.Email, RegisteredAt: a.RegisteredAt, CertFPs: slices.Clone(a.CertFPs)}
}

// account returns the stored record for name (a copy of the pointer: the
// record is replaced, never changed in place).
func (r *Registry) account(name string) (*store.Account, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.byKey[r.fold(name)]
	return a, ok
}
