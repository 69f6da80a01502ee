/* Ingesting one mail; see ingest.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "crashnote.h"
#include "filter.h"
#include "ingest.h"
#include "log.h"
#include "rawfile.h"
#include "store.h"
#include "store-message.h"
#include "subject.h"
#include "takers.h"
#include "thread.h"


void
ingest_result_clear(struct ingest_result *res)
{
	g_clear_pointer(&res->detail, g_free);
}

const char *
ingest_outcome_name(enum ingest_outcome o)
{
	switch (o) {
	case INGEST_STORED: return "stored";
	case INGEST_DROPPED: return "dropped";
	case INGEST_DUPLICATE: return "duplicate";
	case INGEST_QUARANTINED: return "quarantined";
	case INGEST_DEFERRED: return "deferred";
	}
	return "?";
}

static gboolean
tx_begin(struct store *st, gboolean own_tx, GError **error)
{
	return !own_tx || store_begin(st, error);
}

static gboolean
tx_commit(struct store *st, gboolean own_tx, GError **error)
{
	return !own_tx || store_commit(st, error);
}

static void
tx_rollback(struct store *st, gboolean own_tx)
{
	if (own_tx)
		store_rollback(st);
}

/* store_message_add() of raw mail that is in memory (RAW) or, when RAW is
 * NULL, in FILE, where no copy of it is wanted. */
static gboolean
add_raw(struct store *st, const char *mid, const char *hash, GBytes *raw,
    const struct rawfile *file, const char *source, const char *reason,
    gint64 *id, GError **error)
{
	g_autofree char *state = NULL;
	gboolean dup;

	if (raw == NULL)
		return store_message_add_file(st, mid, hash, file, source,
		    clock_now(), reason, id, &dup, &state, error);
	return store_message_add(st, mid, hash, raw, source, clock_now(),
	    reason, id, &dup, &state, error);
}

/* Mail that is not mail at all: kept under an id made of its hash (the
 * row KEPT before parsing, when there is one, gets that id). */
static gboolean
ingest_unparseable(struct store *st, GBytes *raw, const struct rawfile *file,
    const char *hash, gint64 kept, const char *source, gboolean own_tx,
    const char *why, struct ingest_result *res, GError **error)
{
	g_autofree char *mid = g_strdup_printf("%.32s@unparseable.tidings",
	    hash);
	g_autofree char *reason = g_strdup_printf("cannot be parsed: %s", why);
	g_autofree char *state = NULL;
	gboolean other;

	if (!tx_begin(st, own_tx, error))
		return FALSE;
	if (kept != 0) {
		if (!store_message_find_copy(st, mid, hash, &res->id, &state,
		    &other, error))
			goto fail;
		if (res->id != 0 && !store_message_forget(st, kept, error))
			goto fail;
		if (res->id == 0 && (!store_message_rename(st, kept, mid, FALSE,
		    error) || !store_message_quarantine(st, kept, reason,
		    error)))
			goto fail;
		if (res->id == 0)
			res->id = kept;
	} else if (!add_raw(st, mid, hash, raw, file, source, reason,
	    &res->id, error))
		goto fail;
	res->outcome = INGEST_QUARANTINED;
	res->detail = g_steal_pointer(&reason);
	return tx_commit(st, own_tx, error);
fail:
	tx_rollback(st, own_tx);
	return FALSE;
}

/* A mail whose processing did not finish this many times (the process was
 * killed, by the OOM killer, say) is quarantined; one it crashed on, at
 * the next attempt (crashnote.h). */
#define INGEST_MAX_ATTEMPTS 3

/* The Message-ID under which mail not parsed yet is kept. */
static char *
unprocessed_id(const char *hash)
{
	return g_strdup_printf("%.32s@unprocessed.tidings", hash);
}

static char *
crashed_reason(int sig)
{
	return g_strdup_printf("tidings crashed processing it (signal %d, "
	    "%s); kept for inspection, not processed again", sig,
	    g_strsignal(sig));
}

