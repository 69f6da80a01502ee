/* tidings prompts: what was asked, what is due, what a member will get;
 * tidings answers: what they said. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "blocker.h"
#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "columns.h"
#include "conf.h"
#include "digest-run.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "tidings.h"
#include "urgent.h"
#include "utf8.h"
#include "value.h"

static char *opt_team;
static char *opt_since;
static char *opt_preview;
static char *opt_checkin;
static gboolean opt_due;
static gboolean opt_json;

static const GOptionEntry prompts_options[] = {
	{ "due", 0, 0, G_OPTION_ARG_NONE, &opt_due,
	  "ask whoever is due now and send what waits (for cron)", NULL },
	{ "preview", 'p', 0, G_OPTION_ARG_STRING, &opt_preview,
	  "print the next prompt of each check-in of this member, sending "
	  "nothing", "EMAIL" },
	{ "checkin", 'c', 0, G_OPTION_ARG_STRING, &opt_checkin,
	  "with --preview: only this check-in (its number, TEAM/TITLE or "
	  "TITLE)", "NAME" },
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team's", "TEAM" },
	{ "since", 's', 0, G_OPTION_ARG_STRING, &opt_since,
	  "due since this date (default: a week ago)", "DATE" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "JSON Lines, for scripts", NULL },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry answers_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team's", "TEAM" },
	{ "since", 's', 0, G_OPTION_ARG_STRING, &opt_since,
	  "to prompts due since this date (default: a week ago)", "DATE" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "JSON Lines, for scripts", NULL },
	G_OPTION_ENTRY_NULL
};

/* --since as UTC seconds: a date or time (ISO 8601, UTC when no zone is
 * given), or a week before now. */
static gboolean
since_option(struct cmd_ctx *ctx, gint64 *since)
{
	g_autofree char *text = NULL;

	if (opt_since == NULL) {
		*since = clock_now() - 7 * 86400;
		return TRUE;
	}
	text = strlen(opt_since) == 10 ? g_strconcat(opt_since, "T00:00:00Z",
	    NULL) : g_strdup(opt_since);
	*since = clock_parse(text);
	if (*since < 0) {
		cmd_usage(ctx, "--since \"%s\" is not a date: write it as "
		    "2026-11-30 or 2026-11-30T09:00:00Z", opt_since);
		return FALSE;
	}
	return TRUE;
}

static int
prompts_due(struct cmd_ctx *ctx, struct tidings_ctx *env)
{
	g_autoptr(GError) error = NULL;
	struct checkin_stats cs;
	struct digest_stats ds;
	struct outbox_stats os = { 0 };
	gint64 now = clock_now();
	guint escalated, urgent;
	int rc;

	if (!checkin_tick(env, now, &cs, &error) ||
	    !digest_tick(env, now, &ds, &error) ||
	    !blocker_tick(env, now, &escalated, &error) ||
	    !urgent_tick(env, now, &urgent, &error))
		return cmd_fail(ctx, error);
	printf("%u asked, %u skipped, %u reminded, %u closed unanswered\n",
	    cs.prompted, cs.skipped, cs.reminded, cs.closed);
	if (ds.digests > 0)
		printf("%u digest%s, %u copies queued\n", ds.digests,
		    ds.digests == 1 ? "" : "s", ds.mails);
	if (escalated > 0)
		printf("%u blocker%s escalated\n", escalated, escalated == 1 ?
		    "" : "s");
	if (urgent > 0)
		printf("%u urgent mail%s sent on\n", urgent, urgent == 1 ? "" :
		    "s");
	if (conf_get(ctx->conf, "smtp", "host") == NULL) {
		log_warnx("prompts: no host in [smtp]: the mail waits in the "
		    "outbox");
		return EX_TEMPFAIL;
	}
	if (!outbox_deliver(ctx->store, ctx->conf, now, &os, &error)) {
		log_warnx("prompts: sending: %s", error->message);
		outbox_stats_clear(&os);
		return EX_TEMPFAIL;
	}
	printf("%u sent, %u waiting, %u failed\n", os.sent, os.waiting,
	    os.failed);
	for (guint i = 0; os.problems != NULL && i < os.problems->len; i++)
		log_warnx("prompts: %s", (char *)os.problems->pdata[i]);
	rc = os.waiting > 0 ? EX_TEMPFAIL : EX_OK;
	outbox_stats_clear(&os);
	return rc;
}

