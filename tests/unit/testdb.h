/* The database of a unit test, on the backend the run asks for, read and
 * written as another program would: through the database layer, beside
 * the store under test.
 *
 * Without TIDINGS_TEST_PG a test's database is the SQLite file t.db in
 * its temporary directory.  With TIDINGS_TEST_PG (the URI of a database
 * in a PostgreSQL cluster the test may create databases in, as
 * tests/unit/pg-run.sh sets it) each test gets a database of its own in
 * that cluster, without a row of another test's: the same isolation as
 * a file, and a URI as a user writes it. */
#ifndef TIDINGS_TESTDB_H
#define TIDINGS_TESTDB_H

#include <glib.h>

struct db;

/* Whether this run's databases are PostgreSQL's. */
gboolean testdb_is_pg(void);
/* Skips the current test (g_test_skip) on PostgreSQL, saying WHY (what
 * only SQLite has); TRUE when skipped, and the test returns. */
gboolean testdb_sqlite_only(const char *why);

/* A new database for a test, to be removed with testdb_drop(): on
 * PostgreSQL a database's URI, else the file DIR/t.db (not created).
 * EMPTY: the database has no tables (the store makes its schema at its
 * first open); otherwise it may come with tidings' schema made already,
 * by an earlier test of the program whose database was emptied of every
 * row after it (its identities restarted), which spares each test the
 * creation and the migrations.  Caller frees. */
char *testdb_create(const char *dir, gboolean empty);
/* Removes the database TARGET: the file with its journals; the
 * PostgreSQL database (whoever is still connected), or empties it for
 * the next test. */
void testdb_drop(const char *target);

/* A new connection to TARGET (path or URI), failing the test when it
 * cannot connect.  Close with db_close(). */
struct db *testdb_connect(const char *target);
/* Runs SQL (one or more statements) on TARGET, failing the test when it
 * fails.  Here and below, SQL is read by both backends; the text of a
 * blob, such as the raw mail, is written CAST(X AS TEXT), as SQLite reads
 * it (PostgreSQL is given convert_from(X, 'UTF8')). */
void testdb_exec(const char *target, const char *sql);
/* The integer the query SQL returns first, or -1 without a row. */
gint64 testdb_int(const char *target, const char *sql);
/* The text the query SQL returns first, or NULL.  Caller frees. */
char *testdb_text(const char *target, const char *sql);

struct conf;
struct store;

/* A test's tidings: a new temporary directory holding a configuration
 * (address ADDRESS, a secret file, the database testdb_create() made, and
 * the lines EXTRA, which may be NULL), that configuration loaded, and the
 * store open. */
struct testenv {
	char *dir;
	char *db;		/* the file, or the URI */
	struct conf *conf;
	struct store *st;
};
void testenv_open(struct testenv *e, const char *address, const char *extra);
/* Closes it all and removes the directory and the database. */
void testenv_close(struct testenv *e);

#endif
