-- tidings schema, version 21: the raw mail of the outbox in a table of
-- its own.  Each change of a mail's state (claimed, sent, tried again)
-- rewrote its row, and a row that carried the mail rewrote all of it,
-- kilobytes for a few bytes changed; the rows of outbox are small now,
-- many to a page, and the mail is written once, when it is queued.
CREATE TABLE outbox_raw (
	outbox_id	INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
	raw		BLOB NOT NULL		-- its header block when it has a body
);
INSERT INTO outbox_raw (outbox_id, raw) SELECT id, raw FROM outbox;
ALTER TABLE outbox DROP COLUMN raw;
