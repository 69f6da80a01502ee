/* Urgent mail (urgent.c): mail to LOCAL+urgent-TEAM@, sent on to whoever
 * works now, which changes state and so needs the trust verdict; and the
 * replies to its copies, whose acknowledgement takes it under the same
 * rule with the copy's own reply address, which urgent.c checks, since
 * only it knows the address it gave. */
#include "config.h"

#include "filter.h"
#include "taker.h"
#include "urgent.h"

static gboolean
urgent_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return t->msg->command == ANSWER_COMMAND_URGENT;
}

const struct taker taker_urgent = {
	.name = "urgent",
	.match = urgent_match,
	.changes_state = TRUE,
	.take = urgent_take,
};

static gboolean
urgent_reply_match(struct tidings_ctx *ctx, const struct take *t)
{
	return urgent_is_reply(ctx, t->msg);
}

const struct taker taker_urgent_reply = {
	.name = "urgent reply",
	.match = urgent_reply_match,
	/* Every reply is kept; only the recipient's acknowledgement, to the
	 * reply address of their copy or vouched for by a trusted server,
	 * takes the mail (urgent_take_reply()). */
	.changes_state = FALSE,
	.take = urgent_take_reply,
};
