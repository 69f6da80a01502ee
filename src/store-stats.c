/* The store's side of the pulse; see store-stats.h. */
#include "config.h"

#include "stats.h"
#include "store-private.h"
#include "store-stats.h"

/* What became of a prompt, as enum stats_outcome (the values of stats.h,
 * in order); ?4 is now. */
#define OUTCOME \
	"CASE WHEN p.state = 'answered' THEN 0 " \
	"WHEN p.state = 'missed' OR (p.state = 'sent' AND p.closes_at <= ?4) " \
	"THEN 1 WHEN p.state IN ('sent', 'pending') THEN 2 " \
	"WHEN p.skip_reason = 'skipped by mail' THEN 3 " \
	"WHEN p.skip_reason LIKE 'away%' THEN 4 ELSE 5 END"

static gpointer
prompt_read(struct db_stmt *stmt)
{
	struct stats_prompt *p = g_new(struct stats_prompt, 1);

	p->person_id = db_column_int64(stmt, 0);
	p->due_at = db_column_int64(stmt, 1);
	p->answered_at = db_column_int64(stmt, 2);
	p->outcome = (enum stats_outcome)db_column_int(stmt, 3);
	return p;
}

GPtrArray *
store_stats_prompts(struct store *st, gint64 team_id, gint64 from,
    gint64 to, gint64 now, GError **error)
{
	/* Member by member (the memberships' key is in person order), each
	 * one's prompts by the (person, due) index: no sort. */
	struct db_stmt *stmt = store_prepare(st, "SELECT p.person_id, "
	    "p.due_at, coalesce(p.answered_at, 0), " OUTCOME " "
	    "FROM memberships m JOIN prompts p ON p.person_id = m.person_id "
	    "AND p.due_at >= ?2 AND p.due_at < ?3 "
	    "JOIN checkins c ON c.id = p.checkin_id AND c.team_id = ?1 "
	    "WHERE m.team_id = ?1 ORDER BY m.person_id, p.due_at", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, from);
	db_bind_int64(stmt, 3, to);
	db_bind_int64(stmt, 4, now);
	return store_rows(st, stmt, prompt_read, g_free, error);
}

gboolean
store_stats_rate(struct store *st, gint64 team_id, gint64 from, gint64 to,
    gint64 now, guint *asked, guint *answered, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT "
	    "coalesce(sum(o IN (0, 1)), 0), coalesce(sum(o = 0), 0) FROM "
	    "(SELECT " OUTCOME " AS o FROM memberships m "
	    "JOIN prompts p ON p.person_id = m.person_id "
	    "AND p.due_at >= ?2 AND p.due_at < ?3 "
	    "JOIN checkins c ON c.id = p.checkin_id AND c.team_id = ?1 "
	    "WHERE m.team_id = ?1) AS x", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, from);
	db_bind_int64(stmt, 3, to);
	db_bind_int64(stmt, 4, now);
	if ((rc = db_step(stmt)) != DB_ROW) {
		db_reset(stmt);
		return store_fail(st, rc, error);
	}
	*asked = (guint)db_column_int64(stmt, 0);
	*answered = (guint)db_column_int64(stmt, 1);
	db_reset(stmt);
	return TRUE;
}

static void
blocker_free(struct stats_blocker *b)
{
	g_free(b->title);
	g_free(b);
}

static gpointer
blocker_read(struct db_stmt *stmt)
{
	struct stats_blocker *b = g_new0(struct stats_blocker, 1);

	b->person_id = db_column_int64(stmt, 0);
	b->opened_at = db_column_int64(stmt, 1);
	b->resolved_at = db_column_int64(stmt, 2);
	b->title = store_column_dup(stmt, 3);
	return b;
}

GPtrArray *
store_stats_blockers(struct store *st, gint64 team_id, gint64 from,
    gint64 to, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT person_id, opened_at, "
	    "coalesce(resolved_at, 0), text FROM blockers "
	    "WHERE team_id = ?1 AND opened_at < ?3 "
	    "AND (resolved_at IS NULL OR resolved_at >= ?2) ORDER BY id",
	    error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, from);
	db_bind_int64(stmt, 3, to);
	return store_rows(st, stmt, blocker_read, (GDestroyNotify)blocker_free,
	    error);
}
