/* The reply policy and replies; see replies.h. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "context.h"
#include "detect.h"
#include "filter.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-checkin.h"
#include "taker.h"
#include "token.h"

char *
reply_list_id(struct tidings_ctx *ctx, const struct team *team)
{
	return g_strdup_printf("%s <%s.%s>", *team->title != '\0' ?
	    team->title : team->name, team->name, ctx->domain);
}

gboolean
reply_queue(struct tidings_ctx *ctx, const char *kind, const char *key,
    const char *to, GBytes *raw, const char *message_id, const char *subject,
    gint64 now, GError **error)
{
	const char *rcpt[] = { to, NULL };
	struct outbox_mail m = {
		.dedupe_key = key,
		.kind = kind,
		.sender = ctx->address,
		.recipients = rcpt,
		.raw = raw,
		.message_id = message_id,
		.subject = subject,
	};

	return store_outbox_add(ctx->st, &m, now, NULL, error);
}

const char *
reply_no_answer(const struct tidings_ctx *ctx, const struct message *msg)
{
	struct detect d;

	if (msg->from == NULL)
		return "it has no From address";
	if (msg->kind == MESSAGE_SENT)
		return "tidings sent it";
	if (msg->kind == MESSAGE_BOUNCE)
		return "it is a bounce";
	detect_machine(msg, ctx->address, ctx->domain, &d);
	if (d.sender != DETECT_PERSON)
		return d.why;
	/* What the filters found beyond the headers (an unmarked
	 * out-of-office text, a bounce's shape). */
	if (msg->auto_generated || msg->kind == MESSAGE_AUTOREPLY)
		return "a machine sent it";
	return NULL;
}

gboolean
reply_may(struct tidings_ctx *ctx, struct take *t, gboolean *may,
    GError **error)
{
	const struct message *msg = t != NULL ? t->msg : NULL;
	const char *why;
	gint64 per_sender, per_hour;
	gboolean first;

	*may = TRUE;
	if (msg == NULL || msg->kind == MESSAGE_BOUNCE)
		return TRUE;
	if (t->may_answer != 0) {
		*may = t->may_answer > 0;
		return TRUE;
	}
	if ((why = reply_no_answer(ctx, msg)) != NULL) {
		log_info("<%s>: not answered: %s", msg->message_id, why);
		*may = FALSE;
	} else {
		per_sender = (gint64)conf_get_number(ctx->conf, "limits",
		    "replies-per-sender");
		per_hour = (gint64)conf_get_number(ctx->conf, "limits",
		    "replies-per-hour");
		if (!store_reply_limit(ctx->st, msg->from, t->now, per_sender,
		    per_hour, may, &first, error))
			return FALSE;
		if (!*may && first)
			log_warnx("%s: mail from this address is no longer "
			    "answered this hour: the limit is %" G_GINT64_FORMAT
			    " answers to one sender and %" G_GINT64_FORMAT
			    " in all ([limits])", msg->from, per_sender,
			    per_hour);
	}
	t->may_answer = *may ? 1 : -1;
	return TRUE;
}

gboolean
reply_send(struct tidings_ctx *ctx, struct take *t, const char *name,
    struct render_vars *vars, GError **error)
{
	return reply_send_keyed(ctx, t, name, vars, NULL, error);
}

gboolean
reply_send_keyed(struct tidings_ctx *ctx, struct take *t, const char *name,
    struct render_vars *vars, const char *dedupe_key, GError **error)
{
	const struct message *msg = t->msg;
	g_autofree char *mid = g_strdup_printf("reply-%" G_GINT64_FORMAT
	    ".%.12s@%s", t->id, msg->content_hash, ctx->domain);
	g_autofree char *key = dedupe_key != NULL ? g_strdup(dedupe_key) :
	    g_strdup_printf("reply:%" G_GINT64_FORMAT, t->id);
	g_autofree char *marker = g_strdup_printf("reply %" G_GINT64_FORMAT,
	    t->id);
	g_autofree char *subject = NULL;
	g_autofree char *help = token_address(ctx->address, ctx->domain,
	    "help");
	g_autoptr(GString) refs = g_string_new(NULL);
	g_autoptr(GBytes) raw = NULL;
	gboolean may;
	struct render_headers h = {
		.from = ctx->address,
		.to_name = msg->from_name,
		.to = msg->from,
		.message_id = mid,
		.in_reply_to = msg->message_id,
		.auto_submitted = "auto-replied",
		.marker = marker,
		.date = t->now,
	};

	if (!reply_may(ctx, t, &may, error))
		return FALSE;
	if (!may)
		return TRUE;
	for (guint i = 0; msg->references != NULL &&
	    i < msg->references->len; i++)
		g_string_append_printf(refs, "%s%s", i > 0 ? " " : "",
		    (char *)msg->references->pdata[i]);
	h.references = refs->len > 0 ? refs->str : NULL;
	render_vars_set(vars, "address", ctx->address);
	render_vars_set(vars, "help_address", help);
	raw = render_mail(ctx->render, name, &h, vars, &subject, error);
	return raw != NULL && reply_queue(ctx, "reply", key, msg->from, raw,
	    mid, subject, t->now, error);
}