/* The check-ins PERSON is asked (active, of their teams), in the order
 * of the list; with --checkin, the one it names: its number, TEAM/TITLE,
 * or a TITLE of one of them. */
static GPtrArray *
preview_checkins(struct cmd_ctx *ctx, const struct person *person,
    GError **error)
{
	g_autoptr(GPtrArray) all = store_checkin_list(ctx->store, NULL, error);
	g_auto(GStrv) teams = g_strsplit(person->teams != NULL ?
	    person->teams : "", ", ", -1);
	GPtrArray *asked;
	gint64 id;
	char *end;

	if (all == NULL)
		return NULL;
	asked = g_ptr_array_new_with_free_func((GDestroyNotify)checkin_free);
	id = opt_checkin != NULL ? g_ascii_strtoll(opt_checkin, &end, 10) : 0;
	if (opt_checkin != NULL && *end != '\0')
		id = 0;
	for (guint i = 0; i < all->len; i++) {
		struct checkin *c = all->pdata[i];
		g_autofree char *full = g_strconcat(c->team, "/", c->title,
		    NULL);
		if (!c->active || !g_strv_contains((const char *const *)teams,
		    c->team))
			continue;
		if (opt_checkin != NULL && c->id != id && strcmp(opt_checkin,
		    full) != 0 && strcmp(opt_checkin, c->title) != 0)
			continue;
		g_ptr_array_add(asked, g_ptr_array_steal_index(all, i--));
	}
	if (opt_checkin != NULL && asked->len != 1) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID,
		    asked->len == 0 ? "%s is asked no check-in \"%s\": give "
		    "its number or TEAM/TITLE (tidings checkin list)" :
		    "%s is asked more than one check-in \"%s\": give its "
		    "number or TEAM/TITLE (tidings checkin list)",
		    person->email, opt_checkin);
		g_ptr_array_unref(asked);
		return NULL;
	}
	return asked;
}

static gboolean
preview_one(struct tidings_ctx *env, const struct person *person,
    const struct checkin *c, gboolean heading, GError **error)
{
	g_autoptr(GPtrArray) mails = NULL;
	gint64 when;

	mails = checkin_preview(env, person->email, c->id, clock_now(), &when,
	    error);
	if (mails == NULL)
		return FALSE;
	if (heading) {
		g_autofree char *at = when > 0 ? sched_format(person->zone,
		    when, "%a %-d %b %Y %H:%M") : NULL;
		printf("=== %s (%s, check-in %" G_GINT64_FORMAT "): %s %s "
		    "===\n\n", c->title, c->team, c->id, at != NULL ? at :
		    "not scheduled again", at != NULL ? person->zone : "");
	}
	for (guint i = 0; i < mails->len; i++) {
		gsize len;
		const char *data = g_bytes_get_data(mails->pdata[i], &len);
		fwrite(data, 1, len, stdout);
		if (heading && (len == 0 || data[len - 1] != '\n'))
			printf("\n");
	}
	return TRUE;
}

/* The next prompt of each check-in the member is asked: one is printed as
 * the mail alone, several each under a heading that names it and when it
 * goes, in the member's time. */
static int
prompts_preview(struct cmd_ctx *ctx, struct tidings_ctx *env)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) person = store_person_get(ctx->store, opt_preview,
	    &error);
	g_autoptr(GPtrArray) asked = NULL;

	if (person == NULL ||
	    (asked = preview_checkins(ctx, person, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (asked->len == 0) {
		log_warnx("prompts: %s has no check-in to be asked", opt_preview);
		return EX_DATAERR;
	}
	if (asked->len > 1)
		printf("%s is asked %u check-ins; the next prompt of each "
		    "follows (--checkin NAME for one).\n\n", person->email,
		    asked->len);
	for (guint i = 0; i < asked->len; i++) {
		if (i > 0)
			printf("\n");
		if (!preview_one(env, person, asked->pdata[i], asked->len > 1,
		    &error))
			return cmd_fail(ctx, error);
	}
	return EX_OK;
}

static void
prompt_json(const struct prompt *p)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, p->id);
	json_builder_set_member_name(b, "checkin");
	json_builder_add_int_value(b, p->checkin_id);
	json_builder_set_member_name(b, "email");
	json_builder_add_string_value(b, p->email);
	json_builder_set_member_name(b, "zone");
	json_builder_add_string_value(b, p->zone);
	json_builder_set_member_name(b, "due");
	json_builder_add_int_value(b, p->due_at);
	json_builder_set_member_name(b, "closes");
	json_builder_add_int_value(b, p->closes_at);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, prompt_state_name(p->state));
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, p->skip_reason);
	json_builder_set_member_name(b, "sent");
	json_builder_add_int_value(b, p->sent_at);
	json_builder_set_member_name(b, "reminded");
	json_builder_add_int_value(b, p->reminded_at);
	json_builder_set_member_name(b, "answered");
	json_builder_add_int_value(b, p->answered_at);
	json_builder_set_member_name(b, "message_id");
	json_builder_add_string_value(b, p->message_id);
	json_builder_end_object(b);
	report_print_json(b);
}

