-- tidings schema for PostgreSQL, version 2: what threading needs to find
-- relatives fast (../002-threading.sql).

-- Every Message-ID a message names in References and In-Reply-To, so that
-- a parent arriving after its children finds them.
CREATE TABLE message_refs (
	message		bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE
			DEFERRABLE,
	ref		text NOT NULL,
	PRIMARY KEY (message, ref)
);
CREATE INDEX message_refs_ref ON message_refs(ref);

-- The subject with Re:/Fwd: and list tags removed, lower-cased, for the
-- fallback that joins replies whose references were lost.
ALTER TABLE threads ADD COLUMN subject_key text NOT NULL DEFAULT '';
CREATE INDEX threads_subject ON threads(subject_key, last_date);

CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_date ON messages(date);
