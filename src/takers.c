/* The takers' table and the dispatcher; see takers.h. */
#include "config.h"

#include "context.h"
#include "log.h"
#include "store.h"
#include "taker.h"
#include "takers.h"
#include "trust.h"

/* In order: the first that matches takes the mail, which is not given to
 * one that changes state unless the trust verdict holds.  Calendar answers are
 * the meetings' whatever else they look like; bounces and list commands
 * come before comments, and commands before answers, since a reply to a
 * prompt may hold a command; urgent mail comes by its own addresses. */
static const struct taker *const takers[] = {
	&taker_itip,
	&taker_autoreply,
	&taker_list,
	&taker_urgent,
	&taker_urgent_reply,
	&taker_comment,
	&taker_command,
	&taker_query,
	&taker_blocker,
	&taker_answer,
};

gboolean
takers_dispatch(struct tidings_ctx *ctx, const struct message *msg, gint64 id,
    gint64 now, GError **error)
{
	struct take t = { .msg = msg, .id = id, .now = now };
	g_autofree char *why = NULL;
	const struct taker *tk = NULL;

	for (gsize i = 0; tk == NULL && i < G_N_ELEMENTS(takers); i++)
		if (takers[i]->match(ctx, &t))
			tk = takers[i];
	if (tk == NULL)
		return TRUE;
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
