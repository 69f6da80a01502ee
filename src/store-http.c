/* The HTTP face's keys; see store-http.h. */
#include "config.h"

#include "store-http.h"
#include "db-sqlite.h"
#include "store-private.h"

gint64
store_http_key_generation(struct store *st, const char *kind,
    const char *team, const char *subject, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT coalesce(("
	    "SELECT k.generation FROM http_keys k JOIN teams t ON "
	    "t.id = k.team_id WHERE k.kind = ?1 AND t.name = ?2 AND "
	    "k.subject = ?3), 1)", error);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, kind);
	store_bind_text(stmt, 2, team);
	store_bind_text(stmt, 3, subject);
	return store_step_int64(st, stmt, error);
}

gint64
store_http_key_renew(struct store *st, const char *kind, const char *team,
    const char *subject, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO http_keys "
	    "(kind, team_id, subject, generation, changed_at) "
	    "SELECT ?1, id, ?3, 2, ?4 FROM teams WHERE name = ?2 "
	    "ON CONFLICT (kind, team_id, subject) DO UPDATE SET "
	    "generation = http_keys.generation + 1, changed_at = excluded.changed_at",
	    error);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, kind);
	store_bind_text(stmt, 2, team);
	store_bind_text(stmt, 3, subject);
	db_bind_int64(stmt, 4, now);
	if (!store_step_done(st, stmt, error))
		return -1;
	if (db_changes(st->db) == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no team %s", team);
		return -1;
	}
	return store_http_key_generation(st, kind, team, subject, error);
}

/* --- the archive ----------------------------------------------------- */

/* The mail of team ?1: answers to its check-ins, and comments on them or
 * on its digests. */
#define TEAM_MAIL "(SELECT a.message FROM answers a " \
	"JOIN prompts p ON p.id = a.prompt_id " \
	"JOIN checkins c ON c.id = p.checkin_id " \
	"JOIN teams t ON t.id = c.team_id WHERE t.name = ?1 " \
	"UNION SELECT cm.message FROM comments cm " \
	"LEFT JOIN answers a ON a.id = cm.answer_id " \
	"LEFT JOIN prompts p ON p.id = a.prompt_id " \
	"LEFT JOIN checkins c ON c.id = p.checkin_id " \
	"LEFT JOIN digests d ON d.id = cm.digest_id " \
	"JOIN teams t ON t.id = coalesce(c.team_id, d.team_id) " \
	"WHERE t.name = ?1)"

static gpointer
period_read(struct db_stmt *stmt)
{
	struct archive_period *p = g_new0(struct archive_period, 1);

	p->id = db_column_int64(stmt, 0);
	p->start = db_column_int64(stmt, 1);
	p->end = db_column_int64(stmt, 2);
	return p;
}

GPtrArray *
store_http_periods(struct store *st, const char *team, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT d.id, d.period_start, "
	    "d.period_end FROM digests d JOIN teams t ON t.id = d.team_id "
	    "WHERE t.name = ?1 ORDER BY d.period_start DESC", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	return store_rows(st, stmt, period_read, g_free, error);
}

gboolean
store_http_period(struct store *st, const char *team, gint64 id,
    struct archive_period *out, GError **error)
{
	g_autoptr(GPtrArray) all = store_http_periods(st, team, error);

