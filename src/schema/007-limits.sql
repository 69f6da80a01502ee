-- tidings schema: answers to mail, counted per sender and hour, so that
-- the rate limits of [limits] hold across processes (the MDA runs once a
-- mail).  The hour's total, for the global limit, is the sum of its rows.
CREATE TABLE reply_counts (
	sender		TEXT NOT NULL COLLATE NOCASE,
	hour		INTEGER NOT NULL,		-- UTC seconds / 3600
	replies		INTEGER NOT NULL DEFAULT 0,	-- answers sent
	held		INTEGER NOT NULL DEFAULT 0,	-- answers held back
	PRIMARY KEY (sender, hour)
);
CREATE INDEX reply_counts_hour ON reply_counts(hour);
