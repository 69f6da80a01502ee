-- tidings schema, version 1: the whole data model.
--
-- Every time is UTC seconds since the epoch; zones are applied at the edges.
-- Later versions add columns and tables in files of their own
-- (002-*.sql, ...), applied in order by store.c.

-- A team: people who answer the same check-ins and share a digest.
CREATE TABLE teams (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,		-- in addresses and List-Id
	title		TEXT NOT NULL DEFAULT '',
	zone		TEXT NOT NULL DEFAULT 'UTC',	-- for the digest schedule
	digest_rrule	TEXT,				-- NULL: no scheduled digest
	digest_empty	TEXT NOT NULL DEFAULT 'skip'
			CHECK (digest_empty IN ('skip', 'notice')),
	created_at	INTEGER NOT NULL
);

-- Anyone tidings knows by address: members, owners, subscribers.
CREATE TABLE people (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name		TEXT NOT NULL DEFAULT '',
	zone		TEXT NOT NULL DEFAULT 'UTC',
	work_start	INTEGER NOT NULL DEFAULT 540,	-- minutes after local midnight
	work_end	INTEGER NOT NULL DEFAULT 1020,
	workdays	INTEGER NOT NULL DEFAULT 31,	-- bit 0 Monday .. bit 6 Sunday
	status		TEXT,				-- "traveling", free text
	status_until	INTEGER,
	paused_until	INTEGER,			-- no prompts before this
	delivery_error	TEXT,				-- last permanent SMTP failure
	delivery_error_at INTEGER,
	created_at	INTEGER NOT NULL
);

CREATE TABLE memberships (
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	person_id	INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	role		TEXT NOT NULL DEFAULT 'member'
			CHECK (role IN ('member', 'owner')),
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (team_id, person_id)
);
CREATE INDEX memberships_person ON memberships(person_id);

-- A recurring set of questions for a team.
CREATE TABLE checkins (
	id		INTEGER PRIMARY KEY,
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	title		TEXT NOT NULL,
	rrule		TEXT NOT NULL,			-- evaluated in each member's zone
	reminder_after	INTEGER,			-- seconds after the prompt; NULL: none
	close_after	INTEGER NOT NULL DEFAULT 86400,
	active		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	UNIQUE (team_id, title)
);

CREATE TABLE questions (
	id		INTEGER PRIMARY KEY,
	checkin_id	INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	text		TEXT NOT NULL,
	is_blocker	INTEGER NOT NULL DEFAULT 0,
	UNIQUE (checkin_id, position)
);

-- One occurrence of a check-in for one person.  The unique key claims the
-- occurrence, so that it can never be asked twice.
CREATE TABLE prompts (
	id		INTEGER PRIMARY KEY,
	checkin_id	INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
	person_id	INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	occurrence	INTEGER NOT NULL,		-- the rule's instance
	due_at		INTEGER NOT NULL,
	closes_at	INTEGER NOT NULL,
	sent_at		INTEGER,
	reminded_at	INTEGER,
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'sent', 'answered', 'skipped', 'missed')),
	skip_reason	TEXT,
	token		TEXT NOT NULL UNIQUE,
	message_id	TEXT NOT NULL UNIQUE,
	UNIQUE (checkin_id, person_id, occurrence)
);
CREATE INDEX prompts_due ON prompts(state, due_at);

CREATE TABLE threads (
	id		INTEGER PRIMARY KEY,
	root		TEXT NOT NULL,			-- Message-ID of the root, seen or not
	subject		TEXT NOT NULL DEFAULT '',
	team_id		INTEGER REFERENCES teams(id) ON DELETE SET NULL,
	first_date	INTEGER,
	last_date	INTEGER
);
CREATE INDEX threads_root ON threads(root);

-- Every mail received or sent.  The raw bytes are stored first, in
-- messages_raw, before anything else is done with the mail.
CREATE TABLE messages (
	id		INTEGER PRIMARY KEY,
	message_id	TEXT NOT NULL,
	content_hash	TEXT NOT NULL,			-- SHA-256 of the raw bytes
	conflict	INTEGER NOT NULL DEFAULT 0,	-- same Message-ID, other content
	thread_id	INTEGER REFERENCES threads(id) ON DELETE SET NULL,
	parent		TEXT,				-- Message-ID of the JWZ parent
	in_reply_to	TEXT,
	refs		TEXT,				-- References, space-separated
	sender		TEXT,
	sender_name	TEXT,
	subject		TEXT,
	date		INTEGER,
	received_at	INTEGER NOT NULL,
	source		TEXT NOT NULL,			-- mda, imap:FOLDER, import, sent
	kind		TEXT NOT NULL DEFAULT 'unprocessed'
			CHECK (kind IN ('unprocessed', 'reply', 'autoreply', 'bounce',
			    'command', 'calendar', 'comment', 'sent', 'other')),
	state		TEXT NOT NULL DEFAULT 'new'
			CHECK (state IN ('new', 'processed', 'dropped', 'quarantined')),
	reason		TEXT,				-- why dropped or quarantined
	person_id	INTEGER REFERENCES people(id) ON DELETE SET NULL,
	trusted		INTEGER NOT NULL DEFAULT 0,
	trust_reason	TEXT,
	body_text	TEXT,				-- the extracted reply text
	UNIQUE (message_id, content_hash)
);
CREATE INDEX messages_thread ON messages(thread_id);
CREATE INDEX messages_parent ON messages(parent);
CREATE INDEX messages_state ON messages(state);

CREATE TABLE messages_raw (
	message		INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
	raw		BLOB NOT NULL
);