static int
prompts_list(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	struct columns *c;
	gint64 since;

	if (!since_option(ctx, &since))
		return EX_USAGE;
	if ((list = store_prompt_list(ctx->store, opt_team, since,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_json) {
		for (guint i = 0; i < list->len; i++)
			prompt_json(list->pdata[i]);
		return EX_OK;
	}
	if (list->len == 0) {
		printf("no prompts in that time\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "ID", "CHECKIN", "MEMBER",
	    "DUE (LOCAL)", "STATE", "NOTE", NULL });
	for (guint i = 0; i < list->len; i++) {
		struct prompt *p = list->pdata[i];
		g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, p->id);
		g_autofree char *ci = g_strdup_printf("%" G_GINT64_FORMAT,
		    p->checkin_id);
		g_autofree char *due = sched_format(p->zone, p->due_at,
		    "%a %Y-%m-%d %H:%M %Z");
		columns_add(c, id, ci, p->email, due, prompt_state_name(p->state),
		    p->skip_reason != NULL ? p->skip_reason : "");
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
prompts_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	struct tidings_ctx env;
	int rc;

	if (opt_due && opt_preview != NULL)
		return cmd_usage(ctx, "--due and --preview do not go together");
	if (opt_checkin != NULL && opt_preview == NULL)
		return cmd_usage(ctx, "--checkin chooses what --preview shows: "
		    "give --preview EMAIL too");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!opt_due && opt_preview == NULL)
		return prompts_list(ctx);
	if (!tidings_ctx_init(&env, ctx->store, ctx->conf, &error))
		return cmd_fail(ctx, error);
	rc = opt_due ? prompts_due(ctx, &env) : prompts_preview(ctx, &env);
	tidings_ctx_clear(&env);
	return rc;
}

static void
answer_json(const struct prompt *p, const struct answer *a)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "prompt");
	json_builder_add_int_value(b, p->id);
	json_builder_set_member_name(b, "checkin");
	json_builder_add_int_value(b, p->checkin_id);
	json_builder_set_member_name(b, "email");
	json_builder_add_string_value(b, p->email);
	json_builder_set_member_name(b, "due");
	json_builder_add_int_value(b, p->due_at);
	json_builder_set_member_name(b, "question");
	json_builder_add_int_value(b, a->position);
	json_builder_set_member_name(b, "question_text");
	json_builder_add_string_value(b, a->question);
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, a->text);
	json_builder_set_member_name(b, "counted");
	json_builder_add_boolean_value(b, a->counted);
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, a->reason);
	json_builder_set_member_name(b, "superseded");
	json_builder_add_boolean_value(b, a->superseded);
	json_builder_set_member_name(b, "message");
	json_builder_add_int_value(b, a->message);
	json_builder_set_member_name(b, "at");
	json_builder_add_int_value(b, a->created_at);
	json_builder_end_object(b);
	report_print_json(b);
}

/* TEXT, an answer as the member wrote it, its control characters shown
 * as such: its first line after LEAD, the others lined up under it. */
static void
text_print(const char *lead, const char *text)
{
	g_autofree char *visible = utf8_visible(text, TRUE);
	g_auto(GStrv) lines = g_strsplit(visible, "\n", -1);
	int indent = (int)g_utf8_strlen(lead, -1);

	for (char **l = lines; *l != NULL; l++)
		printf("     %*s%s\n", l == lines ? 0 : indent,
		    l == lines ? lead : "", *l);
}

/* The answers to one question (ANSWERS[FROM, TO), oldest first): the
 * question once, the answer that stands, and under it what it said before
 * it was edited and any other answer that was kept but not counted. */
