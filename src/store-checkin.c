/* Check-ins and their questions, prompts (one per occurrence per person)
 * and answers. */
#include "config.h"

#include "store-private.h"
#include "store-checkin.h"

void
question_free(struct question *q)
{
	if (q == NULL)
		return;
	g_free(q->text);
	g_free(q);
}

void
checkin_free(struct checkin *c)
{
	if (c == NULL)
		return;
	g_free(c->team);
	g_free(c->title);
	g_free(c->rrule);
	if (c->questions != NULL)
		g_ptr_array_unref(c->questions);
	g_free(c);
}

void
prompt_free(struct prompt *p)
{
	if (p == NULL)
		return;
	g_free(p->email);
	g_free(p->name);
	g_free(p->zone);
	g_free(p->skip_reason);
	g_free(p->token);
	g_free(p->message_id);
	g_free(p);
}

void
answer_free(struct answer *a)
{
	if (a == NULL)
		return;
	g_free(a->question);
	g_free(a->text);
	g_free(a->reason);
	g_free(a);
}

static gboolean
not_found(GError **error, const char *what, const char *which)
{
	g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "no %s %s", what,
	    which);
	return FALSE;
}

/* --- check-ins ------------------------------------------------------- */

static gpointer
question_row(struct db_stmt *stmt)
{
	struct question *q = g_new0(struct question, 1);

	q->id = db_column_int64(stmt, 0);
	q->position = db_column_int(stmt, 1);
	q->text = store_column_dup(stmt, 2);
	q->blocker = db_column_int(stmt, 3) != 0;
	return q;
}

static gboolean
questions_load(struct store *st, struct checkin *c, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT id, position, text, "
	    "is_blocker FROM questions WHERE checkin_id = ? AND retired = 0 "
	    "ORDER BY position", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, c->id);
	c->questions = store_rows(st, stmt, question_row,
	    (GDestroyNotify)question_free, error);
	return c->questions != NULL;
}

#define CHECKIN_SELECT "SELECT c.id, c.team_id, t.name, c.title, c.rrule, " \
	"coalesce(c.reminder_after, 0), c.close_after, c.active, " \
	"c.created_at FROM checkins c JOIN teams t ON t.id = c.team_id "

static gpointer
checkin_row(struct db_stmt *stmt)
{
	struct checkin *c = g_new0(struct checkin, 1);

	c->id = db_column_int64(stmt, 0);
	c->team_id = db_column_int64(stmt, 1);
	c->team = store_column_dup(stmt, 2);
	c->title = store_column_dup(stmt, 3);
	c->rrule = store_column_dup(stmt, 4);
	c->reminder_after = db_column_int64(stmt, 5);
	c->close_after = db_column_int64(stmt, 6);
	c->active = db_column_int(stmt, 7) != 0;
	c->created_at = db_column_int64(stmt, 8);
	return c;
}

/* Steps STMT (a CHECKIN_SELECT) to the end; every row with questions. */
static GPtrArray *
checkins_read(struct store *st, struct db_stmt *stmt, GError **error)
{
	GPtrArray *list = store_rows(st, stmt, checkin_row,
	    (GDestroyNotify)checkin_free, error);

	/* The questions after the rows: the statement is shared. */
	for (guint i = 0; list != NULL && i < list->len; i++)
		if (!questions_load(st, list->pdata[i], error))
			g_clear_pointer(&list, g_ptr_array_unref);
	return list;
}

static struct checkin *
checkin_one(struct store *st, struct db_stmt *stmt, const char *which,
    GError **error)
{
	return store_first(checkins_read(st, stmt, error), "check-in", which,
	    error);
}

struct checkin *
store_checkin_get(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, CHECKIN_SELECT
	    "WHERE c.id = ?", error);
	g_autofree char *which = g_strdup_printf("%" G_GINT64_FORMAT, id);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return checkin_one(st, stmt, which, error);
}

struct checkin *
store_checkin_find(struct store *st, const char *team, const char *title,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, CHECKIN_SELECT
	    "WHERE t.name = ? AND c.title = ?", error);
	g_autofree char *which = g_strdup_printf("\"%s\" in team %s", title,
	    team);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	store_bind_text(stmt, 2, title);
	return checkin_one(st, stmt, which, error);
}

