/* Mail commands: skip, pause until DATE, resume, help, availability and
 * who, written to a command address (LOCAL+help@, LOCAL+availability@,
 * ...) or as the first line of a reply to a prompt. */
#include "config.h"

#include <string.h>

#include "avail-mail.h"
#include "context.h"
#include "filter.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "taker.h"
#include "token.h"
#include "trust.h"
#include "value.h"

static const char *
person_name(const char *name, const char *email)
{
	return name != NULL && *name != '\0' ? name : email;
}

static gboolean
skip_open(struct tidings_ctx *env, const struct message *msg,
    const struct person *person, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) open = NULL;

	if (msg->prompt_id != 0)
		return store_prompt_set_state(env->st, msg->prompt_id,
		    "skipped", "skipped by mail", now, error);
	if ((open = store_prompt_open(env->st, person->id, now,
	    error)) == NULL)
		return FALSE;
	for (guint i = 0; i < open->len; i++) {
		const struct prompt *p = open->pdata[i];
		if (strcmp(p->state, "sent") == 0 &&
		    !store_prompt_set_state(env->st, p->id, "skipped",
		    "skipped by mail", now, error))
			return FALSE;
	}
	return TRUE;
}

/* Carries out the command of the mail T takes for PERSON and says what
 * it did. */
static gboolean
carry_out(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	const struct message *msg = t->msg;
	gint64 now = t->now;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(GError) bad = NULL;
	g_autofree char *until_text = NULL;
	const char *name;
	gint64 until;

	render_vars_set(v, "member_name", person_name(person->name,
	    person->email));
	switch ((enum answer_command)msg->command) {
	case ANSWER_COMMAND_SKIP:
		if (!skip_open(env, msg, person, now, error))
			return FALSE;
		name = "reply-skip";
		break;
	case ANSWER_COMMAND_PAUSE:
		until = value_parse_until(msg->command_arg, person->zone, now,
		    &bad);
		if (until == 0) {
			g_autofree char *line = g_strdup_printf("pause %s",
			    msg->command_arg != NULL ? msg->command_arg : "");
			render_vars_set(v, "line", g_strstrip(line));
			render_vars_set(v, "reason", bad->message);
			name = "reply-error";
			break;
		}
		if (!store_person_pause(env->st, person->id, until, error))
			return FALSE;
		until_text = sched_format(person->zone, until, "%A %-d %B %Y");
		render_vars_set(v, "until", until_text);
		name = "reply-pause";
		break;
	case ANSWER_COMMAND_RESUME:
		if (!store_person_pause(env->st, person->id, 0, error))
			return FALSE;
		name = "reply-resume";
		break;
	case ANSWER_COMMAND_HELP: {
		g_autofree char *urgent = token_address(env->address,
		    env->domain, "urgent");
		render_vars_set(v, "urgent_address", urgent != NULL ? urgent :
		    "");
		name = "reply-help";
		break;
	}
	case ANSWER_COMMAND_AVAILABILITY:
	case ANSWER_COMMAND_WHO:
		return avail_mail_take(env, t, person, error);
	default:
		render_vars_set(v, "line", msg->command_arg);
		render_vars_set(v, "reason", "tidings knows no such command; "
		    "it knows skip, pause until DATE, resume and help");
		name = "reply-error";
		break;
	}
	log_info("<%s>: %s: %s%s%s", msg->message_id, person->email,
	    answer_command_name(msg->command), until_text != NULL ?
	    " until " : "", until_text != NULL ? until_text : "");
	return reply_send(env, t, name, v, error);
}

/* Whether command C changes what tidings holds or does for the person:
 * skip, pause and resume their prompts, and availability, which changes
 * their zone, hours and absences. */
static gboolean
changes_state(enum answer_command c)
{
	return c == ANSWER_COMMAND_SKIP || c == ANSWER_COMMAND_PAUSE ||
	    c == ANSWER_COMMAND_RESUME || c == ANSWER_COMMAND_AVAILABILITY;
}

static gboolean
command_take(struct tidings_ctx *env, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	gint64 id = t->id;
	g_autoptr(Person) person = NULL;
	g_autoptr(GError) err = NULL;
	const char *who;

	/* A command acts for the person the prompt asked, or for the sender
	 * when it came to a command address; only when they sent it. */
	who = msg->prompt_person != NULL ? msg->prompt_person : msg->from;
	if (!trust_same_address(msg->from, who)) {
		log_warnx("<%s>: command not carried out: sent by %s, not by %s",
		    msg->message_id, msg->from != NULL ? msg->from : "nobody",
		    who != NULL ? who : "a member");
		return store_message_bind(env->st, id, msg->prompt_id, FALSE,
		    "a command from someone else than the member", error);
	}
	if (reply_no_answer(env, msg) != NULL)
		return TRUE;	/* never act on a machine's word */
	person = store_person_get(env->st, who, &err);
	if (person == NULL) {
		if (!g_error_matches(err, STORE_ERROR, STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&err));
			return FALSE;
		}
		log_info("<%s>: a command from %s, who is no member: not "
		    "answered", msg->message_id, who);
		return store_message_bind(env->st, id, 0, FALSE,
		    "a command from someone tidings does not know", error);
	}
	if (!store_message_bind(env->st, id, msg->prompt_id, t->trusted, t->why,
	    error))
		return FALSE;
	return carry_out(env, t, person, error);
}

static gboolean
command_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return t->msg->command != ANSWER_COMMAND_NONE &&
	    changes_state(t->msg->command);
}

static gboolean
query_match(struct tidings_ctx *ctx, const struct take *t)
{
	(void)ctx;
	return t->msg->command != ANSWER_COMMAND_NONE &&
	    !changes_state(t->msg->command);
}

/* Anyone can write a member's address in From: what changes their prompts
 * or availability needs their reply address or a trusted server's word
 * (the dispatcher sees to it), and a forgery is not answered either. */
const struct taker taker_command = {
	.name = "command",
	.match = command_match,
	.changes_state = TRUE,
	.take = command_take,
};

/* Help, who, and what tidings does not know: answered to the member's
 * address, trusted or not. */
const struct taker taker_query = {
	.name = "query",
	.match = query_match,
	.changes_state = FALSE,
	.take = command_take,
};
