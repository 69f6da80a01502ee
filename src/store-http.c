/* The HTTP face's keys; see store-http.h. */
#include "config.h"

#include "store-http.h"
#include "store-private.h"

gint64
store_http_key_generation(struct store *st, const char *kind,
    const char *team, const char *subject, GError **error)
{
	sqlite3_stmt *stmt = store_prepare(st, "SELECT coalesce(("
	    "SELECT k.generation FROM http_keys k JOIN teams t ON "
	    "t.id = k.team_id WHERE k.kind = ?1 AND t.name = ?2 AND "
	    "k.subject = ?3), 0)", error);

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
	sqlite3_stmt *stmt = store_prepare(st, "INSERT INTO http_keys "
	    "(kind, team_id, subject, generation, changed_at) "
	    "SELECT ?1, id, ?3, 1, ?4 FROM teams WHERE name = ?2 "
	    "ON CONFLICT (kind, team_id, subject) DO UPDATE SET "
	    "generation = generation + 1, changed_at = excluded.changed_at",
	    error);
	gint64 gen;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, kind);
	store_bind_text(stmt, 2, team);
	store_bind_text(stmt, 3, subject);
	sqlite3_bind_int64(stmt, 4, now);
	if (!store_step_done(st, stmt, error))
		return -1;
	gen = store_http_key_generation(st, kind, team, subject, error);
	if (gen == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no team %s", team);
		return -1;
	}
	return gen;
}
