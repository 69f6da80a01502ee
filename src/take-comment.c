/* Replies to a digest: comments on the answer they quote (digest-run.c),
 * relayed to its author. */
#include "config.h"

#include "digest-run.h"
#include "taker.h"

static gboolean
comment_match(struct tidings_ctx *ctx, const struct take *t)
{
	return digest_is_comment(ctx, t->msg);
}

const struct taker taker_comment = {
	.name = "comment",
	.match = comment_match,
	.changes_state = TRUE,
	.take = digest_take_comment,
};
