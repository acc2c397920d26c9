package tests

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// With no cloaks.secret, the server keeps the key it made in its database:
// the same address gets the same cloak after a restart.
func testProcessCloakKept(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, webircYAML(`"127.0.0.1"`, ""))
	cloak := func() string {
		p := startProcess(t, bin, file)
		c := viaGateway(t, p.server(), gatewayPassword, "198.51.100.7", "198.51.100.7")
		welcome := registerVia(t, c, "alice")
		_, host, _ := strings.Cut(welcome.Trailing(), "@")
		p.signal(syscall.SIGTERM)
		if code := p.waitExit(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		return host
	}
	first, second := cloak(), cloak()
	if !strings.HasSuffix(first, ".ip") || strings.Contains(first, "198.51") {
		t.Fatalf("first run shows %q, want a cloak", first)
	}
	if second != first {
		t.Errorf("cloak %q after a restart, %q before", second, first)
	}
}
