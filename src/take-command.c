/* Mail commands: skip, pause until DATE, resume, help, availability and
 * who, written to a command address (LOCAL+help@, LOCAL+availability@,
 * ...) or as the first line of a reply to a prompt. */
#include "config.h"

#include <string.h>

#include "avail-mail.h"
#include "conf.h"
#include "context.h"
#include "filter.h"
#include "log.h"
#include "mail-command.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
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
		    PROMPT_SKIPPED, "skipped by mail", now, error);
	if ((open = store_prompt_open(env->st, person->id, now,
	    error)) == NULL)
		return FALSE;
	for (guint i = 0; i < open->len; i++) {
		const struct prompt *p = open->pdata[i];
		if (p->state == PROMPT_SENT &&
		    !store_prompt_set_state(env->st, p->id, PROMPT_SKIPPED,
		    "skipped by mail", now, error))
			return FALSE;
	}
	return TRUE;
}

/* Answers T with template NAME and says so in the log. */
static gboolean
answer(struct tidings_ctx *env, struct take *t, const struct person *person,
    const char *name, struct render_vars *v, const char *until,
    GError **error)
{
	const struct message *msg = t->msg;

	render_vars_set(v, "member_name", person_name(person->name,
	    person->email));
	log_info("<%s>: %s: %s%s%s", msg->message_id, person->email,
	    answer_command_name(msg->command), until != NULL ? " until " : "",
	    until != NULL ? until : "");
	return reply_send(env, t, name, v, error);
}

gboolean
command_act_skip(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();

	if (!skip_open(env, t->msg, person, t->now, error))
		return FALSE;
	return answer(env, t, person, "reply-skip", v, NULL, error);
}

gboolean
command_act_pause(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	const struct message *msg = t->msg;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(GError) bad = NULL;
	g_autofree char *until_text = NULL;
	gint64 until = value_parse_until(msg->command_arg, person->zone,
	    t->now, &bad);

	if (until == 0) {
		g_autofree char *line = g_strdup_printf("pause %s",
		    msg->command_arg != NULL ? msg->command_arg : "");
		render_vars_set(v, "line", g_strstrip(line));
		render_vars_set(v, "reason", bad->message);
		return answer(env, t, person, "reply-error", v, NULL, error);
	}
	if (!store_person_pause(env->st, person->id, until, error))
		return FALSE;
	until_text = sched_format(person->zone, until, "%A %-d %B %Y");
	render_vars_set(v, "until", until_text);
	return answer(env, t, person, "reply-pause", v, until_text, error);
}

gboolean
command_act_resume(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();

	if (!store_person_pause(env->st, person->id, 0, error))
		return FALSE;
	return answer(env, t, person, "reply-resume", v, NULL, error);
}

gboolean
command_act_help(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(GPtrArray) lines = mail_command_help(MAIL_COMMAND_LINE);
	g_autoptr(GPtrArray) avail = mail_command_help(MAIL_COMMAND_AVAIL);
	g_autofree char *availability = token_address(env->address,
	    env->domain, "availability");
	g_autofree char *urgent = token_address(env->address, env->domain,
	    "urgent");
	g_auto(GStrv) vouching = env->conf != NULL ? conf_get_list(env->conf,
	    "tidings", "trusted-authserv-ids") : NULL;

	for (guint i = 0; i < lines->len; i++)
		render_vars_add(v, "commands", lines->pdata[i]);
	for (guint i = 0; i < avail->len; i++)
		render_vars_add(v, "avail_lines", avail->pdata[i]);
	render_vars_set(v, "availability_address", availability);
	render_vars_set(v, "urgent_address", urgent != NULL ? urgent : "");
	/* What counts outside a reply to a check-in needs a server to vouch
	 * for the sender; the mail says so only when one is trusted. */
	render_vars_set(v, "vouched", vouching != NULL && *vouching != NULL ?
	    "1" : "");
	return answer(env, t, person, "reply-help", v, NULL, error);
}

/* Adds to V the addresses tidings serves, each its address on a line
 * and what it is for below. */
