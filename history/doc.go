// Package history keeps what was said: every channel message (and, for
// clients that ask, every membership event) and the private conversations
// of logged-in users, for CHATHISTORY and the replay on JOIN.
//
// Store is the small interface the server uses. Memory keeps a bounded
// ring per target and loses everything on restart; Persistent keeps the
// records in the database (store.History) behind a batching writer: Add
// only queues a record (fan-out never waits for the disk), and one
// goroutine commits whatever has queued in one transaction, then the next
// batch. Retention by age and by count runs beside it. Queries are the
// same code for both (query.go): CHATHISTORY's selectors are resolved to
// positions once and become one or two range reads.
package history
