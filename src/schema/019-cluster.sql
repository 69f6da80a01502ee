-- tidings schema, version 19: several tidings run on one database.
--
-- Every tidings run notes itself in processes and says every few seconds
-- that it lives (seen_at).  What only one of them may do at a time (read
-- a mailbox) is a lease: a row naming its holder until expires_at, which
-- the holder moves on while it lives; once it has passed, another process
-- takes the lease over.  Times are the database's clock, so that the
-- hosts' clocks do not matter.
-- An id is never given twice (AUTOINCREMENT), so that a process that was
-- forgotten cannot take another's id for its own.
CREATE TABLE processes (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	host		TEXT NOT NULL,
	pid		INTEGER NOT NULL,
	version		TEXT NOT NULL,
	started_at	INTEGER NOT NULL,
	seen_at		INTEGER NOT NULL
);

CREATE TABLE leases (
	name		TEXT PRIMARY KEY,	-- 'imap USER@HOST FOLDER'
	holder		INTEGER NOT NULL REFERENCES processes(id)
			    ON DELETE CASCADE,
	taken_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL
);

-- A mail of the outbox that a process is sending: its claim, until it is
-- sent or put back, and until when it holds (outbox times, UTC seconds):
-- another process takes the mail only once the claim has passed, that is
-- when the first died with the mail in hand.
ALTER TABLE outbox ADD COLUMN claim TEXT;
ALTER TABLE outbox ADD COLUMN claim_until INTEGER;
CREATE INDEX outbox_claim ON outbox(claim) WHERE claim IS NOT NULL;
