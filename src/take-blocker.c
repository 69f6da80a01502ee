/* Answers to a check-in that has a blocker question: taken as answers
 * are (take-answer.c), then followed as blockers (blocker.c), which only
 * the member, under the trust verdict, opens, updates or resolves. */
#include "config.h"

#include "blocker.h"
#include "context.h"
#include "store.h"
#include "store-checkin.h"
#include "store-blocker.h"
#include "taker.h"

/* A reply to a prompt of a check-in that asks for blockers, or of a
 * member with an open blocker in its team (whose prompt asks about it). */
static gboolean
blocker_match(struct tidings_ctx *ctx, const struct take *t)
{
	g_autoptr(Prompt) p = NULL;
	g_autoptr(Checkin) c = NULL;
	g_autoptr(Blocker) open = NULL;

	if (!taker_answer.match(ctx, t) ||
	    (p = store_prompt_get(ctx->st, t->msg->prompt_id, NULL)) == NULL ||
	    (c = store_checkin_get(ctx->st, p->checkin_id, NULL)) == NULL)
		return FALSE;
	for (guint i = 0; i < c->questions->len; i++)
		if (((struct question *)c->questions->pdata[i])->blocker)
			return TRUE;
	return store_blocker_current(ctx->st, c->team_id, p->person_id, &open,
	    NULL) && open != NULL;
}

static gboolean
blocker_take(struct tidings_ctx *ctx, struct take *t, GError **error)
{
	return taker_answer.take(ctx, t, error) &&
	    blocker_take_answer(ctx, t, error);
}

const struct taker taker_blocker = {
	.name = "blocker",
	.match = blocker_match,
	/* Every answer is kept, as an answer is; the blocker follows only
	 * when the verdict holds (blocker_take_answer()). */
	.changes_state = FALSE,
	.take = blocker_take,
};
