// Package bans keeps the server bans that operators set: K-lines (a
// user@host mask) and D-lines (an IP address or CIDR range), each with a
// reason and an optional expiry. Every ban is in memory for the checks on
// each new connection and registration; the store keeps them across
// restarts, and a change is committed there before it takes effect and
// before the method returns, so an operator's acknowledgement means it
// lasts. Add and Remove write to the database: callers run them off the
// dispatch workers.
package bans
