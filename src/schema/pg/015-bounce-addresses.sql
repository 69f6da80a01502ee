-- tidings schema for PostgreSQL, version 15: bounces are counted through
-- the envelope sender (VERP) (../015-bounce-addresses.sql).
ALTER TABLE outbox_recipients ADD COLUMN verp text;
CREATE INDEX outbox_recipients_verp ON outbox_recipients(verp)
	WHERE verp IS NOT NULL;
ALTER TABLE bounces ADD COLUMN outbox_id bigint
	REFERENCES outbox(id) ON DELETE SET NULL DEFERRABLE;
ALTER TABLE people ADD COLUMN bounce_score double precision NOT NULL
	DEFAULT 0;
ALTER TABLE people ADD COLUMN bouncing_since bigint;	-- first counted
ALTER TABLE people ADD COLUMN mail_dead_at bigint;	-- past the threshold
