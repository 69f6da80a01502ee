/* Opening the database, migrations, statements and transactions. */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#include "log.h"
#include "resources.h"
#include "store-private.h"

G_DEFINE_QUARK(tidings-store-error-quark, store_error)

/* 'tidi': tells a tidings database from any other SQLite file. */
#define STORE_APPLICATION_ID 0x74696469
#define STORE_BUSY_TIMEOUT_MS 10000
#define SCHEMA_DIR "/org/tidings/schema"

static int
store_error_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_ERROR_BUSY;
	case SQLITE_FULL:
		return STORE_ERROR_FULL;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_ERROR_CORRUPT;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return STORE_ERROR_READONLY;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return STORE_ERROR_IO;
	case SQLITE_CONSTRAINT:
		return STORE_ERROR_EXISTS;
	default:
		return STORE_ERROR_FAILED;
	}
}

/* SQLite says SQLITE_FULL only where it expects a full disk; elsewhere
 * (a new WAL or WAL index, when the database opens) a full disk is an I/O
 * error with ENOSPC.  Either is temporary: the MTA must try again. */
static gboolean
store_disk_full(struct store *st, int rc)
{
	int err = st->db != NULL ? sqlite3_system_errno(st->db) : 0;

	return (rc & 0xff) == SQLITE_FULL || ((rc & 0xff) == SQLITE_IOERR &&
	    (err == ENOSPC || err == EDQUOT));
}

static gboolean
store_set_error(struct store *st, int rc, const char *why, GError **error)
{
	if (store_disk_full(st, rc) && (rc & 0xff) != SQLITE_FULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_FULL,
		    "%s: the disk is full (%s)", st->path, why);
	else
		g_set_error(error, STORE_ERROR, store_error_code(rc), "%s: %s",
		    st->path, why);
	return FALSE;
}

gboolean
store_fail(struct store *st, int rc, GError **error)
{
	return store_set_error(st, rc, st->db != NULL ?
	    sqlite3_errmsg(st->db) : sqlite3_errstr(rc), error);
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql, GError **error)
{
	/* Most SQL is a literal, found by its address; the text then only
	 * needs comparing, not hashing. */
	sqlite3_stmt *stmt = g_hash_table_lookup(st->stmt_at, sql);
	int rc;

	if (stmt == NULL || strcmp(sqlite3_sql(stmt), sql) != 0) {
		stmt = g_hash_table_lookup(st->stmts, sql);
		if (stmt != NULL)
			g_hash_table_insert(st->stmt_at, (gpointer)sql, stmt);
	}
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, error);
		return NULL;
	}
	log_trace(TRACE_DB, "prepared: %s", sql);
	g_hash_table_insert(st->stmts, g_strdup(sql), stmt);
	g_hash_table_insert(st->stmt_at, (gpointer)sql, stmt);
	return stmt;
}

gboolean
store_exec(struct store *st, const char *sql, GError **error)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return TRUE;
	store_set_error(st, rc, msg != NULL ? msg : sqlite3_errstr(rc), error);
	sqlite3_free(msg);
	return FALSE;
}

gboolean
store_step_done(struct store *st, sqlite3_stmt *stmt, GError **error)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return TRUE;
	return store_fail(st, rc, error);
}

gint64
store_step_int64(struct store *st, sqlite3_stmt *stmt, GError **error)
{
	int rc = sqlite3_step(stmt);
	gint64 v = -1;

	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	else
		store_fail(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc, error);
	sqlite3_reset(stmt);
	return v;
}

GPtrArray *
store_rows(struct store *st, sqlite3_stmt *stmt,
    gpointer (*read)(sqlite3_stmt *stmt), GDestroyNotify free,
    GError **error)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(free);
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(list, read(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_fail(st, rc, error);
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

gpointer
store_first(GPtrArray *list, const char *what, const char *which,
    GError **error)
{
	gpointer first = NULL;

	if (list == NULL)
		return NULL;
	if (list->len > 0)
		first = g_ptr_array_steal_index(list, 0);
	else
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "no %s %s",
		    what, which);
	g_ptr_array_unref(list);
	return first;
}

void
store_bind_text(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_TRANSIENT);
}

char *
store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? g_strdup((const char *)t) : NULL;
}

static gint64
store_pragma_int(struct store *st, const char *pragma, GError **error)
{
	g_autofree char *sql = g_strdup_printf("PRAGMA %s", pragma);
	sqlite3_stmt *stmt = NULL;
	gint64 v = -1;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	else
		store_fail(st, rc, error);
	sqlite3_finalize(stmt);
	return v;
}

/* Sets the WAL, unless another connection is in a transaction (a bulk
 * load writing without it): *set says whether it is set. */
static gboolean
store_try_wal(struct store *st, gboolean *set, GError **error)
{
	int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL);

	*set = rc == SQLITE_OK;
	st->want_wal = !*set;
	if (rc == SQLITE_OK || (rc & 0xff) == SQLITE_BUSY ||
	    (rc & 0xff) == SQLITE_LOCKED)
		return TRUE;
	return store_fail(st, rc, error);
}