GPtrArray *
store_checkin_list(struct store *st, const char *team, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, CHECKIN_SELECT
	    "WHERE ?1 IS NULL OR t.name = ?1 ORDER BY t.name, c.title", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	return checkins_read(st, stmt, error);
}

static gint64
team_id(struct store *st, const char *team, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT id FROM teams "
	    "WHERE name = ?", error);
	gint64 id;
	int rc;

	if (stmt == NULL)
		return 0;
	store_bind_text(stmt, 1, team);
	rc = db_step(stmt);
	id = rc == DB_ROW ? db_column_int64(stmt, 0) : 0;
	db_reset(stmt);
	if (rc == DB_DONE)
		not_found(error, "team", team);
	else if (rc != DB_ROW)
		store_fail(st, rc, error);
	return id;
}

static gboolean
question_insert(struct store *st, gint64 checkin, int position,
    const char *text, gboolean blocker, gint64 *id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT "
	    "INTO questions (checkin_id, position, text, is_blocker) VALUES "
	    "(?, ?, ?, ?)"), error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, checkin);
	db_bind_int(stmt, 2, position);
	store_bind_text(stmt, 3, text);
	db_bind_int(stmt, 4, blocker);
	*id = store_step_insert(st, stmt, error);
	return *id != -1;
}

gboolean
store_checkin_add(struct store *st, struct checkin *c, GError **error)
{
	struct db_stmt *stmt;
	int rc;

	if ((c->team_id = team_id(st, c->team, error)) == 0)
		return FALSE;
	stmt = store_prepare(st, "INSERT INTO checkins (team_id, title, rrule, "
	    "reminder_after, close_after, active, created_at) VALUES "
	    "(?, ?, ?, nullif(?, 0), ?, ?, ?) RETURNING id", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, c->team_id);
	store_bind_text(stmt, 2, c->title);
	store_bind_text(stmt, 3, c->rrule);
	db_bind_int64(stmt, 4, c->reminder_after);
	db_bind_int64(stmt, 5, c->close_after);
	db_bind_int(stmt, 6, c->active);
	db_bind_int64(stmt, 7, c->created_at);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		c->id = db_column_int64(stmt, 0);
	db_reset(stmt);
	if (rc == DB_UNIQUE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS, "team %s "
		    "already has a check-in called \"%s\"", c->team, c->title);
		return FALSE;
	}
	if (rc != DB_ROW)
		return store_fail(st, rc, error);
	for (guint i = 0; i < c->questions->len; i++) {
		struct question *q = c->questions->pdata[i];
		q->position = (int)i + 1;
		if (!question_insert(st, c->id, q->position, q->text,
		    q->blocker, &q->id, error))
			return FALSE;
	}
	return TRUE;
}

/* Questions beyond the new list: deleted when unanswered, else retired
 * (out of the positions, so that new questions can take them). */
static gboolean
questions_trim(struct store *st, gint64 checkin, int keep, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE questions SET "
	    "retired = 1, position = -id WHERE checkin_id = ? AND position > ? "
	    "AND EXISTS (SELECT 1 FROM answers a WHERE a.question_id = "
	    "questions.id)", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, checkin);
	db_bind_int(stmt, 2, keep);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	stmt = store_prepare(st, "DELETE FROM questions WHERE checkin_id = ? "
	    "AND position > ?", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, checkin);
	db_bind_int(stmt, 2, keep);
	return store_step_done(st, stmt, error);
}

