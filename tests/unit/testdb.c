/* Direct access to a unit test's database; see testdb.h. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "conf.h"
#include "store.h"
#include "testdb.h"

static sqlite3_stmt *
query(const char *path, const char *sql, sqlite3 **db)
{
	sqlite3_stmt *stmt;

	g_assert_cmpint(sqlite3_open(path, db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(*db, sql, -1, &stmt, NULL), ==,
	    SQLITE_OK);
	return stmt;
}

void
testdb_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
}

gint64
testdb_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt = query(path, sql, &db);
	gint64 v = -1;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

char *
testdb_text(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt = query(path, sql, &db);
	char *v = NULL;

	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL)
		v = g_strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

void
testenv_open(struct testenv *e, const char *address, const char *extra)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *conf = NULL, *secret = NULL, *text = NULL;

	e->dir = g_dir_make_tmp("tidings-test-XXXXXX", NULL);
	g_assert_nonnull(e->dir);
	e->db = g_build_filename(e->dir, "t.db", NULL);
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
	static const char *const files[] = { "t.db", "t.db-wal", "t.db-shm",
	    "tidings.conf", "secret" };

	g_clear_pointer(&e->st, store_close);
	g_clear_pointer(&e->conf, conf_free);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = g_build_filename(e->dir, files[i], NULL);
		g_remove(p);
	}
	g_rmdir(e->dir);
	g_clear_pointer(&e->db, g_free);
	g_clear_pointer(&e->dir, g_free);
}
