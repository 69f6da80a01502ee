-- tidings schema, version 17: blockers followed until they are gone, and
-- urgent mail routed to whoever works now, with their histories and the
-- team settings they follow.

-- What stands in a member's way, from the answer that opened it to the
-- one that closed it; at most one open (or escalated) per member and team.
CREATE TABLE blockers (
	id		INTEGER PRIMARY KEY,
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	person_id	INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	checkin_id	INTEGER REFERENCES checkins(id) ON DELETE SET NULL,
	text		TEXT NOT NULL,
	state		TEXT NOT NULL DEFAULT 'open'
			CHECK (state IN ('open', 'escalated', 'resolved')),
	opened_at	INTEGER NOT NULL,
	confirmed_at	INTEGER NOT NULL,	-- last said to stand
	resolved_at	INTEGER,
	escalated_at	INTEGER,		-- the last escalation
	escalations	INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX blockers_one_open ON blockers(team_id, person_id)
    WHERE state <> 'resolved';
CREATE INDEX blockers_team ON blockers(team_id, state);

-- A blocker's history: opened, updated, confirmed, resolved, escalated.
CREATE TABLE blocker_events (
	id		INTEGER PRIMARY KEY,
	blocker_id	INTEGER NOT NULL REFERENCES blockers(id) ON DELETE CASCADE,
	what		TEXT NOT NULL CHECK (what IN ('opened', 'updated',
			    'confirmed', 'resolved', 'escalated')),
	text		TEXT,			-- what was said, or to whom
	answer_id	INTEGER REFERENCES answers(id) ON DELETE SET NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX blocker_events_blocker ON blocker_events(blocker_id);
CREATE INDEX blocker_events_answer ON blocker_events(answer_id);

-- A team's settings for blockers and urgent mail.
CREATE TABLE team_alerts (
	team_id		INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
	escalate_after	INTEGER NOT NULL DEFAULT 0,	-- workdays; 0: never
	escalate_to	TEXT,				-- NULL: the owners
	urgent_senders	TEXT NOT NULL DEFAULT '',	-- addresses, ", "
	ack_within	INTEGER NOT NULL DEFAULT 900,	-- seconds
	urgent_deep	INTEGER NOT NULL DEFAULT 0,	-- may break deep work
	oncall		TEXT NOT NULL DEFAULT ''	-- addresses, in order
);

-- An urgent mail to a team, and where it stands.
CREATE TABLE urgents (
	id		INTEGER PRIMARY KEY,
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	message		INTEGER NOT NULL UNIQUE
			REFERENCES messages(id) ON DELETE CASCADE,
	sender		TEXT NOT NULL,
	subject		TEXT NOT NULL DEFAULT '',
	state		TEXT NOT NULL DEFAULT 'open'
			CHECK (state IN ('open', 'taken', 'owners', 'held')),
	step		INTEGER NOT NULL DEFAULT 0,	-- 0 working now, 1 next
							-- zone, 2 owners
	next_at		INTEGER,			-- the next escalation
	taken_by	INTEGER REFERENCES people(id) ON DELETE SET NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX urgents_next ON urgents(next_at) WHERE next_at IS NOT NULL;

-- Every step of an urgent mail: sent to someone, taken, escalated, told.
CREATE TABLE urgent_steps (
	id		INTEGER PRIMARY KEY,
	urgent_id	INTEGER NOT NULL REFERENCES urgents(id) ON DELETE CASCADE,
	what		TEXT NOT NULL CHECK (what IN ('sent', 'taken',
			    'escalated', 'told', 'held', 'ignored')),
	email		TEXT,
	detail		TEXT,				-- why, or what was said
	token		TEXT,				-- of the reply address
							-- a 'sent' copy gave
	created_at	INTEGER NOT NULL
);
CREATE INDEX urgent_steps_urgent ON urgent_steps(urgent_id);
CREATE INDEX urgent_steps_token ON urgent_steps(token)
    WHERE token IS NOT NULL;
