/* Blockers and the team settings of alerts; see store-blocker.h. */
#include "config.h"

#include "store-blocker.h"
#include "store-private.h"

void
blocker_free(struct blocker *b)
{
	if (b == NULL)
		return;
	g_free(b->team);
	g_free(b->email);
	g_free(b->name);
	g_free(b->zone);
	g_free(b->checkin);
	g_free(b->text);
	g_free(b->state);
	g_free(b->helpers);
	g_free(b);
}

void
blocker_event_free(struct blocker_event *e)
{
	if (e == NULL)
		return;
	g_free(e->what);
	g_free(e->text);
	g_free(e);
}

void
team_alerts_free(struct team_alerts *a)
{
	if (a == NULL)
		return;
	g_free(a->escalate_to);
	g_free(a->urgent_senders);
	g_free(a->oncall);
	g_free(a);
}

/* --- team settings ------------------------------------------------------ */

static gpointer
alerts_read(struct db_stmt *stmt)
{
	struct team_alerts *a = g_new0(struct team_alerts, 1);

	a->team_id = db_column_int64(stmt, 0);
	a->escalate_after = db_column_int(stmt, 1);
	a->escalate_to = store_column_dup(stmt, 2);
	a->urgent_senders = store_column_dup(stmt, 3);
	a->ack_within = db_column_int64(stmt, 4);
	a->urgent_deep = db_column_int(stmt, 5) != 0;
	a->oncall = store_column_dup(stmt, 6);
	return a;
}

struct team_alerts *
store_team_alerts_get(struct store *st, gint64 team_id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT t.id, "
	    "coalesce(a.escalate_after, 0), a.escalate_to, "
	    "coalesce(a.urgent_senders, ''), coalesce(a.ack_within, ?2), "
	    "coalesce(a.urgent_deep, 0), coalesce(a.oncall, '') FROM teams t "
	    "LEFT JOIN team_alerts a ON a.team_id = t.id WHERE t.id = ?1",
	    error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, TEAM_ALERTS_ACK_WITHIN);
	return store_first(store_rows(st, stmt, alerts_read,
	    (GDestroyNotify)team_alerts_free, error), "team", "by that id",
	    error);
}

gboolean
store_team_alerts_set(struct store *st, const struct team_alerts *a,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO team_alerts "
	    "(team_id, escalate_after, escalate_to, urgent_senders, ack_within, "
	    "urgent_deep, oncall) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
	    "(team_id) DO UPDATE SET escalate_after = excluded.escalate_after, "
	    "escalate_to = excluded.escalate_to, urgent_senders = "
	    "excluded.urgent_senders, ack_within = excluded.ack_within, "
	    "urgent_deep = excluded.urgent_deep, oncall = excluded.oncall",
	    error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, a->team_id);
	db_bind_int(stmt, 2, a->escalate_after);
	store_bind_text(stmt, 3, a->escalate_to);
	store_bind_text(stmt, 4, a->urgent_senders != NULL ?
	    a->urgent_senders : "");
	db_bind_int64(stmt, 5, a->ack_within);
	db_bind_int(stmt, 6, a->urgent_deep);
	store_bind_text(stmt, 7, a->oncall != NULL ? a->oncall : "");
	return store_step_done(st, stmt, error);
}

/* --- blockers ----------------------------------------------------------- */

/* Those who commented on the blocker's answers, in the order of their
 * first comment: SQLite concatenates them in the order of its subquery;
 * PostgreSQL is told the order in the aggregate, as it need not keep a
 * subquery's. */
#define BLOCKER_HELPERS_FROM "FROM (SELECT " \
	"coalesce(nullif(hp.name, ''), hp.email) AS n, " \
	"min(cm.created_at) AS first FROM blocker_events e " \
	"JOIN comments cm ON cm.answer_id = e.answer_id JOIN people hp ON " \
	"hp.id = cm.person_id WHERE e.blocker_id = b.id AND " \
	"cm.person_id <> b.person_id GROUP BY n"