static gboolean
questions_replace(struct store *st, gint64 checkin, GPtrArray *questions,
    int blocker, GError **error)
{
	struct db_stmt *stmt;
	gint64 id;

	if (!questions_trim(st, checkin, (int)questions->len, error))
		return FALSE;
	for (guint i = 0; i < questions->len; i++) {
		int pos = (int)i + 1;
		stmt = store_prepare(st, "UPDATE questions SET text = ?, "
		    "is_blocker = ? WHERE checkin_id = ? AND position = ?",
		    error);
		if (stmt == NULL)
			return FALSE;
		store_bind_text(stmt, 1, questions->pdata[i]);
		db_bind_int(stmt, 2, pos == blocker);
		db_bind_int64(stmt, 3, checkin);
		db_bind_int(stmt, 4, pos);
		if (!store_step_done(st, stmt, error))
			return FALSE;
		if (db_changes(st->db) == 0 && !question_insert(st, checkin,
		    pos, questions->pdata[i], pos == blocker, &id, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
store_checkin_update(struct store *st, const struct checkin *c,
    GPtrArray *questions, int blocker, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE checkins SET title = ?, "
	    "rrule = ?, reminder_after = nullif(?, 0), close_after = ?, "
	    "active = ? WHERE id = ?", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, c->title);
	store_bind_text(stmt, 2, c->rrule);
	db_bind_int64(stmt, 3, c->reminder_after);
	db_bind_int64(stmt, 4, c->close_after);
	db_bind_int(stmt, 5, c->active);
	db_bind_int64(stmt, 6, c->id);
	rc = db_step(stmt);
	db_reset(stmt);
	if (rc == DB_UNIQUE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS, "team %s "
		    "already has a check-in called \"%s\"", c->team, c->title);
		return FALSE;
	}
	if (rc != DB_DONE)
		return store_fail(st, rc, error);
	return questions == NULL ||
	    questions_replace(st, c->id, questions, blocker, error);
}

gboolean
store_checkin_remove(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "DELETE FROM checkins "
	    "WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error);
}

gint64
store_checkin_answers(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM answers a "
	    "JOIN prompts p ON p.id = a.prompt_id WHERE p.checkin_id = ?",
	    error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, id);
	return store_step_int64(st, stmt, error);
}

/* --- prompts ----------------------------------------------------------- */

#define PROMPT_SELECT "SELECT p.id, p.checkin_id, p.person_id, pe.email, " \
	"pe.name, pe.zone, p.occurrence, p.due_at, p.closes_at, " \
	"coalesce(p.sent_at, 0), coalesce(p.reminded_at, 0), " \
	"coalesce(p.answered_at, 0), p.state, p.skip_reason, p.token, " \
	"p.message_id FROM prompts p JOIN people pe ON pe.id = p.person_id "

static gpointer
prompts_read_row(struct db_stmt *stmt)
{
	struct prompt *p = g_new0(struct prompt, 1);

	p->id = db_column_int64(stmt, 0);
	p->checkin_id = db_column_int64(stmt, 1);
	p->person_id = db_column_int64(stmt, 2);
	p->email = store_column_dup(stmt, 3);
	p->name = store_column_dup(stmt, 4);
	p->zone = store_column_dup(stmt, 5);
	p->occurrence = db_column_int64(stmt, 6);
	p->due_at = db_column_int64(stmt, 7);
	p->closes_at = db_column_int64(stmt, 8);
	p->sent_at = db_column_int64(stmt, 9);
	p->reminded_at = db_column_int64(stmt, 10);
	p->answered_at = db_column_int64(stmt, 11);
	(void)prompt_state_parse((const char *)db_column_text(stmt, 12),
	    &p->state);
	p->skip_reason = store_column_dup(stmt, 13);
	p->token = store_column_dup(stmt, 14);
	p->message_id = store_column_dup(stmt, 15);
	return p;
}

static GPtrArray *
prompts_read(struct store *st, struct db_stmt *stmt, GError **error)
{
	return store_rows(st, stmt, prompts_read_row, (GDestroyNotify)prompt_free,
	    error);
}

static struct prompt *
prompt_one(struct store *st, struct db_stmt *stmt, const char *which,
    GError **error)
{
	return store_first(prompts_read(st, stmt, error), "prompt", which, error);
}

gboolean
store_prompt_claim(struct store *st, struct prompt *p, gboolean *claimed,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT "
	    "INTO prompts (checkin_id, person_id, occurrence, due_at, "
	    "closes_at, state, skip_reason, token, message_id) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?, ?) ON CONFLICT (checkin_id, person_id, "
	    "occurrence) DO NOTHING"), error);
	gint64 id;

	*claimed = FALSE;
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, p->checkin_id);
	db_bind_int64(stmt, 2, p->person_id);
	db_bind_int64(stmt, 3, p->occurrence);
	db_bind_int64(stmt, 4, p->due_at);
	db_bind_int64(stmt, 5, p->closes_at);
	store_bind_text(stmt, 6, prompt_state_name(p->state));
	store_bind_text(stmt, 7, p->skip_reason);
	store_bind_text(stmt, 8, p->token);
	store_bind_text(stmt, 9, p->message_id);
	if ((id = store_step_insert_new(st, stmt, error)) < 0)
		return FALSE;
	if (id > 0) {
		p->id = id;
		*claimed = TRUE;
	}
	return TRUE;
}

