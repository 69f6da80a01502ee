-- tidings schema, version 10: mail stored already processed is indexed
-- for search (or, in a batch, noted for indexing at the commit) by the
-- store's own statement after the insert, not by a trigger: running a
-- trigger program for every mail stored cost more than the insert of the
-- row itself.  tidings inserts mail only through src/store-message.c; an
-- UPDATE or DELETE by anyone is still followed by the triggers of
-- version 8, which see the noted mail as before.
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_note;
