package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func openTemp(t *testing.T) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conference.db")
	s, err := Open(context.Background(), path, t0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func sampleAccount(key string) Account {
	return Account{
		Key: key, Name: "The" + key, Email: key + "@example.org", RegisteredAt: t0,
		Credentials: Credentials{
			PasswordHash: "$2a$10$hash", SCRAMSalt: []byte("salt"), SCRAMIterations: 4096,
			SCRAMStoredKey: []byte("stored"), SCRAMServerKey: []byte("server"),
		},
	}
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	s, path := openTemp(t)
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v != len(mustMigrations(t)) {
		t.Fatalf("schema version = %d, %v; want %d", v, err, len(mustMigrations(t)))
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var sync int
	if err := s.db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous = %d, %v; want 2 (FULL)", sync, err)
	}
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	m, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAccountsRoundTripAndReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	a := sampleAccount("alice")
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(ctx, a); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v, want ErrExists", err)
	}
	if err := s.AddCertFP(ctx, "alice", "ab12"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCertFP(ctx, "alice", "ab12"); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate fingerprint: %v, want ErrExists", err)
	}
	if err := s.AddCertFP(ctx, "nobody", "cd34"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fingerprint for missing account: %v, want ErrNotFound", err)
	}
	creds := a.Credentials
	creds.PasswordHash = "$2a$10$other"
	if err := s.SetCredentials(ctx, "alice", creds); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCredentials(ctx, "nobody", creds); !errors.Is(err, ErrNotFound) {
		t.Fatalf("set credentials of missing account: %v", err)
	}
	s.Close()

	s2, err := Open(ctx, path, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := a
	want.Credentials = creds
	want.CertFPs = []string{"ab12"}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("after reopen got %+v\nwant %+v", got, want)
	}
	if err := s2.RemoveCertFP(ctx, "alice", "ab12"); err != nil {
		t.Fatal(err)
	}
	if err := s2.RemoveCertFP(ctx, "alice", "ab12"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	if err := s2.AddCertFP(ctx, "alice", "ef56"); err != nil {
		t.Fatal(err)
	}
	if err := s2.DeleteAccount(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s2.DeleteAccount(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// The fingerprint went with the account: it can be linked again.
	if err := s2.CreateAccount(ctx, sampleAccount("bob")); err != nil {
		t.Fatal(err)
	}
	if err := s2.AddCertFP(ctx, "bob", "ef56"); err != nil {
		t.Fatalf("fingerprint of a dropped account still linked: %v", err)
	}
}

func TestBackupIsAConsistentDatabase(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, k := range []string{"a", "b", "c"} {
		if err := s.CreateAccount(ctx, sampleAccount(k)); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, out); !errors.Is(err, os.ErrExist) {
		t.Fatalf("backup over an existing file: %v, want ErrExist", err)
	}
	// Writes after the backup do not reach it.
	if err := s.CreateAccount(ctx, sampleAccount("d")); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, out, t0)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer b.Close()
	got, err := b.Accounts(ctx)
	if err != nil || len(got) != 3 {
		t.Fatalf("backup holds %d accounts (%v), want 3", len(got), err)
	}
}

func TestCorruptFileIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conference.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database at all "), 400), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, t0)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open of a corrupt file: %v, want ErrCorrupt", err)
	}
}

func TestDamagedPagesAreAnError(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	for i := range 200 {
		if err := s.CreateAccount(ctx, sampleAccount("user"+itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 4*4096 {
		t.Fatalf("database unexpectedly small: %d bytes", len(data))
	}
	// Scribble over the second page (a b-tree page), keep the header.
	for i := 4096 + 8; i < 2*4096; i++ {
		data[i] = 0xA5
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, t0)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open of a damaged file: %v, want ErrCorrupt", err)
	}
}

func TestTooNewSchemaIsAnError(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path, t0)
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("open of a newer schema: %v, want ErrTooNew", err)
	}
}

func TestMissingDirectoryIsAnError(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "x.db"), t0)
	if err == nil {
		t.Fatal("open in a missing directory succeeded")
	}
}

func TestBackupFileWhileOpen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if err := s.CreateAccount(ctx, sampleAccount("alice")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, path, out); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, out, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got, err := b.Accounts(ctx); err != nil || len(got) != 1 || got[0].Key != "alice" {
		t.Fatalf("backup holds %+v, %v", got, err)
	}
	if err := BackupFile(ctx, filepath.Join(t.TempDir(), "missing.db"), out+"2"); err == nil {
		t.Fatal("backup of a missing database succeeded")
	}
}

func TestServerBansRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	k := ServerBan{Kind: "K", Mask: "*@bad.example", Reason: "spam", SetBy: "oper", SetAt: t0, Expires: t0.Add(time.Hour)}
	d := ServerBan{Kind: "D", Mask: "192.0.2.0/24", Reason: "flood", SetBy: "oper", SetAt: t0}
	for _, b := range []ServerBan{k, d} {
		if err := s.PutServerBan(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	k.Reason = "more spam"
	if err := s.PutServerBan(ctx, k); err != nil {
		t.Fatalf("replace: %v", err)
	}
	s.Close()
	s2, err := Open(ctx, path, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.ServerBans(ctx)
	if err != nil || len(got) != 2 || !reflect.DeepEqual(got[0], d) || !reflect.DeepEqual(got[1], k) {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	if err := s2.DeleteServerBan(ctx, "D", d.Mask); err != nil {
		t.Fatal(err)
	}
	if err := s2.DeleteServerBan(ctx, "D", d.Mask); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}
