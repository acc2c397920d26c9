package interop

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// startTLSServer runs the server with a TLS listener on a self-signed
// certificate, and the observer (in plain text) in both test channels. It
// returns the TLS port.
func startTLSServer(t *testing.T) (*harness.Server, *harness.Client, string) {
	t.Helper()
	cert, key := harness.WriteCertPair(t, t.TempDir())
	srv := harness.Start(t, serverYAML+fmt.Sprintf(`listeners:
  - address: "127.0.0.1:0"
    tls: {cert: %q, key: %q}
`, cert, key))
	obs := srv.Register(t, "observer")
	obs.Send("JOIN " + chanMain + "," + chanStay)
	obs.Expect(isCmd("366", "", chanStay))
	_, tlsPort, _ := net.SplitHostPort(srv.ListenerAddr(t, 1))
	return srv, obs, tlsPort
}

// expectSecure checks from the server's side that nick is on TLS: its
// WHOIS carries 671.
func expectSecure(t *testing.T, obs *harness.Client, nick string) {
	t.Helper()
	obs.Send("WHOIS " + nick)
	secure := false
	obs.Expect(func(m *irc.Message) bool {
		secure = secure || m.Command == "671"
		return m.Command == "318"
	})
	if !secure {
		t.Errorf("WHOIS %s shows no 671: it is not on TLS", nick)
	}
}

// TestIrssiTLS connects irssi with TLS (no verification of the self-signed
// certificate) and has it talk with the plain-text observer.
func TestIrssiTLS(t *testing.T) {
	_, obs, tlsPort := startTLSServer(t)
	c := startIrssiWith(t, "irssitls", "/connect -tls -notls_verify 127.0.0.1 "+tlsPort)
	expectSecure(t, obs, "irssitls")

	c.cmd("/join " + chanMain)
	expectFrom(obs, "JOIN", "irssitls", []string{chanMain}, "")
	c.cmd("/msg " + chanMain + " hello over TLS from irssi")
	expectFrom(obs, "PRIVMSG", "irssitls", []string{chanMain}, "hello over TLS from irssi")
	obs.Send("PRIVMSG " + chanMain + " :hello irssi on TLS")
	c.waitWindow(chanMain, lit("hello irssi on TLS"))

	c.cmd("/quit irssi TLS leaving")
	expectFrom(obs, "QUIT", "irssitls", nil, "irssi TLS leaving")
	c.waitExit()
	noUnknownCommand(t, "irssi", readFile(c.log))
}

// TestWeechatTLS connects WeeChat with TLS, verification off.
func TestWeechatTLS(t *testing.T) {
	_, obs, tlsPort := startTLSServer(t)
	w := startWeechatAt(t, "127.0.0.1/"+tlsPort+" "+weechatTLSOptions(t), "weetls")
	const server, channel = "irc.server.x", "irc.x." + chanMain
	expectSecure(t, obs, "weetls")

	w.cmd(server, "/join "+chanMain)
	expectFrom(obs, "JOIN", "weetls", []string{chanMain}, "")
	w.waitLog(channel, rx(`weetls .*has joined %s`, chanMain))
	w.cmd(channel, "hello over TLS from weechat")
	expectFrom(obs, "PRIVMSG", "weetls", []string{chanMain}, "hello over TLS from weechat")
	obs.Send("PRIVMSG " + chanMain + " :hello weechat on TLS")
	w.waitLog(channel, rx(`\t@observer\thello weechat on TLS$`))

	w.cmd(server, "/quit weechat TLS leaving")
	expectFrom(obs, "QUIT", "weetls", nil, "weechat TLS leaving")
	if err := w.proc.waitExit(t); err != nil {
		t.Errorf("weechat exited with %v", err)
	}
}

// weechatTLSOptions are the /server add options for TLS without
// verification, named ssl* before WeeChat 4.0 and tls* since.
func weechatTLSOptions(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(needBinary(t, "weechat-headless"), "--version").Output()
	if err != nil {
		t.Fatalf("weechat-headless --version: %v", err)
	}
	if major, _ := strconv.Atoi(strings.SplitN(strings.TrimSpace(string(out)), ".", 2)[0]); major < 4 {
		return "-ssl -ssl_verify=off"
	}
	return "-tls -tls_verify=off"
}

// TestIRCFrameworkTLS connects irc-framework with TLS, verification off.
func TestIRCFrameworkTLS(t *testing.T) {
	_, obs, tlsPort := startTLSServer(t)
	b := startBotAt(t, tlsPort, "frametls", "tls")
	expectSecure(t, obs, "frametls")

	b.join(chanMain)
	expectFrom(obs, "JOIN", "frametls", []string{chanMain}, "")
	b.say(chanMain, "hello over TLS from irc-framework")
	expectFrom(obs, "PRIVMSG", "frametls", []string{chanMain}, "hello over TLS from irc-framework")
	obs.Send("PRIVMSG " + chanMain + " :hello irc-framework on TLS")
	b.privmsg("observer", chanMain, "hello irc-framework on TLS")
	b.quit("irc-framework TLS leaving")
	expectFrom(obs, "QUIT", "frametls", nil, "irc-framework TLS leaving")
	b.noErrors()
}
