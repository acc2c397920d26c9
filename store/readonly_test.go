package store

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// readOnlyEnv carries the database path to the child process of
// TestReadOnlyFileIsAnError.
const readOnlyEnv = "STORE_TEST_READONLY_DB"

// TestReadOnlyChild is the child's half: it opens the path it was given and
// reports the error on stdout. It does nothing in a normal run.
func TestReadOnlyChild(t *testing.T) {
	path := os.Getenv(readOnlyEnv)
	if path == "" {
		t.Skip("only runs as the child of TestReadOnlyFileIsAnError")
	}
	_, err := Open(context.Background(), path, t0)
	switch {
	case errors.Is(err, ErrReadOnly):
		os.Stdout.WriteString("READONLY " + err.Error() + "\n")
	default:
		os.Stdout.WriteString("OTHER " + strings.ReplaceAll(errString(err), "\n", " ") + "\n")
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestReadOnlyFileIsAnError makes an existing database unwritable and
// checks that Open refuses it with ErrReadOnly. Root ignores file modes, so
// as root the check runs in a child process under the "nobody" user.
func TestReadOnlyFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "conference.db")
	s, err := Open(context.Background(), path, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(context.Background(), sampleAccount("alice")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o444)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if os.Geteuid() != 0 {
		_, err := Open(context.Background(), path, t0)
		if !errors.Is(err, ErrReadOnly) {
			t.Fatalf("open of a read-only database: %v, want ErrReadOnly", err)
		}
		return
	}
	out := runAsNobody(t, dir, path)
	t.Log(out)
	if !strings.HasPrefix(out, "READONLY ") {
		t.Fatalf("child reported %q, want READONLY", out)
	}
}

// runAsNobody runs this test binary's TestReadOnlyChild as uid/gid 65534 on
// path and returns its verdict line.
func runAsNobody(t *testing.T, dir, path string) string {
	t.Helper()
	// The child must be able to reach the binary and the database: copy the
	// binary somewhere it may execute, and open the directories on the way.
	binDir, err := os.MkdirTemp("", "store-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	exe := filepath.Join(binDir, "store.test")
	copyFile(t, os.Args[0], exe)
	for _, d := range []string{binDir, filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		os.Chmod(d, 0o755)
	}
	cmd := exec.Command(exe, "-test.run=^TestReadOnlyChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), readOnlyEnv+"="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	raw, err := cmd.CombinedOutput()
	for line := range strings.SplitSeq(string(raw), "\n") {
		if strings.HasPrefix(line, "READONLY ") || strings.HasPrefix(line, "OTHER ") {
			return line
		}
	}
	t.Fatalf("child gave no verdict (%v):\n%s", err, raw)
	return ""
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
