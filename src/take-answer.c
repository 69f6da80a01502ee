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
#include "store-team.h"
#include "taker.h"
#include "takers.h"
#include "token.h"
#include "trust.h"

/* Whether ID may be a prompt's Message-ID or a reminder's: tidings has
 * made them "prompt-..." and "reminder-..." since its first check-in
 * (checkin.c), so that no other is looked up; most mail answers none. */
static gboolean
may_be_prompt(const char *id)
{
	return g_str_has_prefix(id, "prompt-") ||
	    g_str_has_prefix(id, "reminder-");
}

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

		if (!may_be_prompt(id))
			continue;
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

/* The reason of answers that came to the team's address, waiting for the
 * member to confirm them. */
#define CONFIRM_REASON "it came to the team's address, not the member's " \
	"reply address: it counts when the member confirms it"

/* What a confirmation's token signs: P's check-in, person and
 * occurrence, under a purpose of its own, so that it is no prompt's
 * token and no prompt's token is it. */
static char *
confirm_token(struct tidings_ctx *env, const struct prompt *p)
{
	g_autofree char *sub = token_prompt_subject(p->checkin_id, p->email,
	    p->occurrence);

	return token_make(env->secret, "answer-confirm", sub);
}

/* LOCAL+answer-ID-TOKEN@DOMAIN: where the member confirms the answers to
 * prompt P that came to the team's address.  NULL without a secret. */
static char *
confirm_address(struct tidings_ctx *env, const struct prompt *p)
{
	g_autofree char *token = NULL, *detail = NULL;

	if (tidings_ctx_secret(env, NULL) == NULL)
		return NULL;
	token = confirm_token(env, p);
	detail = g_strdup_printf("answer-%" G_GINT64_FORMAT "-%s", p->id,
	    token);
	return token_address(env->address, env->domain, detail);
}

/* The prompt id and token of DETAIL, a confirmation address's
 * ("answer-ID-TOKEN", any case); FALSE for any other. */
static gboolean
confirm_parse(const char *detail, gint64 *id, char **token)
{
	const char *p;
	char *end;

	if (detail == NULL || g_ascii_strncasecmp(detail, "answer-", 7) != 0 ||
	    !g_ascii_isdigit(detail[7]))
		return FALSE;
	*id = (gint64)g_ascii_strtoll(detail + 7, &end, 10);
	if (*id <= 0 || *end != '-')
		return FALSE;
	p = end + 1;
	if (strlen(p) != TOKEN_LENGTH)
		return FALSE;
	*token = g_strdup(p);
	return TRUE;
}

/* Characters of the answers a confirmation notice shows at most. */
#define CONFIRM_SHOWN 4000

/* The answers of the mail T takes, question above answer, for the member
 * to see what they confirm; cut after CONFIRM_SHOWN characters. */
static char *
answers_text(const struct message *msg, const struct checkin *c)
{
	GString *s = g_string_new(NULL);
	glong n;

	for (guint i = 0; msg->answers != NULL && i < msg->answers->len &&
	    i < c->questions->len; i++) {
		const char *text = msg->answers->pdata[i];
		if (text == NULL)
			continue;
		g_string_append_printf(s, "%s%u. %s\n%s\n", s->len > 0 ? "\n" :
		    "", i + 1, ((struct question *)c->questions->pdata[i])->text,
		    text);
	}
	if ((n = g_utf8_strlen(s->str, -1)) > CONFIRM_SHOWN) {
		g_string_truncate(s, (gsize)(g_utf8_offset_to_pointer(s->str,
		    CONFIRM_SHOWN) - s->str));
		g_string_append(s, "\n[...]\n");
	}
	return g_string_free(s, FALSE);
}

/* Mails the member P asked, at the address tidings keeps for them, the
 * answers of the mail T takes, which came to the team's address: a reply
 * to this notice, to an address of its own, confirms them.  Within the
 * reply policy, as any answer to a mail. */
