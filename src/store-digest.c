/* What a digest reads: the answers of a period, the earlier answers of a
 * blocker, the prompts left unanswered, who was away, and comments. */
#include "config.h"

#include "store-private.h"
#include "store-checkin.h"
#include "store-digest.h"

void
digest_row_free(struct digest_row *row)
{
	if (row == NULL)
		return;
	g_free(row->checkin);
	g_free(row->question);
	g_free(row->email);
	g_free(row->name);
	g_free(row->zone);
	g_free(row->text);
	g_free(row);
}

void
digest_history_free(struct digest_history *h)
{
	if (h == NULL)
		return;
	g_free(h->text);
	g_free(h);
}

void
digest_away_row_free(struct digest_away_row *row)
{
	if (row == NULL)
		return;
	g_free(row->email);
	g_free(row->name);
	g_free(row->summary);
	g_free(row);
}

void
digest_comment_row_free(struct digest_comment_row *row)
{
	if (row == NULL)
		return;
	g_free(row->author);
	g_free(row->text);
	g_free(row);
}

/* The rows of STMT (NULL: its preparation failed), made with READ, for a
 * team (?1) and a period from ?2 to ?3; NULL with error set on failure. */
static GPtrArray *
team_period_rows(struct store *st, struct db_stmt *stmt, gint64 team_id,
    gint64 start, gint64 end, gpointer (*read)(struct db_stmt *),
    GDestroyNotify free_row, GError **error)
{
	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, start);
	db_bind_int64(stmt, 3, end);
	return store_rows(st, stmt, read, free_row, error);
}

/* --- answers ---------------------------------------------------------- */

#define ROW_SELECT "SELECT c.id, c.title, q.id, q.position, q.text, " \
	"q.is_blocker, q.retired, a.id, a.message, a.prompt_id, pe.id, " \
	"pe.email, pe.name, pe.zone, a.text, a.created_at, p.due_at, " \
	"p.closes_at FROM answers a " \
	"JOIN prompts p ON p.id = a.prompt_id " \
	"JOIN checkins c ON c.id = p.checkin_id " \
	"JOIN questions q ON q.id = a.question_id " \
	"JOIN people pe ON pe.id = p.person_id " \
	"WHERE c.team_id = ?1 AND a.counted = 1 AND a.superseded_by IS NULL "
/* Retired questions have position -id: after the current ones, oldest
 * first. */
#define ROW_ORDER " ORDER BY c.title, c.id, q.retired, CASE WHEN q.retired " \
	"<> 0 THEN q.id ELSE q.position END, coalesce(nullif(pe.name, ''), " \
	"pe.email) COLLATE NOCASE, pe.id, a.created_at, a.id"

static gpointer
row_read(struct db_stmt *stmt)
{
	struct digest_row *r = g_new0(struct digest_row, 1);

	r->checkin_id = db_column_int64(stmt, 0);
	r->checkin = store_column_dup(stmt, 1);
	r->question_id = db_column_int64(stmt, 2);
	r->position = db_column_int(stmt, 3);
	r->question = store_column_dup(stmt, 4);
	r->blocker = db_column_int(stmt, 5) != 0;
	r->retired = db_column_int(stmt, 6) != 0;
	r->answer_id = db_column_int64(stmt, 7);
	r->message = db_column_int64(stmt, 8);
	r->prompt_id = db_column_int64(stmt, 9);
	r->person_id = db_column_int64(stmt, 10);
	r->email = store_column_dup(stmt, 11);
	r->name = store_column_dup(stmt, 12);
	r->zone = store_column_dup(stmt, 13);
	r->text = store_column_dup(stmt, 14);
	r->created_at = db_column_int64(stmt, 15);
	r->due_at = db_column_int64(stmt, 16);
	r->closes_at = db_column_int64(stmt, 17);
	return r;
}

GPtrArray *
store_digest_answers(struct store *st, gint64 team_id, gint64 start,
    gint64 end, gboolean commented, GError **error)
{
	return team_period_rows(st, store_prepare(st, commented ?
	    ROW_SELECT "AND a.created_at < ?2 AND EXISTS (SELECT 1 FROM "
	    "comments k WHERE k.answer_id = a.id AND k.created_at >= ?2 AND "
	    "k.created_at < ?3)" ROW_ORDER :
	    ROW_SELECT "AND a.created_at >= ?2 AND a.created_at < ?3"
	    ROW_ORDER, error), team_id, start, end, row_read,
	    (GDestroyNotify)digest_row_free, error);
}

/* --- blockers' history ------------------------------------------------ */

static gpointer
history_read(struct db_stmt *stmt)
{
	struct digest_history *h = g_new0(struct digest_history, 1);

	h->prompt_id = db_column_int64(stmt, 0);
	h->due_at = db_column_int64(stmt, 1);
	h->blocker = db_column_int(stmt, 2) != 0;
	h->text = store_column_dup(stmt, 3);
	return h;
}

