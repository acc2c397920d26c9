package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// Accounts returns every account with its fingerprints.
func (s *SQLite) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, name, email, password_hash, scram_salt,
		scram_iterations, scram_stored_key, scram_server_key, registered_at FROM accounts ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	index := map[string]int{}
	for rows.Next() {
		var a Account
		var registered int64
		c := &a.Credentials
		if err := rows.Scan(&a.Key, &a.Name, &a.Email, &c.PasswordHash, &c.SCRAMSalt,
			&c.SCRAMIterations, &c.SCRAMStoredKey, &c.SCRAMServerKey, &registered); err != nil {
			return nil, fmt.Errorf("read accounts: %w", err)
		}
		a.RegisteredAt = time.Unix(registered, 0).UTC()
		index[a.Key] = len(out)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	fps, err := s.db.QueryContext(ctx, `SELECT account_key, certfp FROM account_certfps ORDER BY account_key, certfp`)
	if err != nil {
		return nil, fmt.Errorf("read fingerprints: %w", err)
	}
	defer fps.Close()
	for fps.Next() {
		var key, fp string
		if err := fps.Scan(&key, &fp); err != nil {
			return nil, fmt.Errorf("read fingerprints: %w", err)
		}
		if i, ok := index[key]; ok {
			out[i].CertFPs = append(out[i].CertFPs, fp)
		}
	}
	if err := fps.Err(); err != nil {
		return nil, fmt.Errorf("read fingerprints: %w", err)
	}
	return out, nil
}

// CreateAccount stores a new account.
func (s *SQLite) CreateAccount(ctx context.Context, a Account) error {
	c := a.Credentials
	_, err := s.db.ExecContext(ctx, `INSERT INTO accounts(key, name, email, password_hash, scram_salt,
		scram_iterations, scram_stored_key, scram_server_key, registered_at) VALUES(?,?,?,?,?,?,?,?,?)`,
		a.Key, a.Name, a.Email, c.PasswordHash, c.SCRAMSalt, c.SCRAMIterations, c.SCRAMStoredKey,
		c.SCRAMServerKey, a.RegisteredAt.Unix())
	if isConstraint(err) {
		return fmt.Errorf("create account %s: %w", a.Key, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.Key, err)
	}
	return nil
}

// SetCredentials replaces an account's password verifiers.
func (s *SQLite) SetCredentials(ctx context.Context, key string, c Credentials) error {
	res, err := s.db.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, scram_salt = ?,
		scram_iterations = ?, scram_stored_key = ?, scram_server_key = ? WHERE key = ?`,
		c.PasswordHash, c.SCRAMSalt, c.SCRAMIterations, c.SCRAMStoredKey, c.SCRAMServerKey, key)
	return oneRow(res, err, "set credentials of "+key)
}

// DeleteAccount removes an account; its fingerprints go with it.
func (s *SQLite) DeleteAccount(ctx context.Context, key string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM accounts WHERE key = ?`, key)
	return oneRow(res, err, "delete account "+key)
}

// AddCertFP links a fingerprint to an account.
func (s *SQLite) AddCertFP(ctx context.Context, key, certfp string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO account_certfps(certfp, account_key) VALUES(?, ?)`, certfp, key)
	if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return fmt.Errorf("add fingerprint to %s: %w", key, ErrNotFound)
	}
	if isConstraint(err) {
		return fmt.Errorf("add fingerprint to %s: %w", key, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add fingerprint to %s: %w", key, err)
	}
	return nil
}

// RemoveCertFP unlinks a fingerprint from an account.
func (s *SQLite) RemoveCertFP(ctx context.Context, key, certfp string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM account_certfps WHERE certfp = ? AND account_key = ?`, certfp, key)
	return oneRow(res, err, "remove fingerprint from "+key)
}

// oneRow turns the result of a statement that must touch exactly one row
// into nil, ErrNotFound or the error, with what in front.
func oneRow(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	code := sqliteCode(err)
	return code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || code == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
