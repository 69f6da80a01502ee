-- tidings schema, version 16: the HTTP face.  How a subscription ended (a one-click
-- link, the unsubscribe page, a mail, its owner), for the owner's view;
-- and the generation of each key of a link (a calendar feed, a reader's
-- archive link).  The keys themselves are HMACs of the secret over the
-- kind, team, subject and generation (token.c), never stored: a new
-- generation revokes the old key.
ALTER TABLE subscriptions ADD COLUMN ended_by TEXT;

CREATE TABLE http_keys (
	kind		TEXT NOT NULL CHECK (kind IN ('feed', 'archive')),
	team_id		INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	subject		TEXT NOT NULL DEFAULT '',	-- an address, or '' for the team
	generation	INTEGER NOT NULL DEFAULT 1,
	changed_at	INTEGER NOT NULL,
	PRIMARY KEY (kind, team_id, subject)
) WITHOUT ROWID;