static gboolean
tell_confirm(struct tidings_ctx *env, struct take *t, const struct prompt *p,
    const struct checkin *c, GError **error)
{
	const struct message *msg = t->msg;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(Team) team = store_team_get(env->st, c->team, NULL);
	g_autofree char *reply_to = confirm_address(env, p);
	g_autofree char *mid = g_strdup_printf("answer-confirm-%"
	    G_GINT64_FORMAT ".%.12s@%s", t->id, msg->content_hash, env->domain);
	g_autofree char *key = g_strdup_printf("answer-confirm:%"
	    G_GINT64_FORMAT, t->id);
	g_autofree char *marker = g_strdup_printf("reply %" G_GINT64_FORMAT,
	    t->id);
	g_autofree char *answers = answers_text(msg, c), *subject = NULL;
	g_autofree char *date = sched_format(p->zone, p->due_at, "%A %-d %B");
	g_autoptr(GBytes) raw = NULL;
	gboolean may;
	struct render_headers h = {
		.from_name = team != NULL ? (*team->title != '\0' ?
		    team->title : team->name) : NULL,
		.from = env->address,
		.to_name = p->name,
		.to = p->email,
		.reply_to = reply_to,
		.message_id = mid,
		.in_reply_to = msg->message_id,
		.auto_submitted = "auto-replied",
		.marker = marker,
		.date = t->now,
	};

	if (reply_to == NULL) {
		log_warnx("<%s>: no secret to sign a confirmation address with: "
		    "the member is not asked to confirm", msg->message_id);
		return TRUE;
	}
	if (!reply_may(env, t, &may, error))
		return FALSE;
	if (!may)
		return TRUE;
	render_vars_set(v, "member_name", p->name != NULL ? p->name : "");
	render_vars_set(v, "checkin", c->title);
	render_vars_set(v, "team_title", h.from_name != NULL ? h.from_name :
	    "");
	render_vars_set(v, "local_date", date != NULL ? date : "");
	render_vars_set(v, "answers", answers);
	render_vars_set(v, "address", env->address);
	render_vars_set(v, "confirm_address", reply_to);
	raw = render_mail(env->render, "reply-confirm-answer", &h, v, &subject,
	    error);
	log_info("<%s>: an answer of %s to %s came to the team's address: "
	    "asked to confirm it", msg->message_id, p->email, c->title);
	return raw != NULL && reply_queue(env, "reply", key, p->email, raw, mid,
	    subject, t->now, error);
}

/* Tells the sender of the mail T takes, a reply to a prompt of C, that it
 * does not count, WHY, and what to do. */
