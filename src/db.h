/* The database layer under the store: one connection to SQLite or to
 * PostgreSQL, statements, parameters and rows.  Only store*.c and db*.c
 * include it.
 *
 * Statements are written once, in the SQL both backends read: parameters
 * as ? or ?N (numbered from 1) or :NAME, INSERT … ON CONFLICT, RETURNING instead of
 * the last row id.  Where SQL differs (full-text search, the schema), the
 * store asks db_backend() and says each backend's own.
 *
 * Results: DB_OK, DB_ROW or DB_DONE, or one of the errors below, which
 * tell the store what to say (busy: retry later; full: retry later;
 * unique: the row is already there; …).  The message of the last error is
 * db_errmsg(). */
#ifndef TIDINGS_DB_H
#define TIDINGS_DB_H

#include <glib.h>

enum db_backend {
	DB_SQLITE,
	DB_POSTGRESQL,
};

enum db_result {
	DB_OK,
	DB_ROW,		/* db_step(): a row is there to read */
	DB_DONE,	/* db_step(): no (more) rows */
	DB_ERROR,	/* any other failure, SQL included */
	DB_BUSY,	/* locked past the busy timeout, or a serialization
			   failure: the transaction may be tried again */
	DB_FULL,	/* the disk is full */
	DB_IO,		/* cannot open, read or write; the server is gone */
	DB_CORRUPT,	/* not a database, or damaged */
	DB_READONLY,	/* may not be written */
	DB_CONSTRAINT,	/* a CHECK, NOT NULL or foreign key refused it */
	DB_UNIQUE,	/* a unique key or primary key refused it */
};

enum db_type {
	DB_NULL,
	DB_INTEGER,
	DB_FLOAT,
	DB_TEXT,
	DB_BLOB,
};

struct db;
struct db_stmt;

/* Whether TARGET names a PostgreSQL database (postgresql:// or
 * postgres://) rather than an SQLite file. */
gboolean db_is_postgresql(const char *target);

/* Opens the SQLite file PATH (created when missing); *out is set even on
 * failure, for db_errmsg(), and must be closed. */
int db_open_sqlite(const char *path, struct db **out);
/* Connects to the PostgreSQL database URI; *out as above. */
int db_open_postgresql(const char *uri, struct db **out);
void db_close(struct db *db);

enum db_backend db_backend(const struct db *db);
/* The last error: its message, and its result code. */
const char *db_errmsg(struct db *db);
int db_errcode(struct db *db);
/* How long a statement waits for another connection's lock. */
void db_busy_timeout(struct db *db, int ms);
/* Whether a transaction is open (a failed statement may have ended it). */
gboolean db_in_transaction(struct db *db);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
gint64 db_changes(struct db *db);
/* The rowid of the row the last INSERT made, -1 where the backend keeps
 * none (PostgreSQL: there an INSERT says RETURNING id). */
gint64 db_last_insert_id(struct db *db);

/* Runs one or more statements without parameters or results. */
int db_exec(struct db *db, const char *sql);

/* Prepares one statement.  On failure *out is NULL and db_errmsg() says
 * why. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
void db_finalize(struct db_stmt *s);
const char *db_sql(struct db_stmt *s);
/* Back to before its first step; bindings stay. */
void db_reset(struct db_stmt *s);
void db_clear_bindings(struct db_stmt *s);

/* Parameters, numbered from 1.  Text and blobs are copied. */
void db_bind_int64(struct db_stmt *s, int i, gint64 v);
void db_bind_int(struct db_stmt *s, int i, int v);
void db_bind_double(struct db_stmt *s, int i, double v);
void db_bind_null(struct db_stmt *s, int i);
/* LEN < 0: up to the NUL. */
void db_bind_text(struct db_stmt *s, int i, const char *text, gssize len);
void db_bind_blob(struct db_stmt *s, int i, const void *data, gsize len);
/* A blob not copied: DATA stays as it is until the statement is reset. */
void db_bind_blob_static(struct db_stmt *s, int i, const void *data,
    gsize len);
/* A blob of LEN zero bytes, which costs no memory of that size, to be
 * filled by db_blob_write() once the row is written: so a large blob is
 * stored without a copy of it made whole.  FALSE when the backend has no
 * such blobs (PostgreSQL), and nothing is bound then. */
gboolean db_bind_zeroblob(struct db_stmt *s, int i, gsize len);
/* Writes DATA (LEN) over the start of the blob in COLUMN of row ROWID of
 * TABLE (names in SQL, constants), in pieces, through the page cache:
 * the blob was bound with db_bind_zeroblob().  DB_OK, or an error; in a
 * transaction, which fails whole with it. */
int db_blob_write(struct db *db, const char *table, const char *column,
    gint64 rowid, const void *data, gsize len);
/* Where db_blob_fill() takes a blob's bytes: LEN of them from AT, where
 * they lie, or read into BUF (LEN bytes at least) and BUF; NULL stops the
 * fill (the source knows why). */
typedef const void *(*db_blob_source)(gpointer data, gsize at, gsize len,
    void *buf);
/* db_blob_write() of LEN bytes that SOURCE gives a piece at a time, all
 * through one handle on the blob: so a blob is filled from what cannot be
 * held whole (a file), each piece found where the last ended rather than
 * by walking the blob's pages from its start.  DB_ERROR when SOURCE
 * stopped it. */
int db_blob_fill(struct db *db, const char *table, const char *column,
    gint64 rowid, gsize len, db_blob_source source, gpointer data);

/* The number of the parameter written :NAME (NAME with its colon), or 0
 * when the statement has none of that name. */
int db_bind_parameter_index(struct db_stmt *s, const char *name);

/* DB_ROW, DB_DONE or an error. */
int db_step(struct db_stmt *s);

/* The current row's columns, numbered from 0.  Text and blobs stay valid
 * until the next step or reset. */
int db_column_count(struct db_stmt *s);
const char *db_column_name(struct db_stmt *s, int i);
enum db_type db_column_type(struct db_stmt *s, int i);
gint64 db_column_int64(struct db_stmt *s, int i);
int db_column_int(struct db_stmt *s, int i);
double db_column_double(struct db_stmt *s, int i);
const char *db_column_text(struct db_stmt *s, int i);
const void *db_column_blob(struct db_stmt *s, int i);
int db_column_bytes(struct db_stmt *s, int i);

#endif
