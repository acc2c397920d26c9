package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gopkg.in/irc.v4"
)

// TestDatabaseProcess runs the real binary for what concerns the database:
// created on first start beside the configuration, refused at start when
// corrupt, copied online by `conferenced backup`.
func TestDatabaseProcess(t *testing.T) {
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

// TestCrashAfterAcknowledgedWrites runs the real binary, makes each kind
// of acknowledged account write, kills the process with SIGKILL right
// after the acknowledgement, restarts it on the same database and checks
// that the write is there.
func TestCrashAfterAcknowledgedWrites(t *testing.T) {
	bin := buildConferenced(t)
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, operYAML("server:\n  name: irc.test\n"))
	fp := strings.Repeat("cd", 32)

	// 1. Account created (REGISTER), acknowledged, then kill -9.
	p := startProcess(t, bin, file)
	c := p.server().Register(t, "yuri", "draft/account-registration")
	if m := registerReply(t, c, "REGISTER * * yuri-passw0rd"); m.Param(0) != "SUCCESS" {
		t.Fatalf("REGISTER: %v", m)
	}
	p = crashAndRestart(t, p, bin, file)
	s := saslConnect(t, p.server())
	if m := saslPlain(t, s, "yuri", "yuri-passw0rd"); m.Command != "903" {
		t.Fatalf("account lost in the crash: %v", m)
	}

	// 2. Password changed and fingerprint added (NickServ), then kill -9.
	finishRegistration(t, s, "yuri")
	expectNickServ(t, s, "SET PASSWORD yuri-second-passw0rd", "Password changed")
	expectNickServ(t, s, "CERT ADD "+fp, "added")
	p = crashAndRestart(t, p, bin, file)
	s = saslConnect(t, p.server())
	if m := saslPlain(t, s, "yuri", "yuri-second-passw0rd"); m.Command != "903" {
		t.Fatalf("password change lost in the crash: %v", m)
	}
	finishRegistration(t, s, "yuri")
	if got := nickServ(t, s, "CERT LIST"); !hasLine(got, fp) {
		t.Fatalf("fingerprint lost in the crash: %q", got)
	}

	// 3. Account dropped, then kill -9: it stays dropped.
	expectNickServ(t, s, "DROP yuri yuri-second-passw0rd", "dropped")
	p = crashAndRestart(t, p, bin, file)
	z := p.server().Register(t, "zed")
	expectNickServ(t, z, "INFO yuri", "No such account")

	// 4. Server ban added, then kill -9.
	z.Send("OPER admin :" + operPassword)
	z.ExpectNumeric("381")
	if m := banReply(t, z, "KLINE *@crash.example :kept"); m.Command != "NOTE" {
		t.Fatalf("KLINE: %v", m)
	}
	p = crashAndRestart(t, p, bin, file)
	op := p.server().Register(t, "op")
	op.Send("OPER admin :" + operPassword)
	op.ExpectNumeric("381")
	op.Send("STATS k")
	if m := op.Expect(func(m *irc.Message) bool { return m.Command == "216" || m.Command == "219" }); m.Command != "216" || m.Param(2) != "crash.example" {
		t.Fatalf("K-line lost in the crash: %v", m)
	}
}

// crashAndRestart kills the process with SIGKILL (no shutdown, no
// checkpoint) and starts a new one on the same configuration.
func crashAndRestart(t *testing.T, p *proc, bin, file string) *proc {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.waitExit()
	return startProcess(t, bin, file)
}
