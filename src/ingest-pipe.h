/* Ingesting on several threads: workers, one per core, parse and filter
 * mail (ingest_prepare()) while the caller's thread, which owns the store,
 * commits what was prepared (ingest_commit()), in the order the mail came.
 * Imports and IMAP syncs use it; the MDA ingests one mail and does not.
 *
 * At most INGEST_PIPE_AHEAD mails prepared, and about INGEST_PIPE_BYTES
 * of them (a mail more per worker), wait for the store, so memory stays
 * flat whatever the size of the mailbox; enough for the workers to go on
 * while the store commits a batch of mail (imports commit 500 at a time).
 * Mail pushed is bounded by the caller, to INGEST_PIPE_DEPTH.
 *
 * With TIDINGS_SEQUENTIAL=1 in the environment no thread is started: each
 * mail is prepared on the caller's thread when it is pushed or asked for.
 * The results are the same; tests/cli/T087-pipeline.sh compares the two. */
#ifndef TIDINGS_INGEST_PIPE_H
#define TIDINGS_INGEST_PIPE_H

#include <glib.h>

#include "ingest.h"

struct conf;
struct rawfile;

#define INGEST_PIPE_DEPTH 64
#define INGEST_PIPE_AHEAD 1024
#define INGEST_PIPE_BYTES (512 * 1024)
#define INGEST_PIPE_WORKERS 8	/* at most, whatever the cores */

/* Reads the next mail, on a worker's thread (never two at once): a new reference, or NULL
 * at the end, with *error set when reading failed.  *tag (a position, a
 * UID) comes back with the mail from ingest_pipe_next(). */
typedef GBytes *(*ingest_pipe_read_fn)(gpointer data, guint64 *tag,
    GError **error);
/* With a loader, what READ returns only names the next mail (a file
 * name), and the loader, on a worker's thread, several at once, reads
 * its bytes: a new reference; or, for a mail too large to hold whole,
 * returns NULL with *FILE set to the file it is in, open, which is then
 * read where it lies (ingest_prepare_file()); or NULL to skip the mail (it
 * was moved away; the loader says so).  A file that fails to read then is
 * skipped too, and said. */
typedef GBytes *(*ingest_pipe_load_fn)(gpointer data, GBytes *name,
    struct rawfile **file);
/* Optional, with a loader: how many bytes the mail NAME is, before it is
 * loaded (0 when unknown).  Then a mail is loaded only when it fits in
 * INGEST_PIPE_BYTES with those in flight (loaded and not yet handed back
 * by the store), or else when the store waits for it and holds no other;
 * one larger than that, when it is the next the store takes and no other
 * such is in flight, the others going on beside it: so at most one mail
 * larger than INGEST_PIPE_BYTES is in memory at a time, beside
 * INGEST_PIPE_BYTES of others. */
typedef gsize (*ingest_pipe_size_fn)(gpointer data, GBytes *name);

/* Starts the workers.  With READ, they read the mail (imports, and syncs
 * from their fetching thread), one at a time, and with LOAD, load what
 * READ named several at once (SIZE, optional, bounds the bytes loaded at
 * once); without READ, the caller hands it over with
 * ingest_pipe_push().  CONF must outlive the pipe.  Free with ingest_pipe_free(). */
struct ingest_pipe *ingest_pipe_new(const struct conf *conf,
    ingest_pipe_read_fn read, ingest_pipe_load_fn load,
    ingest_pipe_size_fn size, gpointer data);

/* Hands RAW (a reference is taken) to the workers, with TAG.  The caller
 * keeps the mails pushed and not yet taken (ingest_pipe_pending()) to at
 * most INGEST_PIPE_DEPTH, taking before it pushes more. */
void ingest_pipe_push(struct ingest_pipe *pipe, GBytes *raw, guint64 tag);
guint ingest_pipe_pending(struct ingest_pipe *pipe);
/* Whether ingest_pipe_next() would return without waiting. */
gboolean ingest_pipe_ready(struct ingest_pipe *pipe);

/* The next mail prepared, in order, with its tag; waits for it.  NULL at
 * the end: with READ, when it returned NULL (with *error set when it
 * failed); without, when nothing pushed is left.  Caller hands it back
 * with ingest_pipe_done(). */
struct ingest_prepared *ingest_pipe_next(struct ingest_pipe *pipe,
    guint64 *tag, GError **error);
/* Takes back PREP, committed or not, for the workers to free (the memory
 * was theirs), or frees it now without workers.  NULL-safe. */
void ingest_pipe_done(struct ingest_pipe *pipe, struct ingest_prepared *prep);

/* Where the time of the mail ingest_pipe_next() returned went: read,
 * parse, filters before commit, and the caller's thread waiting. */
void ingest_pipe_times(const struct ingest_pipe *pipe,
    struct ingest_times *t);

/* Stops the workers and drops what they prepared and nobody took.
 * NULL-safe. */
void ingest_pipe_free(struct ingest_pipe *pipe);

typedef struct ingest_pipe IngestPipe;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IngestPipe, ingest_pipe_free)

#endif
