-- tidings schema, version 11: how many attempts to process a mail have
-- started, a number of its own rather than words in its reason ("processing,
-- attempt 2"), which was read back with atoi().  Mail stored before it is
-- parsed (the MDA keeps it first) has attempts 1 until it is processed.
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET attempts = max(1, CAST(substr(reason, 21) AS INTEGER)),
    reason = NULL
    WHERE state = 'new' AND reason LIKE 'processing, attempt %';
UPDATE messages SET attempts = 1
    WHERE state = 'new' AND attempts = 0 AND reason IS NULL;
