-- tidings schema for PostgreSQL, version 21: the raw mail of the outbox
-- in a table of its own (../021-outbox-raw.sql), so that a change of a
-- mail's state writes a small row, not the mail again.
CREATE TABLE outbox_raw (
	outbox_id	bigint PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE
			DEFERRABLE,
	raw		bytea NOT NULL		-- its header block when it has a body
);
INSERT INTO outbox_raw (outbox_id, raw) SELECT id, raw FROM outbox;
ALTER TABLE outbox DROP COLUMN raw;
