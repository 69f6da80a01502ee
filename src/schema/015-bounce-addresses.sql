-- tidings schema, version 15: bounces are counted through the envelope
-- sender (VERP).  Each recipient a mail was sent to keeps the token of its
-- bounce address; a member's address, like a subscriber's, has a bounce
-- score, and once past the threshold it is dead and no longer prompted.
ALTER TABLE outbox_recipients ADD COLUMN verp TEXT;
CREATE INDEX outbox_recipients_verp ON outbox_recipients(verp)
	WHERE verp IS NOT NULL;
ALTER TABLE bounces ADD COLUMN outbox_id INTEGER
	REFERENCES outbox(id) ON DELETE SET NULL;
ALTER TABLE people ADD COLUMN bounce_score REAL NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN bouncing_since INTEGER;	-- first counted
ALTER TABLE people ADD COLUMN mail_dead_at INTEGER;	-- past the threshold
