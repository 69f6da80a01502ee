/* The takers' table and the dispatcher; see takers.h. */
#include "config.h"

#include "context.h"
#include "log.h"
#include "store.h"
#include "store-checkin.h"
#include "taker.h"
#include "takers.h"
#include "trust.h"

/* In order: the first that matches takes the mail, which is not given to
 * one that changes state unless the trust verdict holds.  Calendar answers are
 * the meetings' whatever else they look like; bounces and list commands
 * come before comments, and commands before answers, since a reply to a
 * prompt may hold a command; urgent mail comes by its own addresses, and
 * confirmations of answers by theirs, whatever their first line says. */
static const struct taker *const takers[] = {
	&taker_itip,
	&taker_autoreply,
	&taker_bounce,
	&taker_list,
	&taker_answer_confirm,
	&taker_urgent,
	&taker_urgent_reply,
	&taker_comment_empty,
	&taker_comment,
	&taker_accept,
	&taker_command,
	&taker_query,
	&taker_blocker,
	&taker_answer,
};

/* The taker of the table that takes T's mail, or NULL. */
static const struct taker *
taker_of(struct tidings_ctx *ctx, const struct take *t)
{
	for (gsize i = 0; i < G_N_ELEMENTS(takers); i++)
		if (takers[i]->match(ctx, t))
			return takers[i];
	return NULL;
}

struct takers_prepared {
	const struct taker *tk;
	gpointer data;
};

struct takers_prepared *
takers_prepare(struct tidings_ctx *ctx, const struct message *msg,
    gint64 now)
{
	struct take t = { .msg = msg, .now = now };
	const struct taker *tk = taker_of(ctx, &t);
	struct takers_prepared *prep;

	if (tk == NULL)
		return NULL;
	prep = g_new0(struct takers_prepared, 1);
	prep->tk = tk;
	if (tk->prepare != NULL)
		prep->data = tk->prepare(ctx, &t);
	return prep;
}

void
takers_prepared_free(struct takers_prepared *prep)
{
	if (prep == NULL)
		return;
	if (prep->data != NULL)
		prep->tk->prepared_free(prep->data);
	g_free(prep);
}

gboolean
takers_dispatch(struct tidings_ctx *ctx, const struct message *msg, gint64 id,
    gint64 now, const struct takers_prepared *prep, GError **error)
{
	struct take t = { .msg = msg, .id = id, .now = now };
	g_autofree char *why = NULL;
	const struct taker *tk = prep != NULL ? prep->tk : taker_of(ctx, &t);

	if (tk == NULL)
		return TRUE;
	if (prep != NULL)
		t.prepared = prep->data;
	if (ctx->archive) {
		/* An archive is history: its answers are recorded as of the
		 * day they were written, and nothing else is done again (an
		 * answer with a blocker is recorded, no blocker followed). */
		if (tk == &taker_blocker)
			tk = &taker_answer;
		if (tk != &taker_answer)
			return !tk->changes_state || store_message_bind(ctx->st,
			    id, msg->prompt_id, FALSE, "read from an archive: "
			    "not carried out (import --process acts on it)",
			    error);
		if (!msg->date_from_arrival)
			t.now = msg->date;
		t.may_answer = -1;
	}
	if (tk->vouch != NULL) {
		g_autofree char *proof = NULL;
		gboolean holds = tk->vouch(ctx, &t, &proof);
		t.trusted = trust_verdict_proof(ctx->st, msg, holds, proof,
		    &why);
	} else
		t.trusted = trust_verdict(ctx->st, msg, &why);
	t.why = why;
	if (tk->changes_state && !t.trusted) {
		/* Kept, with why; nothing changes and nobody is answered. */
		log_warnx("<%s>: %s not carried out: %s", msg->message_id,
		    tk->name, why);
		return store_message_bind(ctx->st, id, msg->prompt_id, FALSE,
		    why, error);
	}
	return tk->take(ctx, &t, error);
}
