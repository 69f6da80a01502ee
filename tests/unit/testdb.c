/* Direct access to a unit test's database; see testdb.h. */
#include "config.h"

#include <sqlite3.h>

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