	for (guint i = 0; all != NULL && i < all->len; i++) {
		const struct archive_period *p = all->pdata[i];
		if (p->id == id) {
			*out = *p;
			return TRUE;
		}
	}
	if (all != NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no digest %" G_GINT64_FORMAT " of %s", id, team);
	return FALSE;
}

void
archive_hit_free(struct archive_hit *h)
{
	if (h == NULL)
		return;
	g_free(h->sender);
	g_free(h->subject);
	g_free(h->snippet);
	g_free(h);
}

static gpointer
hit_read(struct db_stmt *stmt)
{
	struct archive_hit *h = g_new0(struct archive_hit, 1);

	h->message = db_column_int64(stmt, 0);
	h->sender = store_column_dup(stmt, 1);
	h->subject = store_column_dup(stmt, 2);
	h->date = db_column_int64(stmt, 3);
	h->snippet = store_column_dup(stmt, 4);
	return h;
}

GPtrArray *
store_http_search(struct store *st, const char *team, const char *query,
    int limit, GError **error)
{
	/* FTS5 on SQLite; on PostgreSQL the expression its index is on,
	 * under the index's condition (schema/pg/001-initial.sql). */
	struct db_stmt *stmt = store_prepare(st, db_backend(st->db) ==
	    DB_POSTGRESQL ? "SELECT m.id, "
	    "coalesce(nullif(m.sender_name, ''), m.sender), "
	    "coalesce(m.subject, ''), m.date, "
	    "ts_headline('simple', coalesce(m.body_text, ''), "
	    "websearch_to_tsquery('simple', ?2), 'StartSel=' || chr(1) || "
	    "', StopSel=' || chr(2) || ', MaxWords=16, MinWords=4, "
	    "MaxFragments=1, FragmentDelimiter=...') "
	    "FROM messages m WHERE m.state IN ('processed', 'dropped') "
	    "AND messages_document(m.subject, m.sender, m.body_text) "
	    "@@ websearch_to_tsquery('simple', ?2) AND m.id IN " TEAM_MAIL " "
	    "ORDER BY m.date DESC, m.id DESC LIMIT ?3" : "SELECT m.id, "
	    "coalesce(nullif(m.sender_name, ''), m.sender), "
	    "coalesce(m.subject, ''), m.date, "
	    "snippet(messages_fts, 2, char(1), char(2), '...', 16) "
	    "FROM messages_fts f JOIN messages m ON m.id = f.rowid "
	    "WHERE messages_fts MATCH ?2 AND m.id IN " TEAM_MAIL " "
	    "ORDER BY m.date DESC, m.id DESC LIMIT ?3", error);
	g_autoptr(GError) failed = NULL;
	GPtrArray *rows;

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	store_bind_text(stmt, 2, query);
	db_bind_int(stmt, 3, limit);
	rows = store_rows(st, stmt, hit_read, (GDestroyNotify)archive_hit_free,
	    &failed);
	if (rows != NULL)
		return rows;
	/* What FTS5 cannot read is the searcher's to fix. */
	if (db_errcode(st->db) == DB_ERROR)
		g_set_error(error, STORE_ERROR, STORE_ERROR_QUERY, "%s",
		    db_errmsg(st->db));
	else
		g_propagate_error(error, g_steal_pointer(&failed));
	return NULL;
}

gboolean
store_http_message_of(struct store *st, const char *team, gint64 id,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT ?2 IN " TEAM_MAIL,
	    error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, team);
	db_bind_int64(stmt, 2, id);
	return store_step_int64(st, stmt, error) == 1;
}

GPtrArray *
store_http_comments(struct store *st, gint64 message, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT cm.message, "
	    "coalesce(nullif(p.name, ''), p.email, nullif(m.sender_name, ''), "
	    "m.sender), '', cm.created_at, cm.text FROM comments cm "
	    "JOIN answers a ON a.id = cm.answer_id "
	    "JOIN messages m ON m.id = cm.message "
	    "LEFT JOIN people p ON p.id = cm.person_id "
	    "WHERE a.message = ?1 ORDER BY cm.created_at, cm.id", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, message);
	return store_rows(st, stmt, hit_read, (GDestroyNotify)archive_hit_free,
	    error);
}

gboolean
store_http_version(struct store *st, gint64 *version, GError **error)
{
	struct db_stmt *stmt;
	gint64 other;

	if (db_backend(st->db) == DB_POSTGRESQL) {
		/* Where the server's log ends moves with every commit, of
		 * every connection. */
		stmt = store_prepare(st, "SELECT (pg_current_wal_insert_lsn() "
		    "- '0/0')::bigint", error);
		*version = stmt != NULL ? store_step_int64(st, stmt, error) :
		    -1;
		return *version >= 0;
	}
	stmt = store_prepare(st, "PRAGMA data_version", error);
	if (stmt == NULL || (other = store_step_int64(st, stmt, error)) < 0)
		return FALSE;
	/* data_version counts the commits of other connections, the total
	 * changes this one's own. */
	*version = (other << 32) ^
	    (gint64)sqlite3_total_changes(db_sqlite_handle(st->db));
	return TRUE;
}
