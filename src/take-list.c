/* The digest lists' mail (subscription.c): subscribe, confirm and
 * unsubscribe requests.  Their bounces are take-bounce.c's. */
#include "config.h"

#include "subscription.h"
#include "taker.h"

static gboolean
list_match(struct tidings_ctx *ctx, const struct take *t)
{
	return subscription_is_command(ctx, t->msg);
}

const struct taker taker_list = {
	.name = "list",
	.match = list_match,
	/* A list request carries its own authority: the token of the
	 * address it was sent to, which only the subscriber received. */
	.changes_state = FALSE,
	.take = subscription_take,
};
