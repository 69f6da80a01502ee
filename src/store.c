/* Opening the database, migrations, statements and transactions. */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#include "db-sqlite.h"
#include "log.h"
#include "resources.h"
#include "store-private.h"

G_DEFINE_QUARK(tidings-store-error-quark, store_error)

/* 'tidi': tells a tidings database from any other SQLite file. */
#define STORE_APPLICATION_ID 0x74696469
#define STORE_BUSY_TIMEOUT_MS 10000
#define SCHEMA_DIR "/org/tidings/schema"
#define SCHEMA_PG_DIR "/org/tidings/schema-pg"

static int
store_error_code(int rc)
{
	switch (rc) {
	case DB_BUSY:
		return STORE_ERROR_BUSY;
	case DB_FULL:
		return STORE_ERROR_FULL;
	case DB_CORRUPT:
		return STORE_ERROR_CORRUPT;
	case DB_READONLY:
		return STORE_ERROR_READONLY;
	case DB_IO:
		return STORE_ERROR_IO;
	case DB_UNIQUE:
	case DB_CONSTRAINT:
		return STORE_ERROR_EXISTS;
	default:
		return STORE_ERROR_FAILED;
	}
}

static gboolean
store_set_error(struct store *st, int rc, const char *why, GError **error)
{
	/* A full disk may show as an I/O error (a new WAL or WAL index, when
	 * the database opens); the layer finds it, the message may not say
	 * it.  Either way it is temporary: the MTA must try again. */
	if (rc == DB_FULL && strstr(why, "full") == NULL)
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
	return store_set_error(st, rc, st->db != NULL ? db_errmsg(st->db) :
	    "out of memory", error);
}

static gboolean
store_is_pg(const struct store *st)
{
	return db_backend(st->db) == DB_POSTGRESQL;
}

struct db_stmt *
store_prepare(struct store *st, const char *sql, GError **error)
{
	/* Most SQL is a literal, found by its address; the text then only
	 * needs comparing, not hashing. */
	struct db_stmt *stmt = g_hash_table_lookup(st->stmt_at, sql);
	int rc;

	if (stmt == NULL || strcmp(db_sql(stmt), sql) != 0) {
		stmt = g_hash_table_lookup(st->stmts, sql);
		if (stmt != NULL)
			g_hash_table_insert(st->stmt_at, (gpointer)sql, stmt);
	}
	if (stmt != NULL) {
		db_reset(stmt);
		db_clear_bindings(stmt);
		return stmt;
	}
	rc = db_prepare(st->db, sql, &stmt);
	if (rc != DB_OK) {
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
	int rc = db_exec(st->db, sql);

	return rc == DB_OK || store_fail(st, rc, error);
}

gboolean
store_step_done(struct store *st, struct db_stmt *stmt, GError **error)
{
	int rc = db_step(stmt);

	db_reset(stmt);
	if (rc == DB_DONE)
		return TRUE;
	return store_fail(st, rc, error);
}

gint64
store_step_insert(struct store *st, struct db_stmt *stmt, GError **error)
{
	if (store_is_pg(st))
		return store_step_int64(st, stmt, error);
	return store_step_done(st, stmt, error) ? db_last_insert_id(st->db) :
	    -1;
}

gint64
store_step_insert_new(struct store *st, struct db_stmt *stmt,
    GError **error)
{
	gint64 id = 0;
	int rc;

	if (!store_is_pg(st))
		return !store_step_done(st, stmt, error) ? -1 :
		    db_changes(st->db) > 0 ? db_last_insert_id(st->db) : 0;
	rc = db_step(stmt);
	if (rc == DB_ROW)
		id = db_column_int64(stmt, 0);
	db_reset(stmt);
	if (rc != DB_ROW && rc != DB_DONE) {
		store_fail(st, rc, error);
		return -1;
	}
	return id;
}

gint64
store_step_int64(struct store *st, struct db_stmt *stmt, GError **error)
{
	int rc = db_step(stmt);
	gint64 v = -1;

	if (rc == DB_ROW)
		v = db_column_int64(stmt, 0);
	else if (rc == DB_DONE)
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "%s: no row where one was expected", st->path);
	else
		store_fail(st, rc, error);
	db_reset(stmt);
	return v;
}

