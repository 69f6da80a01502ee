/* Raw mail that lives in a file, read a piece at a time rather than held
 * whole: a large mail imported from a Maildir.  Parsing, hashing and the
 * store read it where it lies, so that a mail of megabytes never takes
 * that much memory.
 *
 * The file stays open from load to store: a mail client may rename it
 * meanwhile (a Maildir moves mail from new/ to cur/, and flags it in its
 * name), which changes nothing here.  Its size is taken when it is
 * opened; a file that no longer has that many bytes, or fails to read,
 * gives an error rather than part of a mail.  Reference-counted: the
 * file is closed with the last reference. */
#ifndef TIDINGS_RAWFILE_H
#define TIDINGS_RAWFILE_H

#include <glib.h>

struct rawfile {
	int fd;
	gsize size;		/* of the mail: the file's, when opened */
	char *path;		/* as opened, for errors */
};

/* Opens PATH for reading; NULL with a G_FILE_ERROR when it cannot be
 * opened (it was moved away, say). */
struct rawfile *rawfile_open(const char *path, GError **error);
struct rawfile *rawfile_ref(struct rawfile *rf);
/* NULL-safe. */
void rawfile_unref(struct rawfile *rf);
/* Reads exactly LEN bytes from AT into BUF: FALSE, with a G_FILE_ERROR,
 * when the file fails to read or ends before (it shrank). */
gboolean rawfile_read(const struct rawfile *rf, gsize at, void *buf,
    gsize len, GError **error);
/* The whole mail, in memory, or NULL with error. */
GBytes *rawfile_bytes(const struct rawfile *rf, GError **error);

typedef struct rawfile RawFile;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RawFile, rawfile_unref)

#endif