gboolean
store_prompt_set_state(struct store *st, gint64 id,
    enum prompt_state state, const char *reason, gint64 at, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE prompts SET state = ?1, "
	    "skip_reason = ?2, "
	    "sent_at = CASE WHEN ?1 = 'sent' THEN ?3 ELSE sent_at END, "
	    "answered_at = CASE WHEN ?1 = 'answered' THEN "
	    "coalesce(answered_at, ?3) ELSE answered_at END WHERE id = ?4",
	    error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, prompt_state_name(state));
	store_bind_text(stmt, 2, reason);
	db_bind_int64(stmt, 3, at);
	db_bind_int64(stmt, 4, id);
	return store_step_done(st, stmt, error);
}

gboolean
store_prompt_reminded(struct store *st, gint64 id, gint64 at, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE prompts SET "
	    "reminded_at = ? WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, at);
	db_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, error);
}

struct prompt *
store_prompt_get(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, PROMPT_SELECT "WHERE p.id = ?",
	    error);
	g_autofree char *which = g_strdup_printf("%" G_GINT64_FORMAT, id);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return prompt_one(st, stmt, which, error);
}

struct prompt *
store_prompt_by_token(struct store *st, const char *token, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, PROMPT_SELECT
	    "WHERE p.token = lower(?)", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, token);
	return prompt_one(st, stmt, "with that token", error);
}

struct prompt *
store_prompt_by_message_id(struct store *st, const char *message_id,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, PROMPT_SELECT
	    "WHERE p.message_id = ?", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, message_id);
	return prompt_one(st, stmt, message_id, error);
}

GPtrArray *
store_prompt_reminders_due(struct store *st, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, PROMPT_SELECT
	    "JOIN checkins c ON c.id = p.checkin_id WHERE p.state = 'sent' "
	    "AND p.reminded_at IS NULL AND c.reminder_after IS NOT NULL "
	    "AND p.sent_at + c.reminder_after <= ?1 AND p.closes_at > ?1 "
	    "ORDER BY p.due_at", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, now);
	return prompts_read(st, stmt, error);
}

gint64
store_prompt_close_due(struct store *st, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE prompts SET state = "
	    "'missed' WHERE state = 'sent' AND closes_at <= ?", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, now);
	if (!store_step_done(st, stmt, error))
		return -1;
	return db_changes(st->db);
}

GPtrArray *
store_prompt_open(struct store *st, gint64 person_id, gint64 now,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, PROMPT_SELECT
	    "WHERE p.person_id = ? AND p.state IN ('sent', 'answered') "
	    "AND p.closes_at > ? ORDER BY p.due_at", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, person_id);
	db_bind_int64(stmt, 2, now);
	return prompts_read(st, stmt, error);
}

GPtrArray *
store_prompt_list(struct store *st, const char *team, gint64 since,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, PROMPT_SELECT
	    "JOIN checkins c ON c.id = p.checkin_id "
	    "JOIN teams t ON t.id = c.team_id "
	    "WHERE (?1 IS NULL OR t.name = ?1) AND p.due_at >= ?2 "
	    "ORDER BY p.due_at DESC, pe.email", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	db_bind_int64(stmt, 2, since);
	return prompts_read(st, stmt, error);
}

gint64
store_prompt_last_due(struct store *st, gint64 checkin_id, gint64 person_id,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT coalesce(max(due_at), 0) "
	    "FROM prompts WHERE checkin_id = ? AND person_id = ?", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, checkin_id);
	db_bind_int64(stmt, 2, person_id);
	return store_step_int64(st, stmt, error);
}

/* --- answers ------------------------------------------------------------ */