/* Quarantines the mail of HASH that tidings crashed on: every copy still
 * "new", or RAW kept now when none is (an import or a sync, whose batch
 * the crash undid).  The note is forgotten then: in a batch, before the
 * batch commits, so that should the batch be lost the mail is parsed once
 * more, and noted again if it crashes again. */
static gboolean
ingest_crashed(struct store *st, GBytes *raw, const struct rawfile *file,
    const char *hash, int sig, const char *source, gboolean own_tx,
    struct ingest_result *res, GError **error)
{
	g_autofree char *mid = unprocessed_id(hash);
	gint64 n;

	res->outcome = INGEST_QUARANTINED;
	res->detail = crashed_reason(sig);
	if (!tx_begin(st, own_tx, error))
		return FALSE;
	if ((n = store_message_quarantine_hash(st, hash, res->detail,
	    error)) < 0 || (n == 0 && !add_raw(st, mid, hash, raw, file,
	    source, res->detail, &res->id, error))) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	log_warnx("mail of hash %.16s: %s", hash, res->detail);
	if (!tx_commit(st, own_tx, error))
		return FALSE;
	crashnote_forget(hash);
	return TRUE;
}

/* Keeps MSG's raw mail as mail not yet processed, "new"; sets res->id. */
static gboolean
keep_new(struct store *st, struct message *msg, const char *source,
    struct ingest_result *res, GError **error)
{
	return add_raw(st, msg->message_id, msg->content_hash, msg->raw,
	    msg->raw_file, source, NULL, &res->id, error);
}

/* Whether another attempt at mail ID, found "new", may start: a deferral
 * goes on at once; unfinished attempts are counted, and said, up to
 * INGEST_MAX_ATTEMPTS; past them the mail is quarantined.  WHAT names it
 * in the log. */
static gboolean
attempt_again(struct store *st, const char *what, gint64 id,
    struct ingest_result *res, gboolean *proceed, GError **error)
{
	g_autoptr(MessageRow) row = store_message_get(st, id, error);
	int started;

	if (row == NULL)
		return FALSE;
	if (row->reason != NULL && g_str_has_prefix(row->reason,
	    STORE_DEFERRED_PREFIX)) {
		*proceed = TRUE;
		return TRUE;
	}
	started = MAX(row->attempts, 1);
	if (started < INGEST_MAX_ATTEMPTS) {
		if (store_message_attempt(st, id, error) < 0)
			return FALSE;
		log_info("%s: processing it again: %d earlier attempt%s did "
		    "not finish", what, started, started == 1 ? "" : "s");
		*proceed = TRUE;
		return TRUE;
	}
	res->outcome = INGEST_QUARANTINED;
	res->detail = g_strdup_printf("%d attempts to process it did not "
	    "finish; kept for inspection", started);
	log_warnx("%s: %s", what, res->detail);
	return store_message_quarantine(st, id, res->detail, error);
}

/* The MDA's first step, before anything parses RAW: it is kept, committed,
 * under a Message-ID made of its hash, with an attempt counted.  Mail kept
 * so before and never processed has its attempts weighed: quarantined
 * after a crash or too many, else tried again.  Sets res->id and *proceed. */
static gboolean
ingest_keep_raw(struct store *st, GBytes *raw, const char *hash,
    const char *source, struct ingest_result *res, gboolean *proceed,
    GError **error)
{
	g_autofree char *mid = unprocessed_id(hash);
	g_autofree char *state = NULL;
	gboolean dup;
	int sig = crashnote_crashed(hash);

	*proceed = FALSE;
	if (sig != 0)
		return ingest_crashed(st, raw, NULL, hash, sig, source, TRUE,
		    res, error);
	if (!store_begin(st, error))
		return FALSE;
	if (!store_message_add(st, mid, hash, raw, source, clock_now(), NULL,
	    &res->id, &dup, &state, error))
		goto fail;
	if (!dup)
		*proceed = TRUE;
	else if (strcmp(state, "new") != 0)
		res->outcome = INGEST_DUPLICATE;
	else if (!attempt_again(st, mid, res->id, res, proceed, error))
		goto fail;
	return store_commit(st, error);
fail:
	store_rollback(st);
	return FALSE;
}

