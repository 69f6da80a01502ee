/* Helpers shared by the store*.c files; nothing else includes this. */
#ifndef TIDINGS_STORE_PRIVATE_H
#define TIDINGS_STORE_PRIVATE_H

#include "db.h"
#include "store.h"

struct store {
	struct db *db;
	char *path;
	char *target;		/* as opened: the URI with its password */
	GHashTable *stmts;	/* SQL text → prepared statement */
	GHashTable *stmt_at;	/* address of SQL text → the same, a cache */
	gboolean in_tx;
	gboolean batch;		/* search indexing waits for the commit */
	gboolean direct;	/* a bulk load without the WAL */
	gboolean lax;		/* store_set_durable(FALSE) holds */
	gboolean want_wal;	/* WAL not set yet: another was loading */
	char *outbox_claim;	/* of the mail store_outbox_due() returned
				   last, and store_outbox_due_more() since:
				   each chunk's claim begins with it */
	guint outbox_chunks;	/* chunks claimed under it */
	gint64 outbox_claimed_at; /* when it was made or last renewed */
	char *outbox_owner;	/* what each claim starts with, or NULL */
};

/* A cached statement for SQL, reset and with its bindings cleared; NULL
 * with error set.  The statement stays owned by the store. */
struct db_stmt *store_prepare(struct store *st, const char *sql,
    GError **error);
/* Runs one or more statements without results. */
gboolean store_exec(struct store *st, const char *sql, GError **error);
/* Steps a statement that returns no rows and resets it. */
gboolean store_step_done(struct store *st, struct db_stmt *stmt,
    GError **error);
/* Steps a statement that returns one integer, resets it and returns the
 * integer, or -1 with error set. */
gint64 store_step_int64(struct store *st, struct db_stmt *stmt, GError **error);
/* Steps an INSERT of one row and returns the row's id, or -1 with error
 * set.  On SQLite the statement says no RETURNING: SQLite answers that
 * clause as a trigger, which makes the INSERT journal every page it
 * changes, in a file of its own, in case the trigger fails it; the
 * rowid is read after.  On PostgreSQL it says RETURNING id, read here.
 * STORE_INSERT_ID(st, SQL) writes both. */
gint64 store_step_insert(struct store *st, struct db_stmt *stmt,
    GError **error);
/* The same for an INSERT ... ON CONFLICT DO NOTHING: 0 when the row was
 * there and none was inserted. */
gint64 store_step_insert_new(struct store *st, struct db_stmt *stmt,
    GError **error);
#define STORE_INSERT_ID(st, sql) \
	(store_is_postgresql(st) ? sql " RETURNING id" : sql)
/* Steps STMT to its end, making each row into an element with READ; the
 * array frees them with FREE.  NULL with error set on failure. */
GPtrArray *store_rows(struct store *st, struct db_stmt *stmt,
    gpointer (*read)(struct db_stmt *stmt), GDestroyNotify free,
    GError **error);
/* The first element of LIST (which it frees; NULL passes through), or
 * NULL with STORE_ERROR_NOT_FOUND "no WHAT WHICH" when LIST is empty. */
gpointer store_first(GPtrArray *list, const char *what, const char *which,
    GError **error);
/* Sets error from the database's last failure; returns FALSE. */
gboolean store_fail(struct store *st, int rc, GError **error);

/* Binds text, or NULL for SQL NULL. */
void store_bind_text(struct db_stmt *stmt, int col, const char *text);
/* A column's text as a new string (NULL for SQL NULL). */
char *store_column_dup(struct db_stmt *stmt, int col);

/* Puts back the mail of ST's last claim (and of every chunk claimed
 * under it) that was neither sent nor tried, and forgets the claim; when
 * the store fails, the claim is kept, to be put back at the next call.
 * See store_outbox_due(). */
gboolean store_outbox_unclaim(struct store *st, GError **error);

/* Raw mail of at least this many bytes is written into its row in
 * pieces, through the page cache, rather than copied whole into the row
 * first (SQLite): a mail of megabytes then takes memory once. */
#define STORE_RAW_STREAMED (256 * 1024)

#endif
