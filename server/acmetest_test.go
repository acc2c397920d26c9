package server

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"log/slog"
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

	"github.com/conference-irc/conference/conf"
)

// testCA is pebble, Let's Encrypt's ACME test server, running in process on
// loopback, validating challenges against a TLS port on 127.0.0.1.
type testCA struct {
	// Directory is the ACME directory URL.
	Directory string
	// Client trusts the CA's HTTPS endpoint.
	Client *http.Client
	// Roots holds the CA's root, to verify the certificates it issues.
	Roots *x509.CertPool
}

// startTestCA runs pebble until the test ends. Its certificates are valid
// for validity; challenges are checked at once (no random delay) and every
// nonce is good, so tests are quick and deterministic.
func startTestCA(t *testing.T, tlsPort int, validity time.Duration) *testCA {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	logger := log.New(io.Discard, "", 0)
	if testing.Verbose() {
		logger = log.New(&testWriter{t: t}, "pebble ", 0)
	}
	store := db.NewMemoryStore()
	profiles := map[string]ca.Profile{"default": {Description: "test", ValidityPeriod: uint64(validity.Seconds())}}
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, profiles)
	validator := va.New(logger, 0, tlsPort, false, startTestDNS(t), store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	srv := httptest.NewUnstartedServer(front.Handler())
	srv.Config.ErrorLog = logger // handshakes cut short by test ends
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	return &testCA{Directory: srv.URL + wfe.DirectoryPath, Client: srv.Client(), Roots: roots}
}

// testDomain is the name certificates are asked for in tests; the test
// DNS server resolves every name to 127.0.0.1.
const testDomain = "irc.conference.test"

// startTestDNS answers every A query with 127.0.0.1 (and AAAA with
// nothing), so that the CA finds the test's listener; it returns its
// address. Pebble asks over TCP.
func startTestDNS(t *testing.T) string {
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

// testWriter sends pebble's log to the test's.
type testWriter struct {
	t  *testing.T
	mu sync.Mutex
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// putCounter counts what autocert stores under one key, so a test can
// wait for the n-th certificate without sleeping.
type putCounter struct {
	key  string
	mu   sync.Mutex
	puts int
	ch   chan struct{}
}

// watch hooks the counter into ac's cache.
func (c *putCounter) watch(ac *acmeCerts) {
	c.ch = make(chan struct{}, 1)
	ac.cache.onPut = func(key string) {
		if key != c.key {
			return
		}
		c.mu.Lock()
		c.puts++
		c.mu.Unlock()
		select {
		case c.ch <- struct{}{}:
		default:
		}
	}
}

// wait waits until the key was stored n times.
func (c *putCounter) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		c.mu.Lock()
		done := c.puts >= n
		c.mu.Unlock()
		if done {
			return
		}
		select {
		case <-c.ch:
		case <-deadline:
			t.Fatalf("certificate stored %d times, want %d", c.puts, n)
		}
	}
}

// serveTLS accepts on l and completes handshakes (the CA's challenge
// connections and the test's), until l closes.
func serveTLS(l net.Listener, cfg *tls.Config) {
	for {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			tc := tls.Server(nc, cfg)
			tc.SetDeadline(time.Now().Add(10 * time.Second))
			tc.Handshake()
		}()
	}
}

// servedLeaf connects to addr as a client would and returns the
// certificate it is shown, verified against roots.
func servedLeaf(t *testing.T, addr string, roots *x509.CertPool) *x509.Certificate {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, &tls.Config{ServerName: testDomain, RootCAs: roots})
	if err != nil {
		t.Fatalf("TLS handshake with %s: %v", addr, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}

func TestACMEIssuesAndRenews(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	const validity = 2 * time.Hour
	testCA := startTestCA(t, port, validity)

	cacheDir := t.TempDir()
	ac := newACME(acmeBlock(cacheDir, testCA.Directory), acmeOptions{
		httpClient: testCA.Client,
		// Longer than the certificate lives: every certificate is due
		// for renewal as soon as it is obtained.
		renewBefore: validity + 2*time.Hour,
	}, discardLogger())
	// Renewals go on in the background: stop them before the cache
	// directory goes.
	t.Cleanup(ac.stop)
	puts := &putCounter{key: testDomain}
	puts.watch(ac)
	go serveTLS(l, ac.tlsConfig(nil))

	if err := ac.prefetch(); err != nil {
		t.Fatalf("prefetch: %v", err)
	}
	first := servedLeaf(t, l.Addr().String(), testCA.Roots)
	if len(first.DNSNames) != 1 || first.DNSNames[0] != testDomain {
		t.Fatalf("certificate for %v, want %s", first.DNSNames, testDomain)
	}
	// Without SNI (a client connecting by address) the same certificate.
	conn, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("handshake without SNI: %v", err)
	}
	if got := conn.ConnectionState().PeerCertificates[0]; !got.Equal(first) {
		t.Errorf("without SNI: served %v, want the domain's certificate", got.Subject)
	}
	conn.Close()

	// The renewal runs in the background: the second certificate stored is
	// the renewal; by the third, the server serves a renewed one.
	puts.wait(t, 3)
	renewed := servedLeaf(t, l.Addr().String(), testCA.Roots)
	if renewed.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Fatalf("still serving certificate %v after renewal", first.SerialNumber)
	}
	if !renewed.NotAfter.After(first.NotAfter) && !renewed.NotBefore.After(first.NotBefore) {
		t.Errorf("renewed certificate (%v to %v) is not newer than the first (%v to %v)", renewed.NotBefore, renewed.NotAfter, first.NotBefore, first.NotAfter)
	}
}

func TestACMEUsesCacheAcrossRestarts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	testCA := startTestCA(t, l.Addr().(*net.TCPAddr).Port, 90*24*time.Hour)
	cacheDir := t.TempDir()
	opts := acmeOptions{httpClient: testCA.Client}
	ac := newACME(acmeBlock(cacheDir, testCA.Directory), opts, discardLogger())
	t.Cleanup(ac.stop)
	go serveTLS(l, ac.tlsConfig(nil))
	if err := ac.prefetch(); err != nil {
		t.Fatalf("prefetch: %v", err)
	}
	first := servedLeaf(t, l.Addr().String(), testCA.Roots)

	// A second manager on the same cache (a restart) asks the CA nothing:
	// with the CA gone, it still has the certificate.
	restarted := newACME(acmeBlock(cacheDir, "https://127.0.0.1:1/dir"), acmeOptions{}, discardLogger())
	cert, err := restarted.getCertificate(&tls.ClientHelloInfo{ServerName: testDomain, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if !cert.Leaf.Equal(first) {
		t.Fatalf("after restart: a different certificate")
	}
}

// acmeBlock is an acme block for testDomain with the cache in dir.
func acmeBlock(dir, directory string) conf.ACME {
	return conf.ACME{Domains: []string{testDomain}, Email: "ops@example.org", Directory: directory, Cache: dir}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
