package tests

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/tests/harness"
	"github.com/conference-irc/conference/tests/testca"
)

// forwarder accepts on a port known before the server starts (the test
// CA must be told where to check its challenges) and relays each
// connection to the server's TLS listener once that is known.
type forwarder struct {
	l      net.Listener
	target chan string
}

func startForwarder(t *testing.T) *forwarder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &forwarder{l: l, target: make(chan string, 1)}
	go f.serve()
	return f
}

func (f *forwarder) port() int { return f.l.Addr().(*net.TCPAddr).Port }

func (f *forwarder) serve() {
	target := ""
	for {
		in, err := f.l.Accept()
		if err != nil {
			return
		}
		if target == "" {
			target = <-f.target
		}
		go func() {
			defer in.Close()
			out, err := net.DialTimeout("tcp", target, harness.Timeout)
			if err != nil {
				return
			}
			defer out.Close()
			go io.Copy(out, in)
			io.Copy(in, out)
		}()
	}
}

// certWatch is a log handler that counts the certificates the server
// stores ("acme: certificate stored"), so a test can wait for issuance and
// renewals without sleeping.
type certWatch struct {
	slog.Handler
	stored *testca.Counter
}

func (w *certWatch) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "acme: certificate stored" {
		w.stored.Add()
	}
	return w.Handler.Handle(ctx, r)
}

func (w *certWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *certWatch) WithGroup(string) slog.Handler      { return w }

// startACME runs a test CA and a server whose TLS listener (1) gets its
// certificate from it, renewing renewBefore ahead of expiry (0: the
// default 30 days).
func startACME(t *testing.T, validity, renewBefore time.Duration) (*harness.Server, *testca.CA, *certWatch) {
	t.Helper()
	fwd := startForwarder(t)
	ca := testca.Start(t, fwd.port(), validity)
	watch := &certWatch{Handler: slog.NewTextHandler(io.Discard, nil), stored: testca.NewCounter()}
	srv := harness.StartWith(t, fmt.Sprintf(`listeners:
  - address: "127.0.0.1:0"
    tls:
      acme:
        domains: [%q]
        email: ops@example.org
        directory: %q
        cache: %q
`, testca.Domain, ca.Directory, t.TempDir()), server.Options{
		Logger: slog.New(watch), ACMEClient: ca.Client, ACMERenewBefore: renewBefore,
	})
	fwd.target <- srv.ListenerAddr(t, 1)
	return srv, ca, watch
}

// verifiedLeaf connects like a client that checks the certificate against
// the test CA's root, registers, and returns the certificate.
func verifiedLeaf(t *testing.T, srv *harness.Server, roots *x509.CertPool, nick string) *x509.Certificate {
	t.Helper()
	c := srv.ConnectTLS(t, srv.ListenerAddr(t, 1), &tls.Config{ServerName: testca.Domain, RootCAs: roots})
	c.Register(nick)
	return c.Conn.(*tls.Conn).ConnectionState().PeerCertificates[0]
}

func TestACMEIssuance(t *testing.T) {
	srv, ca, watch := startACME(t, 90*24*time.Hour, 0)
	watch.stored.Wait(t, 1)
	leaf := verifiedLeaf(t, srv, ca.Roots, "secure")
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != testca.Domain {
		t.Errorf("certificate for %v, want %s", leaf.DNSNames, testca.Domain)
	}
	// A client that connects by address, without SNI, gets it too.
	c := srv.ConnectTLS(t, srv.ListenerAddr(t, 1), nil)
	c.Register("bare")
	if got := c.Conn.(*tls.Conn).ConnectionState().PeerCertificates[0]; !got.Equal(leaf) {
		t.Errorf("without SNI: %v", got.Subject)
	}
}

func TestACMERenewal(t *testing.T) {
	const validity = 2 * time.Hour
	// Renewing earlier than the certificate lives: each one is due for
	// renewal as soon as it arrives.
	srv, ca, watch := startACME(t, validity, validity+2*time.Hour)
	watch.stored.Wait(t, 1)
	first := verifiedLeaf(t, srv, ca.Roots, "early")
	// The second certificate stored is the renewal; by the third the
	// listener serves a renewed one, to new connections, without a restart.
	watch.stored.Wait(t, 3)
	renewed := verifiedLeaf(t, srv, ca.Roots, "late")
	if renewed.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Fatalf("still serving certificate %v after renewal", first.SerialNumber)
	}
}
