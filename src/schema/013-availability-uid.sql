-- tidings schema, version 13: what a calendar's UID stood for is found by
-- an index, so that replacing the blocks of a calendar with many events
-- costs one look-up per UID, not a pass over all the person's blocks.
CREATE INDEX availability_uid ON availability(person_id, source, uid);