gboolean
store_answer_add(struct store *st, gint64 prompt_id, gint64 question_id,
    gint64 message, const char *text, gboolean counted, const char *reason,
    gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT "
	    "INTO answers (prompt_id, question_id, message, text, counted, "
	    "reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"), error);
	gint64 id;

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, prompt_id);
	db_bind_int64(stmt, 2, question_id);
	db_bind_int64(stmt, 3, message);
	store_bind_text(stmt, 4, text);
	db_bind_int(stmt, 5, counted);
	store_bind_text(stmt, 6, reason);
	db_bind_int64(stmt, 7, now);
	if ((id = store_step_insert(st, stmt, error)) == -1)
		return FALSE;
	if (!counted)
		return TRUE;
	stmt = store_prepare(st, "UPDATE answers SET superseded_by = ?1 "
	    "WHERE prompt_id = ?2 AND question_id = ?3 AND counted = 1 "
	    "AND superseded_by IS NULL AND id != ?1", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	db_bind_int64(stmt, 2, prompt_id);
	db_bind_int64(stmt, 3, question_id);
	return store_step_done(st, stmt, error);
}

gboolean
store_answer_count(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE answers SET counted = 1, "
	    "reason = NULL, superseded_by = (SELECT min(b.id) FROM answers b "
	    "WHERE b.prompt_id = answers.prompt_id AND b.question_id = "
	    "answers.question_id AND b.counted = 1 AND b.id > answers.id) "
	    "WHERE id = ? AND counted = 0", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	stmt = store_prepare(st, "UPDATE answers SET superseded_by = ?1 "
	    "WHERE counted = 1 AND superseded_by IS NULL AND id < ?1 AND "
	    "(prompt_id, question_id) = (SELECT prompt_id, question_id FROM "
	    "answers WHERE id = ?1 AND superseded_by IS NULL)", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error);
}

static gpointer
answer_row(struct db_stmt *stmt)
{
	struct answer *a = g_new0(struct answer, 1);

	a->id = db_column_int64(stmt, 0);
	a->prompt_id = db_column_int64(stmt, 1);
	a->question_id = db_column_int64(stmt, 2);
	a->position = db_column_int(stmt, 3);
	a->question = store_column_dup(stmt, 4);
	a->message = db_column_int64(stmt, 5);
	a->text = store_column_dup(stmt, 6);
	a->counted = db_column_int(stmt, 7) != 0;
	a->reason = store_column_dup(stmt, 8);
	a->superseded = db_column_int(stmt, 9) != 0;
	a->created_at = db_column_int64(stmt, 10);
	return a;
}

GPtrArray *
store_answer_list(struct store *st, gint64 prompt_id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT a.id, a.prompt_id, "
	    "a.question_id, q.position, q.text, a.message, a.text, a.counted, "
	    "a.reason, a.superseded_by IS NOT NULL, a.created_at FROM answers a "
	    "JOIN questions q ON q.id = a.question_id WHERE a.prompt_id = ? "
	    "ORDER BY q.retired, q.position, a.id", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, prompt_id);
	return store_rows(st, stmt, answer_row, (GDestroyNotify)answer_free,
	    error);
}

gboolean
store_message_bind(struct store *st, gint64 id, gint64 prompt_id,
    gboolean trusted, const char *trust_reason, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "prompt_id = nullif(?, 0), trusted = ?, trust_reason = ?, "
	    "person_id = (SELECT person_id FROM prompts WHERE id = ?1) "
	    "WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, prompt_id);
	db_bind_int(stmt, 2, trusted);
	store_bind_text(stmt, 3, trust_reason);
	db_bind_int64(stmt, 4, id);
	return store_step_done(st, stmt, error);
}

gboolean
store_person_pause(struct store *st, gint64 person_id, gint64 until,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE people SET "
	    "paused_until = nullif(?, 0) WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, until);
	db_bind_int64(stmt, 2, person_id);
	return store_step_done(st, stmt, error);
}

gint64
store_prompt_next_reminder(struct store *st, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT coalesce(min(p.sent_at "
	    "+ c.reminder_after), 0) FROM prompts p JOIN checkins c ON "
	    "c.id = p.checkin_id WHERE p.state = 'sent' AND p.reminded_at IS "
	    "NULL AND c.reminder_after IS NOT NULL AND p.sent_at + "
	    "c.reminder_after < p.closes_at", error);

	if (stmt == NULL)
		return -1;
	return store_step_int64(st, stmt, error);
}

