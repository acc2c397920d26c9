package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/conference-irc/conference/server"
	"github.com/conference-irc/conference/store"
	"github.com/conference-irc/conference/web"
)

// mountWeb puts the web endpoints (chat page, health, metrics, admin API)
// on the server's HTTP listeners.
func mountWeb(srv *server.Server, db *store.SQLite, log *slog.Logger) {
	srv.Mount(web.New(web.Options{
		Dispatcher: srv.Dispatcher(),
		Edge:       srv,
		Version:    server.Version,
		Logger:     log,
		Checks: map[string]func() error{
			"database": func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_, err := db.SchemaVersion(ctx)
				return err
			},
		},
	}))
}
