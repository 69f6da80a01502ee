-- tidings schema, version 6: a mail sent to many (a digest to its
-- subscribers) keeps its body once.  An outbox row with a body holds only
-- its own header block in raw; the mail is raw followed by the body.
CREATE TABLE outbox_bodies (
	id		INTEGER PRIMARY KEY,
	key		TEXT NOT NULL UNIQUE,		-- chosen by the sender
	raw		BLOB NOT NULL
);
ALTER TABLE outbox ADD COLUMN body INTEGER REFERENCES outbox_bodies(id);
CREATE INDEX outbox_body ON outbox(body);
