-- tidings schema for PostgreSQL, version 18: the pulse and the team's week
-- at a glance (../018-pulse.sql).
CREATE INDEX prompts_stats ON prompts(person_id, due_at, checkin_id, state,
    closes_at, answered_at, skip_reason);
DROP INDEX prompts_person;

-- The weekday (0 Monday .. 6 Sunday, in the team's zone) whose digest
-- shows who is around that week, as a grid; NULL: none does.
ALTER TABLE teams ADD COLUMN around_day bigint
    CHECK (around_day BETWEEN 0 AND 6);
