/* IMAP positions: (UIDVALIDITY, last UID) per account and folder. */
#include "config.h"

#include "clock.h"
#include "store-private.h"
#include "store-sync.h"

void
sync_state_free(struct sync_state *s)
{
	if (s == NULL)
		return;
	g_free(s->account);
	g_free(s->folder);
	g_free(s->last_error);
	g_free(s);
}

#define SYNC_COLUMNS "account, folder, uidvalidity, last_uid, " \
	"coalesce(last_sync_at, 0), last_error, coalesce(last_error_at, 0)"

static struct sync_state *
sync_from_row(struct db_stmt *stmt)
{
	struct sync_state *s = g_new0(struct sync_state, 1);

	s->account = store_column_dup(stmt, 0);
	s->folder = store_column_dup(stmt, 1);
	s->uidvalidity = (guint32)db_column_int64(stmt, 2);
	s->last_uid = (guint32)db_column_int64(stmt, 3);
	s->last_sync_at = db_column_int64(stmt, 4);
	s->last_error = store_column_dup(stmt, 5);
	s->last_error_at = db_column_int64(stmt, 6);
	return s;
}

struct sync_state *
store_sync_get(struct store *st, const char *account, const char *folder,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " SYNC_COLUMNS
	    " FROM sync_state WHERE account = ? AND folder = ?", error);
	struct sync_state *s = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, account);
	store_bind_text(stmt, 2, folder);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		s = sync_from_row(stmt);
	else if (rc != DB_DONE)
		store_fail(st, rc, error);
	db_reset(stmt);
	return s;
}

gboolean
store_sync_set(struct store *st, const char *account, const char *folder,
    guint32 uidvalidity, guint32 last_uid, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO sync_state "
	    "(account, folder, uidvalidity, last_uid, last_sync_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account, folder) DO "
	    "UPDATE SET uidvalidity = ?3, last_uid = ?4, last_sync_at = ?5, "
	    "last_error = NULL", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, account);
	store_bind_text(stmt, 2, folder);
	db_bind_int64(stmt, 3, uidvalidity);
	db_bind_int64(stmt, 4, last_uid);
	db_bind_int64(stmt, 5, clock_now());
	return store_step_done(st, stmt, error);
}

gboolean
store_sync_error(struct store *st, const char *account, const char *folder,
    const char *message, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO sync_state "
	    "(account, folder, uidvalidity, last_error, last_error_at) "
	    "VALUES (?1, ?2, 0, ?3, ?4) ON CONFLICT (account, folder) DO "
	    "UPDATE SET last_error = ?3, last_error_at = ?4", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, account);
	store_bind_text(stmt, 2, folder);
	store_bind_text(stmt, 3, message);
	db_bind_int64(stmt, 4, clock_now());
	return store_step_done(st, stmt, error);
}

GPtrArray *
store_sync_list(struct store *st, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " SYNC_COLUMNS
	    " FROM sync_state ORDER BY account, folder", error);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sync_state_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = db_step(stmt)) == DB_ROW)
		g_ptr_array_add(out, sync_from_row(stmt));
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

gint64
store_message_count_since(struct store *st, gint64 t, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM messages "
	    "WHERE received_at >= ?", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, t);
	return store_step_int64(st, stmt, error);
}