/* Step one, once parsed: the mail stored.  Returns TRUE with *proceed FALSE
 * when there is nothing more to do (a duplicate).  Mail the MDA kept before
 * parsing (res->id set) gets its Message-ID, unless a copy is stored: then
 * that copy goes on.  In the caller's transaction, mail not seen before is
 * only looked for, res->id left 0: it is stored once processed, in one
 * write (*conflict says whether other content with its Message-ID is
 * stored). */
static gboolean
ingest_keep(struct store *st, struct message *msg, const char *source,
    gboolean own_tx, struct ingest_result *res, gboolean *proceed,
    gboolean *conflict, GError **error)
{
	g_autofree char *state = NULL, *what = NULL;
	gint64 kept = res->id, copy;

	*proceed = FALSE;
	if (!tx_begin(st, own_tx, error))
		return FALSE;
	if (!store_message_find_copy(st, msg->message_id, msg->content_hash,
	    &copy, &state, conflict, error))
		goto fail;
	if (kept != 0 && (copy == 0 || copy == kept)) {
		*proceed = TRUE;
		if (copy == 0 && !store_message_rename(st, kept,
		    msg->message_id, *conflict, error))
			goto fail;
		return tx_commit(st, own_tx, error);
	}
	if (kept != 0 && !store_message_forget(st, kept, error))
		goto fail;
	res->id = copy;
	if (res->id == 0) {
		*proceed = TRUE;
		if (!own_tx)
			return TRUE;
		if (!keep_new(st, msg, source, res, error))
			goto fail;
		return tx_commit(st, own_tx, error);
	}
	if (strcmp(state, "new") != 0) {
		res->outcome = INGEST_DUPLICATE;
		return tx_commit(st, own_tx, error);
	}
	/* Stored before but never finished: the process that stored it was
	 * killed, or died on it, or works on it still (the same mail
	 * delivered twice at once).  A deferral is tried again at once; an
	 * unfinished attempt is tried again up to INGEST_MAX_ATTEMPTS, then
	 * no more, or one bad mail would crash tidings at every delivery. */
	what = g_strdup_printf("<%s>", msg->message_id);
	if (!attempt_again(st, what, res->id, res, proceed, error))
		goto fail;
	return tx_commit(st, own_tx, error);
fail:
	tx_rollback(st, own_tx);
	return FALSE;
}

/* Deferred mail stays "new", with the reason, to be processed again. */
static gboolean
ingest_defer(struct store *st, struct message *msg, const char *source,
    gboolean own_tx, struct ingest_result *res, const GError *why,
    GError **error)
{
	res->outcome = INGEST_DEFERRED;
	res->detail = g_strconcat(STORE_DEFERRED_PREFIX, why != NULL ? why->message :
	    "a filter asked to try again later", NULL);
	if (!tx_begin(st, own_tx, error))
		return FALSE;
	if ((res->id == 0 && !keep_new(st, msg, source, res, error)) ||
	    !store_message_defer(st, res->id, res->detail, error)) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	return tx_commit(st, own_tx, error);
}

/* Answers and commands: recorded with the mail.  What the store cannot
 * do now is tried again later; anything else (a template that does not
 * render) undoes what was recorded of them and quarantines the mail, which
 * stays stored. */
static gboolean
ingest_checkin(struct store *st, struct tidings_ctx *env,
    struct message *msg, const struct takers_prepared *prep,
    struct ingest_result *res, GError **error)
{
	g_autoptr(GError) err = NULL;

