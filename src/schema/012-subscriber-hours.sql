-- tidings schema, version 12: each subscriber's copy of a digest leaves in
-- their own morning.  A subscription may name its zone and the minute of
-- the day its copies leave (NULL: the person's zone and the start of their
-- working hours when they are a member, else the team's digest time); an
-- outbox mail may be due later than it was queued, and may expire unsent
-- when tidings was not running at its time.
ALTER TABLE subscriptions ADD COLUMN zone TEXT;
ALTER TABLE subscriptions ADD COLUMN at_minute INTEGER
    CHECK (at_minute IS NULL OR (at_minute >= 0 AND at_minute < 1440));
ALTER TABLE outbox ADD COLUMN due_at INTEGER;
ALTER TABLE outbox ADD COLUMN expires_at INTEGER;
