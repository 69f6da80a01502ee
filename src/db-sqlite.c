/* The SQLite backend of the database layer. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "db-private.h"
#include "db-sqlite.h"

struct db_sqlite {
	struct db base;
	sqlite3 *handle;
	int last;	/* the last result, as the layer's */
};

struct db_sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *stmt;
};

#define SQ(db) ((struct db_sqlite *)(db))
#define SS(s) ((struct db_sqlite_stmt *)(s))

/* SQLite says SQLITE_FULL only where it expects a full disk; elsewhere
 * (a new WAL or WAL index, when the database opens) a full disk is an I/O
 * error with ENOSPC.  Either is temporary: the MTA must try again. */
int
db_sqlite_result(sqlite3 *handle, int rc)
{
	int err;

	switch (rc & 0xff) {
	case SQLITE_OK:
		return DB_OK;
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_FULL:
		return DB_FULL;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return DB_CORRUPT;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return DB_READONLY;
	case SQLITE_IOERR:
		err = handle != NULL ? sqlite3_system_errno(handle) : 0;
		return err == ENOSPC || err == EDQUOT ? DB_FULL : DB_IO;
	case SQLITE_CANTOPEN:
		return DB_IO;
	case SQLITE_CONSTRAINT:
		return rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY ? DB_UNIQUE :
		    DB_CONSTRAINT;
	default:
		return DB_ERROR;
	}
}

static int
sq_note(struct db *db, int rc)
{
	return SQ(db)->last = db_sqlite_result(SQ(db)->handle, rc);
}

/* Before SQLite initialises: its memory statistics, which tidings never
 * reads, cost a global lock at every allocation. */
static void
sq_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		g_once_init_leave(&done, 1);
	}
}

int
db_open_sqlite(const char *path, struct db **out)
{
	struct db_sqlite *db = g_new0(struct db_sqlite, 1);
	int rc;

	sq_init();
	db->base.ops = &db_sqlite_ops;
	*out = &db->base;
	/* A store is used by one thread at a time (the thread that opened
	 * it), so the connection needs no lock of its own. */
	rc = sqlite3_open_v2(path, &db->handle, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc == SQLITE_OK)
		sqlite3_extended_result_codes(db->handle, 1);
	return sq_note(&db->base, rc);
}

sqlite3 *
db_sqlite_handle(struct db *db)
{
	g_return_val_if_fail(db->ops == &db_sqlite_ops, NULL);
	return SQ(db)->handle;
}

sqlite3_stmt *
db_sqlite_stmt(struct db_stmt *s)
{
	g_return_val_if_fail(s->db->ops == &db_sqlite_ops, NULL);
	return SS(s)->stmt;
}

static void
sq_close(struct db *db)
{
	if (SQ(db)->handle != NULL)
		sqlite3_close(SQ(db)->handle);
	g_free(db);
}

static const char *
sq_errmsg(struct db *db)
{
	return SQ(db)->handle != NULL ? sqlite3_errmsg(SQ(db)->handle) :
	    "out of memory";
}

static int
sq_errcode(struct db *db)
{
	return SQ(db)->last;
}

static void
sq_busy_timeout(struct db *db, int ms)
{
	sqlite3_busy_timeout(SQ(db)->handle, ms);
}

static gboolean
sq_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(SQ(db)->handle);
}

static gint64
sq_changes(struct db *db)
{
	return sqlite3_changes64(SQ(db)->handle);
}

static gint64
sq_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(SQ(db)->handle);
}

static int
sq_exec(struct db *db, const char *sql)
{
	return sq_note(db, sqlite3_exec(SQ(db)->handle, sql, NULL, NULL,
	    NULL));
}

static int
sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	sqlite3_stmt *stmt = NULL;
	struct db_sqlite_stmt *s;
	int rc;

	*out = NULL;
	rc = sqlite3_prepare_v3(SQ(db)->handle, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK)
		return sq_note(db, rc);
	s = g_new0(struct db_sqlite_stmt, 1);
	s->base.db = db;
	s->stmt = stmt;
	*out = &s->base;
	return DB_OK;
}

static void
sq_finalize(struct db_stmt *s)
{
	sqlite3_finalize(SS(s)->stmt);
	g_free(s);
}

static const char *
sq_sql(struct db_stmt *s)
{
	return sqlite3_sql(SS(s)->stmt);
}

static void
sq_reset(struct db_stmt *s)
{
	sqlite3_reset(SS(s)->stmt);
}

static void
sq_clear_bindings(struct db_stmt *s)
{
	sqlite3_clear_bindings(SS(s)->stmt);
}

static void
sq_bind_int64(struct db_stmt *s, int i, gint64 v)
{
	sqlite3_bind_int64(SS(s)->stmt, i, v);
}

static void
sq_bind_double(struct db_stmt *s, int i, double v)
{
	sqlite3_bind_double(SS(s)->stmt, i, v);
}

