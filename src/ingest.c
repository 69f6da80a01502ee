/* Ingesting one mail; see ingest.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "filter.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
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

/* Mail that is not mail at all: kept under an id made of its hash. */
static gboolean
ingest_unparseable(struct store *st, GBytes *raw, const char *source,
    gboolean own_tx, const char *why, struct ingest_result *res,
    GError **error)
{
	g_autofree char *hash = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256,
	    raw);
	g_autofree char *mid = g_strdup_printf("%.32s@unparseable.tidings",
	    hash);
	g_autofree char *reason = g_strdup_printf("cannot be parsed: %s", why);
	g_autofree char *state = NULL;
	gboolean dup;

	if (!tx_begin(st, own_tx, error))
		return FALSE;
	if (!store_message_add(st, mid, hash, raw, source,
	    clock_now(), reason, &res->id, &dup, &state,
	    error)) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	res->outcome = INGEST_QUARANTINED;
	res->detail = g_steal_pointer(&reason);
	return tx_commit(st, own_tx, error);
}

/* A mail whose processing did not finish this many times is quarantined. */
#define INGEST_MAX_ATTEMPTS 3
/* The reason of mail "new" again, processed once more: "attempt N". */
#define ATTEMPT_PREFIX "processing, attempt "

/* How many attempts to process a mail that is still "new" have started:
 * one when it was stored and nothing since, else what the reason says. */
static int
attempts_started(const char *reason)
{
	if (reason == NULL || !g_str_has_prefix(reason, ATTEMPT_PREFIX))
		return 1;
	return MAX(1, atoi(reason + strlen(ATTEMPT_PREFIX)));
}

/* Keeps RAW as mail not yet processed, "new"; sets res->id. */
static gboolean
keep_new(struct store *st, struct message *msg, const char *source,
    struct ingest_result *res, GError **error)
{
	g_autofree char *state = NULL;
	gboolean dup;

	return store_message_add(st, msg->message_id, msg->content_hash,
	    msg->raw, source, clock_now(), NULL, &res->id, &dup, &state, error);
}

/* Step one: the raw mail, stored.  Returns TRUE with *proceed FALSE when
 * there is nothing more to do (a duplicate).  In the caller's transaction,
 * mail not seen before is only looked for, res->id left 0: it is stored
 * once processed, in one write (*conflict says whether other content
 * with its Message-ID is stored). */
