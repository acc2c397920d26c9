package tests

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// listenFile opens a loopback listening socket and returns it as the file
// a service manager would hand over, with its address. The test keeps the
// port bound, so a server that binds instead of taking the socket fails.
func listenFile(t *testing.T) (*os.File, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, l.Addr().String()
}

// activated runs conferenced as systemd would: the sockets as descriptors
// 3 and up, LISTEN_FDS their count, and LISTEN_PID the server's own pid
// (set by a shell that then execs the server under the same pid).
func activated(t *testing.T, bin, file string, sockets ...*os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ exec "$0" "$@"`, bin, "--config", file)
	cmd.Env = append(cleanEnv(), fmt.Sprintf("LISTEN_FDS=%d", len(sockets)))
	cmd.ExtraFiles = sockets
	return cmd
}

// TestSocketActivation hands the real binary a plain and a TLS listening
// socket the way systemd does, and checks that it serves both without
// binding anything itself; and that a socket no listener names is refused.
func TestSocketActivation(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to set LISTEN_PID")
	}
	bin := buildConferenced(t)
	dir := t.TempDir()
	cert, key := harness.WriteCertPair(t, dir)
	plainFile, plainAddr := listenFile(t)
	tlsFile, tlsAddr := listenFile(t)
	file := filepath.Join(dir, "conference.yaml")
	writeTestFile(t, file, fmt.Sprintf(`listen: [%q]
listeners:
  - address: %q
    tls: {cert: %q, key: %q}
`, plainAddr, tlsAddr, cert, key))

	p := startCmd(t, activated(t, bin, file, plainFile, tlsFile))
	if line := p.waitLog("msg=listening"); !strings.Contains(line, "activated=true") {
		t.Fatalf("first listener not taken from the activation sockets: %s", line)
	}
	if line := p.waitLog("msg=listening"); !strings.Contains(line, "activated=true") {
		t.Fatalf("second listener not taken from the activation sockets: %s", line)
	}
	srv := &harness.Server{Addr: plainAddr}
	alice := srv.Register(t, "alice")
	bob := srv.ConnectTLS(t, tlsAddr, &tls.Config{InsecureSkipVerify: true})
	bob.Register("bob")
	alice.Send("PRIVMSG bob :over an inherited socket")
	bob.ExpectLine(":alice!~alice@127.0.0.1 PRIVMSG bob :over an inherited socket")

	// A socket the configuration does not name is an error, not a
	// silently served plain-text port.
	strayFile, strayAddr := listenFile(t)
	other := filepath.Join(dir, "other.yaml")
	writeTestFile(t, other, "listen: [\"127.0.0.1:0\"]\n")
	q := startCmd(t, activated(t, bin, other, strayFile))
	if code := q.waitExit(); code == 0 {
		t.Errorf("conferenced served although %s matches no listener", strayAddr)
	}
}

// TestMkcert writes a pair with `conferenced mkcert` and serves TLS with it.
func TestMkcert(t *testing.T) {
	bin := buildConferenced(t)
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if code, _, stderr := runOnce(t, bin, "", "mkcert", "--host", "irc.test,127.0.0.1", "--cert", cert, "--key", key); code != 0 {
		t.Fatalf("mkcert: exit %d: %s", code, stderr)
	}
	if code, _, _ := runOnce(t, bin, "", "mkcert", "--cert", cert, "--key", filepath.Join(dir, "k2.pem")); code == 0 {
		t.Error("mkcert overwrote an existing certificate")
	}
	if info, err := os.Stat(key); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v, want 0600", info.Mode(), err)
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		t.Fatalf("mkcert wrote an unusable pair: %v", err)
	}
	srv := harness.Start(t, fmt.Sprintf("listeners: [{address: \"127.0.0.1:0\", tls: {cert: %q, key: %q}}]\n", cert, key))
	c := srv.ConnectTLS(t, srv.ListenerAddr(t, 1), &tls.Config{InsecureSkipVerify: true})
	if err := c.Conn.(*tls.Conn).ConnectionState().PeerCertificates[0].VerifyHostname("irc.test"); err != nil {
		t.Errorf("certificate not for irc.test: %v", err)
	}
}

// TestSocketActivationRestart: RESTART under socket activation hands the
// sockets systemd gave on to the new program rather than binding them
// again (a privileged port, or one held by the service manager as here,
// could not be bound); clients connect at the same address after it.
func TestSocketActivationRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the conferenced binary")
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to set LISTEN_PID")
	}
	bin := buildConferenced(t)
	sock, addr := listenFile(t)
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, operYAML(fmt.Sprintf("listen: [%q]\ncontrol:\n  restart: true\n", addr)))
	p := startCmd(t, activated(t, bin, file, sock))
	p.waitLog("msg=listening")
	srv := &harness.Server{Addr: addr}
	root := operUp(t, srv, "root")
	root.Send("RESTART")
	if reason := root.ExpectClosed(); !strings.Contains(reason, "RESTART by root") {
		t.Fatalf("ERROR on RESTART = %q", reason)
	}
	if line := p.waitLog("msg=listening"); !strings.Contains(line, "activated=true") {
		t.Fatalf("after RESTART the listener was not the inherited socket: %s", line)
	}
	srv.Register(t, "back")
}
