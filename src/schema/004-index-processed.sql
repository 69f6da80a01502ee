-- tidings schema, version 4: mail is indexed for search once, when it has
-- been processed, instead of once when stored and again when processed.
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.state IN ('processed', 'dropped') BEGIN
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	VALUES (new.id, new.subject, new.sender, new.body_text);
END;
CREATE TRIGGER messages_fts_unindex AFTER UPDATE OF subject, sender,
    body_text, state ON messages
    WHEN old.state IN ('processed', 'dropped') BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, subject, sender, body_text)
	VALUES ('delete', old.id, old.subject, old.sender, old.body_text);
END;
CREATE TRIGGER messages_fts_index AFTER UPDATE OF subject, sender,
    body_text, state ON messages
    WHEN new.state IN ('processed', 'dropped') BEGIN
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	VALUES (new.id, new.subject, new.sender, new.body_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.state IN ('processed', 'dropped') BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, subject, sender, body_text)
	VALUES ('delete', old.id, old.subject, old.sender, old.body_text);
END;

-- What the old triggers indexed, indexed again by the new rule.
INSERT INTO messages_fts(messages_fts) VALUES ('delete-all');
INSERT INTO messages_fts(rowid, subject, sender, body_text)
SELECT id, subject, sender, body_text FROM messages
WHERE state IN ('processed', 'dropped');
