/* The takers' table and the dispatcher; see takers.h. */
#include "config.h"

#include "taker.h"
#include "takers.h"

/* In order: the first that matches takes the mail.  Calendar answers are
 * the meetings' whatever else they look like; bounces and list commands
 * come before comments, and commands before answers, since a reply to a
 * prompt may hold a command. */
static const struct taker *const takers[] = {
	&taker_itip,
	&taker_autoreply,
	&taker_list,
	&taker_comment,
	&taker_command,
	&taker_answer,
};

gboolean
takers_dispatch(struct tidings_ctx *ctx, const struct message *msg, gint64 id,
    gint64 now, GError **error)
{
	struct take t = { .msg = msg, .id = id, .now = now };

	for (gsize i = 0; i < G_N_ELEMENTS(takers); i++)
		if (takers[i]->match(ctx, &t))
			return takers[i]->take(ctx, &t, error);
	return TRUE;
}
