-- tidings schema for PostgreSQL: answers to mail, counted per sender and
-- hour, so that the rate limits of [limits] hold across processes
-- (../007-limits.sql).
CREATE TABLE reply_counts (
	sender		text NOT NULL COLLATE nocase,
	hour		bigint NOT NULL,		-- UTC seconds / 3600
	replies		bigint NOT NULL DEFAULT 0,	-- answers sent
	held		bigint NOT NULL DEFAULT 0,	-- answers held back
	PRIMARY KEY (sender, hour)
);
CREATE INDEX reply_counts_hour ON reply_counts(hour);
