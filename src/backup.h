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
};
gboolean backup_import_json(struct store *st, const char *path,
    guint64 *rows, GError **error);

#endif