static void
question_print(GPtrArray *answers, guint from, guint to)
{
	const struct answer *cur = NULL;
	g_autofree char *question = NULL;

	for (guint k = from; k < to; k++) {
		const struct answer *a = answers->pdata[k];
		if (!a->superseded && (cur == NULL || a->counted ||
		    !cur->counted))
			cur = a;
	}
	if (cur == NULL)	/* every one edited: the last stands */
		cur = answers->pdata[to - 1];
	question = utf8_visible(cur->question, FALSE);
	printf("  %d. %s%s\n", cur->position, question, !cur->counted ?
	    "  (not counted)" : "");
	text_print("", cur->text);
	if (!cur->counted && cur->reason != NULL) {
		g_autofree char *reason = utf8_visible(cur->reason, FALSE);
		printf("     [%s]\n", reason);
	}
	for (guint k = to; k-- > from;) {
		const struct answer *a = answers->pdata[k];
		g_autofree char *reason = NULL;
		if (a == cur)
			continue;
		if (a->superseded) {
			text_print("edited; before: ", a->text);
			continue;
		}
		text_print("also, not counted: ", a->text);
		if (a->reason != NULL) {
			reason = utf8_visible(a->reason, FALSE);
			printf("     [%s]\n", reason);
		}
	}
}

/* A prompt's answers, each question once. */
static void
answers_print(GPtrArray *answers)
{
	guint from = 0;

	for (guint k = 1; k <= answers->len; k++) {
		const struct answer *a = answers->pdata[from];
		if (k < answers->len && ((const struct answer *)
		    answers->pdata[k])->question_id == a->question_id)
			continue;
		question_print(answers, from, k);
		from = k;
	}
}

static int
answers_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) prompts = NULL;
	gint64 since;
	int rc, shown = 0;

	if (!since_option(ctx, &since))
		return EX_USAGE;
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((prompts = store_prompt_list(ctx->store, opt_team, since,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	for (guint i = 0; i < prompts->len; i++) {
		const struct prompt *p = prompts->pdata[i];
		g_autoptr(GPtrArray) answers = store_answer_list(ctx->store,
		    p->id, &error);
		g_autofree char *due = NULL;

		if (answers == NULL)
			return cmd_fail(ctx, error);
		if (answers->len == 0)
			continue;
		due = sched_format(p->zone, p->due_at, "%a %Y-%m-%d %H:%M %Z");
		if (!opt_json) {
			g_autofree char *email = utf8_visible(p->email, FALSE);
			printf("%s%s, asked %s:\n", shown++ ? "\n" : "",
			    email, due);
		}
		if (!opt_json) {
			answers_print(answers);
			continue;
		}
		for (guint k = 0; k < answers->len; k++)
			answer_json(p, answers->pdata[k]);
	}
	if (!opt_json && shown == 0)
		printf("no answers in that time\n");
	return EX_OK;
}

const struct cmd_entry cmd_prompts_entry = {
	.name = "prompts",
	.args = "[--team TEAM] [--since DATE] [--json] | --due | "
	    "--preview EMAIL [--checkin NAME]",
	.summary = "list prompts, send those due, or preview one",
	.help = "Without options, lists the prompts of the last week: who was "
	    "asked when, in\ntheir local time, and whether they answered, "
	    "skipped or were not asked\n(a non-workday, a pause, away). "
	    "--due does what tidings run does on its\ntimer, once: asks "
	    "whoever is due, sends reminders, closes what is over\nand "
	    "sends the outbox (exit 75 when mail must wait); for cron without "
	    "the\ndaemon. --preview prints the mail a member will get next: "
	    "of each of\ntheir check-ins, each under a heading, or of the one "
	    "--checkin names.",
	.options = prompts_options, .min_args = 0, .max_args = 0,
	.exec = prompts_exec,
};

const struct cmd_entry cmd_answers_entry = {
	.name = "answers",
	.args = "[--team TEAM] [--since DATE] [--json]",
	.summary = "the answers to the prompts, per question",
	.help = "Shows what each member answered to each question of the "
	    "prompts of the last\nweek (or since DATE). An answer edited by "
	    "a later reply is marked; one\nfrom someone else than the member "
	    "is shown as not counted, with why.",
	.options = answers_options, .min_args = 0, .max_args = 0,
	.exec = answers_exec,
};
