package harness

import (
	"bufio"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
)

// WriteCertPair writes a fresh self-signed pair for 127.0.0.1 and localhost
// to cert.pem and key.pem in dir (replacing them), and returns their paths.
func WriteCertPair(t testing.TB, dir string) (certFile, keyFile string) {
	t.Helper()
	certPEM, keyPEM, err := conf.SelfSigned([]string{"localhost", "127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for path, data := range map[string][]byte{certFile: certPEM, keyFile: keyPEM} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// ClientCert makes a self-signed client certificate and returns it with its
// SHA-256 fingerprint as the server shows it.
func ClientCert(t testing.TB) (tls.Certificate, string) {
	t.Helper()
	certPEM, keyPEM, err := conf.SelfSigned([]string{"client.test"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert, conf.CertFP(cert.Certificate[0])
}

// ListenerAddr is the address of the i-th listener, in the order of
// Config.AllListeners (the listen shorthand first).
func (s *Server) ListenerAddr(t testing.TB, i int) string {
	t.Helper()
	addrs := s.Srv.Addrs()
	if i >= len(addrs) {
		t.Fatalf("server has %d listeners, no listener %d", len(addrs), i)
	}
	return addrs[i].String()
}

// ConnectTLS opens a TLS connection to addr without registering. A nil
// cfg means a client that does not verify the server's certificate, as
// one configured for a self-signed test certificate.
func (s *Server) ConnectTLS(t testing.TB, addr string, cfg *tls.Config) *Client {
	t.Helper()
	if cfg == nil {
		cfg = &tls.Config{InsecureSkipVerify: true}
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: Timeout}, Config: cfg}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("TLS dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &Client{t: t, Conn: nc, r: bufio.NewReaderSize(nc, 16384)}
}
