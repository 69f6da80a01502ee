/* The path every incoming mail takes, whichever door it came in by (the
 * MDA, an import, IMAP): keep the raw bytes, parse, filter, thread,
 * record.  Processing is idempotent: Message-ID plus content hash decides
 * "seen before". */
#ifndef TIDINGS_INGEST_H
#define TIDINGS_INGEST_H

#include <glib.h>

#include "message.h"

struct conf;
struct rawfile;
struct store;

enum ingest_outcome {
	INGEST_STORED,		/* new mail, processed */
	INGEST_DROPPED,		/* stored; a filter ended it (a loop, say) */
	INGEST_DUPLICATE,	/* seen before; nothing written */
	INGEST_QUARANTINED,	/* stored, but could not be processed */
	INGEST_DEFERRED,	/* stored; to be processed again later */
};

struct ingest_result {
	enum ingest_outcome outcome;
	gint64 id;		/* the stored mail */
	gint64 thread;
	enum message_kind kind;
	char *detail;		/* why quarantined, dropped or deferred */
	gint64 filters_us;	/* of ingest_commit(): the filters at commit */
};

/* Where the time of many mails went, in microseconds of the monotonic
 * clock, summed over the threads that spent it (workers read, parse and
 * filter side by side; the store's thread stores and commits): what
 * 'tidings import --stats' prints. */
struct ingest_times {
	gint64 read;		/* loading the mail (a Maildir's files) */
	gint64 parse;		/* message_parse() */
	gint64 filters;		/* the filters, before and at commit */
	gint64 store;		/* ingest_commit() but its filters */
	gint64 commit;		/* committing transactions */
	gint64 wait;		/* the store's thread waiting for mail */
	guint64 mails;
	guint64 bytes;
	guint workers;		/* threads that prepared mail; 0: none */
};

void ingest_result_clear(struct ingest_result *res);
const char *ingest_outcome_name(enum ingest_outcome o);

/*
 * Ingests RAW, received now from SOURCE.  With OWN_TX, the raw mail is
 * committed before processing starts (as the MDA needs: what was
 * acknowledged is on disk); without, the caller holds one transaction
 * around many mails (as imports do).  Returns FALSE only when the mail
 * could not be stored at all (the store's error says whether to retry).
 */
gboolean ingest_mail(struct store *st, const struct conf *conf, GBytes *raw,
    const char *source, gboolean own_tx, struct ingest_result *res,
    GError **error);

/*
 * ingest_mail() in two steps, so that the first may run on another thread
 * than the store's (see ingest-pipe.h).  ingest_prepare() parses RAW
 * (received at NOW) and runs the filters that read only the mail and CONF;
 * it touches no store and no shared state.  ingest_commit() does the rest
 * on the thread that owns ST: the raw mail kept, the duplicate check, the
 * filters that run at commit, threads and answers; it returns as
 * ingest_mail() does.  Commit a prepared mail once, then free it with
 * ingest_prepared_free() (NULL-safe).
 */
struct ingest_prepared;
struct ingest_prepared *ingest_prepare(const struct conf *conf, GBytes *raw,
    gint64 now);
/* ingest_prepare() of the mail in FILE (a reference is taken), which is
 * read where it lies, never whole (rawfile.h), and stored from there by
 * ingest_commit(): for a mail too large to hold.  NULL, with error, when
 * the file fails to read (its hash could not be taken). */
struct ingest_prepared *ingest_prepare_file(const struct conf *conf,
    struct rawfile *file, gint64 now, GError **error);
gboolean ingest_commit(struct store *st, const struct conf *conf,
    struct ingest_prepared *prep, const char *source, gboolean own_tx,
    struct ingest_result *res, GError **error);
void ingest_prepared_free(struct ingest_prepared *prep);
/* Adds what preparing PREP took (parse, filters) to *T, with its size. */
void ingest_prepared_add_times(const struct ingest_prepared *prep,
    struct ingest_times *t);

/* How a mail is taken: as it comes, or out of an archive, where it is
 * stored, threaded and its answers to known prompts recorded as of its
 * Date, and nothing else is done (no command, no availability, no mail
 * sent; see tidings_ctx.archive). */
enum ingest_mode {
	INGEST_LIVE,
	INGEST_ARCHIVE,
};

/* ingest_commit() in MODE. */
gboolean ingest_commit_mode(struct store *st, const struct conf *conf,
    struct ingest_prepared *prep, const char *source, gboolean own_tx,
    enum ingest_mode mode, struct ingest_result *res, GError **error);

#endif
