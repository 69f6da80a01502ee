-- tidings schema, version 8: a transaction that stores many mails (an
-- import, an IMAP batch) indexes them for search when it commits, all in
-- one statement, instead of row by row.  FTS5 writes its pending terms out
-- as a new segment at every statement of a transaction that touches it,
-- so indexing one row at a time made a segment per mail, merged again and
-- again: an import of thousands of mails spent a good part of its time
-- there.
--
-- While messages_fts_pending holds the row 0 (store_begin_batch() puts it
-- there), the triggers only note which processed mail is to be indexed;
-- store_commit() indexes what was noted and empties the table before
-- COMMIT, so readers, who only see committed data, find every processed
-- mail in the index as before.  Without the row 0 (any other writer, the
-- sqlite3 shell included) mail is indexed at once, as in version 4.

-- The row 0, and processed mail not yet in messages_fts; empty outside a
-- transaction.
CREATE TABLE messages_fts_pending (
	id		INTEGER PRIMARY KEY
);

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_unindex;
DROP TRIGGER messages_fts_index;
DROP TRIGGER messages_fts_delete;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.state IN ('processed', 'dropped') BEGIN
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	SELECT new.id, new.subject, new.sender, new.body_text
	WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = 0);
	INSERT OR IGNORE INTO messages_fts_pending (id)
	SELECT new.id WHERE EXISTS (
	    SELECT 1 FROM messages_fts_pending WHERE id = 0);
END;
-- In order: what the index holds of the old row goes (nothing when it was
-- only noted), then the new row is indexed or noted.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, sender,
    body_text, state ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, subject, sender, body_text)
	SELECT 'delete', old.id, old.subject, old.sender, old.body_text
	WHERE old.state IN ('processed', 'dropped') AND NOT EXISTS (
	    SELECT 1 FROM messages_fts_pending WHERE id = old.id);
	DELETE FROM messages_fts_pending WHERE id = old.id;
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	SELECT new.id, new.subject, new.sender, new.body_text
	WHERE new.state IN ('processed', 'dropped') AND NOT EXISTS (
	    SELECT 1 FROM messages_fts_pending WHERE id = 0);
	INSERT OR IGNORE INTO messages_fts_pending (id)
	SELECT new.id WHERE new.state IN ('processed', 'dropped') AND EXISTS (
	    SELECT 1 FROM messages_fts_pending WHERE id = 0);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.state IN ('processed', 'dropped') BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, subject, sender, body_text)
	SELECT 'delete', old.id, old.subject, old.sender, old.body_text
	WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id);
	DELETE FROM messages_fts_pending WHERE id = old.id;
END;
