/* Availability: the blocks of time people state. */
#include "config.h"

#include "db-sqlite.h"
#include "store-private.h"
#include "store-avail.h"

void
availability_free(struct availability *a)
{
	if (a == NULL)
		return;
	g_free(a->kind);
	g_free(a->rrule);
	g_free(a->zone);
	g_free(a->summary);
	g_free(a->source);
	g_free(a->uid);
	g_free(a);
}

static gpointer
availability_row(struct db_stmt *stmt)
{
	struct availability *a = g_new0(struct availability, 1);

	a->id = db_column_int64(stmt, 0);
	a->person_id = db_column_int64(stmt, 1);
	a->kind = store_column_dup(stmt, 2);
	a->starts_at = db_column_int64(stmt, 3);
	a->ends_at = db_column_int64(stmt, 4);
	a->rrule = store_column_dup(stmt, 5);
	a->zone = store_column_dup(stmt, 6);
	a->summary = store_column_dup(stmt, 7);
	a->source = store_column_dup(stmt, 8);
	a->uid = store_column_dup(stmt, 9);
	return a;
}

GPtrArray *
store_availability_list(struct store *st, gint64 person_id, gint64 since,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT id, person_id, kind, "
	    "coalesce(starts_at, 0), coalesce(ends_at, 0), rrule, zone, "
	    "summary, source, uid FROM availability WHERE person_id = ?1 AND "
	    "(rrule IS NOT NULL OR ends_at IS NULL OR ends_at > ?2) "
	    "ORDER BY coalesce(starts_at, 0), id", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, person_id);
	db_bind_int64(stmt, 2, since);
	return store_rows(st, stmt, availability_row,
	    (GDestroyNotify)availability_free, error);
}

gboolean
store_availability_add(struct store *st, struct availability *a, gint64 now,
    GError **error)
{
	struct db_stmt *stmt;

	if (a->uid != NULL) {
		stmt = store_prepare(st, "DELETE FROM availability WHERE "
		    "person_id = ? AND source = ? AND uid = ?", error);
		if (stmt == NULL)
			return FALSE;
		db_bind_int64(stmt, 1, a->person_id);
		store_bind_text(stmt, 2, a->source);
		store_bind_text(stmt, 3, a->uid);
		if (!store_step_done(st, stmt, error))
			return FALSE;
	}
	stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT INTO "
	    "availability (person_id, kind, starts_at, ends_at, rrule, zone, "
	    "summary, source, uid, created_at) VALUES (?, ?, nullif(?, 0), "
	    "nullif(?, 0), ?, ?, ?, ?, ?, ?)"), error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, a->person_id);
	store_bind_text(stmt, 2, a->kind);
	db_bind_int64(stmt, 3, a->starts_at);
	db_bind_int64(stmt, 4, a->ends_at);
	store_bind_text(stmt, 5, a->rrule);
	store_bind_text(stmt, 6, a->zone);
	store_bind_text(stmt, 7, a->summary);
	store_bind_text(stmt, 8, a->source);
	store_bind_text(stmt, 9, a->uid);
	db_bind_int64(stmt, 10, now);
	a->id = store_step_insert(st, stmt, error);
	return a->id != -1;
}

gint64
store_availability_clear(struct store *st, gint64 person_id, const char *kind,
    const char *source, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "DELETE FROM availability "
	    "WHERE person_id = ?1 AND (?2 IS NULL OR kind = ?2) AND "
	    "(?3 IS NULL OR source = ?3) AND (rrule IS NOT NULL OR "
	    "ends_at IS NULL OR ends_at > ?4)", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, person_id);
	store_bind_text(stmt, 2, kind);
	store_bind_text(stmt, 3, source);
	db_bind_int64(stmt, 4, now);
	if (!store_step_done(st, stmt, error))
		return -1;
	return db_changes(st->db);
}

gint64
store_availability_forget(struct store *st, gint64 person_id,
    const char *source, const char *uid, GError **error)
{
	/* The range keeps it to the index (schema 013): UID itself and the
	 * UIDs "UID#..." of its occurrences sort between UID and "UID$". */
	struct db_stmt *stmt = store_prepare(st, "DELETE FROM availability "
	    "WHERE person_id = ?1 AND source = ?2 AND uid >= ?3 AND "
	    "uid < ?3 || '$' AND (uid = ?3 OR "
	    "substr(uid, 1, length(?3) + 1) = ?3 || '#')", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, person_id);
	store_bind_text(stmt, 2, source);
	store_bind_text(stmt, 3, uid);
	if (!store_step_done(st, stmt, error))
		return -1;
	return db_changes(st->db);
}

char *
store_person_status(struct store *st, gint64 person_id, gint64 now,
    gint64 *until, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT status, "
	    "coalesce(status_until, 0) FROM people WHERE id = ? AND "
	    "status IS NOT NULL AND (status_until IS NULL OR "
	    "status_until > ?)", error);
	char *status = NULL;
	int rc;

	*until = 0;
	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, person_id);
	db_bind_int64(stmt, 2, now);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		status = store_column_dup(stmt, 0);
		*until = db_column_int64(stmt, 1);
	} else if (rc != DB_DONE)
		store_fail(st, rc, error);
	db_reset(stmt);
	return status;
}

gboolean
store_person_set_status(struct store *st, gint64 person_id,
    const char *status, gint64 until, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE people SET status = ?, "
	    "status_until = nullif(?, 0) WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, status);
	db_bind_int64(stmt, 2, status != NULL ? until : 0);
	db_bind_int64(stmt, 3, person_id);
	return store_step_done(st, stmt, error);
}

gboolean
store_message_note(struct store *st, gint64 id, const char *note,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET reason = ? "
	    "WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, note);
	db_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, error);
}

gint64
store_work_done(struct store *st)
{
	GHashTableIter it;
	gpointer stmt;
	gint64 steps = 0;

	if (db_backend(st->db) != DB_SQLITE)
		return 0;
	g_hash_table_iter_init(&it, st->stmts);
	while (g_hash_table_iter_next(&it, NULL, &stmt))
		steps += sqlite3_stmt_status(db_sqlite_stmt(stmt),
		    SQLITE_STMTSTATUS_VM_STEP, 0);
	return steps;
}
