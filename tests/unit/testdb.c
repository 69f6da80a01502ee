/* The database of a unit test, on SQLite or PostgreSQL; see testdb.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "conf.h"
#include "db.h"
#include "store.h"
#include "testdb.h"

/* The cluster's database named by TIDINGS_TEST_PG: where databases are
 * created and dropped from.  NULL: SQLite. */
static const char *
admin_uri(void)
{
	const char *uri = g_getenv("TIDINGS_TEST_PG");

	return uri != NULL && *uri != '\0' ? uri : NULL;
}

gboolean
testdb_is_pg(void)
{
	return admin_uri() != NULL;
}

gboolean
testdb_sqlite_only(const char *why)
{
	if (!testdb_is_pg())
		return FALSE;
	g_test_skip(why);
	return TRUE;
}

/* SQL as the backend of TARGET reads it: a test writes the text of a blob
 * (the raw mail) as SQLite reads it, CAST(X AS TEXT), which PostgreSQL
 * reads as convert_from(X, 'UTF8') (its cast of bytea is the hex).
 * Caller frees. */
static char *
dialect(const char *target, const char *sql)
{
	GString *out;
	const char *p = sql, *cast;

	if (!db_is_postgresql(target))
		return g_strdup(sql);
	out = g_string_new(NULL);
	while ((cast = strstr(p, "CAST(")) != NULL) {
		const char *arg = cast + 5, *q = arg;
		int depth = 1;

		while (*q != '\0' && (depth += *q == '(' ? 1 :
		    *q == ')' ? -1 : 0) > 0)
			q++;
		g_assert_true(*q == ')');
		g_assert_true(q - arg > 8 &&
		    g_str_has_prefix(q - 8, " AS TEXT"));
		g_string_append_len(out, p, cast - p);
		g_string_append(out, "convert_from(");
		g_string_append_len(out, arg, q - 8 - arg);
		g_string_append(out, ", 'UTF8')");
		p = q + 1;
	}
	g_string_append(out, p);
	return g_string_free(out, FALSE);
}

struct db *
testdb_connect(const char *target)
{
	struct db *db = NULL;
	int rc = db_is_postgresql(target) ? db_open_postgresql(target, &db) :
	    db_open_sqlite(target, &db);

	if (rc != DB_OK)
		g_error("cannot open %s: %s", target, db_errmsg(db));
	return db;
}

void
testdb_exec(const char *target, const char *sql)
{
	struct db *db = testdb_connect(target);
	g_autofree char *text = dialect(target, sql);

	db_busy_timeout(db, 2000);
	if (db_exec(db, text) != DB_OK)
		g_error("%s: %s", text, db_errmsg(db));
	db_close(db);
}

/* Prepares SQL on a new connection to TARGET and steps it once: TRUE
 * with a row to read. */
static gboolean
query(const char *target, const char *sql, struct db **db,
    struct db_stmt **stmt)
{
	g_autofree char *text = dialect(target, sql);
	int rc;

	*db = testdb_connect(target);
	db_busy_timeout(*db, 2000);
	if (db_prepare(*db, text, stmt) != DB_OK)
		g_error("%s: %s", text, db_errmsg(*db));
	rc = db_step(*stmt);
	if (rc != DB_ROW && rc != DB_DONE)
		g_error("%s: %s", text, db_errmsg(*db));
	return rc == DB_ROW;
}

gint64
testdb_int(const char *target, const char *sql)
{
	struct db *db;
	struct db_stmt *stmt;
	gint64 v = -1;

	if (query(target, sql, &db, &stmt))
		v = db_column_int64(stmt, 0);
	db_finalize(stmt);
	db_close(db);
	return v;
}

char *
testdb_text(const char *target, const char *sql)
{
	struct db *db;
	struct db_stmt *stmt;
	char *v = NULL;

	/* A blob is read as text: the raw mail of either backend. */
	if (query(target, sql, &db, &stmt)) {
		if (db_column_type(stmt, 0) == DB_BLOB)
			v = g_strndup(db_column_blob(stmt, 0),
			    (gsize)db_column_bytes(stmt, 0));
		else if (db_column_type(stmt, 0) != DB_NULL)
			v = g_strdup(db_column_text(stmt, 0));
	}
	db_finalize(stmt);
	db_close(db);
	return v;
}

/* --- PostgreSQL databases ------------------------------------------------ */

/* Splits the URI (scheme://authority[/name][?params]) around its
 * database name: *name_at is where the name starts (after the slash),
 * *name_end where it ends; both at the ? or the end when there is none,
 * *has_slash then FALSE. */
static void
uri_split(const char *uri, const char **name_at, const char **name_end,
    gboolean *has_slash)
{
	const char *p = strstr(uri, "://");
	const char *slash, *query;

	g_assert_nonnull(p);
	p += 3;
	query = strchr(p, '?');
	if (query == NULL)
		query = p + strlen(p);
	slash = memchr(p, '/', (size_t)(query - p));
	*has_slash = slash != NULL;
	*name_at = slash != NULL ? slash + 1 : query;
	*name_end = query;
}

/* The URI of the database NAME in the cluster of URI. */
static char *
uri_with_name(const char *uri, const char *name)
{
	const char *at, *end;
	gboolean slash;

	uri_split(uri, &at, &end, &slash);
	return g_strdup_printf("%.*s%s%s%s", (int)(at - uri), uri,
	    slash ? "" : "/", name, end);
}

static char *
uri_name(const char *uri)
{
	const char *at, *end;
	gboolean slash;

	uri_split(uri, &at, &end, &slash);
	return g_strndup(at, (gsize)(end - at));
}

