package main

import (
	"log/slog"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/store"
)

// openHistory starts persistent history over db when the configuration
// asks for it; nil otherwise (history off, or kept in memory by the
// server).
func openHistory(cfg *conf.Config, db *store.SQLite, log *slog.Logger) history.Store {
	h := cfg.History
	if !h.Enabled || !h.Persistent {
		return nil
	}
	r := h.Retention
	return history.NewPersistent(history.Options{
		DB: db, Queue: h.Queue, Logger: log.With("room", "history"),
		Retention: history.Retention{ChannelAge: r.ChannelAge, ChannelCount: r.ChannelCount,
			DMAge: r.DMAge, DMCount: r.DMCount, Interval: r.Interval},
	})
}
