/* Meeting replies: an attendee's iTIP REPLY or COUNTER (meet.c). */
#include "config.h"

#include "meet.h"
#include "taker.h"

static gboolean
itip_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return meet_is_itip(t->msg);
}

const struct taker taker_itip = {
	.name = "itip",
	.match = itip_match,
	/* Matched to the attendee by the meeting's UID and their address, as
	 * calendar programs answer; the trust rule is not asked. */
	.changes_state = FALSE,
	.take = meet_take,
};
