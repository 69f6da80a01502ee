/* Out-of-office auto-replies that say when a member is back (avail-mail.c):
 * they mark the member away until then.  Responders answer the envelope
 * sender, tidings' bounce address for that mail and recipient: a reply
 * that came back there is vouched for (take_bounce_vouch()); any other
 * needs the trust rule. */
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
	.vouch = take_bounce_vouch,
	.take = avail_take_autoreply,
};