/* Runs SQL on the cluster's own database (CREATE and DROP DATABASE run
 * outside any transaction, from a connection to another database). */
static void
admin_exec(const char *sql)
{
	testdb_exec(admin_uri(), sql);
}

/* Databases with tidings' schema that tests of this program had, emptied
 * of their rows since, for the next test that wants one: CREATE DATABASE
 * costs a checkpoint (half a second), emptying one a few milliseconds.
 * Those left are dropped at exit. */
static GPtrArray *spare;
/* The databases made for tests that open a store in them: emptied, not
 * dropped, after the test. */
static GHashTable *reusable;

static void
spare_drop(void)
{
	for (guint i = 0; spare != NULL && i < spare->len; i++) {
		g_autofree char *name = uri_name(spare->pdata[i]);
		g_autofree char *sql = g_strdup_printf("DROP DATABASE IF "
		    "EXISTS %s WITH (FORCE)", name);

		admin_exec(sql);
	}
	g_clear_pointer(&spare, g_ptr_array_unref);
	g_clear_pointer(&reusable, g_hash_table_unref);
}

/* Deletes every row of the database TARGET but its schema version, and
 * restarts its identities: as new, if no test changed its schema (none
 * does).  FALSE when it has no tidings schema to keep. */
static gboolean
empty_database(const char *target)
{
	struct db *db = testdb_connect(target);
	gboolean ok = testdb_int(target, "SELECT count(*) FROM "
	    "pg_catalog.pg_tables WHERE schemaname = current_schema() AND "
	    "tablename = 'tidings_schema'") == 1;

	db_busy_timeout(db, 2000);
	if (ok && db_exec(db, "BEGIN; SET CONSTRAINTS ALL DEFERRED; "
	    "DO $$ DECLARE r record; BEGIN "
	    "FOR r IN SELECT tablename FROM pg_catalog.pg_tables "
	    "WHERE schemaname = current_schema() AND "
	    "tablename <> 'tidings_schema' LOOP "
	    "EXECUTE format('DELETE FROM %I', r.tablename); END LOOP; "
	    "FOR r IN SELECT c.oid FROM pg_catalog.pg_class c "
	    "WHERE c.relkind = 'S' AND "
	    "c.relnamespace = current_schema()::regnamespace LOOP "
	    "PERFORM setval(r.oid, 1, false); END LOOP; END $$; "
	    "COMMIT") != DB_OK)
		g_error("%s: cannot be emptied: %s", target, db_errmsg(db));
	db_close(db);
	return ok;
}

char *
testdb_create(const char *dir, gboolean empty)
{
	static unsigned n;
	g_autofree char *name = NULL, *sql = NULL;
	char *uri;

	if (!testdb_is_pg())
		return g_build_filename(dir, "t.db", NULL);
	if (spare == NULL) {
		spare = g_ptr_array_new_with_free_func(g_free);
		reusable = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		atexit(spare_drop);
	}
	if (!empty && spare->len > 0)
		return g_ptr_array_steal_index(spare, spare->len - 1);
	name = g_strdup_printf("tidings_t%d_%u", (int)getpid(), ++n);
	sql = g_strdup_printf("CREATE DATABASE %s", name);
	admin_exec(sql);
	uri = uri_with_name(admin_uri(), name);
	if (!empty)
		g_hash_table_add(reusable, g_strdup(uri));
	return uri;
}

void
testdb_drop(const char *target)
{
	static const char *const suffixes[] = { "", "-wal", "-shm",
	    "-journal" };

	if (db_is_postgresql(target)) {
		g_autofree char *name = uri_name(target);
		g_autofree char *sql = g_strdup_printf("DROP DATABASE IF "
		    "EXISTS %s WITH (FORCE)", name);

		if (reusable != NULL &&
		    g_hash_table_contains(reusable, target) &&
		    empty_database(target)) {
			g_ptr_array_add(spare, g_strdup(target));
			return;
		}
		if (reusable != NULL)
			g_hash_table_remove(reusable, target);
		admin_exec(sql);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree char *p = g_strconcat(target, suffixes[i], NULL);
		g_remove(p);
	}
}

/* --- a test's tidings ---------------------------------------------------- */

void
testenv_open(struct testenv *e, const char *address, const char *extra)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *conf = NULL, *secret = NULL, *text = NULL;

	e->dir = g_dir_make_tmp("tidings-test-XXXXXX", NULL);
	g_assert_nonnull(e->dir);
	e->db = testdb_create(e->dir, FALSE);
	conf = g_build_filename(e->dir, "tidings.conf", NULL);
	secret = g_build_filename(e->dir, "secret", NULL);
	g_assert_true(g_file_set_contents(secret, "a test's secret", -1,
	    NULL));
	g_assert_cmpint(g_chmod(secret, 0600), ==, 0);
	text = g_strdup_printf("[tidings]\naddress = %s\nsecret-file = %s\n"
	    "database = %s\n%s", address, secret, e->db,
	    extra != NULL ? extra : "");
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	e->conf = conf_load(conf, &error);
	g_assert_no_error(error);
	e->st = store_open(e->db, &error);
	g_assert_no_error(error);
}

void
testenv_close(struct testenv *e)
{
	static const char *const files[] = { "tidings.conf", "secret" };

	g_clear_pointer(&e->st, store_close);
	g_clear_pointer(&e->conf, conf_free);
	testdb_drop(e->db);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = g_build_filename(e->dir, files[i], NULL);
		g_remove(p);
	}
	g_rmdir(e->dir);
	g_clear_pointer(&e->db, g_free);
	g_clear_pointer(&e->dir, g_free);
}
