package main

import (
	"io"
	"log/slog"

	"github.com/conference-irc/conference/conf"
)

// newLogger makes the server's logger: text or json on w (stderr), at the
// level held by level, which starts at log.level and follows reloads.
func newLogger(w io.Writer, cfg conf.Log, level *slog.LevelVar) *slog.Logger {
	level.Set(cfg.SlogLevel())
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