GPtrArray *
store_rows(struct store *st, struct db_stmt *stmt,
    gpointer (*read)(struct db_stmt *stmt), GDestroyNotify free,
    GError **error)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(free);
	int rc;

	while ((rc = db_step(stmt)) == DB_ROW)
		g_ptr_array_add(list, read(stmt));
	db_reset(stmt);
	if (rc != DB_DONE) {
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
store_bind_text(struct db_stmt *stmt, int col, const char *text)
{
	db_bind_text(stmt, col, text, -1);
}

char *
store_column_dup(struct db_stmt *stmt, int col)
{
	return g_strdup(db_column_text(stmt, col));
}

/* --- SQLite's own settings ------------------------------------------- */

static gint64
store_pragma_int(struct store *st, const char *pragma, GError **error)
{
	g_autofree char *sql = g_strdup_printf("PRAGMA %s", pragma);
	struct db_stmt *stmt = NULL;
	gint64 v = -1;
	int rc;

	rc = db_prepare(st->db, sql, &stmt);
	if (rc == DB_OK)
		rc = db_step(stmt);
	if (rc == DB_ROW)
		v = db_column_int64(stmt, 0);
	else
		store_fail(st, rc, error);
	db_finalize(stmt);
	return v;
}

/* Sets the WAL, unless another connection is in a transaction (a bulk
 * load writing without it): *set says whether it is set. */
static gboolean
store_try_wal(struct store *st, gboolean *set, GError **error)
{
	int rc = db_exec(st->db, "PRAGMA journal_mode = WAL");

	*set = rc == DB_OK;
	st->want_wal = !*set;
	if (rc == DB_OK || rc == DB_BUSY)
		return TRUE;
	return store_fail(st, rc, error);
}

/* --- transactions ---------------------------------------------------- */

gboolean
store_begin(struct store *st, GError **error)
{
	struct db_stmt *stmt;
	gboolean wal;

	g_return_val_if_fail(!st->in_tx, FALSE);
	if (st->want_wal && !store_try_wal(st, &wal, error))
		return FALSE;
	/* SQLite: the write lock at once, by a statement kept prepared (a
	 * delivery begins one a mail or two).  PostgreSQL locks rows as
	 * they are written, and its claims are unique rows. */
	if (!(store_is_pg(st) ? store_exec(st, "BEGIN", error) :
	    (stmt = store_prepare(st, "BEGIN IMMEDIATE", error)) != NULL &&
	    store_step_done(st, stmt, error)))
		return FALSE;
	st->in_tx = TRUE;
	return TRUE;
}

gboolean
store_begin_batch(struct store *st, GError **error)
{
	if (!store_begin(st, error))
		return FALSE;
	/* PostgreSQL indexes each mail as it is written. */
	if (store_is_pg(st))
		return TRUE;
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
	struct db_stmt *stmt;

	g_return_val_if_fail(st->in_tx, FALSE);
	if (!store_index_pending(st, error) ||
	    !(store_is_pg(st) ? store_exec(st, "COMMIT", error) :
	    (stmt = store_prepare(st, "COMMIT", error)) != NULL &&
	    store_step_done(st, stmt, error))) {
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
	/* A failed statement may already have rolled the transaction back
	 * (SQLite), or left it to be rolled back (PostgreSQL). */
	if (db_in_transaction(st->db))
		(void)db_exec(st->db, "ROLLBACK");
	st->in_tx = FALSE;
	st->batch = FALSE;
}

gboolean
store_set_durable(struct store *st, gboolean durable, GError **error)
{
	g_return_val_if_fail(!st->in_tx, FALSE);
	/* Said again between most commits of a delivery: only a change
	 * costs a statement. */
	if (st->lax == !durable)
		return TRUE;
	/* PostgreSQL: a commit not yet flushed is lost in a crash of the
	 * server, whole, never half; the database stays consistent. */
	if (!(store_is_pg(st) ?
	    store_exec(st, durable ? "SET synchronous_commit = on" :
	    "SET synchronous_commit = off", error) :
	    /* In WAL mode, NORMAL syncs the log only at checkpoints; the
	     * next FULL commit syncs it whole, the commits before
	     * included. */
	    store_exec(st, durable ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", error)))
		return FALSE;
	st->lax = !durable;
	return TRUE;
}

gboolean
store_set_bulk(struct store *st, gboolean bulk, GError **error)
{
	gboolean wal;
	int rc;

	g_return_val_if_fail(!st->in_tx, FALSE);
	/* How a PostgreSQL server writes is its own configuration's. */
	if (store_is_pg(st))
		return TRUE;
	if (bulk) {
		/* SQLite refuses to leave the WAL while other connections
		 * are open (busy at once): they keep it, and this load
		 * checkpoints it rarely, most pages being those of the
		 * indexes again and again. */
		rc = db_exec(st->db, "PRAGMA journal_mode = DELETE");
		if (rc != DB_OK && rc != DB_BUSY)
			return store_fail(st, rc, error);
		st->direct = rc == DB_OK;
		log_trace(TRACE_DB, "%s: bulk load %s", st->path, st->direct ?
		    "with a rollback journal" : "through the WAL, others "
		    "have the database open");
		return store_exec(st, "PRAGMA wal_autocheckpoint = "
		    G_STRINGIFY(STORE_BULK_CHECKPOINT) ";"
		    "PRAGMA temp_store = MEMORY;"
		    "PRAGMA cache_size = -" G_STRINGIFY(STORE_BULK_CACHE_KIB),
		    error);
	}
	if (!store_exec(st, "PRAGMA wal_autocheckpoint = 1000;"
	    "PRAGMA temp_store = DEFAULT;"
	    "PRAGMA cache_size = -" G_STRINGIFY(STORE_CACHE_KIB), error))
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

	if (db_in_transaction(st->db))
		(void)db_exec(st->db, sql);
}

/* --- migrations ------------------------------------------------------ */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The migration files, sorted: schema/001-*.sql is version 1, and so on.
 * PostgreSQL's form of each has the same name under schema-pg/. */
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

/* PostgreSQL keeps the version in a table of its own; -1 with error set,
 * 0 for a database without tables, -2 for one with other tables. */
static gint64
store_pg_version(struct store *st, GError **error)
{
	struct db_stmt *stmt;
	gint64 n;

	stmt = store_prepare(st, "SELECT count(*) FROM pg_catalog.pg_tables "
	    "WHERE schemaname = current_schema() AND tablename = "
	    "'tidings_schema'", error);
	if (stmt == NULL || (n = store_step_int64(st, stmt, error)) < 0)
		return -1;
	if (n == 0) {
		stmt = store_prepare(st, "SELECT count(*) FROM "
		    "pg_catalog.pg_tables WHERE schemaname = current_schema()",
		    error);
		if (stmt == NULL || (n = store_step_int64(st, stmt, error)) < 0)
			return -1;
		return n > 0 ? -2 : 0;
	}
	stmt = store_prepare(st, "SELECT CASE WHEN application = 'tidings' "
	    "THEN version ELSE -2 END FROM tidings_schema", error);
	return stmt != NULL ? store_step_int64(st, stmt, error) : -1;
}

int
store_schema_version(struct store *st)
{
	if (store_is_pg(st))
		return (int)store_pg_version(st, NULL);
	return (int)store_pragma_int(st, "user_version", NULL);
}

static gboolean
store_migrate_one(struct store *st, int version, const char *name,
    GError **error)
{
	g_autofree char *path = g_strdup_printf("%s/%s", store_is_pg(st) ?
	    SCHEMA_PG_DIR : SCHEMA_DIR, name);
	g_autoptr(GBytes) sql = g_resources_lookup_data(path,
	    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
	g_autofree char *text = NULL;
	g_autofree char *bump = NULL;

	if (sql == NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "migration to schema version %d (%s) has no PostgreSQL "
		    "form in this tidings", version, name);
		return FALSE;
	}
	text = g_strndup(g_bytes_get_data(sql, NULL), g_bytes_get_size(sql));
	if (store_is_pg(st))
		bump = g_strdup_printf("%sUPDATE tidings_schema SET "
		    "version = %d;", version == 1 ? "CREATE TABLE "
		    "tidings_schema (version integer NOT NULL, application "
		    "text NOT NULL); INSERT INTO tidings_schema VALUES (0, "
		    "'tidings');" : "", version);
	else
		bump = g_strdup_printf("PRAGMA user_version = %d;"
		    "PRAGMA application_id = %d;", version,
		    STORE_APPLICATION_ID);
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

/* The schema version of an SQLite file: 0 for a new one, -2 for another
 * program's, -1 with error set. */
static gint64
store_sqlite_version(struct store *st, GError **error)
{
	gint64 version, app, tables;

	version = store_pragma_int(st, "user_version", error);
	if (version < 0)
		return -1;
	app = store_pragma_int(st, "application_id", error);
	if (app < 0)
		return -1;
	if (version == 0) {
		/* A new file, or some other program's database. */
		struct db_stmt *stmt = store_prepare(st,
		    "SELECT count(*) FROM sqlite_master", error);
		if (stmt == NULL ||
		    (tables = store_step_int64(st, stmt, error)) < 0)
			return -1;
		return tables > 0 ? -2 : 0;
	}
	return app != STORE_APPLICATION_ID ? -2 : version;
}

static gboolean
store_migrate(struct store *st, GError **error)
{
	g_auto(GStrv) names = store_migrations();
	int latest = (int)g_strv_length(names);
	gint64 version;

	version = store_is_pg(st) ? store_pg_version(st, error) :
	    store_sqlite_version(st, error);
	if (version == -1)
		return FALSE;
	if (version == -2) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_CORRUPT,
		    "%s is %s database, but not one of tidings'; refusing to "
		    "change it", st->path, store_is_pg(st) ? "a PostgreSQL" :
		    "an SQLite");
		return FALSE;
	}
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
}

/* --- opening --------------------------------------------------------- */

static gboolean
store_configure(struct store *st, GError **error)
{
	gboolean wal;

	db_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (store_is_pg(st))
		return TRUE;
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
	    "PRAGMA cache_size = -" G_STRINGIFY(STORE_CACHE_KIB), error);
}

static void
stmt_finalize(gpointer stmt)
{
	db_finalize(stmt);
}

/* URI with the value of its password=... parameter, if it has one, shown
 * as ***.  Caller frees. */
static char *
store_hide_password_parameter(const char *uri)
{
	const char *query = strchr(uri, '?');
	GString *out;

	if (query == NULL)
		return g_strdup(uri);
	out = g_string_new_len(uri, query - uri);
	for (const char *p = query; *p != '\0';) {
		const char *end = strchr(p + 1, '&');

		if (end == NULL)
			end = p + strlen(p);
		if (g_str_has_prefix(p + 1, "password="))
			g_string_append_printf(out, "%cpassword=***", *p);
		else
			g_string_append_len(out, p, end - p);
		p = end;
	}
	return g_string_free(out, FALSE);
}

/* A PostgreSQL URI as it may be shown: without its password, in the
 * user's part or as a parameter. */
static char *
store_display_name(const char *target)
{
	const char *scheme = strstr(target, "://");
	const char *at, *colon;
	g_autofree char *shown = NULL;

	if (!db_is_postgresql(target) || scheme == NULL)
		return g_strdup(target);
	scheme += 3;
	at = strchr(scheme, '@');
	colon = at != NULL ? memchr(scheme, ':', (size_t)(at - scheme)) : NULL;
	if (colon == NULL || strchr(scheme, '/') < at)
		shown = g_strdup(target);
	else
		shown = g_strdup_printf("%.*s:***%s", (int)(colon - target),
		    target, at);
	return store_hide_password_parameter(shown);
}

struct store *
store_open(const char *target, GError **error)
{
	struct store *st;
	int rc;

	if (!db_is_postgresql(target)) {
		g_autofree char *dir = g_path_get_dirname(target);
		if (g_mkdir_with_parents(dir, 0700) != 0) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
			    "cannot create %s: %s", dir, g_strerror(errno));
			return NULL;
		}
	}
	st = g_new0(struct store, 1);
	st->path = store_display_name(target);
	st->target = g_strdup(target);
	st->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    stmt_finalize);
	st->stmt_at = g_hash_table_new(g_direct_hash, g_direct_equal);
	/* A store is used by one thread at a time (the thread that opened
	 * it; ingest-pipe.c's worker never touches it). */
	rc = db_is_postgresql(target) ? db_open_postgresql(target, &st->db) :
	    db_open_sqlite(target, &st->db);
	if (rc != DB_OK) {
		store_fail(st, rc, error);
		goto fail;
	}
	if (!store_configure(st, error) || !store_migrate(st, error))
		goto fail;
	log_trace(TRACE_DB, "%s: open, schema version %d", st->path,
	    store_schema_version(st));
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_set_busy_timeout(struct store *st, int ms)
{
	db_busy_timeout(st->db, ms);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

struct store *
store_reopen(const struct store *st, GError **error)
{
	return store_open(st->target, error);
}

gboolean
store_is_postgresql(const struct store *st)
{
	return store_is_pg(st);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_rollback(st);
	/* The outbox's mail this store claimed and did not try goes back
	 * at once, not when the claim passes. */
	(void)store_outbox_unclaim(st, NULL);
	g_free(st->outbox_claim);
	g_free(st->outbox_owner);
	g_hash_table_destroy(st->stmt_at);
	g_hash_table_destroy(st->stmts);
	db_close(st->db);
	g_free(st->path);
	if (st->target != NULL)
		memset(st->target, 0, strlen(st->target));
	g_free(st->target);
	g_free(st);
}
