/* Urgent mail; see store-urgent.h. */
#include "config.h"

#include "store-private.h"
#include "store-urgent.h"

void
urgent_free(struct urgent *u)
{
	if (u == NULL)
		return;
	g_free(u->team);
	g_free(u->sender);
	g_free(u->subject);
	g_free(u->state);
	g_free(u->taken_by);
	g_free(u);
}

void
urgent_step_free(struct urgent_step *s)
{
	if (s == NULL)
		return;
	g_free(s->what);
	g_free(s->email);
	g_free(s->detail);
	g_free(s);
}

gboolean
store_urgent_add(struct store *st, gint64 team_id, gint64 message,
    const char *sender, const char *subject, const char *state, gint64 now,
    gint64 *id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT "
	    "INTO urgents (team_id, message, sender, subject, state, "
	    "created_at) VALUES (?, ?, ?, ?, ?, ?)"), error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, message);
	store_bind_text(stmt, 3, sender);
	store_bind_text(stmt, 4, subject != NULL ? subject : "");
	store_bind_text(stmt, 5, state);
	db_bind_int64(stmt, 6, now);
	return (*id = store_step_insert(st, stmt, error)) > 0;
}

gboolean
store_urgent_set(struct store *st, gint64 id, const char *state, int step,
    gint64 next_at, const char *taken_by, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE urgents SET state = ?, "
	    "step = ?, next_at = ?, taken_by = (SELECT id FROM people WHERE "
	    "email = ?) WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, state);
	db_bind_int(stmt, 2, step);
	if (next_at > 0)
		db_bind_int64(stmt, 3, next_at);
	store_bind_text(stmt, 4, taken_by);
	db_bind_int64(stmt, 5, id);
	return store_step_done(st, stmt, error);
}

gboolean
store_urgent_step(struct store *st, gint64 id, const char *what,
    const char *email, const char *detail, const char *token, gint64 now,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO urgent_steps "
	    "(urgent_id, what, email, detail, token, created_at) VALUES "
	    "(?, ?, ?, ?, lower(?), ?)", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, what);
	store_bind_text(stmt, 3, email);
	store_bind_text(stmt, 4, detail);
	store_bind_text(stmt, 5, token);
	db_bind_int64(stmt, 6, now);
	return store_step_done(st, stmt, error);
}

#define URGENT_SELECT "SELECT u.id, u.team_id, t.name, u.message, " \
	"u.sender, u.subject, u.state, u.step, coalesce(u.next_at, 0), " \
	"p.email, u.created_at FROM urgents u JOIN teams t ON " \
	"t.id = u.team_id LEFT JOIN people p ON p.id = u.taken_by "

static gpointer
urgent_read(struct db_stmt *stmt)
{
	struct urgent *u = g_new0(struct urgent, 1);

	u->id = db_column_int64(stmt, 0);
	u->team_id = db_column_int64(stmt, 1);
	u->team = store_column_dup(stmt, 2);
	u->message = db_column_int64(stmt, 3);
	u->sender = store_column_dup(stmt, 4);
	u->subject = store_column_dup(stmt, 5);
	u->state = store_column_dup(stmt, 6);
	u->step = db_column_int(stmt, 7);
	u->next_at = db_column_int64(stmt, 8);
	u->taken_by = store_column_dup(stmt, 9);
	u->created_at = db_column_int64(stmt, 10);
	return u;
}

static GPtrArray *
urgent_rows(struct store *st, struct db_stmt *stmt, GError **error)
{
	return store_rows(st, stmt, urgent_read, (GDestroyNotify)urgent_free,
	    error);
}

struct urgent *
store_urgent_get(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, URGENT_SELECT "WHERE u.id = ?",
	    error);
	g_autofree char *which = g_strdup_printf("%" G_GINT64_FORMAT, id);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return store_first(urgent_rows(st, stmt, error), "urgent mail", which,
	    error);
}

GPtrArray *
store_urgent_list(struct store *st, const char *team, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, URGENT_SELECT "WHERE ?1 IS NULL "
	    "OR t.name = ?1 ORDER BY u.created_at DESC, u.id DESC", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	return urgent_rows(st, stmt, error);
}

GPtrArray *
store_urgent_due(struct store *st, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, URGENT_SELECT "WHERE "
	    "u.state = 'open' AND u.next_at IS NOT NULL AND u.next_at <= ? "
	    "ORDER BY u.next_at, u.id", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, now);
	return urgent_rows(st, stmt, error);
}

static gpointer
step_read(struct db_stmt *stmt)
{
	struct urgent_step *s = g_new0(struct urgent_step, 1);

	s->what = store_column_dup(stmt, 0);
	s->email = store_column_dup(stmt, 1);
	s->detail = store_column_dup(stmt, 2);
	s->at = db_column_int64(stmt, 3);
	return s;
}

GPtrArray *
store_urgent_steps(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT what, email, detail, "
	    "created_at FROM urgent_steps WHERE urgent_id = ? ORDER BY "
	    "created_at, id", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return store_rows(st, stmt, step_read,
	    (GDestroyNotify)urgent_step_free, error);
}

gboolean
store_urgent_by_token(struct store *st, const char *token, gint64 *id,
    char **email, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT urgent_id, email FROM "
	    "urgent_steps WHERE token = lower(?) AND what = 'sent' LIMIT 1",
	    error);
	int rc;

	*id = 0;
	*email = NULL;
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, token);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*id = db_column_int64(stmt, 0);
		*email = store_column_dup(stmt, 1);
	}
	db_reset(stmt);
	if (rc == DB_ROW || rc == DB_DONE)
		return TRUE;
	return store_fail(st, rc, error);
}

gint64
store_urgent_count(struct store *st, const char *sender, gint64 team_id,
    gint64 since, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM urgents "
	    "WHERE created_at >= ?1 AND (?2 IS NULL OR sender = ?2 COLLATE "
	    "NOCASE) AND (?2 IS NOT NULL OR team_id = ?3)", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, since);
	store_bind_text(stmt, 2, sender);
	db_bind_int64(stmt, 3, team_id);
	return store_step_int64(st, stmt, error);
}