gboolean
store_begin(struct store *st, GError **error)
{
	gboolean wal;

	g_return_val_if_fail(!st->in_tx, FALSE);
	if (st->want_wal && !store_try_wal(st, &wal, error))
		return FALSE;
	if (!store_exec(st, "BEGIN IMMEDIATE", error))
		return FALSE;
	st->in_tx = TRUE;
	return TRUE;
}

gboolean
store_begin_batch(struct store *st, GError **error)
{
	if (!store_begin(st, error))
		return FALSE;
	if (!store_exec(st, "INSERT INTO messages_fts_pending (id) VALUES (0)",
	    error)) {
		store_rollback(st);
		return FALSE;
	}
	st->batch = TRUE;
	return TRUE;
}

/* Indexes the mail a batch noted, in one statement; see
 * schema/008-index-at-commit.sql. */
static gboolean
store_index_pending(struct store *st, GError **error)
{
	if (!st->batch)
		return TRUE;
	st->batch = FALSE;
	return store_exec(st, "DELETE FROM messages_fts_pending WHERE id = 0;"
	    "INSERT INTO messages_fts(rowid, subject, sender, body_text) "
	    "SELECT m.id, m.subject, m.sender, m.body_text "
	    "FROM messages_fts_pending p JOIN messages m ON m.id = p.id;"
	    "DELETE FROM messages_fts_pending;", error);
}

gboolean
store_commit(struct store *st, GError **error)
{
	g_return_val_if_fail(st->in_tx, FALSE);
	if (!store_index_pending(st, error) ||
	    !store_exec(st, "COMMIT", error)) {
		store_rollback(st);
		return FALSE;
	}
	st->in_tx = FALSE;
	return TRUE;
}

void
store_rollback(struct store *st)
{
	if (!st->in_tx)
		return;
	/* A failed statement may already have rolled the transaction back. */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = FALSE;
	st->batch = FALSE;
}

gboolean
store_set_durable(struct store *st, gboolean durable, GError **error)
{
	g_return_val_if_fail(!st->in_tx, FALSE);
	/* In WAL mode, NORMAL syncs the log only at checkpoints; the next
	 * FULL commit syncs it whole, the commits before included. */
	return store_exec(st, durable ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", error);
}

gboolean
store_set_bulk(struct store *st, gboolean bulk, GError **error)
{
	gboolean wal;
	int rc;

	g_return_val_if_fail(!st->in_tx, FALSE);
	if (bulk) {
		/* SQLite refuses to leave the WAL while other connections
		 * are open (SQLITE_BUSY at once): they keep it, and this
		 * load checkpoints it rarely, most pages being those of the
		 * indexes again and again. */
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL,
		    NULL, NULL);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
			return store_fail(st, rc, error);
		st->direct = rc == SQLITE_OK;
		log_trace(TRACE_DB, "%s: bulk load %s", st->path, st->direct ?
		    "with a rollback journal" : "through the WAL, others "
		    "have the database open");
		return store_exec(st, "PRAGMA wal_autocheckpoint = "
		    G_STRINGIFY(STORE_BULK_CHECKPOINT) ";"
		    "PRAGMA temp_store = MEMORY", error);
	}
	if (!store_exec(st, "PRAGMA wal_autocheckpoint = 1000;"
	    "PRAGMA temp_store = DEFAULT", error))
		return FALSE;
	if (!st->direct)
		return store_exec(st, "PRAGMA wal_checkpoint(PASSIVE)", error);
	/* Busy when another program opened the database meanwhile and is
	 * reading: then the next to begin a transaction sets it. */
	st->direct = FALSE;
	return store_try_wal(st, &wal, error);
}

gboolean
store_savepoint(struct store *st, const char *name, GError **error)
{
	g_autofree char *sql = g_strdup_printf("SAVEPOINT %s", name);

	return store_exec(st, sql, error);
}

gboolean
store_release(struct store *st, const char *name, GError **error)
{
	g_autofree char *sql = g_strdup_printf("RELEASE %s", name);

	return store_exec(st, sql, error);
}

