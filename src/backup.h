/* The full export of everything tidings knows as one JSON document, its
 * restore into an empty database, and (cmd-backup.c) the copy of the
 * database file.  The document is described in tidings(1). */
#ifndef TIDINGS_BACKUP_H
#define TIDINGS_BACKUP_H

#include <stdio.h>

#include <glib.h>

struct store;

/* Writes the document to OUT: every table of the database, read in one
 * snapshot while others may write. */
gboolean backup_export_json(struct store *st, FILE *out, GError **error);

/* Restores the document at PATH into ST, which must hold nothing yet
 * (BACKUP_ERROR_NOT_EMPTY otherwise), in one transaction: all of it or
 * nothing.  *ROWS: how many rows were restored. */
#define BACKUP_ERROR (backup_error_quark())
GQuark backup_error_quark(void);
enum backup_error {
	BACKUP_ERROR_NOT_EMPTY,	/* the database holds something already */
	BACKUP_ERROR_FORMAT,	/* not a tidings export, or a damaged one */
	BACKUP_ERROR_NEWER,	/* made by a newer tidings */
	BACKUP_ERROR_DIFFERS,	/* a copy does not hold what its original
				   does */
};
gboolean backup_import_json(struct store *st, const char *path,
    guint64 *rows, GError **error);

/* Copies every table of FROM into TO, which must hold nothing yet
 * (BACKUP_ERROR_NOT_EMPTY); both are of this tidings' schema.  One read
 * snapshot of FROM, one transaction in TO, all or nothing.  Then checks
 * that TO holds as many rows of each table as FROM and the same raw mail
 * (BACKUP_ERROR_DIFFERS).  Either may be SQLite or PostgreSQL. */
struct backup_copy {
	struct store *to;
	const char *table;	/* being copied */
	guint64 rows;		/* copied */
	char *digest;		/* SHA-256 of the raw mail, in hex */
};
gboolean backup_copy_store(struct store *from, struct store *to,
    struct backup_copy *c, GError **error);
void backup_copy_clear(struct backup_copy *c);

#endif
