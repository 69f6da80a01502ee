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
	/* An attendee's answer: it speaks for them when it came to their own
	 * address for the meeting (the ORGANIZER of their invitation), or
	 * by the trust rule. */
	.changes_state = TRUE,
	.vouch = meet_vouch,
	.take = meet_take,
};
