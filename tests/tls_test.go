package tests

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// startTLS starts a server with a plain listener (0) and a TLS one (1)
// using a fresh self-signed pair, with extra YAML after the listeners.
func startTLS(t *testing.T, extra string) (srv *harness.Server, tlsAddr, dir string) {
	t.Helper()
	dir = t.TempDir()
	cert, key := harness.WriteCertPair(t, dir)
	srv = harness.Start(t, fmt.Sprintf(`listeners:
  - address: "127.0.0.1:0"
    tls: {cert: %q, key: %q}
%s`, cert, key, extra))
	return srv, srv.ListenerAddr(t, 1), dir
}

// peerFP is the SHA-256 fingerprint of the certificate a TLS client saw.
func peerFP(t *testing.T, c *harness.Client) string {
	t.Helper()
	sum := sha256.Sum256(c.Conn.(*tls.Conn).ConnectionState().PeerCertificates[0].Raw)
	return hex.EncodeToString(sum[:])
}

// whois sends WHOIS nick and returns the numerics up to 318, by code.
func whois(c *harness.Client, nick string) map[string]*irc.Message {
	c.Send("WHOIS " + nick)
	got := map[string]*irc.Message{}
	for {
		m := c.Next()
		got[m.Command] = m
		if m.Command == "318" {
			return got
		}
	}
}

func TestTLSClientTalksToPlainClient(t *testing.T) {
	srv, addr, _ := startTLS(t, "")
	sec := srv.ConnectTLS(t, addr, nil)
	if v := sec.Conn.(*tls.Conn).ConnectionState().Version; v < tls.VersionTLS12 {
		t.Fatalf("TLS version %x, want 1.2 or later", v)
	}
	sec.Register("secure")
	plain := srv.Register(t, "plain")
	sec.Send("JOIN #both")
	sec.ExpectCommand("JOIN")
	plain.Send("JOIN #both")
	sec.Expect(func(m *irc.Message) bool { return m.Command == "JOIN" && m.Prefix.Name == "plain" })
	plain.Send("PRIVMSG #both :hello over plain text")
	sec.ExpectLine(":plain!~plain@127.0.0.1 PRIVMSG #both :hello over plain text")
	sec.Send("PRIVMSG #both :hello over TLS")
	plain.ExpectLine(":secure!~secure@127.0.0.1 PRIVMSG #both :hello over TLS")

	w := whois(plain, "secure")
	if w["671"] == nil {
		t.Error("WHOIS of a TLS user lacks 671")
	}
	if w["276"] != nil {
		t.Error("WHOIS shows a certfp for a user without a client certificate")
	}
	if w := whois(sec, "plain"); w["671"] != nil {
		t.Error("WHOIS of a plain-text user shows 671")
	}
}

func TestTLSLongInputAcrossRecords(t *testing.T) {
	// Lines split over TLS records and records holding many lines go
	// through the same line reader as plain text.
	srv, addr, _ := startTLS(t, "exempt: [127.0.0.1]\n")
	sec := srv.ConnectTLS(t, addr, nil)
	sec.Register("bulk")
	var batch strings.Builder
	for i := range 200 {
		fmt.Fprintf(&batch, "PRIVMSG bulk :line %d %s\r\n", i, strings.Repeat("x", 300))
	}
	sec.SendRaw(batch.String())
	sec.Send("PING :done")
	seen := 0
	sec.Expect(func(m *irc.Message) bool {
		if m.Command == "PRIVMSG" {
			seen++
		}
		return m.Command == "PONG"
	})
	if seen != 200 {
		t.Errorf("got %d of 200 messages back", seen)
	}
}

func TestTLSClientCertificate(t *testing.T) {
	cert, fp := harness.ClientCert(t)
	_, wrongFP := harness.ClientCert(t)
	srv, addr, _ := startTLS(t, fmt.Sprintf(`operators:
  - name: certop
    password: %q
    certfp: %q
  - name: wrongcert
    password: %q
    certfp: %q
`, operHash(), fp, operHash(), strings.ToUpper(wrongFP)))
	withCert := srv.ConnectTLS(t, addr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}})
	withCert.Register("carol")
	bare := srv.ConnectTLS(t, addr, nil)
	bare.Register("dave")

	w := whois(withCert, "carol")
	if m := w["276"]; m == nil || !strings.Contains(m.Trailing(), fp) {
		t.Errorf("own WHOIS lacks 276 with %s: %v", fp, m)
	}
	if w := whois(bare, "carol"); w["276"] != nil {
		t.Error("another user sees carol's certfp")
	}

	withCert.Send("OPER certop :" + operPassword)
	withCert.ExpectNumeric("381")
	if whois(withCert, "dave")["276"] != nil {
		t.Error("276 for a user without a certificate")
	}
	// An oper sees others' fingerprints.
	other, otherFP := harness.ClientCert(t)
	erin := srv.ConnectTLS(t, addr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{other}})
	erin.Register("erin")
	if m := whois(withCert, "erin")["276"]; m == nil || !strings.Contains(m.Trailing(), otherFP) {
		t.Errorf("an oper's WHOIS of erin lacks 276 with %s: %v", otherFP, m)
	}
	// Without the certificate, the right password gets the same 464 as a
	// wrong one (OPER is no oracle). A failure holds the client's next
	// lines, so each client's failure comes last.
	bare.Send("OPER certop :" + operPassword)
	bare.ExpectNumeric("464")
	withCert.Send("OPER wrongcert :" + operPassword)
	withCert.ExpectNumeric("464")
}