CREATE VIRTUAL TABLE messages_fts USING fts5(
	subject, sender, body_text,
	content = 'messages', content_rowid = 'id'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	VALUES (new.id, new.subject, new.sender, new.body_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, subject, sender, body_text)
	VALUES ('delete', old.id, old.subject, old.sender, old.body_text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, sender, body_text
    ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, subject, sender, body_text)
	VALUES ('delete', old.id, old.subject, old.sender, old.body_text);
	INSERT INTO messages_fts(rowid, subject, sender, body_text)
	VALUES (new.id, new.subject, new.sender, new.body_text);
END;

-- An answer to one question of one prompt.  A later reply to the same
-- prompt supersedes the earlier answer, which is kept.
CREATE TABLE answers (
	id		INTEGER PRIMARY KEY,
	prompt_id	INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
	question_id	INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
	message		INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	text		TEXT NOT NULL,
	counted		INTEGER NOT NULL DEFAULT 1,
	reason		TEXT,				-- why not counted
	superseded_by	INTEGER REFERENCES answers(id) ON DELETE SET NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX answers_prompt ON answers(prompt_id, question_id);

CREATE TABLE digests (
	id		INTEGER PRIMARY KEY,
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	period_start	INTEGER NOT NULL,
	period_end	INTEGER NOT NULL,
	message_id	TEXT NOT NULL UNIQUE,
	created_at	INTEGER NOT NULL,
	UNIQUE (team_id, period_start)
);

-- A comment made by replying to a digest: on an answer, or on the digest.
CREATE TABLE comments (
	id		INTEGER PRIMARY KEY,
	answer_id	INTEGER REFERENCES answers(id) ON DELETE CASCADE,
	digest_id	INTEGER REFERENCES digests(id) ON DELETE CASCADE,
	message		INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	person_id	INTEGER REFERENCES people(id) ON DELETE SET NULL,
	text		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	CHECK (answer_id IS NOT NULL OR digest_id IS NOT NULL)
);

CREATE TABLE subscriptions (
	id		INTEGER PRIMARY KEY,
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	person_id	INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'active', 'unsubscribed', 'disabled')),
	format		TEXT NOT NULL DEFAULT 'alternative'
			CHECK (format IN ('alternative', 'mime', 'plain')),
	token		TEXT NOT NULL,
	bounce_score	REAL NOT NULL DEFAULT 0,
	requested_at	INTEGER NOT NULL,
	confirmed_at	INTEGER,
	ended_at	INTEGER,
	UNIQUE (team_id, person_id)
);

CREATE TABLE bounces (
	id		INTEGER PRIMARY KEY,
	person_id	INTEGER REFERENCES people(id) ON DELETE CASCADE,
	message		INTEGER REFERENCES messages(id) ON DELETE SET NULL,
	recipient	TEXT NOT NULL,
	status		TEXT,				-- DSN status, 5.1.1
	hard		INTEGER NOT NULL,
	at		INTEGER NOT NULL
);

-- What people say of their time: working hours, away, deep work, busy.
CREATE TABLE availability (
	id		INTEGER PRIMARY KEY,
	person_id	INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL
			CHECK (kind IN ('working', 'away', 'deep-work', 'busy')),
	starts_at	INTEGER,
	ends_at		INTEGER,
	rrule		TEXT,				-- a recurring block, in zone
	zone		TEXT,
	summary		TEXT,
	source		TEXT NOT NULL
			CHECK (source IN ('cli', 'mail', 'ics', 'autoreply')),
	uid		TEXT,				-- iCalendar UID, to replace updates
	message		INTEGER REFERENCES messages(id) ON DELETE SET NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX availability_person ON availability(person_id, kind);

CREATE TABLE meetings (
	id		INTEGER PRIMARY KEY,
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	uid		TEXT NOT NULL UNIQUE,
	sequence	INTEGER NOT NULL DEFAULT 0,
	title		TEXT NOT NULL,
	starts_at	INTEGER NOT NULL,
	ends_at		INTEGER NOT NULL,
	state		TEXT NOT NULL DEFAULT 'requested'
			CHECK (state IN ('requested', 'cancelled')),
	created_at	INTEGER NOT NULL
);

CREATE TABLE attendees (
	meeting_id	INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	person_id	INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	partstat	TEXT NOT NULL DEFAULT 'NEEDS-ACTION',
	counter_start	INTEGER,			-- a proposed new time
	counter_end	INTEGER,
	comment		TEXT,
	updated_at	INTEGER,
	PRIMARY KEY (meeting_id, person_id)
);

-- Mail to send, written in the same transaction as the change that causes
-- it.  The dedupe key stops the same mail from being queued twice.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	dedupe_key	TEXT NOT NULL UNIQUE,
	sender		TEXT NOT NULL,			-- envelope MAIL FROM
	raw		BLOB NOT NULL,
	state		TEXT NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_try_at	INTEGER NOT NULL,
	last_error	TEXT,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_try_at);

CREATE TABLE outbox_recipients (
	outbox_id	INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
	address		TEXT NOT NULL,
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'sent', 'failed')),
	last_error	TEXT,
	PRIMARY KEY (outbox_id, address)
);

-- Where an IMAP folder was read up to; advanced with the mail it covers.
CREATE TABLE sync_state (
	account		TEXT NOT NULL,			-- user@host
	folder		TEXT NOT NULL,
	uidvalidity	INTEGER NOT NULL,
	last_uid	INTEGER NOT NULL DEFAULT 0,
	last_sync_at	INTEGER,
	last_error	TEXT,
	PRIMARY KEY (account, folder)
);
