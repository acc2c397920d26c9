-- Message history. A target is one conversation: a channel, or a private
-- conversation between two parties; keys are chosen (and casefolded) by the
-- caller. latest is the time of the target's newest record, kept by the
-- writer so that listing recent conversations never scans history.
CREATE TABLE history_targets (
	id     INTEGER PRIMARY KEY,
	key    TEXT NOT NULL UNIQUE,
	latest INTEGER NOT NULL DEFAULT 0 -- unix milliseconds
) STRICT;

-- Who may read a target that is not public to its members (a private
-- conversation's two parties).
CREATE TABLE history_parties (
	party  TEXT NOT NULL,
	target INTEGER NOT NULL,
	PRIMARY KEY (party, target)
) WITHOUT ROWID, STRICT;

-- One stored line, clustered by target and time so that a range of one
-- conversation is a few neighbouring pages. seq is the insertion order
-- (the next one is meta's history_seq) and breaks ties between records of
-- the same millisecond; kind is 0 for a message (PRIVMSG, NOTICE, TAGMSG),
-- 1 for an event (JOIN, PART, QUIT, ...). params are the line's parameters
-- joined by newlines (which no IRC line can contain).
CREATE TABLE history (
	target  INTEGER NOT NULL,
	time    INTEGER NOT NULL, -- unix milliseconds
	seq     INTEGER NOT NULL,
	kind    INTEGER NOT NULL,
	msgid   TEXT NOT NULL,
	command TEXT NOT NULL,
	source  TEXT NOT NULL,
	account TEXT NOT NULL,
	params  TEXT NOT NULL,
	tags    TEXT NOT NULL,
	PRIMARY KEY (target, time, seq)
) WITHOUT ROWID, STRICT;

-- msgid= selectors and redaction find a record by its id.
CREATE INDEX history_by_msgid ON history(msgid);
