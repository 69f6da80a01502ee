-- tidings schema, version 3: when the last IMAP error happened, for
-- tidings status.
ALTER TABLE sync_state ADD COLUMN last_error_at INTEGER;
