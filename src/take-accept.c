/* An owner's "accept" in reply to the notice of a proposed time: the
 * meeting moves there (meet.c). */
#include "config.h"

#include "meet.h"
#include "taker.h"

static gboolean
accept_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return meet_is_accept(t->msg);
}

const struct taker taker_accept = {
	.name = "accept",
	.match = accept_match,
	/* It moves a meeting for everyone: only an owner, as the trust rule
	 * vouches for their From. */
	.changes_state = TRUE,
	.take = meet_take_accept,
};
