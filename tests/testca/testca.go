// Package testca runs pebble, Let's Encrypt's ACME test server, in process
// on loopback, for the tests of automatic certificates: it issues real
// certificates after checking real TLS-ALPN-01 challenges against a port
// on 127.0.0.1, quickly and without randomness.
package testca

import (
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// Domain is the name tests ask certificates for; the CA's resolver maps
// every name to 127.0.0.1.
const Domain = "irc.conference.test"

// CA is a running test certificate authority.
type CA struct {
	// Directory is the ACME directory URL.
	Directory string
	// Client trusts the CA's HTTPS endpoint.
	Client *http.Client
	// Roots holds the CA's root, to verify the certificates it issues.
	Roots *x509.CertPool
}

// Start runs the CA until the test ends. It validates challenges on
// tlsPort of 127.0.0.1; its certificates are valid for validity. The
// environment variables pebble reads are set for the test: no random
// delay before validation, no nonce refused, no authorization reused.
func Start(t *testing.T, tlsPort int, validity time.Duration) *CA {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	logger := log.New(io.Discard, "", 0)
	if testing.Verbose() {
		w := &testWriter{t: t}
		t.Cleanup(w.stop)
		logger = log.New(w, "pebble ", 0)
	}
	store := db.NewMemoryStore()
	profiles := map[string]ca.Profile{"default": {Description: "test", ValidityPeriod: uint64(validity.Seconds())}}
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, profiles)
	validator := va.New(logger, 0, tlsPort, false, startDNS(t), store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	srv := httptest.NewUnstartedServer(front.Handler())
	srv.Config.ErrorLog = logger // handshakes cut short when a test ends
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	return &CA{Directory: srv.URL + wfe.DirectoryPath, Client: srv.Client(), Roots: roots}
}

// startDNS answers every A query with 127.0.0.1 (and AAAA with nothing),
// so that the CA finds the test's listener; it returns its address.
// Pebble asks over TCP.
func startDNS(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		resp := new(dns.Msg)
		resp.SetReply(req)
		for _, q := range req.Question {
			if q.Qtype == dns.TypeA {
				resp.Answer = append(resp.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		w.WriteMsg(resp)
	})
	srv := &dns.Server{Listener: l, Handler: handler}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return l.Addr().String()
}

// testWriter sends pebble's log to the test's, until the test ends
// (pebble's validations may still log after that).
type testWriter struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// Counter counts events (certificates stored) so that a test can wait for
// the n-th one without sleeping.
type Counter struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

// NewCounter makes a counter at zero.
func NewCounter() *Counter { return &Counter{ch: make(chan struct{}, 1)} }

// Add counts one event; it never blocks.
func (c *Counter) Add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

// Wait waits until n events were counted, failing the test after 30 s.
func (c *Counter) Wait(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		c.mu.Lock()
		got := c.n
		c.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-c.ch:
		case <-deadline:
			t.Fatalf("%d certificates stored, want %d", got, n)
		}
	}
}
