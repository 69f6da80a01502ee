/* Everything the database holds, table by table, out and back in (the
 * full export and its restore), and a copy of the database file made
 * while others work on it (SQLite's online backup).  In store-export.c. */
#ifndef TIDINGS_STORE_EXPORT_H
#define TIDINGS_STORE_EXPORT_H

#include <glib.h>

struct store;

/* One value of a row, as SQLite holds it. */
enum store_cell_type {
	STORE_CELL_NULL,
	STORE_CELL_INTEGER,
	STORE_CELL_REAL,
	STORE_CELL_TEXT,	/* data, len: not NUL-terminated */
	STORE_CELL_BLOB,	/* data, len */
};

struct store_cell {
	const char *column;
	enum store_cell_type type;
	gint64 integer;
	double real;
	const guint8 *data;
	gsize len;
};

/* The tables of the full export, in the order a restore writes them
 * (NULL-terminated, static): the teams, people and memberships, check-ins,
 * questions, prompts, threads, mail (as received and as read), answers,
 * digests, comments, subscriptions, bounces, availability, meetings and
 * attendees, the outbox and the IMAP position.  The search index is not
 * among them: a restore rebuilds it. */
const char *const *store_export_tables(void);

/* Calls ROW for each row of TABLE (one of store_export_tables()), in the
 * order of its key, with its N cells (valid during the call only); every
 * table is read in one read transaction begun by store_export_begin(), so
 * that the export is of one moment while others write. */
typedef gboolean (*store_export_row_fn)(const struct store_cell *cells,
    guint n, gpointer data, GError **error);
gboolean store_export_begin(struct store *st, GError **error);
gboolean store_export_rows(struct store *st, const char *table,
    store_export_row_fn row, gpointer data, GError **error);
void store_export_end(struct store *st);

/* How many rows the tables of the export hold in all (0: nothing to lose
 * by a restore), and of them how many teams, people and mails. */
gboolean store_export_count(struct store *st, guint64 *rows, guint64 *teams,
    guint64 *people, guint64 *mails, GError **error);

/* The rows of one table of the export. */
gboolean store_export_table_count(struct store *st, const char *table,
    guint64 *rows, GError **error);
/* A SHA-256, in hex, over every raw mail with its id, in the order of the
 * ids: the same for two databases that hold the same mail as received. */
char *store_export_raw_digest(struct store *st, GError **error);

/* A restore: one transaction, foreign keys checked at its commit.
 * store_import_row() adds one row of TABLE whose cells are named by their
 * columns; a column the table does not have fails with
 * STORE_ERROR_FAILED, naming it.  store_import_end() rebuilds the search
 * index and commits; store_rollback() undoes it all. */
gboolean store_import_begin(struct store *st, GError **error);
gboolean store_import_row(struct store *st, const char *table,
    const struct store_cell *cells, guint n, GError **error);
gboolean store_import_end(struct store *st, GError **error);

/* Copies the database to PATH, a new file (STORE_ERROR_EXISTS when it is
 * there), with SQLite's online backup: a copy of one moment, while other
 * processes go on writing the database (they are not held up: with the
 * write-ahead log the copy reads a snapshot).  The copy is written beside
 * PATH and renamed to it once complete and on disk. */
gboolean store_backup(struct store *st, const char *path, GError **error);

#endif