static gboolean
ingest_keep(struct store *st, struct message *msg, const char *source,
    gboolean own_tx, struct ingest_result *res, gboolean *proceed,
    gboolean *conflict, GError **error)
{
	g_autofree char *state = NULL;

	*proceed = FALSE;
	if (!tx_begin(st, own_tx, error))
		return FALSE;
	if (!store_message_find_copy(st, msg->message_id, msg->content_hash,
	    &res->id, &state, conflict, error)) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	if (res->id == 0) {
		*proceed = TRUE;
		if (!own_tx)
			return TRUE;
		if (!keep_new(st, msg, source, res, error)) {
			tx_rollback(st, own_tx);
			return FALSE;
		}
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
	g_autoptr(MessageRow) row = store_message_get(st, res->id, error);
	int started;
	if (row == NULL) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	if (row->reason != NULL && g_str_has_prefix(row->reason,
	    STORE_DEFERRED_PREFIX)) {
		*proceed = TRUE;
		return tx_commit(st, own_tx, error);
	}
	started = attempts_started(row->reason);
	if (started < INGEST_MAX_ATTEMPTS) {
		g_autofree char *note = g_strdup_printf(ATTEMPT_PREFIX "%d",
		    started + 1);
		if (!store_message_defer(st, res->id, note, error)) {
			tx_rollback(st, own_tx);
			return FALSE;
		}
		log_info("<%s>: processing it again: %d earlier attempt%s did "
		    "not finish", msg->message_id, started, started == 1 ? "" :
		    "s");
		*proceed = TRUE;
		return tx_commit(st, own_tx, error);
	}
	res->outcome = INGEST_QUARANTINED;
	res->detail = g_strdup_printf("%d attempts to process it did not "
	    "finish; kept for inspection", started);
	if (!store_message_quarantine(st, res->id, res->detail, error)) {
		tx_rollback(st, own_tx);
		return FALSE;
	}
	log_warnx("<%s>: %s", msg->message_id, res->detail);
	return tx_commit(st, own_tx, error);
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
    struct message *msg, struct ingest_result *res, GError **error)
{
	g_autoptr(GError) err = NULL;

	if (!store_savepoint(st, "checkin", error))
		return FALSE;
	if (takers_dispatch(env, msg, res->id, clock_now(), &err))
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

/* Stores what was made of MSG, in STATE, with its thread: mail not yet
 * stored (res->id 0) in one write, stored mail updated. */
static gboolean
ingest_store(struct store *st, struct message *msg, const char *source,
    const char *state, gboolean conflict, struct ingest_result *res,
    GError **error)
{
	if (!thread_place(st, msg, &res->thread, error))
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
    struct tidings_ctx *env, struct ingest_result *res, GError **error)
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
	    (env != NULL && !ingest_checkin(st, env, msg, res, error))) {
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
	GBytes *raw;
	struct message *msg;	/* NULL when RAW is not mail at all */
	char *unparseable;	/* then why */
	enum verdict verdict;	/* of filters_prepare() */
	GError *filter_error;	/* a deferring filter's reason, or NULL */
};

struct ingest_prepared *
ingest_prepare(const struct conf *conf, GBytes *raw, gint64 now)
{
	struct ingest_prepared *prep = g_new0(struct ingest_prepared, 1);
	struct filter_ctx ctx = { .conf = conf };
	g_autoptr(GError) perr = NULL;

	prep->raw = g_bytes_ref(raw);
	prep->msg = message_parse(raw, now, &perr);
	if (prep->msg == NULL) {
		prep->unparseable = g_strdup(perr->message);
		return prep;
	}
	if (conf != NULL)
		ctx.address = conf_get(conf, "tidings", "address");
	prep->verdict = filters_prepare(prep->msg, &ctx);
	prep->filter_error = ctx.error;
	thread_key_prepare(prep->msg);
	return prep;
}

void
ingest_prepared_free(struct ingest_prepared *prep)
{
	if (prep == NULL)
		return;
	g_bytes_unref(prep->raw);
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
	struct message *msg = prep->msg;
	struct filter_ctx ctx = { .conf = conf };
	struct tidings_ctx env;
	gboolean proceed, conflict = FALSE, have_env, ok;
	enum verdict v;

	memset(res, 0, sizeof *res);
	if (msg == NULL)
		return ingest_unparseable(st, prep->raw, source, own_tx,
		    prep->unparseable, res, error);
	/* Odd mail is kept and processed; what was odd is said once. */
	for (guint i = 0; i < msg->problems->len; i++)
		log_info("<%s>: %s", msg->message_id,
		    (char *)msg->problems->pdata[i]);
	if (!ingest_keep(st, msg, source, own_tx, res, &proceed, &conflict,
	    error))
		return FALSE;
	if (!proceed)
		return TRUE;

	if (conf != NULL)
		ctx.address = conf_get(conf, "tidings", "address");
	/* Without an address, tidings has asked nobody anything. */
	have_env = conf != NULL && tidings_ctx_init(&env, st, conf, NULL);
	if (have_env) {
		ctx.domain = env.domain;
		ctx.lookup = take_answer_lookup;
		ctx.lookup_data = &env;
	}
	ctx.error = g_steal_pointer(&prep->filter_error);
	v = filters_finish(msg, &ctx, prep->verdict);
	res->kind = msg->kind;
	if (v == FILTER_DEFER)
		ok = ingest_defer(st, msg, source, own_tx, res, ctx.error,
		    error);
	else
		ok = ingest_process(st, msg, source, own_tx, conflict, v,
		    have_env && v != FILTER_DROP ? &env : NULL, res, error);
	g_clear_error(&ctx.error);
	if (have_env)
		tidings_ctx_clear(&env);
	return ok;
}

gboolean
ingest_mail(struct store *st, const struct conf *conf, GBytes *raw,
    const char *source, gboolean own_tx, struct ingest_result *res,
    GError **error)
{
	struct ingest_prepared *prep = ingest_prepare(conf, raw, clock_now());
	gboolean ok = ingest_commit(st, conf, prep, source, own_tx, res,
	    error);

	ingest_prepared_free(prep);
	return ok;
}
