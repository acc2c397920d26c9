package server

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/conference-irc/conference/conf"
)

// ACME certificates (README "Automatic certificates"). A TLS listener with
// an acme block gets its certificate from an ACME CA through
// golang.org/x/crypto/acme/autocert: the Go team's client, already a
// dependency through x/crypto, small, and doing exactly what is needed
// here (TLS-ALPN-01 on the listener itself, a directory cache, renewal
// 30 days before expiry in the background). certmagic does more (OCSP
// stapling, DNS challenges, clustered storage) at the price of a large
// dependency tree; nothing here needs it yet.
//
// The challenge is TLS-ALPN-01: the CA connects to the listener asking for
// the "acme-tls/1" protocol, and autocert answers with a challenge
// certificate. No HTTP listener is needed, but the CA must reach the
// listener on port 443 (Let's Encrypt's rule): run the listener on 443, or
// forward 443 to it.

// acmeOptions are what tests change about ACME: the HTTP client that
// reaches the CA (trusting a test CA) and how long before expiry a
// certificate is renewed.
type acmeOptions struct {
	httpClient  *http.Client
	renewBefore time.Duration
}

// acmeCerts obtains, caches and renews the certificate of one listener.
type acmeCerts struct {
	m       *autocert.Manager
	cache   *acmeCache
	domains []string
	log     *slog.Logger
}

// newACME prepares the certificate manager for one listener's acme block.
// Nothing is asked of the CA until prefetch or the first handshake.
func newACME(a conf.ACME, opts acmeOptions, log *slog.Logger) *acmeCerts {
	ac := &acmeCerts{domains: slices.Clone(a.Domains), log: log}
	ac.cache = &acmeCache{Cache: autocert.DirCache(a.Cache), log: log}
	ac.m = &autocert.Manager{
		Prompt:      autocert.AcceptTOS,
		Cache:       ac.cache,
		HostPolicy:  autocert.HostWhitelist(a.Domains...),
		Email:       a.Email,
		RenewBefore: opts.renewBefore,
		Client:      &acme.Client{DirectoryURL: a.DirectoryURL(), HTTPClient: opts.httpClient},
	}
	return ac
}

// stop ends the manager's writes: autocert has no way to stop its renewal
// timers, so a renewal that fires after shutdown fails at the cache.
func (ac *acmeCerts) stop() { ac.cache.close() }

// tlsConfig is the listener's TLS configuration: certificates from the CA,
// and the ACME protocol offered so that the CA's challenge gets through.
func (ac *acmeCerts) tlsConfig(base *tls.Config) *tls.Config {
	cfg := base.Clone()
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg.GetCertificate = ac.getCertificate
	cfg.Certificates = nil
	if !slices.Contains(cfg.NextProtos, acme.ALPNProto) {
		cfg.NextProtos = append(cfg.NextProtos, acme.ALPNProto)
	}
	return cfg
}

// getCertificate serves the certificate for a handshake. IRC clients
// often connect by address or without SNI; they get the first domain's
// certificate rather than a failed handshake.
func (ac *acmeCerts) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello.ServerName == "" || !ac.knows(hello.ServerName) {
		h := *hello
		h.ServerName = ac.domains[0]
		hello = &h
	}
	return ac.m.GetCertificate(hello)
}

// knows reports whether name is one of the certificate's domains.
func (ac *acmeCerts) knows(name string) bool {
	return slices.ContainsFunc(ac.domains, func(d string) bool { return strings.EqualFold(d, name) })
}

// prefetch obtains the certificates now (from the cache or the CA), so
// that the first client does not wait for the CA in its handshake; it
// needs the listener open, since the CA connects to it. It returns the
// first error, after logging each. Each domain is bounded by autocert's own
// timeout (5 minutes).
func (ac *acmeCerts) prefetch() error {
	var first error
	for _, d := range ac.domains {
		hello := &tls.ClientHelloInfo{
			ServerName:       d,
			CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
			SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
			SupportedCurves:  []tls.CurveID{tls.CurveP256},
		}
		if _, err := ac.m.GetCertificate(hello); err != nil {
			ac.log.Warn("acme: cannot obtain certificate", "domain", d, "err", err)
			first = cmp.Or(first, fmt.Errorf("acme certificate for %s: %w", d, err))
		}
	}
	return first
}

// acmeCache is autocert's directory cache with two additions: it logs
// each certificate stored (worth a line in the operator's log), and it
// stops writing once the server stops, so that a renewal still running in
// the background never writes behind a shutdown.
type acmeCache struct {
	autocert.Cache
	log *slog.Logger
	// onPut, when set, is told of every key stored (for tests).
	onPut func(key string)

	mu     sync.RWMutex
	closed bool
}

// errCacheClosed refuses writes after the server stopped.
var errCacheClosed = errors.New("acme cache closed: server stopped")

// Put stores data under key and logs certificates.
func (c *acmeCache) Put(ctx context.Context, key string, data []byte) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return errCacheClosed
	}
	if err := c.Cache.Put(ctx, key, data); err != nil {
		c.log.Warn("acme: cannot store in cache", "key", key, "err", err)
		return fmt.Errorf("acme cache put %s: %w", key, err)
	}
	if !strings.HasPrefix(key, "acme_account") && !strings.HasSuffix(key, "+token") {
		c.log.Info("acme: certificate stored", "name", key)
	}
	if c.onPut != nil {
		c.onPut(key)
	}
	return nil
}

// close stops every later write, waiting for one under way.
func (c *acmeCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}
