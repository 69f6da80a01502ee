/* Check-in answers: a reply to a prompt, its text per question as the
 * answer filter split it, counted when the trust rule says the member
 * wrote it and kept uncounted, with why, when not. */
#include "config.h"

#include <string.h>

#include "context.h"
#include "filter.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-checkin.h"
#include "taker.h"
#include "takers.h"
#include "token.h"

struct filter_prompt *
take_answer_lookup(struct filter_ctx *ctx, const char *token, GPtrArray *ids)
{
	struct tidings_ctx *env = ctx->lookup_data;
	g_autoptr(Prompt) p = NULL;
	g_autoptr(Checkin) c = NULL;
	g_autofree char *presented = NULL, *tsub = NULL;
	struct filter_prompt *fp;

	if (token != NULL && (p = store_prompt_by_token(env->st, token,
	    NULL)) != NULL)
		presented = g_strdup(token);
	for (guint i = 0; p == NULL && ids != NULL && i < ids->len; i++) {
		const char *id = ids->pdata[i];
		/* A reply to a reminder answers its prompt, whose
		 * Message-ID the reminder's is under another name. */
		g_autofree char *prompt_id = g_str_has_prefix(id,
		    "reminder-") ? g_strconcat("prompt-", id + 9, NULL) : NULL;
		if ((p = store_prompt_by_message_id(env->st, prompt_id != NULL ?
		    prompt_id : id, NULL)) != NULL)
			presented = g_strdup(p->token);
	}
	if (p == NULL)
		return NULL;
	/* The database found a row; the token that found it must be the one
	 * tidings signed for this check-in, person and occurrence, compared
	 * in constant time. */
	tsub = token_prompt_subject(p->checkin_id, p->email, p->occurrence);
	if (tidings_ctx_secret(env, NULL) == NULL ||
	    !token_check(env->secret, "prompt", tsub, presented)) {
		log_warnx("prompt %" G_GINT64_FORMAT ": its token is not "
		    "signed with this secret", p->id);
		return NULL;
	}
	if ((c = store_checkin_get(env->st, p->checkin_id, NULL)) == NULL)
		return NULL;
	fp = g_new0(struct filter_prompt, 1);
	fp->id = p->id;
	fp->person = g_strdup(p->email);
	fp->questions = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < c->questions->len; i++)
		g_ptr_array_add(fp->questions, g_strdup(((struct question *)
		    c->questions->pdata[i])->text));
	return fp;
}

/* The reason of answers that came after their check-in closed. */
#define LATE_REASON "it came after the check-in closed"

/* Whether an answer to prompt ID came late before: the member was told. */
static gboolean
told_late(struct store *st, gint64 id, gboolean *told, GError **error)
{
	g_autoptr(GPtrArray) answers = store_answer_list(st, id, error);

	*told = FALSE;
	if (answers == NULL)
		return FALSE;
	for (guint i = 0; i < answers->len && !*told; i++) {
		const struct answer *a = answers->pdata[i];
		*told = !a->counted && g_strcmp0(a->reason, LATE_REASON) == 0;
	}
	return TRUE;
}

/* Tells the member, once per prompt, that their answer came after the
 * close and does not count. */
static gboolean
tell_late(struct tidings_ctx *env, struct take *t, const struct prompt *p,
    const struct checkin *c, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *closed = sched_format(p->zone, p->closes_at,
	    "%A %-d %B, %H:%M");

	render_vars_set(v, "member_name", p->name != NULL ? p->name : "");
	render_vars_set(v, "checkin", c->title);
	render_vars_set(v, "closed", closed != NULL ? closed : "");
	return reply_send(env, t, "reply-late", v, error);
}

static gboolean
answer_take(struct tidings_ctx *env, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	gint64 id = t->id, now = t->now;
	g_autoptr(Prompt) p = store_prompt_get(env->st, msg->prompt_id, error);
	g_autoptr(Checkin) c = NULL;
	const char *why = t->why, *reason = NULL;
	gboolean counted = t->trusted, any = FALSE, late, told = TRUE;

	if (p == NULL ||
	    (c = store_checkin_get(env->st, p->checkin_id, error)) == NULL)
		return FALSE;
	if (!counted)
		reason = why;
	/* After the close an answer is kept and shown, not counted: the
	 * check-in's --close says when answers end, a replay included. */
	late = p->closes_at > 0 && now > p->closes_at;
	if (late && counted) {
		counted = FALSE;
		reason = LATE_REASON;
		if (!told_late(env->st, p->id, &told, error))
			return FALSE;
	}
	if (!store_message_bind(env->st, id, p->id, counted, why, error))
		return FALSE;
	for (guint i = 0; msg->answers != NULL && i < msg->answers->len &&
	    i < c->questions->len; i++) {
		const char *text = msg->answers->pdata[i];
		const struct question *q = c->questions->pdata[i];
		if (text == NULL)
			continue;
		if (!store_answer_add(env->st, p->id, q->id, id, text, counted,
		    reason, now, error))
			return FALSE;
		any = TRUE;
	}
	if (reason != NULL)
		log_warnx("<%s>: not counted: %s", msg->message_id, reason);
	if (!told && any && !tell_late(env, t, p, c, error))
		return FALSE;
	if (!counted || !any)
		return TRUE;
	log_info("checkin: %s answered %s", p->email, c->title);
	return store_prompt_set_state(env->st, p->id, "answered", NULL, now,
	    error);
}

static gboolean
answer_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return t->msg->command == ANSWER_COMMAND_NONE && t->msg->prompt_id != 0;
}

const struct taker taker_answer = {
	.name = "answer",
	.match = answer_match,
	/* Every answer is kept; it counts only when the verdict holds. */
	.changes_state = FALSE,
	.take = answer_take,
};