#define BLOCKER_HELPERS "(SELECT coalesce(group_concat(n, ', '), '') " \
	BLOCKER_HELPERS_FROM " ORDER BY first) AS x) "
#define BLOCKER_HELPERS_PG "(SELECT coalesce(string_agg(n, ', ' " \
	"ORDER BY first), '') " BLOCKER_HELPERS_FROM ") AS x) "
#define BLOCKER_SELECT_WITH(helpers) "SELECT b.id, b.team_id, t.name, " \
	"b.person_id, p.email, p.name, p.zone, p.workdays, " \
	"coalesce(b.checkin_id, 0), " \
	"coalesce(c.title, ''), b.text, b.state, b.opened_at, " \
	"b.confirmed_at, coalesce(b.resolved_at, 0), " \
	"coalesce(b.escalated_at, 0), b.escalations, " \
	"(SELECT coalesce(max(e.answer_id), 0) FROM blocker_events e " \
	"WHERE e.blocker_id = b.id), " helpers \
	"FROM blockers b JOIN teams t ON t.id = b.team_id " \
	"JOIN people p ON p.id = b.person_id " \
	"LEFT JOIN checkins c ON c.id = b.checkin_id "
/* The statement that reads blockers, with REST (the WHERE, the ORDER)
 * after it, for the backend of the store st of the function using it. */
#define BLOCKER_SELECT(rest) (db_backend(st->db) == DB_POSTGRESQL ? \
	BLOCKER_SELECT_WITH(BLOCKER_HELPERS_PG) rest : \
	BLOCKER_SELECT_WITH(BLOCKER_HELPERS) rest)

static gpointer
blocker_read(struct db_stmt *stmt)
{
	struct blocker *b = g_new0(struct blocker, 1);

	b->id = db_column_int64(stmt, 0);
	b->team_id = db_column_int64(stmt, 1);
	b->team = store_column_dup(stmt, 2);
	b->person_id = db_column_int64(stmt, 3);
	b->email = store_column_dup(stmt, 4);
	b->name = store_column_dup(stmt, 5);
	b->zone = store_column_dup(stmt, 6);
	b->workdays = (unsigned)db_column_int(stmt, 7);
	b->checkin_id = db_column_int64(stmt, 8);
	b->checkin = store_column_dup(stmt, 9);
	b->text = store_column_dup(stmt, 10);
	b->state = store_column_dup(stmt, 11);
	b->opened_at = db_column_int64(stmt, 12);
	b->confirmed_at = db_column_int64(stmt, 13);
	b->resolved_at = db_column_int64(stmt, 14);
	b->escalated_at = db_column_int64(stmt, 15);
	b->escalations = db_column_int(stmt, 16);
	b->answer_id = db_column_int64(stmt, 17);
	b->helpers = store_column_dup(stmt, 18);
	return b;
}

static GPtrArray *
blocker_rows(struct store *st, struct db_stmt *stmt, GError **error)
{
	return store_rows(st, stmt, blocker_read,
	    (GDestroyNotify)blocker_free, error);
}

gboolean
store_blocker_current(struct store *st, gint64 team_id, gint64 person_id,
    struct blocker **out, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, BLOCKER_SELECT(
	    "WHERE b.team_id = ? AND b.person_id = ? AND "
	    "b.state <> 'resolved'"), error);
	g_autoptr(GPtrArray) rows = NULL;

	*out = NULL;
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, person_id);
	if ((rows = blocker_rows(st, stmt, error)) == NULL)
		return FALSE;
	if (rows->len > 0)
		*out = g_ptr_array_steal_index(rows, 0);
	return TRUE;
}

struct blocker *
store_blocker_get(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, BLOCKER_SELECT(
	    "WHERE b.id = ?"), error);
	g_autofree char *which = g_strdup_printf("%" G_GINT64_FORMAT, id);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return store_first(blocker_rows(st, stmt, error), "blocker", which,
	    error);
}

