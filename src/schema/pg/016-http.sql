-- tidings schema for PostgreSQL, version 16: the HTTP face
-- (../016-http.sql): how a subscription ended, and the generation of each
-- key of a link.
ALTER TABLE subscriptions ADD COLUMN ended_by text;

CREATE TABLE http_keys (
	kind		text NOT NULL CHECK (kind IN ('feed', 'archive')),
	team_id		bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE
			DEFERRABLE,
	subject		text NOT NULL DEFAULT '',	-- an address, or '' for the team
	generation	bigint NOT NULL DEFAULT 1,
	changed_at	bigint NOT NULL,
	PRIMARY KEY (kind, team_id, subject)
);