GPtrArray *
store_digest_history(struct store *st, gint64 checkin_id, gint64 person_id,
    gint64 before, int limit, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT p.id, p.due_at, "
	    "coalesce(q.is_blocker, 0), a.text FROM prompts p "
	    "LEFT JOIN answers a ON a.prompt_id = p.id AND a.counted = 1 "
	    "AND a.superseded_by IS NULL "
	    "LEFT JOIN questions q ON q.id = a.question_id "
	    "WHERE p.checkin_id = ? AND p.person_id = ? AND p.due_at < ? "
	    "ORDER BY p.due_at DESC, p.id, q.position LIMIT ?", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, checkin_id);
	db_bind_int64(stmt, 2, person_id);
	db_bind_int64(stmt, 3, before);
	db_bind_int(stmt, 4, limit);
	return store_rows(st, stmt, history_read,
	    (GDestroyNotify)digest_history_free, error);
}

/* --- prompts, away ---------------------------------------------------- */

static gpointer
prompt_read(struct db_stmt *stmt)
{
	struct prompt *p = g_new0(struct prompt, 1);

	p->checkin_id = db_column_int64(stmt, 0);
	p->person_id = db_column_int64(stmt, 1);
	p->email = store_column_dup(stmt, 2);
	p->name = store_column_dup(stmt, 3);
	(void)prompt_state_parse((const char *)db_column_text(stmt, 4),
	    &p->state);
	p->skip_reason = store_column_dup(stmt, 5);
	p->due_at = db_column_int64(stmt, 6);
	p->id = db_column_int64(stmt, 7);
	return p;
}

GPtrArray *
store_digest_prompts(struct store *st, gint64 team_id, gint64 start,
    gint64 end, GError **error)
{
	return team_period_rows(st, store_prepare(st, "SELECT p.checkin_id, "
	    "p.person_id, pe.email, pe.name, p.state, p.skip_reason, p.due_at, "
	    "p.id FROM prompts p JOIN checkins c ON c.id = p.checkin_id "
	    "JOIN people pe ON pe.id = p.person_id WHERE c.team_id = ?1 "
	    "AND p.due_at >= ?2 AND p.due_at < ?3 "
	    "AND p.state IN ('sent', 'missed', 'skipped') "
	    "ORDER BY c.title, c.id, coalesce(nullif(pe.name, ''), pe.email) "
	    "COLLATE NOCASE, pe.id, p.due_at", error), team_id, start, end,
	    prompt_read, (GDestroyNotify)prompt_free, error);
}

static gpointer
away_read(struct db_stmt *stmt)
{
	struct digest_away_row *r = g_new0(struct digest_away_row, 1);

	r->person_id = db_column_int64(stmt, 0);
	r->email = store_column_dup(stmt, 1);
	r->name = store_column_dup(stmt, 2);
	r->until = db_column_int64(stmt, 3);
	r->summary = store_column_dup(stmt, 4);
	return r;
}

GPtrArray *
store_digest_away(struct store *st, gint64 team_id, gint64 start,
    gint64 end, GError **error)
{
	return team_period_rows(st, store_prepare(st, "SELECT pe.id, pe.email, "
	    "pe.name, coalesce(av.ends_at, 0), av.summary FROM availability av "
	    "JOIN memberships m ON m.person_id = av.person_id AND m.team_id = ?1 "
	    "JOIN people pe ON pe.id = av.person_id "
	    "WHERE av.kind = 'away' AND av.rrule IS NULL "
	    "AND (av.starts_at IS NULL OR av.starts_at < ?3) "
	    "AND (av.ends_at IS NULL OR av.ends_at > ?2) "
	    "ORDER BY coalesce(nullif(pe.name, ''), pe.email) COLLATE NOCASE, "
	    "pe.id, av.ends_at IS NULL DESC, av.ends_at DESC", error), team_id,
	    start, end, away_read, (GDestroyNotify)digest_away_row_free, error);
}

/* --- comments --------------------------------------------------------- */

static gpointer
comment_read(struct db_stmt *stmt)
{
	struct digest_comment_row *r = g_new0(struct digest_comment_row, 1);

	r->id = db_column_int64(stmt, 0);
	r->answer_id = db_column_int64(stmt, 1);
	r->digest_id = db_column_int64(stmt, 2);
	r->author = store_column_dup(stmt, 3);
	r->text = store_column_dup(stmt, 4);
	r->created_at = db_column_int64(stmt, 5);
	return r;
}

GPtrArray *
store_digest_comments(struct store *st, gint64 team_id, gint64 start,
    gint64 end, GError **error)
{
	return team_period_rows(st, store_prepare(st, "SELECT k.id, "
	    "coalesce(k.answer_id, 0), coalesce(k.digest_id, 0), "
	    "coalesce(nullif(pe.name, ''), pe.email, nullif(m.sender_name, ''), "
	    "m.sender, ''), k.text, k.created_at FROM comments k "
	    "LEFT JOIN people pe ON pe.id = k.person_id "
	    "LEFT JOIN messages m ON m.id = k.message "
	    "WHERE k.created_at >= ?2 AND k.created_at < ?3 "
	    "AND (k.answer_id IN (SELECT a.id FROM answers a "
	    "JOIN prompts p ON p.id = a.prompt_id "
	    "JOIN checkins c ON c.id = p.checkin_id WHERE c.team_id = ?1) "
	    "OR k.digest_id IN (SELECT id FROM digests WHERE team_id = ?1)) "
	    "ORDER BY k.created_at, k.id", error), team_id, start, end,
	    comment_read, (GDestroyNotify)digest_comment_row_free, error);
}
