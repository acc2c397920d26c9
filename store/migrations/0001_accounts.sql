-- Accounts and their certificate fingerprints. Names are keyed by their
-- casefold (computed by the caller); the display form is kept beside it.
CREATE TABLE accounts (
	key              TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	email            TEXT NOT NULL DEFAULT '',
	password_hash    TEXT NOT NULL,
	scram_salt       BLOB NOT NULL,
	scram_iterations INTEGER NOT NULL,
	scram_stored_key BLOB NOT NULL,
	scram_server_key BLOB NOT NULL,
	registered_at    INTEGER NOT NULL -- unix seconds
) STRICT;

CREATE TABLE account_certfps (
	certfp      TEXT PRIMARY KEY,
	account_key TEXT NOT NULL REFERENCES accounts(key) ON DELETE CASCADE
) STRICT;

CREATE INDEX account_certfps_by_account ON account_certfps(account_key);

-- Small facts about the database itself (last start, ...).
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
