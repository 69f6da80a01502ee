-- tidings schema, version 9: less written for every stored mail.
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

-- Mail stored processed in a batch was noted for indexing by a trigger
-- whose one statement that indexes at once, false in a batch, still opened
-- the search index for every mail, at a cost greater than the noting.
-- Two triggers, whose conditions tell them apart before either runs: one
-- indexes outside a batch, the other notes in one.
DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.state IN ('processed', 'dropped') AND NOT EXISTS (
	SELECT 1 FROM messages_fts_pending WHERE id = 0) BEGIN
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	VALUES (new.id, new.subject, new.sender, new.body_text);
END;
CREATE TRIGGER messages_fts_note AFTER INSERT ON messages
    WHEN new.state IN ('processed', 'dropped') AND EXISTS (
	SELECT 1 FROM messages_fts_pending WHERE id = 0) BEGIN
	INSERT OR IGNORE INTO messages_fts_pending (id) VALUES (new.id);
END;
