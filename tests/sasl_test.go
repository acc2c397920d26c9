package tests

import (
	"crypto/tls"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/xdg-go/scram"
	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

func TestSASLCapabilityValue(t *testing.T) {
	srv := harness.Start(t, "")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	var all string
	for {
		m := c.ExpectCommand("CAP")
		all += " " + m.Trailing()
		if m.Param(2) != "*" {
			break
		}
	}
	for _, want := range []string{"sasl=PLAIN,SCRAM-SHA-256,EXTERNAL", "draft/account-registration=before-connect"} {
		if !strings.Contains(all+" ", " "+want+" ") {
			t.Errorf("CAP LS 302 lacks %s: %q", want, all)
		}
	}
	c.Send("CAP LS")
	if m := c.ExpectCommand("CAP"); !strings.Contains(" "+m.Trailing()+" ", " sasl ") {
		t.Errorf("CAP LS (3.1) lacks a bare sasl: %q", m.Trailing())
	}
}

func TestSASLCapabilityOffWhenAccountsOff(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  enabled: false\n")
	c := srv.Connect(t)
	c.Send("CAP LS 302")
	if m := c.ExpectCommand("CAP"); strings.Contains(m.Trailing(), "sasl") || strings.Contains(m.Trailing(), "account-registration") {
		t.Fatalf("accounts off, still offered: %q", m.Trailing())
	}
	c.Send("CAP REQ sasl")
	c.ExpectLine(":irc.conference.local CAP * NAK :sasl")
}

func TestSASLPlainBeforeRegistration(t *testing.T) {
	srv := harness.Start(t, "")
	owner := registerAccount(t, srv, "Alice", "alice-passw0rd")
	owner.Quit()

	c := saslConnect(t, srv)
	if m := saslPlain(t, c, "alice", "alice-passw0rd"); m.Command != "903" {
		t.Fatalf("SASL PLAIN: %v", m)
	}
	// 900 came before 903, naming the account as registered.
	if !hasRaw(c.Seen, " 900 * *!@127.0.0.1 Alice :You are now logged in as Alice") {
		t.Fatalf("no 900 before 903:\n%s", strings.Join(c.Seen, "\n"))
	}
	finishRegistration(t, c, "Alice")
	c.Send("WHOIS Alice")
	if m := c.ExpectNumeric("330"); m.Param(2) != "Alice" {
		t.Fatalf("WHOIS 330: %v", m)
	}
	// Re-authentication once logged in is refused.
	c.Send("AUTHENTICATE PLAIN")
	c.ExpectNumeric("907")
}

func hasRaw(lines []string, suffix string) bool {
	for _, l := range lines {
		if strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}

func TestSASLPlainFailures(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  loginattempts: 10\n")
	registerAccount(t, srv, "bob", "bob-passw0rd").Quit()
	c := saslConnect(t, srv)

	if m := saslPlain(t, c, "bob", "not bob-passw0rd"); m.Command != "904" {
		t.Fatalf("wrong password: %v", m)
	}
	if m := saslPlain(t, c, "nobody", "whatever1"); m.Command != "904" {
		t.Fatalf("unknown account: %v", m)
	}
	// Unknown mechanism: 908 lists the mechanisms, then 904.
	c.Send("AUTHENTICATE DIGEST-MD5")
	if m := c.ExpectNumeric("908"); m.Param(1) != "PLAIN,SCRAM-SHA-256,EXTERNAL" {
		t.Fatalf("908: %v", m)
	}
	c.ExpectNumeric("904")
	// EXTERNAL without a client certificate.
	c.Send("AUTHENTICATE EXTERNAL")
	c.ExpectNumeric("904")
	// Abort.
	c.Send("AUTHENTICATE PLAIN")
	expectAuthPlus(t, c)
	c.Send("AUTHENTICATE *")
	c.ExpectNumeric("906")
	// Not base64.
	c.Send("AUTHENTICATE PLAIN")
	expectAuthPlus(t, c)
	c.Send("AUTHENTICATE !!!notbase64")
	c.ExpectNumeric("904")
	// A line over 400 bytes.
	c.Send("AUTHENTICATE PLAIN")
	expectAuthPlus(t, c)
	c.Send("AUTHENTICATE " + strings.Repeat("A", 401))
	c.ExpectNumeric("905")
	// Chunks that never end: past the bound, 905.
	c.Send("AUTHENTICATE PLAIN")
	expectAuthPlus(t, c)
	for range 8 {
		c.Send("AUTHENTICATE " + strings.Repeat("A", 400))
	}
	c.Send("AUTHENTICATE " + strings.Repeat("A", 400))
	c.ExpectNumeric("905")
	// Still able to log in after all that.
	if m := saslPlain(t, c, "bob", "bob-passw0rd"); m.Command != "903" {
		t.Fatalf("good password after failures: %v", m)
	}
}

func TestSASLAbortedByCapEnd(t *testing.T) {
	srv := harness.Start(t, "")
	c := saslConnect(t, srv)
	c.Send("AUTHENTICATE PLAIN")
	expectAuthPlus(t, c)
	c.Send("NICK carl")
	c.Send("USER carl 0 * :Carl")
	c.Send("CAP END")
	c.ExpectNumeric("906")
	c.ExpectNumeric("001")
}

func TestSASLWrongPasswordsThrottledPerConnection(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  loginattempts: 2\n")
	registerAccount(t, srv, "dora", "dora-passw0rd").Quit()
	c := saslConnect(t, srv)
	for range 2 {
		if m := saslPlain(t, c, "dora", "wrong password"); m.Command != "904" {
			t.Fatalf("wrong password: %v", m)
		}
	}
	// The third try is refused before any password is checked, even a
	// right one.
	c.Send("AUTHENTICATE PLAIN")
	if m := c.ExpectNumeric("904"); !strings.Contains(m.Trailing(), "too many") {
		t.Fatalf("third try: %v", m)
	}
	// Another connection is not affected.
	other := saslConnect(t, srv)
	if m := saslPlain(t, other, "dora", "dora-passw0rd"); m.Command != "903" {
		t.Fatalf("another connection: %v", m)
	}
}

func TestSASLWrongPasswordsThrottledPerAccount(t *testing.T) {
	srv := harness.Start(t, "")
	registerAccount(t, srv, "emil", "emil-passw0rd").Quit()
	// Five wrong passwords from five connections (each under its own
	// limit of 3) use up the account's burst.
	for range 5 {
		c := saslConnect(t, srv)
		if m := saslPlain(t, c, "emil", "wrong password"); m.Command != "904" {
			t.Fatalf("wrong password: %v", m)
		}
	}
	c := saslConnect(t, srv)
	if m := saslPlain(t, c, "emil", "emil-passw0rd"); m.Command != "904" || !strings.Contains(m.Trailing(), "too many") {
		t.Fatalf("right password on a throttled account: %v", m)
	}
}

// scramExchange runs SCRAM-SHA-256 over AUTHENTICATE with xdg-go/scram's
// client, sending and reading payloads in 400-byte chunks.
func scramExchange(t *testing.T, c *harness.Client, client *scram.Client) *irc.Message {
	t.Helper()
	conv := client.NewConversation()
	c.Send("AUTHENTICATE SCRAM-SHA-256")
	expectAuthPlus(t, c)
	msg, err := conv.Step("")
	if err != nil {
		t.Fatal(err)
	}
	for {
		sendChunked(c, msg)
		challenge, end := readChunked(t, c)
		if end != nil {
			return end
		}
		msg, err = conv.Step(challenge)
		if err != nil {
			t.Fatalf("client refused the server's message %q: %v", challenge, err)
		}
		if conv.Done() {
			if !conv.Valid() {
				t.Fatal("server signature invalid")
			}
			msg = ""
		}
	}
}

func sendChunked(c *harness.Client, payload string) {
	enc := base64.StdEncoding.EncodeToString([]byte(payload))
	for len(enc) >= 400 {
		c.Send("AUTHENTICATE " + enc[:400])
		enc = enc[400:]
	}
	if enc == "" {
		enc = "+"
	}
	c.Send("AUTHENTICATE " + enc)
}

// readChunked reads a server message in AUTHENTICATE lines, or the numeric
// that ended the exchange.
func readChunked(t *testing.T, c *harness.Client) (string, *irc.Message) {
	t.Helper()
	var enc strings.Builder
	for {
		m := c.Expect(func(m *irc.Message) bool {
			switch m.Command {
			case "AUTHENTICATE", "903", "904", "905", "906", "907":
				return true
			}
			return false
		})
		if m.Command != "AUTHENTICATE" {
			return "", m
		}
		if m.Param(0) != "+" {
			enc.WriteString(m.Param(0))
		}
		if len(m.Param(0)) < 400 {
			out, err := base64.StdEncoding.DecodeString(enc.String())
			if err != nil {
				t.Fatalf("server sent bad base64: %v", err)
			}
			return string(out), nil
		}
	}
}

func TestSASLSCRAMSHA256(t *testing.T) {
	srv := harness.Start(t, "")
	registerAccount(t, srv, "Fay", "fay-passw0rd").Quit()

	client, err := scram.SHA256.NewClient("fay", "fay-passw0rd", "")
	if err != nil {
		t.Fatal(err)
	}
	c := saslConnect(t, srv)
	if m := scramExchange(t, c, client); m.Command != "903" {
		t.Fatalf("SCRAM-SHA-256: %v", m)
	}
	finishRegistration(t, c, "fay")
	c.Send("WHOIS fay")
	if m := c.ExpectNumeric("330"); m.Param(2) != "Fay" {
		t.Fatalf("WHOIS 330: %v", m)
	}

	// A long client nonce makes both sides' messages pass 400 bytes of
	// base64: the exchange then runs in chunks both ways.
	long, _ := scram.SHA256.NewClient("fay", "fay-passw0rd", "")
	long = long.WithNonceGenerator(func() string { return strings.Repeat("n", 500) })
	c2 := saslConnect(t, srv)
	if m := scramExchange(t, c2, long); m.Command != "903" {
		t.Fatalf("chunked SCRAM-SHA-256: %v", m)
	}

	bad, _ := scram.SHA256.NewClient("fay", "not fay-passw0rd", "")
	c3 := saslConnect(t, srv)
	if m := scramExchange(t, c3, bad); m.Command != "904" {
		t.Fatalf("SCRAM with a wrong password: %v", m)
	}
}

func TestSASLMaxSessions(t *testing.T) {
	srv := harness.Start(t, "accounts:\n  maxsessions: 2\n")
	registerAccount(t, srv, "gus", "gus-passw0rd") // session 1
	c2 := saslConnect(t, srv)
	if m := saslPlain(t, c2, "gus", "gus-passw0rd"); m.Command != "903" {
		t.Fatalf("second session: %v", m)
	}
	c3 := saslConnect(t, srv)
	if m := saslPlain(t, c3, "gus", "gus-passw0rd"); m.Command != "904" || !strings.Contains(m.Trailing(), "sessions") {
		t.Fatalf("third session: %v", m)
	}
	// One leaves: the next one may log in.
	finishRegistration(t, c2, "gus2")
	c2.Quit()
	c4 := saslConnect(t, srv)
	if m := saslPlain(t, c4, "gus", "gus-passw0rd"); m.Command != "903" {
		t.Fatalf("after a session left: %v", m)
	}
}

func TestSASLExternalWithCertificate(t *testing.T) {
	cert, fp := harness.ClientCert(t)
	srv, addr, _ := startTLS(t, "")
	// Log in over TLS with a password, link the certificate with NickServ.
	owner := srv.ConnectTLS(t, addr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}})
	owner.Send("CAP LS 302")
	owner.Send("CAP REQ :draft/account-registration")
	owner.ExpectCommand("CAP")
	owner.ExpectCommand("CAP")
	owner.Send("CAP END")
	owner.Register("hugo")
	owner.Send("REGISTER * * hugo-passw0rd")
	owner.ExpectCommand("REGISTER")
	expectNickServ(t, owner, "CERT ADD", "added")
	if got := nickServ(t, owner, "CERT LIST"); !hasLine(got, fp) {
		t.Fatalf("CERT LIST lacks %s: %q", fp, got)
	}
	owner.Quit()

	c := srv.ConnectTLS(t, addr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}})
	c.Send("CAP REQ sasl")
	c.ExpectCommand("CAP")
	c.Send("AUTHENTICATE EXTERNAL")
	expectAuthPlus(t, c)
	c.Send("AUTHENTICATE +")
	if m := expectSASLEnd(t, c); m.Command != "903" {
		t.Fatalf("EXTERNAL: %v", m)
	}
	if !hasRaw(c.Seen, " hugo :You are now logged in as hugo") {
		t.Fatalf("no 900 for hugo:\n%s", strings.Join(c.Seen, "\n"))
	}

	// Another certificate logs in nobody.
	other, _ := harness.ClientCert(t)
	d := srv.ConnectTLS(t, addr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{other}})
	d.Send("CAP REQ sasl")
	d.ExpectCommand("CAP")
	d.Send("AUTHENTICATE EXTERNAL")
	expectAuthPlus(t, d)
	d.Send("AUTHENTICATE +")
	if m := expectSASLEnd(t, d); m.Command != "904" {
		t.Fatalf("EXTERNAL with an unlinked certificate: %v", m)
	}
}
