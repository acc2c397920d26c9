package harness

import (
	"context"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/bans"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/store"
	"github.com/conference-irc/conference/users"
)

// openAccounts opens a fresh database for a test server and loads its
// server bans and accounts, whose passwords are hashed at bcrypt's lowest cost (for tests
// only) so that logins are quick. The database closes when the test ends.
func openAccounts(t testing.TB, cfg *conf.Config, now func() time.Time, log *slog.Logger) (*accounts.Registry, *bans.List) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conference.db")
	db, err := store.Open(context.Background(), path, now())
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	cm, err := users.ParseCasemapping(cfg.Server.Casemapping)
	if err != nil {
		t.Fatalf("casemapping: %v", err)
	}
	reg, err := accounts.Load(context.Background(), accounts.Options{
		Store: db, Fold: cm.Fold, Clock: now, Random: rand.Reader,
		BcryptCost: bcrypt.MinCost, Logger: log,
	})
	if err != nil {
		t.Fatalf("load accounts: %v", err)
	}
	list, err := bans.Load(context.Background(), db, now)
	if err != nil {
		t.Fatalf("load server bans: %v", err)
	}
	return reg, list
}
