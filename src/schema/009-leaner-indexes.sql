-- tidings schema, version 9: fewer b-trees written for every stored mail.
--
-- messages_message_id repeated the first column of the UNIQUE
-- (message_id, content_hash) index, which serves every lookup by
-- Message-ID; no query looks mail up by its parent; mail is looked up by
-- state only to list what was not processed (quarantine), so processed
-- mail, nearly all of it, need not be in that index.  message_refs is
-- looked up by its key only, so it needs no rowid table of its own beside
-- it.
DROP INDEX messages_message_id;
DROP INDEX messages_parent;
DROP INDEX messages_state;
CREATE INDEX messages_unprocessed ON messages(state)
    WHERE state <> 'processed';

CREATE TABLE message_refs_new (
	message		INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	ref		TEXT NOT NULL,
	PRIMARY KEY (message, ref)
) WITHOUT ROWID;
INSERT INTO message_refs_new (message, ref)
SELECT message, ref FROM message_refs;
DROP TABLE message_refs;
ALTER TABLE message_refs_new RENAME TO message_refs;
CREATE INDEX message_refs_ref ON message_refs(ref);