void
store_rollback_to(struct store *st, const char *name)
{
	g_autofree char *sql = g_strdup_printf("ROLLBACK TO %s; RELEASE %s",
	    name, name);

	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The migration files, sorted: schema/001-*.sql is version 1, and so on. */
static char **
store_migrations(void)
{
	static gsize registered;
	char **names;

	if (g_once_init_enter(&registered)) {
		tidings_register_resource();
		g_once_init_leave(&registered, 1);
	}
	names = g_resources_enumerate_children(SCHEMA_DIR,
	    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

	g_assert(names != NULL);
	qsort(names, g_strv_length(names), sizeof(char *), cmp_names);
	return names;
}

int
store_schema_latest(void)
{
	g_auto(GStrv) names = store_migrations();

	return (int)g_strv_length(names);
}

int
store_schema_version(struct store *st)
{
	return (int)store_pragma_int(st, "user_version", NULL);
}

static gboolean
store_migrate_one(struct store *st, int version, const char *name,
    GError **error)
{
	g_autofree char *path = g_strdup_printf("%s/%s", SCHEMA_DIR, name);
	g_autoptr(GBytes) sql = g_resources_lookup_data(path,
	    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
	g_autofree char *text = g_strndup(g_bytes_get_data(sql, NULL),
	    g_bytes_get_size(sql));
	g_autofree char *bump = g_strdup_printf("PRAGMA user_version = %d;"
	    "PRAGMA application_id = %d;", version, STORE_APPLICATION_ID);

	log_debug("%s: migrating to schema version %d (%s)", st->path, version,
	    name);
	if (!store_begin(st, error))
		return FALSE;
	if (!store_exec(st, text, error) || !store_exec(st, bump, error)) {
		g_prefix_error(error, "migration to schema version %d failed: ",
		    version);
		store_rollback(st);
		return FALSE;
	}
	return store_commit(st, error);
}

static gboolean
store_migrate(struct store *st, GError **error)
{
	g_auto(GStrv) names = store_migrations();
	int latest = (int)g_strv_length(names);
	gint64 version, app, tables;

	version = store_pragma_int(st, "user_version", error);
	if (version < 0)
		return FALSE;
	app = store_pragma_int(st, "application_id", error);
	if (app < 0)
		return FALSE;
	if (version == 0) {
		/* A new file, or some other program's database. */
		sqlite3_stmt *stmt = store_prepare(st,
		    "SELECT count(*) FROM sqlite_master", error);
		if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
			return stmt != NULL ? store_fail(st, SQLITE_ERROR, error) :
			    FALSE;
		tables = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
		if (tables > 0)
			goto foreign;
	} else if (app != STORE_APPLICATION_ID)
		goto foreign;
	if (version > latest) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_VERSION,
		    "%s was written by a newer version of tidings (schema "
		    "version %" G_GINT64_FORMAT "; this tidings %s knows up to "
		    "%d); upgrade tidings to use it", st->path, version,
		    PACKAGE_VERSION, latest);
		return FALSE;
	}
	for (int v = (int)version + 1; v <= latest; v++)
		if (!store_migrate_one(st, v, names[v - 1], error))
			return FALSE;
	return TRUE;
foreign:
	g_set_error(error, STORE_ERROR, STORE_ERROR_CORRUPT,
	    "%s is an SQLite database, but not one of tidings'; refusing to "
	    "change it", st->path);
	return FALSE;
}

static gboolean
store_configure(struct store *st, GError **error)
{
	gboolean wal;

	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	/* A new database gets pages of 8 KiB, which hold most mails whole
	 * (a page of 4 KiB needs another for most), and half as many pages
	 * to write; an existing one keeps its own.  A bulk load that had the
	 * database to itself writes it without the WAL (store_set_bulk());
	 * opened meanwhile, a store works with its rollback journal, and
	 * sets the WAL again at the first transaction it begins after the
	 * load. */
	if (!store_exec(st, "PRAGMA page_size = 8192", error) ||
	    !store_try_wal(st, &wal, error))
		return FALSE;
	if (!wal)
		log_trace(TRACE_DB, "%s: in a bulk load; the WAL waits for its "
		    "end", st->path);
	/* Mail is acknowledged to the MTA after COMMIT, so a commit must
	 * survive a power cut: synchronous=FULL even in WAL mode (unless
	 * store_set_durable() says otherwise for a while). */
	return store_exec(st, "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL;"
	    /* A batch of mail fits in the cache, so no page is spilled and
	     * written twice before its commit. */
	    "PRAGMA cache_size = -16384;", error);
}

static void
stmt_finalize(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

/* Before SQLite initialises: its memory statistics, which tidings never
 * reads, cost a global lock at every allocation. */
static void
store_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		g_once_init_leave(&done, 1);
	}
}

struct store *
store_open(const char *path, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct store *st;
	int rc;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
		    "cannot create %s: %s", dir, g_strerror(errno));
		return NULL;
	}
	st = g_new0(struct store, 1);
	st->path = g_strdup(path);
	st->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    stmt_finalize);
	st->stmt_at = g_hash_table_new(g_direct_hash, g_direct_equal);
	store_init();
	/* A store is used by one thread at a time (the thread that opened
	 * it; ingest-pipe.c's worker never touches it), so the connection
	 * needs no lock of its own. */
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, error);
		goto fail;
	}
	if (!store_configure(st, error) || !store_migrate(st, error))
		goto fail;
	log_trace(TRACE_DB, "%s: open, schema version %d", path,
	    store_schema_version(st));
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_rollback(st);
	g_hash_table_destroy(st->stmt_at);
	g_hash_table_destroy(st->stmts);
	if (st->db != NULL)
		sqlite3_close(st->db);
	g_free(st->path);
	g_free(st);
}