static void
sq_bind_null(struct db_stmt *s, int i)
{
	sqlite3_bind_null(SS(s)->stmt, i);
}

static void
sq_bind_text(struct db_stmt *s, int i, const char *text, gssize len)
{
	if (text == NULL)
		sqlite3_bind_null(SS(s)->stmt, i);
	else
		sqlite3_bind_text64(SS(s)->stmt, i, text,
		    len < 0 ? strlen(text) : (sqlite3_uint64)len,
		    SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void
sq_bind_blob(struct db_stmt *s, int i, const void *data, gsize len)
{
	sqlite3_bind_blob64(SS(s)->stmt, i, len > 0 ? data : "", len,
	    SQLITE_TRANSIENT);
}

static void
sq_bind_blob_static(struct db_stmt *s, int i, const void *data, gsize len)
{
	sqlite3_bind_blob64(SS(s)->stmt, i, len > 0 ? data : "", len,
	    SQLITE_STATIC);
}

static gboolean
sq_bind_zeroblob(struct db_stmt *s, int i, gsize len)
{
	return sqlite3_bind_zeroblob64(SS(s)->stmt, i, len) == SQLITE_OK;
}

/* The pieces a blob is filled in: each sqlite3_blob_write() call takes
 * its piece a page at a time, and what is read for it is held this much
 * at a time. */
#define SQ_BLOB_STEP (256 * 1024)

static int
sq_blob_fill(struct db *db, const char *table, const char *column,
    gint64 rowid, gsize len, db_blob_source source, gpointer data)
{
	g_autofree char *buf = NULL;
	sqlite3_blob *blob = NULL;
	int rc = sqlite3_blob_open(SQ(db)->handle, "main", table, column,
	    rowid, 1, &blob);

	for (gsize at = 0; rc == SQLITE_OK && at < len; at += SQ_BLOB_STEP) {
		gsize n = MIN(len - at, (gsize)SQ_BLOB_STEP);
		const void *piece;

		if (buf == NULL)
			buf = g_malloc(MIN(len, (gsize)SQ_BLOB_STEP));
		if ((piece = source(data, at, n, buf)) == NULL) {
			rc = SQLITE_ABORT;
			break;
		}
		rc = sqlite3_blob_write(blob, piece, (int)n, (int)at);
	}
	if (blob != NULL) {
		int closed = sqlite3_blob_close(blob);
		if (rc == SQLITE_OK)
			rc = closed;
	}
	return sq_note(db, rc);
}

static int
sq_bind_parameter_index(struct db_stmt *s, const char *name)
{
	return sqlite3_bind_parameter_index(SS(s)->stmt, name);
}

static int
sq_step(struct db_stmt *s)
{
	return sq_note(s->db, sqlite3_step(SS(s)->stmt));
}

static int
sq_column_count(struct db_stmt *s)
{
	return sqlite3_column_count(SS(s)->stmt);
}

static const char *
sq_column_name(struct db_stmt *s, int i)
{
	return sqlite3_column_name(SS(s)->stmt, i);
}

static enum db_type
sq_column_type(struct db_stmt *s, int i)
{
	switch (sqlite3_column_type(SS(s)->stmt, i)) {
	case SQLITE_INTEGER:
		return DB_INTEGER;
	case SQLITE_FLOAT:
		return DB_FLOAT;
	case SQLITE_TEXT:
		return DB_TEXT;
	case SQLITE_BLOB:
		return DB_BLOB;
	default:
		return DB_NULL;
	}
}

static gint64
sq_column_int64(struct db_stmt *s, int i)
{
	return sqlite3_column_int64(SS(s)->stmt, i);
}

static double
sq_column_double(struct db_stmt *s, int i)
{
	return sqlite3_column_double(SS(s)->stmt, i);
}

static const char *
sq_column_text(struct db_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(SS(s)->stmt, i);
}

static const void *
sq_column_blob(struct db_stmt *s, int i)
{
	return sqlite3_column_blob(SS(s)->stmt, i);
}

static int
sq_column_bytes(struct db_stmt *s, int i)
{
	return sqlite3_column_bytes(SS(s)->stmt, i);
}

const struct db_ops db_sqlite_ops = {
	.backend = DB_SQLITE,
	.close = sq_close,
	.errmsg = sq_errmsg,
	.errcode = sq_errcode,
	.busy_timeout = sq_busy_timeout,
	.in_transaction = sq_in_transaction,
	.changes = sq_changes,
	.last_insert_id = sq_last_insert_id,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.sql = sq_sql,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_null = sq_bind_null,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_blob_static = sq_bind_blob_static,
	.bind_zeroblob = sq_bind_zeroblob,
	.blob_fill = sq_blob_fill,
	.bind_parameter_index = sq_bind_parameter_index,
	.step = sq_step,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.column_bytes = sq_column_bytes,
};
