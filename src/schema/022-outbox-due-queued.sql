-- tidings schema, version 22: the index of mail due holds the queued
-- mail alone.  Every query that walks it asks for state = 'queued'; the
-- entries of sent and failed mail were only written, each record of an
-- outcome moving one from the queued part of the index to another page,
-- one more page in every commit of a delivery.  The purge of old sent
-- mail, once a day, reads the table instead.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(next_try_at) WHERE state = 'queued';
