-- Read markers (draft/read-marker): per account and conversation, the time
-- of the last message the account has read. Keys are casefolded by the
-- caller.
CREATE TABLE read_markers (
	account TEXT NOT NULL,
	target  TEXT NOT NULL,
	time    INTEGER NOT NULL, -- unix milliseconds
	PRIMARY KEY (account, target)
) WITHOUT ROWID, STRICT;
