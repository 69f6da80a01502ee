/* Replies to a digest: comments on the answer they quote (digest-run.c),
 * relayed to its author; and replies to one that hold no text of their
 * own, which are no comment, and whose sender is told so once. */
#include "config.h"

#include <string.h>

#include "context.h"
#include "digest-run.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "store.h"
#include "store-checkin.h"
#include "taker.h"

/* Whether TEXT, a reply with quotes and signature cut, has a line of its
 * writer's: a mail that is nothing but its quote keeps the quote, and
 * that is no comment. */
static gboolean
has_own_text(const char *text)
{
	const char *p = text != NULL ? text : "";

	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		size_t i = 0;

		while (i < n && g_ascii_isspace(p[i]))
			i++;
		if (i < n && p[i] != '>')
			return TRUE;
		p += n + (end != NULL);
	}
	return FALSE;
}

static gboolean
comment_match(struct tidings_ctx *ctx, const struct take *t)
{
	return has_own_text(t->msg->reply != NULL ? t->msg->reply :
	    t->msg->text) && digest_is_comment(ctx, t->msg);
}

const struct taker taker_comment = {
	.name = "comment",
	.match = comment_match,
	.changes_state = TRUE,
	.take = digest_take_comment,
};

static gboolean
empty_comment_match(struct tidings_ctx *ctx, const struct take *t)
{
	return !has_own_text(t->msg->reply != NULL ? t->msg->reply :
	    t->msg->text) && digest_is_comment(ctx, t->msg);
}

/* Kept with why; its sender is told once for each digest they answer
 * so (the outbox's dedupe key), within the reply policy. */
static gboolean
empty_comment_take(struct tidings_ctx *ctx, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autofree char *from = g_ascii_strdown(msg->from != NULL ?
	    msg->from : "", -1);
	g_autofree char *key = g_strdup_printf("empty-comment:%s:%s", from,
	    msg->in_reply_to != NULL ? msg->in_reply_to : msg->message_id);
	g_autoptr(RenderVars) v = render_vars_new();

	log_info("<%s>: a reply to a digest with no text of its own: not a "
	    "comment", msg->message_id);
	if (!store_message_bind(ctx->st, t->id, 0, FALSE, "a reply to a "
	    "digest with no text of its own: not a comment", error))
		return FALSE;
	return reply_send_keyed(ctx, t, "reply-empty-comment", v, key, error);
}

const struct taker taker_comment_empty = {
	.name = "empty comment",
	.match = empty_comment_match,
	.changes_state = FALSE,
	.take = empty_comment_take,
};
