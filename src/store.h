/* The store: one SQLite database holding everything tidings knows.  Only
 * store*.c speak SQL.  Every function returns a status and sets a GError
 * in STORE_ERROR on failure; the codes tell callers what to do (retry
 * later, refuse, report). */
#ifndef TIDINGS_STORE_H
#define TIDINGS_STORE_H

#include <glib.h>

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);
enum store_error {
	STORE_ERROR_FAILED,
	STORE_ERROR_IO,		/* cannot open, read or write the file */
	STORE_ERROR_BUSY,	/* locked past the busy timeout: retry later */
	STORE_ERROR_FULL,	/* the disk is full: retry later */
	STORE_ERROR_CORRUPT,	/* not a tidings database, or damaged */
	STORE_ERROR_VERSION,	/* written by a newer tidings */
	STORE_ERROR_NOT_FOUND,
	STORE_ERROR_EXISTS,
	STORE_ERROR_QUERY,	/* a search query the index cannot read */
	STORE_ERROR_READONLY,	/* cannot be written (file mode, owner, a
				   read-only file system): retry once fixed */
};

struct store;

/* Opens TARGET, an SQLite file (created, with its directory, when
 * missing) or a PostgreSQL URI (postgresql://… or postgres://…), and
 * brings its schema up to date step by step.  Close with store_close(). */
struct store *store_open(const char *target, GError **error);
void store_close(struct store *st);
/* Another connection to the same database, for another thread. */
struct store *store_reopen(const struct store *st, GError **error);
typedef struct store Store;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)

/* The file, or the URI without its password. */
const char *store_path(const struct store *st);
gboolean store_is_postgresql(const struct store *st);
/* How long to wait for another process's lock before STORE_ERROR_BUSY. */
void store_set_busy_timeout(struct store *st, int ms);
/* The schema version of the open database and the newest this build knows. */
int store_schema_version(struct store *st);
int store_schema_latest(void);

/* One write transaction at a time; BEGIN IMMEDIATE takes the write lock at
 * once, so a busy database fails here and not halfway through. */
gboolean store_begin(struct store *st, GError **error);
gboolean store_commit(struct store *st, GError **error);
/* A transaction for many mails: the mail it processes is indexed for
 * search in one go when it commits, which is much faster than one mail at
 * a time (nothing changes for readers, who see only what is committed).
 * Searching inside such a transaction misses its mail. */
gboolean store_begin_batch(struct store *st, GError **error);
void store_rollback(struct store *st);
/* Whether the next commits wait until they are on disk (the default) or
 * only until the system has them (synchronous = NORMAL): a crash of tidings
 * loses neither, a power cut may lose the commits made since the last one
 * on disk, whole and in order.  For records of work that is harmless to
 * do again.  Outside a transaction. */
gboolean store_set_durable(struct store *st, gboolean durable,
    GError **error);
/* Pages of WAL after which a bulk load checkpoints: 64 MiB of 4 KiB. */
#define STORE_BULK_CHECKPOINT 16384
/* The page cache, KiB: for everyday use, and for a bulk load, which
 * writes new pages more than it reads old ones, and whose memory must
 * not grow with the mailbox. */
#define STORE_CACHE_KIB 16384
#define STORE_BULK_CACHE_KIB 2048
/* Whether many batches are about to be written (imports).  A store that
 * has the database to itself then writes it directly, with a rollback
 * journal, rather than through the WAL, which writes every page twice
 * (once to the log, once when checkpointed); with others connected, the
 * WAL is checkpointed rarely instead.  Temporary tables and indexes are
 * kept in memory, and the page cache is STORE_BULK_CACHE_KIB.  Turning it
 * off returns to the WAL, checkpointed as usual, and to the usual cache.  Commits are as durable either way (synchronous = FULL).
 * Outside a transaction. */
gboolean store_set_bulk(struct store *st, gboolean bulk, GError **error);
/* A savepoint NAME (a constant SQL name) inside or outside a transaction:
 * part of a change undone without the rest. */
gboolean store_savepoint(struct store *st, const char *name, GError **error);
gboolean store_release(struct store *st, const char *name, GError **error);
/* Undoes everything since savepoint NAME and ends it. */
void store_rollback_to(struct store *st, const char *name);

#endif
