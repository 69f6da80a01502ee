-- tidings schema for PostgreSQL, version 12: each subscriber's copy of a
-- digest leaves in their own morning (../012-subscriber-hours.sql).
ALTER TABLE subscriptions ADD COLUMN zone text;
ALTER TABLE subscriptions ADD COLUMN at_minute bigint
    CHECK (at_minute IS NULL OR (at_minute >= 0 AND at_minute < 1440));
ALTER TABLE outbox ADD COLUMN due_at bigint;
ALTER TABLE outbox ADD COLUMN expires_at bigint;