static gboolean
event_add(struct store *st, gint64 id, const char *what, const char *text,
    gint64 answer_id, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO blocker_events "
	    "(blocker_id, what, text, answer_id, created_at) VALUES "
	    "(?, ?, ?, ?, ?)", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, what);
	store_bind_text(stmt, 3, text);
	if (answer_id > 0)
		db_bind_int64(stmt, 4, answer_id);
	db_bind_int64(stmt, 5, now);
	return store_step_done(st, stmt, error);
}

gboolean
store_blocker_open(struct store *st, gint64 team_id, gint64 person_id,
    gint64 checkin_id, const char *text, gint64 answer_id, gint64 now,
    gint64 *id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT "
	    "INTO blockers (team_id, person_id, checkin_id, text, opened_at, "
	    "confirmed_at) VALUES (?, ?, ?, ?, ?, ?)"), error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, person_id);
	if (checkin_id > 0)
		db_bind_int64(stmt, 3, checkin_id);
	store_bind_text(stmt, 4, text);
	db_bind_int64(stmt, 5, now);
	db_bind_int64(stmt, 6, now);
	if ((*id = store_step_insert(st, stmt, error)) < 0)
		return FALSE;
	return event_add(st, *id, "opened", text, answer_id, now, error);
}

gboolean
store_blocker_confirm(struct store *st, gint64 id, const char *text,
    gint64 answer_id, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE blockers SET "
	    "text = coalesce(?, text), confirmed_at = ? WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, text);
	db_bind_int64(stmt, 2, now);
	db_bind_int64(stmt, 3, id);
	return store_step_done(st, stmt, error) && event_add(st, id,
	    text != NULL ? "updated" : "confirmed", text, answer_id, now,
	    error);
}

gboolean
store_blocker_resolve(struct store *st, gint64 id, const char *why,
    gint64 answer_id, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE blockers SET "
	    "state = 'resolved', resolved_at = ? WHERE id = ? AND "
	    "state <> 'resolved'", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, now);
	db_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, error) && event_add(st, id,
	    "resolved", why, answer_id, now, error);
}

gboolean
store_blocker_escalated(struct store *st, gint64 id, const char *to,
    gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE blockers SET "
	    "state = 'escalated', escalated_at = ?, escalations = "
	    "escalations + 1 WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, now);
	db_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, error) && event_add(st, id,
	    "escalated", to, 0, now, error);
}

GPtrArray *
store_blocker_list(struct store *st, const char *team, gboolean all,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, BLOCKER_SELECT(
	    "WHERE (?1 IS NULL OR t.name = ?1) AND "
	    "(?2 OR b.state <> 'resolved') ORDER BY b.opened_at, b.id"), error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	db_bind_int(stmt, 2, all);
	return blocker_rows(st, stmt, error);
}

GPtrArray *
store_blocker_digest(struct store *st, gint64 team_id, gint64 start,
    gint64 end, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, BLOCKER_SELECT(
	    "WHERE b.team_id = ?1 AND b.opened_at < ?3 AND "
	    "(b.resolved_at IS NULL OR b.resolved_at >= ?2) "
	    "ORDER BY b.resolved_at IS NOT NULL AND b.resolved_at < ?3, "
	    "b.opened_at, b.id"), error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, start);
	db_bind_int64(stmt, 3, end);
	return blocker_rows(st, stmt, error);
}

static gpointer
event_read(struct db_stmt *stmt)
{
	struct blocker_event *e = g_new0(struct blocker_event, 1);

	e->what = store_column_dup(stmt, 0);
	e->text = store_column_dup(stmt, 1);
	e->at = db_column_int64(stmt, 2);
	return e;
}

GPtrArray *
store_blocker_events(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT what, text, created_at "
	    "FROM blocker_events WHERE blocker_id = ? ORDER BY created_at, id",
	    error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return store_rows(st, stmt, event_read,
	    (GDestroyNotify)blocker_event_free, error);
}

gboolean
store_blocker_has_answer(struct store *st, gint64 answer_id, gboolean *has,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM "
	    "blocker_events WHERE answer_id = ?", error);
	gint64 n;

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, answer_id);
	if ((n = store_step_int64(st, stmt, error)) < 0)
		return FALSE;
	*has = n > 0;
	return TRUE;
}