	if (!store_savepoint(st, "checkin", error))
		return FALSE;
	if (takers_dispatch(env, msg, res->id, clock_now(), prep, &err))
		return store_release(st, "checkin", error);
	store_rollback_to(st, "checkin");
	if (err->domain == STORE_ERROR) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	res->outcome = INGEST_QUARANTINED;
	res->detail = g_strdup_printf("its answer or command could not be "
	    "recorded: %s", err->message);
	log_warnx("<%s>: %s", msg->message_id, res->detail);
	return store_message_quarantine(st, res->id, res->detail, error);
}

/* *done: mail ID is no longer "new". */
static gboolean
processed_meanwhile(struct store *st, gint64 id, gboolean *done,
    GError **error)
{
	g_autoptr(MessageRow) row = store_message_get(st, id, error);

	if (row == NULL)
		return FALSE;
	*done = strcmp(row->state, "new") != 0;
	return TRUE;
}

/* Finds or makes the thread of MSG (thread.h decides, the store knows),
 * merging threads it joins and widening the thread's dates to take it
 * in; sets *thread.  In the transaction that stores the mail. */
static gboolean
place_thread(struct store *st, const struct message *msg, gint64 *thread,
    GError **error)
{
	g_autoptr(GPtrArray) ids = thread_placing_ids(msg);
	g_autoptr(GArray) rel = NULL;
	g_autofree char *own = NULL;
	const char *key;
	gboolean reply;

	rel = store_thread_relatives(st, msg->message_id, ids, error);
	if (rel == NULL)
		return FALSE;
	key = subject_key_of(msg, &reply, &own);
	switch (thread_plan(ids->len, rel->len, key, reply)) {
	case THREAD_JOIN:
		/* Mail that links threads (a parent arriving after its
		 * children) makes them one. */
		*thread = g_array_index(rel, gint64, 0);
		for (guint i = 1; i < rel->len; i++)
			if (!store_thread_merge(st, *thread,
			    g_array_index(rel, gint64, i), error))
				return FALSE;
		return store_thread_widen(st, *thread, msg->date, error);
	case THREAD_BY_SUBJECT:
		*thread = store_thread_by_subject(st, key,
		    msg->date - THREAD_SUBJECT_WINDOW, error);
		if (*thread < 0)
			return FALSE;
		if (*thread > 0)
			return store_thread_widen(st, *thread, msg->date,
			    error);
		break;
	case THREAD_NEW:
		break;
	}
	*thread = store_thread_new(st, thread_root(msg), msg->subject, key,
	    msg->date, error);
	return *thread > 0;
}

/* Stores what was made of MSG, in STATE, with its thread: mail not yet
 * stored (res->id 0) in one write, stored mail updated. */
static gboolean
ingest_store(struct store *st, struct message *msg, const char *source,
    const char *state, gboolean conflict, struct ingest_result *res,
    GError **error)
{
	if (!place_thread(st, msg, &res->thread, error))
		return FALSE;
	if (res->id == 0)
		return store_message_add_processed(st, msg, source,
		    clock_now(), state, res->thread, conflict, &res->id,
		    error);
	return store_message_processed(st, res->id, msg, state, res->thread,
	    error);
}

static gboolean
ingest_process(struct store *st, struct message *msg, const char *source,
    gboolean own_tx, gboolean conflict, enum verdict v,
    struct tidings_ctx *env, const struct takers_prepared *prep,
    struct ingest_result *res, GError **error)
{
	gboolean done;

	if (!tx_begin(st, own_tx, error))
		return FALSE;
	/* Between its own two transactions, another delivery of the same
	 * mail may have processed it: then it is a duplicate. */
	if (own_tx && !processed_meanwhile(st, res->id, &done, error)) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	if (own_tx && done) {
		res->outcome = INGEST_DUPLICATE;
		return tx_commit(st, own_tx, error);
	}
	if (!ingest_store(st, msg, source, v == FILTER_DROP ? "dropped" :
	    "processed", conflict, res, error) ||
	    (env != NULL && prep != NULL && !ingest_checkin(st, env, msg,
	    prep, res, error))) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	if (res->outcome != INGEST_QUARANTINED) {
		res->outcome = v == FILTER_DROP ? INGEST_DROPPED :
		    INGEST_STORED;
		if (msg->reason != NULL)
			res->detail = g_strdup(msg->reason);
	}
	return tx_commit(st, own_tx, error);
}

