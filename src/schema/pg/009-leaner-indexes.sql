-- tidings schema for PostgreSQL, version 9: less written for every stored
-- mail (../009-leaner-indexes.sql): the same indexes go, and mail is
-- indexed by state only when it is not processed.  message_refs needs no
-- rebuilding here (SQLite's was made WITHOUT ROWID); the search triggers
-- it changes do not exist here.
DROP INDEX messages_message_id;
DROP INDEX messages_parent;
DROP INDEX messages_state;
CREATE INDEX messages_unprocessed ON messages(state)
    WHERE state <> 'processed';
