-- tidings schema for PostgreSQL, version 11: how many attempts to process
-- a mail have started, a number of its own rather than words in its reason
-- (../011-attempts.sql).  The number is read from the reason as SQLite's
-- CAST reads it: the digits it starts with, 0 without any.
ALTER TABLE messages ADD COLUMN attempts bigint NOT NULL DEFAULT 0;
UPDATE messages SET attempts = greatest(1, coalesce(nullif(
    substring(substr(reason, 21) FROM '^[0-9]{1,18}'), '')::bigint, 0)),
    reason = NULL
    WHERE state = 'new' AND reason LIKE 'processing, attempt %';
UPDATE messages SET attempts = 1
    WHERE state = 'new' AND attempts = 0 AND reason IS NULL;
