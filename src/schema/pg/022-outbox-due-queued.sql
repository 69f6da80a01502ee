-- tidings schema for PostgreSQL, version 22: the index of mail due holds
-- the queued mail alone (../022-outbox-due-queued.sql).
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(next_try_at) WHERE state = 'queued';
