package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when the record asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when a record with the same key already exists.
var ErrExists = errors.New("already exists")

// Store is what the rest of the server asks of a database. Every write has
// committed durably when it returns without error.
type Store interface {
	// Accounts returns every account with its certificate fingerprints,
	// for the in-memory index built at start.
	Accounts(ctx context.Context) ([]Account, error)
	// CreateAccount stores a new account; ErrExists when its key is taken.
	CreateAccount(ctx context.Context, a Account) error
	// SetCredentials replaces an account's password hash and SCRAM
	// credentials; ErrNotFound when there is no such account.
	SetCredentials(ctx context.Context, key string, c Credentials) error
	// DeleteAccount removes an account and its fingerprints; ErrNotFound
	// when there is no such account.
	DeleteAccount(ctx context.Context, key string) error
	// AddCertFP links a certificate fingerprint to an account; ErrExists
	// when the fingerprint is already linked (to any account), ErrNotFound
	// when there is no such account.
	AddCertFP(ctx context.Context, key, certfp string) error
	// RemoveCertFP unlinks a fingerprint from an account; ErrNotFound when
	// it was not linked to it.
	RemoveCertFP(ctx context.Context, key, certfp string) error
	// Backup writes a consistent copy of the whole database to path, which
	// must not exist, while the database stays in use.
	Backup(ctx context.Context, path string) error
	// Close releases the database.
	Close() error
}

// Account is one registered account as stored.
type Account struct {
	// Key is the casefolded name, the primary key.
	Key string
	// Name is the name as registered, for display.
	Name string
	// Email is the address given at registration ("" when none).
	Email string
	// Credentials are the password verifiers (never the password).
	Credentials Credentials
	// RegisteredAt is when the account was created.
	RegisteredAt time.Time
	// CertFPs are the linked client-certificate fingerprints (lower-case
	// hex SHA-256), sorted.
	CertFPs []string
}

// Credentials are what the server keeps to check a password: a bcrypt hash
// for PLAIN and IDENTIFY, and SCRAM-SHA-256 verifiers (RFC 7677).
type Credentials struct {
	// PasswordHash is the bcrypt hash of the password.
	PasswordHash string
	// SCRAMSalt is the SCRAM salt.
	SCRAMSalt []byte
	// SCRAMIterations is the PBKDF2 iteration count.
	SCRAMIterations int
	// SCRAMStoredKey is H(ClientKey).
	SCRAMStoredKey []byte
	// SCRAMServerKey is HMAC(SaltedPassword, "Server Key").
	SCRAMServerKey []byte
}
