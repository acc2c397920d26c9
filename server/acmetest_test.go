package server

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/testca"
)

// watchPuts counts the certificates for key that ac stores.
func watchPuts(ac *acmeCerts, key string) *testca.Counter {
	c := testca.NewCounter()
	ac.cache.onPut = func(k string) {
		if k == key {
			c.Add()
		}
	}
	return c
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
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, &tls.Config{ServerName: testca.Domain, RootCAs: roots})
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
	testCA := testca.Start(t, port, validity)

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
	puts := watchPuts(ac, testca.Domain)
	go serveTLS(l, ac.tlsConfig(nil))

	if err := ac.prefetch(); err != nil {
		t.Fatalf("prefetch: %v", err)
	}
	first := servedLeaf(t, l.Addr().String(), testCA.Roots)
	if len(first.DNSNames) != 1 || first.DNSNames[0] != testca.Domain {
		t.Fatalf("certificate for %v, want %s", first.DNSNames, testca.Domain)
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
	puts.Wait(t, 3)
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
	testCA := testca.Start(t, l.Addr().(*net.TCPAddr).Port, 90*24*time.Hour)
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
	cert, err := restarted.getCertificate(&tls.ClientHelloInfo{ServerName: testca.Domain, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if !cert.Leaf.Equal(first) {
		t.Fatalf("after restart: a different certificate")
	}
}

// acmeBlock is an acme block for testca.Domain with the cache in dir.
func acmeBlock(dir, directory string) conf.ACME {
	return conf.ACME{Domains: []string{testca.Domain}, Email: "ops@example.org", Directory: directory, Cache: dir}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
