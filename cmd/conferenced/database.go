package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/bans"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/store"
	"github.com/conference-irc/conference/users"
)

// openStore opens (creating it on first start) the database that cfg names
// for a server started with configFile, after its integrity check and
// migrations.
func openStore(cfg *conf.Config, configFile string) (*store.SQLite, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return store.Open(ctx, cfg.DatabasePath(configFile), time.Now())
}

// loadAccounts reads every account into memory (see the accounts room).
func loadAccounts(cfg *conf.Config, db *store.SQLite, log *slog.Logger) (*accounts.Registry, error) {
	cm, err := users.ParseCasemapping(cfg.Server.Casemapping)
	if err != nil {
		return nil, fmt.Errorf("server.casemapping: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return accounts.Load(ctx, accounts.Options{
		Store: db, Fold: cm.Fold, Clock: time.Now, Random: rand.Reader, Logger: log,
	})
}

// loadBans reads the server bans into memory.
func loadBans(db *store.SQLite) (*bans.List, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return bans.Load(ctx, db, time.Now)
}

// backup is `conferenced backup [--config FILE] OUT`: an online, consistent
// copy of the database to OUT, which must not exist yet.
func backup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conferenced backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "YAML configuration `file` that names the database; without it, the first of "+
		strings.Join(conf.SearchPaths(), " and ")+" that exists, as for the server")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conferenced backup [--config FILE] OUT\n"+
			"writes a consistent copy of the database to OUT while the server runs")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "config" })
	if !given {
		*configFile = conf.Locate(conf.SearchPaths())
	}
	cfg, err := conf.Load(conf.Options{File: *configFile})
	if err != nil {
		printProblems(stderr, err)
		return 1
	}
	path := cfg.DatabasePath(*configFile)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := store.BackupFile(ctx, path, fs.Arg(0)); err != nil {
		fmt.Fprintln(stderr, "backup:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", path, fs.Arg(0))
	return 0
}

// cloakSecretSize is the size of the cloak key the server makes itself
// (when cloaks.secret is empty) and keeps in the database.
const cloakSecretSize = 32
