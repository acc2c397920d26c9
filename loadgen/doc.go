// Package loadgen drives an IRC server with many plain-text clients and
// measures what it does under that load: registration rate and latency,
// message delivery latency and loss, connection churn, and (when given the
// server's PID) the server's CPU time and resident memory.
//
// It speaks only RFC 1459/2812 IRC (NICK, USER, JOIN, PRIVMSG, PING/PONG,
// QUIT) and negotiates no capabilities, so it can load any server: ours,
// ngIRCd or InspIRCd. cmd/conference-load is its command-line front end.
//
// # Goroutines
//
// Every connection has exactly one goroutine, which dials, registers, joins,
// and then reads until the connection closes; it answers PING itself and
// records each load message it receives in a shared histogram. Senders are
// not goroutines of their own: a few scheduler shards (at most maxShards)
// each own a subset of the senders and, on every tick of one ticker, write
// the messages that became due to each of their senders in one batch. A
// connection's writes are serialised by its write mutex, because the reader
// may answer a PING while a shard writes.
//
// # Measuring
//
// A load message's text is "<sender-id> <seq> <nanos> <padding>", where nanos
// is the monotonic time since the run's epoch at which the message was meant
// to be sent (its pacer slot), not when it was written: a stalled sender
// cannot hide latency (no coordinated omission), and the pacer never skips a
// message. How late each write finished is kept apart as the send lag.
// Receivers subtract it from their own clock, so latency needs no clock
// synchronisation. Counters are atomics owned by one writer each and summed
// when read; the receive path does not allocate.
package loadgen
