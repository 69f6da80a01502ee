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

#endif
