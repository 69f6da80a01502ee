-- tidings schema for PostgreSQL, version 3: when the last IMAP error
-- happened, for tidings status (../003-sync-errors.sql).
ALTER TABLE sync_state ADD COLUMN last_error_at bigint;
