package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/conference-irc/conference/store"
)

// maxEmailLen bounds the address kept with an account.
const maxEmailLen = 254

// CheckName says whether name may be an account name: the callers check
// that it is a valid nick; this only refuses what no account may hold.
func CheckName(name string) error {
	if name == "" || name == "*" || len(name) > 64 || !utf8.ValidString(name) ||
		strings.ContainsAny(name, " \x00\r\n,!@:") {
		return ErrBadName
	}
	return nil
}

// Register creates an account. The account is committed to the store
// before Register returns.
func (r *Registry) Register(ctx context.Context, name, password, email string) (Info, error) {
	if err := CheckName(name); err != nil {
		return Info{}, err
	}
	if err := CheckNewPassword(password); err != nil {
		return Info{}, err
	}
	if len(email) > maxEmailLen || strings.ContainsAny(email, " \x00\r\n") {
		return Info{}, fmt.Errorf("%w: invalid e-mail address", ErrBadName)
	}
	key := r.fold(name)
	if _, taken := r.account(name); taken {
		return Info{}, ErrExists
	}
	creds, err := r.credentials(name, password)
	if err != nil {
		return Info{}, fmt.Errorf("register %s: %w", name, err)
	}
	a := &store.Account{Key: key, Name: name, Email: email, Credentials: creds, RegisteredAt: r.clock().UTC().Truncate(1e9)}
	if err := r.st.CreateAccount(ctx, *a); err != nil {
		if errors.Is(err, store.ErrExists) {
			return Info{}, ErrExists
		}
		return Info{}, fmt.Errorf("register %s: %w", name, err)
	}
	r.mu.Lock()
	r.byKey[key] = a
	r.mu.Unlock()
	r.log.Info("account registered", "account", name)
	return infoOf(a), nil
}

// SetPassword replaces name's password, committed before it returns.
func (r *Registry) SetPassword(ctx context.Context, name, password string) error {
	if err := CheckNewPassword(password); err != nil {
		return err
	}
	a, ok := r.account(name)
	if !ok {
		return ErrNoAccount
	}
	creds, err := r.credentials(a.Name, password)
	if err != nil {
		return fmt.Errorf("set password of %s: %w", a.Name, err)
	}
	if err := r.st.SetCredentials(ctx, a.Key, creds); err != nil {
		return r.storeErr(err, "set password of "+a.Name)
	}
	r.replace(a.Key, func(next *store.Account) { next.Credentials = creds })
	r.log.Info("password changed", "account", a.Name)
	return nil
}

// Drop deletes name and its fingerprints, committed before it returns.
func (r *Registry) Drop(ctx context.Context, name string) error {
	a, ok := r.account(name)
	if !ok {
		return ErrNoAccount
	}
	if err := r.st.DeleteAccount(ctx, a.Key); err != nil {
		return r.storeErr(err, "drop "+a.Name)
	}
	r.mu.Lock()
	if cur, ok := r.byKey[a.Key]; ok {
		for _, fp := range cur.CertFPs {
			delete(r.byCertFP, fp)
		}
		delete(r.byKey, a.Key)
	}
	r.mu.Unlock()
	r.log.Info("account dropped", "account", a.Name)
	return nil
}

// AddCertFP links a certificate fingerprint (hex SHA-256, any case, colons
// allowed) to name, committed before it returns.
func (r *Registry) AddCertFP(ctx context.Context, name, fp string) error {
	fp = normalizeFP(fp)
	if !validFP(fp) {
		return fmt.Errorf("%w: a fingerprint is 64 hex digits", ErrNoCert)
	}
	a, ok := r.account(name)
	if !ok {
		return ErrNoAccount
	}
	if len(a.CertFPs) >= MaxCertFPs {
		return ErrTooManyCerts
	}
	if _, ok := r.ByCertFP(fp); ok {
		return ErrCertInUse
	}
	if err := r.st.AddCertFP(ctx, a.Key, fp); err != nil {
		if errors.Is(err, store.ErrExists) {
			return ErrCertInUse
		}
		return r.storeErr(err, "add fingerprint to "+a.Name)
	}
	r.replace(a.Key, func(next *store.Account) {
		next.CertFPs = append(slices.Clone(next.CertFPs), fp)
		slices.Sort(next.CertFPs)
	})
	r.mu.Lock()
	r.byCertFP[fp] = a.Key
	r.mu.Unlock()
	return nil
}

// RemoveCertFP unlinks a fingerprint from name, committed before it
// returns.
func (r *Registry) RemoveCertFP(ctx context.Context, name, fp string) error {
	fp = normalizeFP(fp)
	a, ok := r.account(name)
	if !ok {
		return ErrNoAccount
	}
	if !slices.Contains(a.CertFPs, fp) {
		return ErrNoCert
	}
	if err := r.st.RemoveCertFP(ctx, a.Key, fp); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoCert
		}
		return r.storeErr(err, "remove fingerprint from "+a.Name)
	}
	r.replace(a.Key, func(next *store.Account) {
		next.CertFPs = slices.DeleteFunc(slices.Clone(next.CertFPs), func(s string) bool { return s == fp })
	})
	r.mu.Lock()
	delete(r.byCertFP, fp)
	r.mu.Unlock()
	return nil
}

// replace swaps key's record for a changed copy (records are never changed
// in place, so a reader's pointer stays consistent).
func (r *Registry) replace(key string, change func(*store.Account)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.byKey[key]
	if !ok {
		return
	}
	next := *cur
	change(&next)
	r.byKey[key] = &next
}

// storeErr maps the store's ErrNotFound (the account went meanwhile).
func (r *Registry) storeErr(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoAccount
	}
	return fmt.Errorf("%s: %w", what, err)
}

// normalizeFP lower-cases a fingerprint and drops colons.
func normalizeFP(fp string) string {
	return strings.ToLower(strings.ReplaceAll(fp, ":", ""))
}

// validFP reports whether fp is 64 lower-case hex digits (SHA-256).
func validFP(fp string) bool {
	if len(fp) != 64 {
		return false
	}
	for i := 0; i < len(fp); i++ {
		if c := fp[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
