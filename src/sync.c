/* Folder synchronisation; see sync.h. */
#include "config.h"

#include <string.h>

#include "imap.h"
#include "ingest-pipe.h"
#include "log.h"
#include "store.h"
#include "store-sync.h"
#include "sync.h"

/* Fetched mail on its way from the fetching thread to the workers. */
struct fetched {
	guint32 uid;
	GBytes *raw;		/* NULL: the end */
};

/* The fetching thread: the IMAP connection is its own until it ends, and
 * what it fetched waits in a queue of at most SYNC_FETCH_BYTES (a mail
 * more), so that the network, the workers and the store all move at once;
 * at most SYNC_FETCH_AHEAD mails are fetched and not yet stored, so that
 * what a broken connection or a signal leaves to fetch again stays small. */
#define SYNC_FETCH_BYTES (4 * 1024 * 1024)
#define SYNC_FETCH_AHEAD (2 * SYNC_BATCH)
struct fetcher {
	struct imap *imap;
	guint32 after;
	volatile sig_atomic_t *stop;
	GThread *thread;
	GMutex lock;
	GCond cond;
	GQueue queue;		/* of struct fetched * */
	gsize bytes;		/* of the mail in queue */
	guint ahead;		/* fetched, not yet stored */
	gboolean cancel;	/* the store stopped taking mail */
	gboolean ended;		/* the end is in queue */
	gboolean ok;		/* imap_fetch_new() returned TRUE */
	GError *error;		/* else why */
};

struct sync_run {
	struct store *st;
	const struct conf *conf;
	const char *account;
	const char *folder;
	guint32 uidvalidity;
	volatile sig_atomic_t *stop;
	struct sync_stats *stats;
	char *source;		/* imap:FOLDER */
	guint in_tx;		/* mail in the open transaction */
	guint32 last_uid;	/* of the last of them */
	GArray *done;		/* UIDs stored, to flag or move */
	GError *error;
};

static void
fetcher_put(struct fetcher *f, guint32 uid, GBytes *raw)
{
	struct fetched *m = g_new(struct fetched, 1);

	m->uid = uid;
	m->raw = raw;
	g_queue_push_tail(&f->queue, m);
	f->bytes += raw != NULL ? g_bytes_get_size(raw) : 0;
	g_cond_broadcast(&f->cond);
}

/* One fetched mail, queued for the workers; waits while the queue is full.
 * FALSE stops the fetch: a signal, or the store gave up. */
static gboolean
fetcher_one(guint32 uid, GBytes *raw, gpointer data)
{
	struct fetcher *f = data;
	gboolean go;

	g_mutex_lock(&f->lock);
	while (!f->cancel && !*f->stop && (f->ahead >= SYNC_FETCH_AHEAD ||
	    (f->bytes > 0 &&
	    f->bytes + g_bytes_get_size(raw) > SYNC_FETCH_BYTES)))
		g_cond_wait(&f->cond, &f->lock);
	go = !f->cancel && !*f->stop;
	if (go) {
		f->ahead++;
		fetcher_put(f, uid, g_bytes_ref(raw));
	}
	g_mutex_unlock(&f->lock);
	return go;
}

static gpointer
fetcher_run(gpointer data)
{
	struct fetcher *f = data;
	GError *error = NULL;
	gboolean ok;

	ok = imap_fetch_new(f->imap, f->after, SYNC_BATCH, fetcher_one, f,
	    &error);
	g_mutex_lock(&f->lock);
	f->ok = ok;
	f->error = error;
	f->ended = TRUE;
	fetcher_put(f, 0, NULL);
	g_mutex_unlock(&f->lock);
	return NULL;
}

/* The pipe's reader, on a worker's thread: the next mail fetched, or NULL
 * at the end (the fetch's failure is told by sync_folder()). */
static GBytes *
fetcher_read(gpointer data, guint64 *tag, GError **error)
{
	struct fetcher *f = data;
	struct fetched *m;
	GBytes *raw;

	(void)error;
	g_mutex_lock(&f->lock);
	while ((m = g_queue_pop_head(&f->queue)) == NULL)
		g_cond_wait(&f->cond, &f->lock);
	if (m->raw == NULL)	/* left for another reader, if any */
		g_queue_push_head(&f->queue, m);
	else
		f->bytes -= g_bytes_get_size(m->raw);
	g_cond_broadcast(&f->cond);
	g_mutex_unlock(&f->lock);
	if (m->raw == NULL)
		return NULL;
	*tag = m->uid;
	raw = m->raw;
	g_free(m);
	return raw;
}