static gboolean
tell_uncounted(struct tidings_ctx *env, struct take *t,
    const struct checkin *c, const char *why, const char *advice,
    GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(Person) person = t->msg->from != NULL ?
	    store_person_get(env->st, t->msg->from, NULL) : NULL;

	if (person != NULL && *person->name != '\0')
		render_vars_set(v, "member_name", person->name);
	render_vars_set(v, "checkin", c->title);
	render_vars_set(v, "reason", why);
	render_vars_set(v, "advice", advice);
	log_info("<%s>: its sender is told it does not count: %s",
	    t->msg->message_id, why);
	return reply_send(env, t, "reply-uncounted", v, error);
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
	gboolean confirm = FALSE;

	if (p == NULL ||
	    (c = store_checkin_get(env->st, p->checkin_id, error)) == NULL)
		return FALSE;
	if (!counted)
		reason = why;
	/* After the close an answer is kept and shown, not counted: the
	 * check-in's --close says when answers end, a replay included. */
	late = p->closes_at > 0 && now > p->closes_at;
	if (late) {
		counted = FALSE;
		reason = LATE_REASON;
		if (!told_late(env->st, p->id, &told, error))
			return FALSE;
	} else if (!counted && !env->archive && msg->token == NULL &&
	    trust_same_address(msg->from, p->email)) {
		/* The member's client answered the team's address: their
		 * mailbox, asked at once, vouches for it. */
		confirm = TRUE;
		reason = CONFIRM_REASON;
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
	if (!any)
		/* Nothing to count: an empty reply, or only the quote. */
		return tell_uncounted(env, t, c, "no answer could be read in it",
		    "Reply to the prompt again and write your answers under "
		    "the numbered questions, or above the quoted prompt.",
		    error);
	if (late)
		return told || tell_late(env, t, p, c, error);
	if (confirm)
		return tell_confirm(env, t, p, c, error);
	if (!counted)
		return tell_uncounted(env, t, c, why,
		    trust_same_address(msg->from, p->email) ?
		    "Reply to the prompt itself, so that your answer goes to "
		    "the address in its Reply-To, which is yours alone." :
		    "A prompt is answered by the person it was sent to, from "
		    "their own address; to answer your own, reply to the "
		    "prompt tidings sent you.", error);
	log_info("checkin: %s answered %s", p->email, c->title);
	return store_prompt_set_state(env->st, p->id, PROMPT_ANSWERED, NULL,
	    now,
	    error);
}

/* Whether the mail T takes came to a confirmation address
 * (confirm_address()). */
static gboolean
confirm_match(struct tidings_ctx *ctx, const struct take *t)
{
	g_autofree char *token = NULL;
	gint64 id;

	(void)ctx;
	return confirm_parse(t->msg->token, &id, &token);
}

/* The dispatcher's proof for a reply to a confirmation notice: it came to
 * the address signed for the prompt it names, which went only to the
 * member's own address, from that address. */
static gboolean
confirm_vouch(struct tidings_ctx *env, const struct take *t, char **why)
{
	const struct message *msg = t->msg;
	g_autofree char *token = NULL, *expected = NULL;
	g_autoptr(Prompt) p = NULL;
	gint64 id;

	*why = NULL;
	if (!confirm_parse(msg->token, &id, &token))
		return FALSE;
	p = store_prompt_get(env->st, id, NULL);
	if (p == NULL || tidings_ctx_secret(env, NULL) == NULL ||
	    !token_equal(token, expected = confirm_token(env, p))) {
		*why = g_strdup("a confirmation to an address tidings did not "
		    "sign");
		return FALSE;
	}
	if (!trust_same_address(msg->from, p->email)) {
		*why = g_strdup("a confirmation not sent by the member the "
		    "prompt asked");
		return FALSE;
	}
	*why = g_strdup("from the member, to their confirmation address");
	return TRUE;
}

/* A reply to a confirmation notice: when it comes from the member's own
 * address to the address signed for their prompt, the answers they sent
 * to the team's address for it count, and they are told so.  Anything
 * else counts nothing and is not answered, as a forgery is not. */
static gboolean
confirm_take(struct tidings_ctx *env, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autofree char *token = NULL, *expected = NULL;
	g_autoptr(Prompt) p = NULL;	/* the prompt it names */
	g_autoptr(Checkin) c = NULL;
	g_autoptr(GPtrArray) answers = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(RenderVars) v = render_vars_new();
	gint64 id, confirmed = 0;
	const char *bad = NULL;

	if (!confirm_parse(msg->token, &id, &token))
		return TRUE;
	p = store_prompt_get(env->st, id, &err);
	if (p == NULL && !g_error_matches(err, STORE_ERROR,
	    STORE_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	if (p == NULL || tidings_ctx_secret(env, NULL) == NULL ||
	    !token_equal(token, expected = confirm_token(env, p)))
		bad = "a confirmation to an address tidings did not sign";
	else if (!trust_same_address(msg->from, p->email))
		bad = "a confirmation not sent by the member the prompt asked";
	else if (reply_no_answer(env, msg) != NULL)
		bad = "a confirmation sent by a machine";
	if (bad != NULL) {
		log_warnx("<%s>: %s: nothing counted", msg->message_id, bad);
		return store_message_bind(env->st, t->id, 0, FALSE, bad, error);
	}
	if ((c = store_checkin_get(env->st, p->checkin_id, error)) == NULL ||
	    (answers = store_answer_list(env->st, p->id, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < answers->len; i++) {
		const struct answer *a = answers->pdata[i];
		if (a->counted || g_strcmp0(a->reason, CONFIRM_REASON) != 0)
			continue;
		if (!store_answer_count(env->st, a->id, error) ||
		    !store_message_bind(env->st, a->message, p->id, TRUE,
		    "from the member, confirmed from their mailbox", error))
			return FALSE;
		confirmed++;
	}
	if (!store_message_bind(env->st, t->id, 0, TRUE, "from the member, to "
	    "their confirmation address", error))
		return FALSE;
	log_info("<%s>: %s confirmed %" G_GINT64_FORMAT " answer(s) to %s",
	    msg->message_id, p->email, confirmed, c->title);
	if (confirmed == 0)
		return TRUE;
	render_vars_set(v, "member_name", p->name != NULL ? p->name : "");
	render_vars_set(v, "checkin", c->title);
	if (!reply_send(env, t, "reply-confirmed", v, error))
		return FALSE;
	if (p->state == PROMPT_ANSWERED)
		return TRUE;
	log_info("checkin: %s answered %s", p->email, c->title);
	return store_prompt_set_state(env->st, p->id, PROMPT_ANSWERED, NULL,
	    t->now,
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

const struct taker taker_answer_confirm = {
	.name = "answer confirmation",
	.match = confirm_match,
	/* It makes answers count: only with the verdict, whose proof is
	 * the signed address of a notice that went only to the member's own
	 * address, and their From (confirm_vouch()). */
	.changes_state = TRUE,
	.vouch = confirm_vouch,
	.take = confirm_take,
};