/* A mail parsed and through the filters that need no store. */
struct ingest_prepared {
	GBytes *raw;		/* or NULL, and the mail is in: */
	struct rawfile *file;
	char *hash;		/* of raw, known before it is parsed */
	gint64 kept;		/* the row the MDA kept it in, or 0 */
	int crashed;		/* tidings died of this signal on it: not
				   parsed, to be quarantined */
	struct message *msg;	/* NULL when RAW is not mail at all */
	char *unparseable;	/* then why */
	enum verdict verdict;	/* of filters_prepare() */
	GError *filter_error;	/* a deferring filter's reason, or NULL */
	gint64 parse_us;	/* what preparing it took */
	gint64 filters_us;
};

/* ingest_prepare() of RAW, or when it is NULL of the mail in FILE, whose
 * HASH (taken) is known. */
static struct ingest_prepared *
prepare_hashed(const struct conf *conf, GBytes *raw, struct rawfile *file,
    char *hash, gint64 now)
{
	struct ingest_prepared *prep = g_new0(struct ingest_prepared, 1);
	struct filter_ctx ctx = { .conf = conf };
	g_autoptr(GError) perr = NULL;
	gint64 t0 = g_get_monotonic_time(), t1;

	prep->raw = raw != NULL ? g_bytes_ref(raw) : NULL;
	prep->file = raw == NULL ? rawfile_ref(file) : NULL;
	prep->hash = hash;
	if ((prep->crashed = crashnote_crashed(hash)) != 0)
		return prep;
	crashnote_working_on(hash);
	prep->msg = raw != NULL ? message_parse_hashed(raw, g_strdup(hash), now,
	    &perr) : message_parse_file(file, g_strdup(hash), now, &perr);
	t1 = g_get_monotonic_time();
	prep->parse_us = t1 - t0;
	if (prep->msg == NULL) {
		prep->unparseable = g_strdup(perr->message);
		crashnote_working_on(NULL);
		return prep;
	}
	if (conf != NULL)
		ctx.address = conf_get(conf, "tidings", "address");
	prep->verdict = filters_prepare(prep->msg, &ctx);
	prep->filter_error = ctx.error;
	subject_key_prepare(prep->msg);
	prep->filters_us = g_get_monotonic_time() - t1;
	crashnote_working_on(NULL);
	return prep;
}

struct ingest_prepared *
ingest_prepare(const struct conf *conf, GBytes *raw, gint64 now)
{
	return prepare_hashed(conf, raw, NULL, message_hash(raw), now);
}

struct ingest_prepared *
ingest_prepare_file(const struct conf *conf, struct rawfile *file,
    gint64 now, GError **error)
{
	char *hash = message_hash_file(file, error);

	return hash != NULL ? prepare_hashed(conf, NULL, file, hash, now) :
	    NULL;
}

void
ingest_prepared_add_times(const struct ingest_prepared *prep,
    struct ingest_times *t)
{
	t->parse += prep->parse_us;
	t->filters += prep->filters_us;
	t->mails++;
	t->bytes += prep->raw != NULL ? g_bytes_get_size(prep->raw) :
	    prep->file->size;
}

void
ingest_prepared_free(struct ingest_prepared *prep)
{
	if (prep == NULL)
		return;
	if (prep->raw != NULL)
		g_bytes_unref(prep->raw);
	rawfile_unref(prep->file);
	g_free(prep->hash);
	g_clear_pointer(&prep->msg, message_free);
	g_free(prep->unparseable);
	g_clear_error(&prep->filter_error);
	g_free(prep);
}

gboolean
ingest_commit(struct store *st, const struct conf *conf,
    struct ingest_prepared *prep, const char *source, gboolean own_tx,
    struct ingest_result *res, GError **error)
{
	return ingest_commit_mode(st, conf, prep, source, own_tx, INGEST_LIVE,
	    res, error);
}

