package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
)

// Secret returns the random secret kept under name, drawing size bytes
// from random and keeping them the first time it is asked for. Secrets the
// server makes up for itself live here (the cloak key when the
// configuration gives none), so that what depends on them survives a
// restart. Two callers racing for a new secret get the same one.
func (s *SQLite) Secret(ctx context.Context, name string, size int, random io.Reader) ([]byte, error) {
	fresh := make([]byte, size)
	if _, err := io.ReadFull(random, fresh); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	key := "secret:" + name
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING`, key, hex.EncodeToString(fresh)); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var value string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&value); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	secret, err := hex.DecodeString(value)
	if err != nil || len(secret) < size {
		return nil, fmt.Errorf("secret %s: stored value is not %d bytes of hex", name, size)
	}
	return secret, nil
}
