/* Out-of-office auto-replies that say when a member is back (avail-mail.c):
 * they mark the member away until then. */
#include "config.h"

#include "avail-mail.h"
#include "taker.h"

static gboolean
autoreply_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return t->msg->out_of_office;
}

const struct taker taker_autoreply = {
	.name = "autoreply",
	.match = autoreply_match,
	.changes_state = TRUE,
	.take = avail_take_autoreply,
};
