-- Server bans set by operators: K-lines (user@host masks) and D-lines
-- (IP addresses and CIDR ranges).
CREATE TABLE server_bans (
	kind       TEXT NOT NULL,    -- 'K' or 'D'
	mask       TEXT NOT NULL,    -- as given, casefolded by the caller for K
	reason     TEXT NOT NULL,
	set_by     TEXT NOT NULL,
	set_at     INTEGER NOT NULL, -- unix seconds
	expires_at INTEGER NOT NULL, -- unix seconds; 0 = permanent
	PRIMARY KEY (kind, mask)
) STRICT;