/* N mails fetched were stored, or skipped: room for more. */
static void
fetcher_taken(struct fetcher *f, guint n)
{
	g_mutex_lock(&f->lock);
	f->ahead -= MIN(n, f->ahead);
	g_cond_broadcast(&f->cond);
	g_mutex_unlock(&f->lock);
}

/* Stops the fetching thread (when the store stopped taking mail, or on a
 * signal: the batch in hand is finished first) and waits for it; what it
 * fetched and nobody took is dropped, and fetched again next time. */
static void
fetcher_stop(struct fetcher *f)
{
	struct fetched *m;

	if (f->thread == NULL)
		return;
	g_mutex_lock(&f->lock);
	f->cancel = TRUE;
	g_cond_broadcast(&f->cond);
	g_mutex_unlock(&f->lock);
	g_thread_join(f->thread);
	f->thread = NULL;
	/* The end stays, for a worker that waits in fetcher_read(). */
	g_mutex_lock(&f->lock);
	while ((m = g_queue_peek_head(&f->queue)) != NULL && m->raw != NULL) {
		g_queue_pop_head(&f->queue);
		g_bytes_unref(m->raw);
		g_free(m);
	}
	g_mutex_unlock(&f->lock);
}

/* Frees what is left once the workers are gone: the end. */
static void
fetcher_clear(struct fetcher *f)
{
	struct fetched *m;

	while ((m = g_queue_pop_head(&f->queue)) != NULL) {
		if (m->raw != NULL)
			g_bytes_unref(m->raw);
		g_free(m);
	}
	g_mutex_clear(&f->lock);
	g_cond_clear(&f->cond);
}

/* Commits the open transaction, the position moved past its last mail
 * in it: once per transaction, not at each mail. */
static gboolean
sync_commit(struct sync_run *r)
{
	if (r->in_tx == 0)
		return TRUE;
	r->in_tx = 0;
	if (!store_sync_set(r->st, r->account, r->folder, r->uidvalidity,
	    r->last_uid, &r->error)) {
		store_rollback(r->st);
		return FALSE;
	}
	return store_commit(r->st, &r->error);
}

/* One fetched mail: ingested, in the transaction that moves the position
 * past it (sync_commit()). */
static gboolean
sync_store(struct sync_run *r, guint32 uid, struct ingest_prepared *prep)
{
	struct ingest_result res;

	if (r->in_tx == 0 && !store_begin_batch(r->st, &r->error))
		return FALSE;
	if (!ingest_commit(r->st, r->conf, prep, r->source, FALSE, &res,
	    &r->error)) {
		store_rollback(r->st);
		r->in_tx = 0;
		return FALSE;
	}
	r->stats->fetched++;
	switch (res.outcome) {
	case INGEST_DUPLICATE: r->stats->duplicates++; break;
	case INGEST_QUARANTINED: r->stats->quarantined++; break;
	case INGEST_DEFERRED: r->stats->deferred++; break;
	default: r->stats->stored++; break;
	}
	log_debug("imap: %s UID %u: %s, id %" G_GINT64_FORMAT, r->folder, uid,
	    ingest_outcome_name(res.outcome), res.id);
	ingest_result_clear(&res);
	g_array_append_val(r->done, uid);
	r->last_uid = uid;
	if (++r->in_tx >= SYNC_BATCH)
		return sync_commit(r);
	return TRUE;
}

/* Fetches on a thread of its own, parses and filters on the pipe's
 * workers, and stores here, in UID order, each mail as it comes.  FALSE
 * when the store failed (r->error) or *stop was set: what is still in
 * flight is not stored, and its UIDs are fetched again next time; *FETCHED
 * says whether the fetch itself went to its end, else ERROR says why. */
