// Package services is the NickServ (and, later, ChanServ) pseudo-clients:
// their sub-commands, in the syntax Ergo and Atheme users type, over the
// accounts, channels and users rooms.
//
// A service never changes a connection's state itself: it answers with a
// Result (the notices to send and the effects to apply: log in, log out,
// disconnect a ghost, take a nick back), and the commands room applies the
// effects through its one path for each kind of change. Run may hash a
// password or write to the database: it is called off the dispatch
// workers.
package services
