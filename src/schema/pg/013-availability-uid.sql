-- tidings schema for PostgreSQL, version 13: what a calendar's UID stood
-- for is found by an index (../013-availability-uid.sql).
CREATE INDEX availability_uid ON availability(person_id, source, uid);
