/* What each backend of the database layer provides; db.c dispatches to
 * it.  Only db*.c include this. */
#ifndef TIDINGS_DB_PRIVATE_H
#define TIDINGS_DB_PRIVATE_H

#include "db.h"

struct db_ops {
	enum db_backend backend;
	void (*close)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*errcode)(struct db *db);
	void (*busy_timeout)(struct db *db, int ms);
	gboolean (*in_transaction)(struct db *db);
	gint64 (*changes)(struct db *db);
	/* Optional: the rowid of the last row inserted (SQLite). */
	gint64 (*last_insert_id)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	void (*finalize)(struct db_stmt *s);
	const char *(*sql)(struct db_stmt *s);
	void (*reset)(struct db_stmt *s);
	void (*clear_bindings)(struct db_stmt *s);
	void (*bind_int64)(struct db_stmt *s, int i, gint64 v);
	void (*bind_double)(struct db_stmt *s, int i, double v);
	void (*bind_null)(struct db_stmt *s, int i);
	void (*bind_text)(struct db_stmt *s, int i, const char *text,
	    gssize len);
	void (*bind_blob)(struct db_stmt *s, int i, const void *data,
	    gsize len);
	/* Optional: bind_blob serves when NULL. */
	void (*bind_blob_static)(struct db_stmt *s, int i, const void *data,
	    gsize len);
	/* Optional, both: no zero blobs without them. */
	gboolean (*bind_zeroblob)(struct db_stmt *s, int i, gsize len);
	int (*blob_fill)(struct db *db, const char *table,
	    const char *column, gint64 rowid, gsize len,
	    db_blob_source source, gpointer data);
	int (*bind_parameter_index)(struct db_stmt *s, const char *name);
	int (*step)(struct db_stmt *s);
	int (*column_count)(struct db_stmt *s);
	const char *(*column_name)(struct db_stmt *s, int i);
	enum db_type (*column_type)(struct db_stmt *s, int i);
	gint64 (*column_int64)(struct db_stmt *s, int i);
	double (*column_double)(struct db_stmt *s, int i);
	const char *(*column_text)(struct db_stmt *s, int i);
	const void *(*column_blob)(struct db_stmt *s, int i);
	int (*column_bytes)(struct db_stmt *s, int i);
};

/* Every backend's connection and statement begin with these. */
struct db {
	const struct db_ops *ops;
};

struct db_stmt {
	struct db *db;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_postgresql_ops;

#endif
