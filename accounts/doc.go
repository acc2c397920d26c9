// Package accounts keeps registered accounts and their credentials, checks
// passwords and certificates, runs the SASL mechanisms (PLAIN,
// SCRAM-SHA-256, EXTERNAL), limits wrong guesses, counts logged-in
// sessions, and says which account owns a nick.
//
// Every account is held in memory, so the hot paths (who owns a nick, the
// SCRAM verifiers, a certificate's account) never touch the disk; the store
// is for durability, and a change is written there (committed) before it is
// made visible in memory and before the method returns, so the caller may
// acknowledge it at once.
//
// Methods that hash a password (Register, SetPassword, Authenticate, the
// PLAIN mechanism) or write to the store take milliseconds: callers run
// them off the goroutines that dispatch clients' lines. Nothing here ever
// keeps or logs a password: only bcrypt hashes and SCRAM verifiers.
package accounts
