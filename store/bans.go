package store

import (
	"context"
	"fmt"
	"time"
)

// ServerBan is one K-line or D-line as stored.
type ServerBan struct {
	// Kind is "K" (user@host) or "D" (IP or CIDR).
	Kind string
	// Mask is what is banned.
	Mask string
	// Reason is shown to whoever the ban keeps out.
	Reason string
	// SetBy is the operator who set it.
	SetBy string
	// SetAt is when it was set.
	SetAt time.Time
	// Expires is when it lapses; zero means never.
	Expires time.Time
}

// BanStore keeps server bans. Writes have committed durably when they
// return without error.
type BanStore interface {
	// ServerBans returns every stored ban, lapsed or not.
	ServerBans(ctx context.Context) ([]ServerBan, error)
	// PutServerBan adds a ban, or replaces the one of the same kind and
	// mask.
	PutServerBan(ctx context.Context, b ServerBan) error
	// DeleteServerBan removes a ban; ErrNotFound when there is none.
	DeleteServerBan(ctx context.Context, kind, mask string) error
}

var _ BanStore = (*SQLite)(nil)

// ServerBans returns every stored ban.
func (s *SQLite) ServerBans(ctx context.Context) ([]ServerBan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, mask, reason, set_by, set_at, expires_at FROM server_bans ORDER BY kind, mask`)
	if err != nil {
		return nil, fmt.Errorf("read server bans: %w", err)
	}
	defer rows.Close()
	var out []ServerBan
	for rows.Next() {
		var b ServerBan
		var setAt, expires int64
		if err := rows.Scan(&b.Kind, &b.Mask, &b.Reason, &b.SetBy, &setAt, &expires); err != nil {
			return nil, fmt.Errorf("read server bans: %w", err)
		}
		b.SetAt = time.Unix(setAt, 0).UTC()
		if expires != 0 {
			b.Expires = time.Unix(expires, 0).UTC()
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read server bans: %w", err)
	}
	return out, nil
}

// PutServerBan adds or replaces a ban.
func (s *SQLite) PutServerBan(ctx context.Context, b ServerBan) error {
	var expires int64
	if !b.Expires.IsZero() {
		expires = b.Expires.Unix()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO server_bans(kind, mask, reason, set_by, set_at, expires_at)
		VALUES(?,?,?,?,?,?) ON CONFLICT(kind, mask) DO UPDATE SET reason = excluded.reason,
		set_by = excluded.set_by, set_at = excluded.set_at, expires_at = excluded.expires_at`,
		b.Kind, b.Mask, b.Reason, b.SetBy, b.SetAt.Unix(), expires)
	if err != nil {
		return fmt.Errorf("put server ban %s %s: %w", b.Kind, b.Mask, err)
	}
	return nil
}

// DeleteServerBan removes a ban.
func (s *SQLite) DeleteServerBan(ctx context.Context, kind, mask string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM server_bans WHERE kind = ? AND mask = ?`, kind, mask)
	return oneRow(res, err, "delete server ban "+kind+" "+mask)
}
