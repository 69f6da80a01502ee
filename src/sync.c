/* Folder synchronisation; see sync.h. */
#include "config.h"

#include <string.h>

#include "imap.h"
#include "ingest-pipe.h"
#include "log.h"
#include "store.h"
#include "store-sync.h"
#include "sync.h"

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
	GArray *done;		/* UIDs stored, to flag or move */
	struct ingest_pipe *pipe;	/* fetched mail, being prepared */
	GError *error;
};

static gboolean
sync_commit(struct sync_run *r)
{
	if (r->in_tx == 0)
		return TRUE;
	r->in_tx = 0;
	return store_commit(r->st, &r->error);
}

/* One fetched mail: ingested, and the position moved past it, together. */
static gboolean
sync_store(struct sync_run *r, guint32 uid, struct ingest_prepared *prep)
{
	struct ingest_result res;

	if (r->in_tx == 0 && !store_begin_batch(r->st, &r->error))
		return FALSE;
	if (!ingest_commit(r->st, r->conf, prep, r->source, FALSE, &res,
	    &r->error) ||
	    !store_sync_set(r->st, r->account, r->folder, r->uidvalidity, uid,
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
	if (++r->in_tx >= SYNC_BATCH)
		return sync_commit(r);
	return TRUE;
}

/* Stores, in UID order, the fetched mail the worker has prepared: all of
 * it with ALL; else what is ready, and what keeps fewer than
 * INGEST_PIPE_DEPTH mails in flight.  FALSE when the store failed
 * (r->error) or *stop was set: what is still in flight is not stored, and
 * its UIDs are fetched again next time. */
static gboolean
sync_drain(struct sync_run *r, gboolean all)
{
	struct ingest_prepared *prep;
	guint64 uid;
	gboolean ok;

	while (ingest_pipe_pending(r->pipe) > 0 && (all ||
	    ingest_pipe_pending(r->pipe) >= INGEST_PIPE_DEPTH ||
	    ingest_pipe_ready(r->pipe))) {
		if (*r->stop)
			return FALSE;
		prep = ingest_pipe_next(r->pipe, &uid, NULL);
		ok = sync_store(r, (guint32)uid, prep);
		ingest_pipe_done(r->pipe, prep);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* One fetched mail, handed to the worker to parse and filter while the
 * next ones are fetched and the ones before stored. */
static gboolean
sync_one(guint32 uid, GBytes *raw, gpointer data)
{
	struct sync_run *r = data;

	if (*r->stop)
		return FALSE;
	ingest_pipe_push(r->pipe, raw, uid);
	return sync_drain(r, FALSE);
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
	g_autoptr(IngestPipe) pipe = NULL;
	struct sync_run r = { st, conf, account, folder, 0, stop, stats,
	    source, 0, done, NULL, NULL };
	guint32 uidnext = 0, exists = 0, after = 0;
	gboolean ok;

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
	r.pipe = pipe = ingest_pipe_new(conf, NULL, NULL, NULL);
	ok = imap_fetch_new(imap, after, SYNC_BATCH, sync_one, &r, error);
	/* What was fetched is stored, even when the connection then broke. */
	if (r.error == NULL)
		sync_drain(&r, TRUE);
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
