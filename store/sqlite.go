package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite is the Store kept in one SQLite file.
type SQLite struct {
	path string
	db   *sql.DB
	hist historyState // see history.go
}

var _ Store = (*SQLite)(nil)

// ErrCorrupt is wrapped by Open when the file is not a sound database.
var ErrCorrupt = errors.New("database is corrupt")

// ErrReadOnly is wrapped by Open when the file or its directory cannot be
// written.
var ErrReadOnly = errors.New("database is not writable")

// ErrTooNew is wrapped by Open when the file was written by a newer version
// of the server (its schema has migrations this version does not know).
var ErrTooNew = errors.New("database schema is newer than this server")

// dsn is the connection string for path: WAL, synchronous=FULL (see the
// package doc), foreign keys on, a bounded wait for the write lock, and
// write transactions that take the lock when they begin.
func dsn(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating it when absent) the database at path, checks its
// integrity, checks that it can be written, and applies any pending
// migrations. A corrupt, read-only or too-new file is an error naming the
// path: the server never starts silently on an empty database instead.
func Open(ctx context.Context, path string, now time.Time) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("database path is empty")
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	// One connection: writes are rare and serialised anyway, and it keeps
	// the per-connection pragmas in force for every statement.
	db.SetMaxOpenConns(1)
	s := &SQLite{path: path, db: db}
	if err := s.start(ctx, now); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return s, nil
}

// start runs the checks and migrations of Open.
func (s *SQLite) start(ctx context.Context, now time.Time) error {
	if err := s.checkIntegrity(ctx); err != nil {
		return err
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	// A real write: a read-only file or directory fails here, at start,
	// rather than at the first account a user creates.
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('last_start', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, now.UTC().Format(time.RFC3339))
	if err != nil {
		return classify(fmt.Errorf("write check: %w", err))
	}
	return nil
}

// checkIntegrity runs SQLite's integrity check.
func (s *SQLite) checkIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return classify(fmt.Errorf("integrity check: %w", err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return classify(fmt.Errorf("integrity check: %w", err))
		}
		if line != "ok" && len(problems) < 5 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(fmt.Errorf("integrity check: %w", err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// classify wraps err with ErrCorrupt or ErrReadOnly when SQLite said so.
func classify(err error) error {
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// sqliteCode is SQLite's extended result code carried by err (0 if none).
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// Path is the file the database lives in.
func (s *SQLite) Path() string { return s.path }

// Close checkpoints the write-ahead log and closes the file.
func (s *SQLite) Close() error {
	s.hist.mu.Lock()
	readers := s.hist.readers
	for _, st := range s.hist.stmts {
		st.Close()
	}
	s.hist.mu.Unlock()
	if readers != nil {
		readers.Close()
	}
	return s.db.Close()
}

// Backup writes a consistent snapshot to path with VACUUM INTO: it reads
// inside one transaction, so writers carry on in WAL mode and the copy is a
// complete, compact database that can replace the file as it is.
func (s *SQLite) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup %s: %w", path, os.ErrExist)
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return nil
}

// SchemaVersion is the number of migrations applied to the database.
func (s *SQLite) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }

// BackupFile writes a consistent copy of the existing database at path to
// out (which must not exist) while a server may be using it: SQLite's WAL
// lets this reader see one committed state while the server goes on
// writing. It neither creates nor migrates path.
func BackupFile(ctx context.Context, path, out string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	s := &SQLite{path: path, db: db}
	if err := s.checkIntegrity(ctx); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	return s.Backup(ctx, out)
}
