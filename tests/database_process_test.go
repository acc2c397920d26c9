package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDatabaseProcess runs the real binary for what concerns the database:
// created on first start beside the configuration, refused at start when
// corrupt, copied online by `conferenced backup`.
func TestDatabaseProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the conferenced binary")
	}
	bin := buildConferenced(t)
	t.Run("created beside the config", func(t *testing.T) { t.Parallel(); testDatabaseCreated(t, bin) })
	t.Run("corrupt at start", func(t *testing.T) { t.Parallel(); testDatabaseCorrupt(t, bin) })
	t.Run("backup", func(t *testing.T) { t.Parallel(); testDatabaseBackup(t, bin) })
}

func testDatabaseCreated(t *testing.T, bin string) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conference.yaml")
	writeTestFile(t, file, "server:\n  name: irc.test\n")
	p := startProcess(t, bin, file)
	if _, err := os.Stat(filepath.Join(dir, "conference.db")); err != nil {
		t.Fatalf("no database beside the config file after start: %v", err)
	}
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func testDatabaseCorrupt(t *testing.T, bin string) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conference.yaml")
	writeTestFile(t, file, "database:\n  path: state.db\n")
	db := filepath.Join(dir, "state.db")
	garbage := bytes.Repeat([]byte("this is not an SQLite file "), 300)
	if err := os.WriteFile(db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runOnce(t, bin, "", "--config", file, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errOut, db) || !strings.Contains(errOut, "corrupt") {
		t.Fatalf("start on a corrupt database: exit %d, stderr:\n%s", code, errOut)
	}
	after, err := os.ReadFile(db)
	if err != nil || !bytes.Equal(after, garbage) {
		t.Fatal("the corrupt file was changed")
	}
}

func testDatabaseBackup(t *testing.T, bin string) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conference.yaml")
	writeTestFile(t, file, "server:\n  name: irc.test\n")
	p := startProcess(t, bin, file)
	out := filepath.Join(t.TempDir(), "copy.db")
	code, stdout, errOut := runOnce(t, bin, "", "backup", "--config", file, out)
	if code != 0 || !strings.Contains(stdout, "backed up") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errOut)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	if code, _, errOut := runOnce(t, bin, "", "backup", "--config", file, out); code == 0 || !strings.Contains(errOut, "exists") {
		t.Fatalf("backup over an existing file: exit %d, %s", code, errOut)
	}
	p.signal(syscall.SIGTERM)
	p.waitExit()
}