func TestSecureOnlyChannel(t *testing.T) {
	srv, addr, _ := startTLS(t, "")
	sec := srv.ConnectTLS(t, addr, nil)
	sec.Register("sec")
	plain := srv.Register(t, "plain")
	sec.Send("JOIN #vault")
	sec.ExpectCommand("JOIN")
	sec.Send("MODE #vault +z")
	sec.ExpectLine(":sec!~sec@127.0.0.1 MODE #vault +z")
	sec.Send("INVITE plain #vault")
	sec.ExpectNumeric("341")
	plain.Send("JOIN #vault")
	m := plain.ExpectNumeric("489")
	if m.Param(1) != "#vault" {
		t.Errorf("489 names %q", m.Param(1))
	}
	other := srv.ConnectTLS(t, addr, nil)
	other.Register("other")
	other.Send("JOIN #vault")
	other.ExpectCommand("JOIN")
}

func TestSTSValues(t *testing.T) {
	// The listener's port is any free one: name the advertised one.
	srv, addr, _ := startTLS(t, "sts: {enabled: true, port: 6697, duration: 24h, preload: true}\n")
	port := "6697"
	capLS := func(c *harness.Client) string {
		c.Send("CAP LS 302")
		var all []string
		c.Expect(func(m *irc.Message) bool {
			if m.Command != "CAP" {
				return false
			}
			all = append(all, m.Trailing())
			return m.Param(2) != "*"
		})
		for _, capa := range strings.Fields(strings.Join(all, " ")) {
			if strings.HasPrefix(capa, "sts") {
				return capa
			}
		}
		return ""
	}
	if got, want := capLS(srv.Connect(t)), "sts=port="+port; got != want {
		t.Errorf("plain CAP LS: %q, want %q", got, want)
	}
	if got, want := capLS(srv.ConnectTLS(t, addr, nil)), "sts=duration=86400,preload"; got != want {
		t.Errorf("TLS CAP LS: %q, want %q", got, want)
	}
	c := srv.Connect(t)
	c.Send("CAP REQ sts")
	c.Expect(func(m *irc.Message) bool { return m.Command == "CAP" && m.Param(1) == "NAK" })
}

func TestSTSOffByDefault(t *testing.T) {
	srv, _, _ := startTLS(t, "")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	m := c.Expect(func(m *irc.Message) bool { return m.Command == "CAP" && m.Param(2) != "*" })
	if strings.Contains(strings.Join(c.Seen, " "), "sts") {
		t.Errorf("sts offered without sts.enabled: %v", m)
	}
}

func TestCertificateReloadKeepsClients(t *testing.T) {
	srv, addr, dir := startTLS(t, "")
	before := srv.ConnectTLS(t, addr, nil)
	before.Register("steady")
	oldFP := peerFP(t, before)

	harness.WriteCertPair(t, dir)
	if _, err := srv.Srv.Rehash("test"); err != nil {
		t.Fatalf("rehash: %v", err)
	}
	after := srv.ConnectTLS(t, addr, nil)
	after.Register("newcomer")
	if peerFP(t, after) == oldFP {
		t.Error("a new connection still gets the old certificate after REHASH")
	}
	before.Send("PRIVMSG newcomer :still here")
	after.ExpectLine(":steady!~steady@127.0.0.1 PRIVMSG newcomer :still here")

	// A broken certificate file refuses the rehash and keeps the old one.
	writeTestFile(t, filepath.Join(dir, "cert.pem"), "not a certificate")
	if _, err := srv.Srv.Rehash("test"); err == nil || !strings.Contains(err.Error(), "listeners[0].tls") {
		t.Errorf("rehash with a broken certificate: %v, want a refusal naming listeners[0].tls", err)
	}
	again := srv.ConnectTLS(t, addr, nil)
	again.Register("third")
}

// expectDropped checks that the server closes nc within the wait, without
// sending anything.
func expectDropped(t *testing.T, nc net.Conn, wait time.Duration) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(wait))
	data, err := io.ReadAll(nc)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %s", wait)
	}
	if len(data) > 0 && !strings.HasPrefix(string(data), "\x15") { // a TLS alert is fine
		t.Errorf("server sent %q before closing", data)
	}
}

func TestTLSBadInputAtTheEdge(t *testing.T) {
	srv, addr, _ := startTLS(t, "timeouts: {handshake: 300ms}\n")
	bystander := srv.ConnectTLS(t, addr, nil)
	bystander.Register("bystander")

	garbage, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer garbage.Close()
	fmt.Fprintf(garbage, "NICK plaintext\r\nUSER a 0 * :b\r\n")
	expectDropped(t, garbage, harness.Timeout)

	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	start := time.Now()
	expectDropped(t, silent, harness.Timeout)
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("silent handshake dropped after %s, before its 300ms timeout", took)
	}

	// Half a ClientHello, then nothing: also dropped by the timeout.
	half, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	half.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00})
	expectDropped(t, half, harness.Timeout)

	bystander.Send("PING :still fine")
	bystander.ExpectCommand("PONG")
}