static gboolean
sync_fetch_store(struct sync_run *r, struct imap *imap, guint32 after,
    gboolean *fetched, GError **error)
{
	struct fetcher f = { 0 };
	struct ingest_pipe *pipe;
	struct ingest_prepared *prep;
	guint64 uid;
	guint taken = 0;
	gboolean ok = TRUE;

	f.imap = imap;
	f.after = after;
	f.stop = r->stop;
	g_mutex_init(&f.lock);
	g_cond_init(&f.cond);
	f.thread = g_thread_new("imap-fetch", fetcher_run, &f);
	pipe = ingest_pipe_new(r->conf, fetcher_read, NULL, NULL, &f);
	while (ok && (prep = ingest_pipe_next(pipe, &uid, NULL)) != NULL) {
		ok = !*r->stop && sync_store(r, (guint32)uid, prep);
		ingest_pipe_done(pipe, prep);
		/* The fetch is told in tens, not at each mail. */
		if (++taken == SYNC_FETCH_AHEAD / 10) {
			fetcher_taken(&f, taken);
			taken = 0;
		}
	}
	fetcher_stop(&f);
	ingest_pipe_free(pipe);
	*fetched = f.ok;
	if (f.error != NULL)
		g_propagate_error(error, f.error);
	fetcher_clear(&f);
	return ok;
}

/* UIDs flagged \Seen per command: one round trip for many, and a command
 * line of a few runs of UIDs. */
#define SYNC_FLAG_BATCH 1000

/* Stored mail is flagged \Seen, or moved out of the way.  UIDS are in
 * order, as they were fetched. */
static gboolean
sync_flag(struct imap *imap, GArray *uids, const char *processed,
    GError **error)
{
	guint n;

	for (guint i = 0; processed == NULL && i < uids->len; i += n) {
		n = MIN(SYNC_FLAG_BATCH, uids->len - i);
		if (!imap_mark_seen_uids(imap, &g_array_index(uids, guint32, i),
		    n, error))
			return FALSE;
	}
	for (guint i = 0; processed != NULL && i < uids->len; i++)
		if (!imap_move(imap, g_array_index(uids, guint32, i), processed,
		    error))
			return FALSE;
	return TRUE;
}

gboolean
sync_folder(struct store *st, const struct conf *conf, struct imap *imap,
    const char *account, const char *folder, const char *processed,
    volatile sig_atomic_t *stop, struct sync_stats *stats, GError **error)
{
	g_autoptr(SyncState) state = NULL;
	g_autoptr(GArray) done = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autofree char *source = g_strconcat("imap:", folder, NULL);
	struct sync_run r = { st, conf, account, folder, 0, stop, stats,
	    source, 0, 0, done, NULL };
	guint32 uidnext = 0, exists = 0, after = 0;
	gboolean ok = FALSE;

	memset(stats, 0, sizeof *stats);
	if (!imap_select(imap, folder, &r.uidvalidity, &uidnext, &exists, error))
		return FALSE;
	g_autoptr(GError) serr = NULL;
	state = store_sync_get(st, account, folder, &serr);
	if (serr != NULL) {
		g_propagate_error(error, g_steal_pointer(&serr));
		return FALSE;
	}
	if (state != NULL && state->uidvalidity == r.uidvalidity)
		after = state->last_uid;
	else if (state != NULL && state->uidvalidity != 0) {
		/* The folder was recreated: read it all again; the store knows
		 * every mail it holds, so none is processed twice. */
		log_info("imap: %s: UIDVALIDITY changed from %u to %u; "
		    "rescanning", folder, state->uidvalidity, r.uidvalidity);
		stats->rescanned = TRUE;
	}
	log_trace(TRACE_IMAP, "imap: %s: UIDVALIDITY %u, UIDNEXT %u, %u "
	    "mails, stored up to UID %u", folder, r.uidvalidity, uidnext,
	    exists, after);
	sync_fetch_store(&r, imap, after, &ok, error);
	if (r.error != NULL) {
		/* The store failed: nothing of the open batch was kept. */
		g_clear_error(error);
		g_propagate_error(error, r.error);
		return FALSE;
	}
	if (!sync_commit(&r)) {
		g_clear_error(error);
		g_propagate_error(error, r.error);
		return FALSE;
	}
	/* Flags follow the commit: a mail flagged but not stored would be
	 * lost from sight; stored but not flagged is harmless. */
	if (!ok)
		return FALSE;	/* the connection is gone; flags come later */
	if (!sync_flag(imap, done, processed, error))
		return FALSE;
	/* Nothing new: the position stays, and the sync time is noted. */
	if (done->len == 0 &&
	    !store_sync_set(st, account, folder, r.uidvalidity, after, error))
		return FALSE;
	return TRUE;
}
