-- tidings schema, version 18: the pulse and the team's week at a glance.
--
-- The pulse (tidings stats, and the digest's) reads every prompt of a
-- team's members over weeks, member by member in time order, with what
-- became of each.  This index holds all it reads, so that the rows come
-- from the index alone, in order, without a look-up in the table for
-- each (a year of a team of 1,000 is 260,000 of them).  It begins as
-- prompts_person did, which it replaces for every query that used it.
CREATE INDEX prompts_stats ON prompts(person_id, due_at, checkin_id, state,
    closes_at, answered_at, skip_reason);
DROP INDEX prompts_person;

-- The weekday (0 Monday .. 6 Sunday, in the team's zone) whose digest
-- shows who is around that week, as a grid; NULL: none does.
ALTER TABLE teams ADD COLUMN around_day INTEGER
    CHECK (around_day BETWEEN 0 AND 6);
