/* The processes that share the database, and their leases; see
 * store-cluster.h. */
#include "config.h"

#include "store-cluster.h"
#include "store-private.h"

/* The database's clock, in UTC seconds: unixepoch() in SQLite, and the
 * function of that name schema 19 makes in PostgreSQL. */

void
cluster_process_free(struct cluster_process *p)
{
	if (p == NULL)
		return;
	g_free(p->host);
	g_free(p->version);
	if (p->holds != NULL)
		g_ptr_array_unref(p->holds);
	g_free(p);
}

gint64
store_process_add(struct store *st, const char *host, int pid,
    const char *version, gint64 forget, GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, "DELETE FROM processes "
	    "WHERE seen_at < unixepoch() - ?", error);
	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, forget);
	if (!store_step_done(st, stmt, error))
		return -1;
	stmt = store_prepare(st, "INSERT INTO processes (host, pid, version, "
	    "started_at, seen_at) VALUES (?, ?, ?, unixepoch(), unixepoch()) "
	    "RETURNING id", error);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, host);
	db_bind_int(stmt, 2, pid);
	store_bind_text(stmt, 3, version);
	return store_step_int64(st, stmt, error);
}

gboolean
store_process_beat(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE processes "
	    "SET seen_at = unixepoch() WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (db_changes(st->db) == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "process %" G_GINT64_FORMAT " was forgotten", id);
		return FALSE;
	}
	return TRUE;
}

gboolean
store_process_remove(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "DELETE FROM processes "
	    "WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error);
}

static gpointer
process_read(struct db_stmt *stmt)
{
	struct cluster_process *p = g_new0(struct cluster_process, 1);

	p->id = db_column_int64(stmt, 0);
	p->host = store_column_dup(stmt, 1);
	p->pid = db_column_int(stmt, 2);
	p->version = store_column_dup(stmt, 3);
	p->started_at = db_column_int64(stmt, 4);
	p->seen_at = db_column_int64(stmt, 5);
	p->seen_ago = db_column_int64(stmt, 6);
	p->holds = g_ptr_array_new_with_free_func(g_free);
	return p;
}

struct lease_row {
	gint64 holder;
	char *name;
};

static gpointer
lease_read(struct db_stmt *stmt)
{
	struct lease_row *l = g_new0(struct lease_row, 1);

	l->holder = db_column_int64(stmt, 0);
	l->name = store_column_dup(stmt, 1);
	return l;
}

static void
lease_row_free(gpointer data)
{
	struct lease_row *l = data;

	g_free(l->name);
	g_free(l);
}

GPtrArray *
store_process_list(struct store *st, GError **error)
{
	g_autoptr(GPtrArray) procs = NULL;
	g_autoptr(GPtrArray) leases = NULL;
	struct db_stmt *stmt;

	stmt = store_prepare(st, "SELECT id, host, pid, version, started_at, "
	    "seen_at, unixepoch() - seen_at FROM processes "
	    "ORDER BY seen_at DESC, id", error);
	if (stmt == NULL || (procs = store_rows(st, stmt, process_read,
	    (GDestroyNotify)cluster_process_free, error)) == NULL)
		return NULL;
	stmt = store_prepare(st, "SELECT holder, name FROM leases "
	    "WHERE expires_at >= unixepoch() ORDER BY name", error);
	if (stmt == NULL || (leases = store_rows(st, stmt, lease_read,
	    lease_row_free, error)) == NULL)
		return NULL;
	for (guint i = 0; i < leases->len; i++) {
		struct lease_row *l = leases->pdata[i];
		for (guint j = 0; j < procs->len; j++) {
			struct cluster_process *p = procs->pdata[j];
			if (p->id == l->holder)
				g_ptr_array_add(p->holds, g_strdup(l->name));
		}
	}
	return g_steal_pointer(&procs);
}

gboolean
store_lease_take(struct store *st, const char *name, gint64 holder,
    gint64 ttl, gboolean *held, GError **error)
{
	/* Taken when free, renewed when HOLDER's, taken over when it has
	 * expired; else left alone, and no row comes back. */
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO leases (name, "
	    "holder, taken_at, expires_at) VALUES (?1, ?2, unixepoch(), "
	    "unixepoch() + ?3) ON CONFLICT (name) DO UPDATE SET "
	    "holder = excluded.holder, taken_at = CASE WHEN leases.holder = "
	    "excluded.holder THEN leases.taken_at ELSE excluded.taken_at END, "
	    "expires_at = excluded.expires_at "
	    "WHERE leases.holder = excluded.holder OR "
	    "leases.expires_at < unixepoch() RETURNING holder", error);
	int rc;

	*held = FALSE;
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, name);
	db_bind_int64(stmt, 2, holder);
	db_bind_int64(stmt, 3, ttl);
	rc = db_step(stmt);
	*held = rc == DB_ROW;
	if (rc == DB_ROW)
		rc = db_step(stmt);
	db_reset(stmt);
	return rc == DB_DONE || store_fail(st, rc, error);
}

gboolean
store_lease_release(struct store *st, const char *name, gint64 holder,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "DELETE FROM leases "
	    "WHERE name = ? AND holder = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, name);
	db_bind_int64(stmt, 2, holder);
	return store_step_done(st, stmt, error);
}
