package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReadMarker is the time of the last message account has read in target;
// the zero time when none was set.
func (s *SQLite) ReadMarker(ctx context.Context, account, target string) (time.Time, error) {
	db, err := s.reader()
	if err != nil {
		return time.Time{}, err
	}
	var ms int64
	err = db.QueryRowContext(ctx, `SELECT time FROM read_markers WHERE account = ? AND target = ?`,
		account, target).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read marker: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// SetReadMarker moves account's marker in target forward to t (never
// back) and returns the marker as stored, once committed.
func (s *SQLite) SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error) {
	var ms int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO read_markers(account, target, time) VALUES(?, ?, ?)
		ON CONFLICT(account, target) DO UPDATE SET time = max(time, excluded.time)
		RETURNING time`, account, target, t.UnixMilli()).Scan(&ms)
	if err != nil {
		return time.Time{}, fmt.Errorf("set read marker: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}
