// Package store is the embedded database: an SQLite file (modernc.org/sqlite,
// pure Go, no cgo) in WAL mode with synchronous=FULL, its schema kept as
// numbered migrations beside this code and applied at start, an integrity
// check at start, typed reads and writes, and an online backup.
//
// Durability: every write method returns only after its transaction has
// committed, and with synchronous=FULL a commit has been fsynced to the
// write-ahead log. So a caller that acknowledges a write after the method
// returns never acknowledges something that a crash (kill -9 or a power
// failure) could take back. NORMAL would survive kill -9 too but not a power
// failure; the writes here are rare (an account created, a password changed),
// so the extra fsync per commit costs nothing that matters.
//
// The store knows nothing of IRC: it keeps records under the keys its
// callers give it (already casefolded). Callers use it through the Store
// interface, so that another backend (PostgreSQL, for several nodes) can be
// added without touching them. Every method may block on the disk: callers
// must not run them where a client's lines are dispatched.
package store
