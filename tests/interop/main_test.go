package interop

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// skippedClients records the clients whose tests were skipped because
// they are not installed, for the summary TestMain prints. It is the
// test binary's own bookkeeping, written by tests and read once at exit.
var skippedClients struct {
	sync.Mutex
	names []string
}

// noteSkipped records a client that is not installed.
func noteSkipped(name string) {
	skippedClients.Lock()
	defer skippedClients.Unlock()
	if !slices.Contains(skippedClients.names, name) {
		skippedClients.names = append(skippedClients.names, name)
	}
}

// TestMain runs the tests, then, outside CI, says in one line which
// clients were skipped: `go test ./...` shows skips only with -v, and a
// run that silently tested fewer clients than expected misleads.
func TestMain(m *testing.M) {
	code := m.Run()
	skippedClients.Lock()
	names := slices.Clone(skippedClients.names)
	skippedClients.Unlock()
	if len(names) > 0 && os.Getenv("CI") != "true" {
		line := fmt.Sprintf("tests/interop: skipped, not installed: %s (run .ci/run, or see tests/interop/README.md)\n", strings.Join(names, ", "))
		io.WriteString(os.Stdout, line)
		// go test ./... shows a passing package's output only with -v:
		// tell the person at the terminal directly too.
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			io.WriteString(tty, line)
			tty.Close()
		}
	}
	os.Exit(code)
}
