/* The database layer: each call goes to the connection's backend. */
#include "config.h"

#include <string.h>

#include "db-private.h"

gboolean
db_is_postgresql(const char *target)
{
	return g_str_has_prefix(target, "postgresql://") ||
	    g_str_has_prefix(target, "postgres://");
}

void
db_close(struct db *db)
{
	if (db != NULL)
		db->ops->close(db);
}

enum db_backend
db_backend(const struct db *db)
{
	return db->ops->backend;
}

const char *
db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}

int
db_errcode(struct db *db)
{
	return db->ops->errcode(db);
}

void
db_busy_timeout(struct db *db, int ms)
{
	db->ops->busy_timeout(db, ms);
}

gboolean
db_in_transaction(struct db *db)
{
	return db->ops->in_transaction(db);
}

gint64
db_changes(struct db *db)
{
	return db->ops->changes(db);
}

gint64
db_last_insert_id(struct db *db)
{
	return db->ops->last_insert_id != NULL ?
	    db->ops->last_insert_id(db) : -1;
}

int
db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

int
db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	return db->ops->prepare(db, sql, out);
}

void
db_finalize(struct db_stmt *s)
{
	if (s != NULL)
		s->db->ops->finalize(s);
}

const char *
db_sql(struct db_stmt *s)
{
	return s->db->ops->sql(s);
}

void
db_reset(struct db_stmt *s)
{
	s->db->ops->reset(s);
}

void
db_clear_bindings(struct db_stmt *s)
{
	s->db->ops->clear_bindings(s);
}

void
db_bind_int64(struct db_stmt *s, int i, gint64 v)
{
	s->db->ops->bind_int64(s, i, v);
}

void
db_bind_int(struct db_stmt *s, int i, int v)
{
	s->db->ops->bind_int64(s, i, v);
}

void
db_bind_double(struct db_stmt *s, int i, double v)
{
	s->db->ops->bind_double(s, i, v);
}

void
db_bind_null(struct db_stmt *s, int i)
{
	s->db->ops->bind_null(s, i);
}

void
db_bind_text(struct db_stmt *s, int i, const char *text, gssize len)
{
	s->db->ops->bind_text(s, i, text, len);
}

void
db_bind_blob(struct db_stmt *s, int i, const void *data, gsize len)
{
	s->db->ops->bind_blob(s, i, data, len);
}

void
db_bind_blob_static(struct db_stmt *s, int i, const void *data, gsize len)
{
	if (s->db->ops->bind_blob_static != NULL)
		s->db->ops->bind_blob_static(s, i, data, len);
	else
		s->db->ops->bind_blob(s, i, data, len);
}

gboolean
db_bind_zeroblob(struct db_stmt *s, int i, gsize len)
{
	if (s->db->ops->bind_zeroblob == NULL)
		return FALSE;
	return s->db->ops->bind_zeroblob(s, i, len);
}

/* db_blob_fill()'s source of bytes in memory: where they lie. */
static const void *
from_memory(gpointer data, gsize at, G_GNUC_UNUSED gsize len,
    G_GNUC_UNUSED void *buf)
{
	return (const char *)data + at;
}

int
db_blob_write(struct db *db, const char *table, const char *column,
    gint64 rowid, const void *data, gsize len)
{
	return db_blob_fill(db, table, column, rowid, len, from_memory,
	    (gpointer)data);
}

int
db_blob_fill(struct db *db, const char *table, const char *column,
    gint64 rowid, gsize len, db_blob_source source, gpointer data)
{
	if (db->ops->blob_fill == NULL)
		return DB_ERROR;
	return db->ops->blob_fill(db, table, column, rowid, len, source,
	    data);
}

int
db_bind_parameter_index(struct db_stmt *s, const char *name)
{
	return s->db->ops->bind_parameter_index(s, name);
}

int
db_step(struct db_stmt *s)
{
	return s->db->ops->step(s);
}

int
db_column_count(struct db_stmt *s)
{
	return s->db->ops->column_count(s);
}

const char *
db_column_name(struct db_stmt *s, int i)
{
	return s->db->ops->column_name(s, i);
}

enum db_type
db_column_type(struct db_stmt *s, int i)
{
	return s->db->ops->column_type(s, i);
}

gint64
db_column_int64(struct db_stmt *s, int i)
{
	return s->db->ops->column_int64(s, i);
}

int
db_column_int(struct db_stmt *s, int i)
{
	return (int)s->db->ops->column_int64(s, i);
}

double
db_column_double(struct db_stmt *s, int i)
{
	return s->db->ops->column_double(s, i);
}

const char *
db_column_text(struct db_stmt *s, int i)
{
	return s->db->ops->column_text(s, i);
}

const void *
db_column_blob(struct db_stmt *s, int i)
{
	return s->db->ops->column_blob(s, i);
}

int
db_column_bytes(struct db_stmt *s, int i)
{
	return s->db->ops->column_bytes(s, i);
}
