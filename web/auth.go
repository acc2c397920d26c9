package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"

	"github.com/conference-irc/conference/conf"
)

// maxTokenBytes bounds a bearer token (bcrypt reads 72 bytes at most).
const maxTokenBytes = 72

// authenticator checks the admin API's bearer tokens against the bcrypt
// hashes of web.tokens. bcrypt is slow on purpose, so a token that passed
// is remembered by its SHA-256 digest (never in clear) for as long as the
// configuration does not change; at most two checks run at once, so
// guessing cannot take every core.
type authenticator struct {
	mu    sync.Mutex
	cfg   *conf.Config        // the configuration the cache was built for
	known map[[32]byte]string // digest of a token that passed → its name
	slots chan struct{}
}

func newAuthenticator() *authenticator {
	return &authenticator{slots: make(chan struct{}, 2)}
}

// check returns the name of the token in the request's Authorization
// header, or false.
func (a *authenticator) check(ctx context.Context, cfg *conf.Config, r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" || len(token) > maxTokenBytes {
		return "", false
	}
	digest := sha256.Sum256([]byte(token))
	if name, ok := a.cached(cfg, digest); ok {
		return name, true
	}
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	case <-ctx.Done():
		return "", false
	}
	for _, t := range cfg.Web.Tokens {
		if conf.CheckPassword(t.Hash, token) {
			a.remember(cfg, digest, t.Name)
			return t.Name, true
		}
	}
	return "", false
}

// cached looks a digest up, dropping the cache when the configuration
// changed (a token removed by a reload must stop working).
func (a *authenticator) cached(cfg *conf.Config, digest [32]byte) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cfg != cfg {
		a.cfg, a.known = cfg, nil
		return "", false
	}
	found, name := false, ""
	for d, n := range a.known {
		// Constant time per entry, and every entry is compared: how long
		// this takes says nothing of the token.
		if subtle.ConstantTimeCompare(d[:], digest[:]) == 1 {
			found, name = true, n
		}
	}
	return name, found
}

// remember caches a digest that passed under cfg.
func (a *authenticator) remember(cfg *conf.Config, digest [32]byte, name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cfg != cfg {
		a.cfg, a.known = cfg, nil
	}
	if a.known == nil {
		a.known = map[[32]byte]string{}
	}
	a.known[digest] = name
}
