/* The database of a unit test, read and written as another program would:
 * straight through SQLite, beside the store under test. */
#ifndef TIDINGS_TESTDB_H
#define TIDINGS_TESTDB_H

#include <glib.h>

/* Runs SQL on the database at PATH, failing the test when it fails. */
void testdb_exec(const char *path, const char *sql);
/* The integer the query SQL returns first, or -1 without a row. */
gint64 testdb_int(const char *path, const char *sql);
/* The text the query SQL returns first, or NULL.  Caller frees. */
char *testdb_text(const char *path, const char *sql);

struct conf;
struct store;

/* A test's tidings: a new temporary directory holding a configuration
 * (address ADDRESS, a secret file, the database t.db, and the lines EXTRA,
 * which may be NULL), that configuration loaded, and the store open. */
struct testenv {
	char *dir;
	char *db;
	struct conf *conf;
	struct store *st;
};
void testenv_open(struct testenv *e, const char *address, const char *extra);
/* Closes it all and removes the directory. */
void testenv_close(struct testenv *e);

#endif