gboolean
ingest_commit_mode(struct store *st, const struct conf *conf,
    struct ingest_prepared *prep, const char *source, gboolean own_tx,
    enum ingest_mode mode, struct ingest_result *res, GError **error)
{
	struct message *msg = prep->msg;
	struct filter_ctx ctx = { .conf = conf };
	struct tidings_ctx env;
	gboolean proceed, conflict = FALSE, have_env, ok;
	enum verdict v;

	memset(res, 0, sizeof *res);
	if (prep->crashed != 0)
		return ingest_crashed(st, prep->raw, prep->file, prep->hash,
		    prep->crashed, source, own_tx, res, error);
	if (msg == NULL)
		return ingest_unparseable(st, prep->raw, prep->file, prep->hash,
		    prep->kept, source, own_tx, prep->unparseable, res, error);
	res->id = prep->kept;
	/* Odd mail is kept and processed; what was odd is said once. */
	for (guint i = 0; i < msg->problems->len; i++)
		log_info("<%s>: %s", msg->message_id,
		    (char *)msg->problems->pdata[i]);
	if (!ingest_keep(st, msg, source, own_tx, res, &proceed, &conflict,
	    error))
		return FALSE;
	if (!proceed)
		return TRUE;
	/* What follows may crash too: the filters at commit, the takers. */
	crashnote_working_on(prep->hash);

	if (conf != NULL)
		ctx.address = conf_get(conf, "tidings", "address");
	/* Without an address, tidings has asked nobody anything. */
	have_env = conf != NULL && tidings_ctx_init(&env, st, conf, NULL);
	if (have_env) {
		env.archive = mode == INGEST_ARCHIVE;
		ctx.domain = env.domain;
		ctx.lookup = take_answer_lookup;
		ctx.lookup_data = &env;
	}
	ctx.error = g_steal_pointer(&prep->filter_error);
	res->filters_us = g_get_monotonic_time();
	v = filters_finish(msg, &ctx, prep->verdict);
	res->filters_us = g_get_monotonic_time() - res->filters_us;
	res->kind = msg->kind;
	if (v == FILTER_DEFER)
		ok = ingest_defer(st, msg, source, own_tx, res, ctx.error,
		    error);
	else {
		/* What the takers read and compute is done before the
		 * transaction, which then only writes. */
		struct takers_prepared *tp = have_env && v != FILTER_DROP ?
		    takers_prepare(&env, msg, clock_now()) : NULL;
		ok = ingest_process(st, msg, source, own_tx, conflict, v,
		    have_env && v != FILTER_DROP ? &env : NULL, tp, res,
		    error);
		takers_prepared_free(tp);
	}
	g_clear_error(&ctx.error);
	if (have_env)
		tidings_ctx_clear(&env);
	crashnote_working_on(NULL);
	return ok;
}

gboolean
ingest_mail(struct store *st, const struct conf *conf, GBytes *raw,
    const char *source, gboolean own_tx, struct ingest_result *res,
    GError **error)
{
	struct ingest_prepared *prep;
	char *hash = message_hash(raw);
	gboolean ok, proceed = TRUE;
	gint64 kept = 0;

	/* On its own, the raw mail is committed before anything parses it:
	 * whatever happens after, it is kept, and its attempts counted. */
	if (own_tx) {
		memset(res, 0, sizeof *res);
		if (!ingest_keep_raw(st, raw, hash, source, res, &proceed,
		    error)) {
			g_free(hash);
			return FALSE;
		}
		if (!proceed) {
			g_free(hash);
			return TRUE;
		}
		kept = res->id;
	}
	prep = prepare_hashed(conf, raw, NULL, hash, clock_now());
	prep->kept = kept;
	ok = ingest_commit(st, conf, prep, source, own_tx, res, error);
	ingest_prepared_free(prep);
	return ok;
}
