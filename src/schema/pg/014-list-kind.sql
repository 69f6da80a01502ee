-- tidings schema for PostgreSQL, version 14: mailing-list mail is a kind
-- of its own, 'list' (../014-list-kind.sql).  SQLite edits the text of its
-- schema; here the CHECK is replaced, and checked against every row.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check,
    ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('unprocessed', 'reply', 'autoreply', 'bounce',
	'command', 'calendar', 'comment', 'sent', 'other', 'list'));
