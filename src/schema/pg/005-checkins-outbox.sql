-- tidings schema for PostgreSQL, version 5: what check-ins, answers and
-- the outbox need beyond the first model (../005-checkins-outbox.sql).

-- When a prompt was answered (the first counted reply), and the mail that
-- binds a stored reply to its prompt.
ALTER TABLE prompts ADD COLUMN answered_at bigint;
ALTER TABLE messages ADD COLUMN prompt_id bigint
	REFERENCES prompts(id) ON DELETE SET NULL DEFERRABLE;
CREATE INDEX prompts_person ON prompts(person_id, due_at);
CREATE INDEX answers_message ON answers(message);

-- The outbox lists what waits by kind, subject and Message-ID, and keeps
-- each recipient's last SMTP reply code.
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'mail';
ALTER TABLE outbox ADD COLUMN message_id text;
ALTER TABLE outbox ADD COLUMN subject text;
ALTER TABLE outbox_recipients ADD COLUMN code bigint;
ALTER TABLE outbox_recipients ADD COLUMN updated_at bigint;

-- A question taken out of a check-in that has answers is retired, not
-- deleted, so that its answers stay; it no longer has a position.
ALTER TABLE questions ADD COLUMN retired bigint NOT NULL DEFAULT 0;