static gboolean
served_addresses(struct tidings_ctx *env, struct render_vars *v,
    GError **error)
{
	static const struct {
		const char *detail;	/* NULL: the address itself */
		const char *what;
	} fixed[] = {
		{ NULL, "Answers to check-ins are replies to their mail; "
		  "commands (skip, pause, resume, who) may come here too." },
		{ "help", "The commands, and how to answer." },
		{ "availability", "Your hours, zone and absences, in lines or "
		  "as an .ics file." },
		{ "who", "Who of your teams works now." },
		{ "urgent", "Something urgent, for a member of a team: it "
		  "goes at once to whoever of your team works now." },
	};
	g_autoptr(GPtrArray) teams = store_team_list(env->st, error);

	if (teams == NULL)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(fixed); i++) {
		g_autofree char *a = fixed[i].detail == NULL ?
		    g_strdup(env->address) : token_address(env->address,
		    env->domain, fixed[i].detail);
		g_autofree char *entry = g_strdup_printf("%s\n%s", a,
		    fixed[i].what);
		render_vars_add(v, "addresses", entry);
	}
	for (guint i = 0; i < teams->len; i++) {
		const struct team *tm = teams->pdata[i];
		g_autofree char *detail = NULL, *a = NULL, *entry = NULL;

		if (tm->digest_rrule == NULL)
			continue;
		detail = g_strdup_printf("%s-subscribe", tm->name);
		if ((a = token_address(env->address, env->domain,
		    detail)) == NULL)
			continue;
		entry = g_strdup_printf("%s\nThe digests of %s: write here to "
		    "follow them.", a, tm->title != NULL && *tm->title != '\0' ?
		    tm->title : tm->name);
		render_vars_add(v, "addresses", entry);
	}
	return TRUE;
}

/* Mail to an address of tidings' that it does not serve (LOCAL+WORD@, a
 * typo or a guess): answered, to members and to anyone else alike (within
 * the reply policy: never a machine, within the limits), with the
 * addresses it serves.  PERSON may be NULL. */
static gboolean
act_unknown(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	const struct message *msg = t->msg;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *to = msg->command_arg != NULL ?
	    token_address(env->address, env->domain, msg->command_arg) : NULL;

	render_vars_set(v, "line", msg->command_arg);
	render_vars_set(v, "to_address", to);
	if (!served_addresses(env, v, error))
		return FALSE;
	if (person == NULL) {
		log_info("<%s>: mail to %s, which tidings does not serve: "
		    "answered with its addresses", msg->message_id,
		    to != NULL ? to : "an unknown address");
		return reply_send(env, t, "reply-unknown", v, error);
	}
	return answer(env, t, person, "reply-unknown", v, NULL, error);
}

/* Carries out the command of the mail T takes for PERSON, by its row of
 * the mail commands' table. */
static gboolean
carry_out(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	const struct mail_command *c = mail_command_find(t->msg->command);

	if (c == NULL || c->act == NULL)
		return act_unknown(env, t, person, error);
	return c->act(env, t, person, error);
}

/* Whether command C changes what tidings holds or does for the person
 * (its row says so): then it needs the trust verdict. */
static gboolean
changes_state(enum answer_command c)
{
	const struct mail_command *row = mail_command_find(c);

	return row != NULL && row->needs_trust;
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
		if (!store_message_bind(env->st, id, 0, FALSE,
		    "a command from someone tidings does not know", error))
			return FALSE;
		/* Anyone may learn which addresses tidings serves. */
		if (msg->command == ANSWER_COMMAND_UNKNOWN)
			return act_unknown(env, t, NULL, error);
		log_info("<%s>: a command from %s, who is no member: not "
		    "answered", msg->message_id, who);
		return TRUE;
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
	.prepare = avail_mail_prepare,
	.prepared_free = avail_prepared_free,
};

/* Help, who, and what tidings does not know: answered to the member's
 * address, trusted or not. */
const struct taker taker_query = {
	.name = "query",
	.match = query_match,
	.changes_state = FALSE,
	.take = command_take,
};
