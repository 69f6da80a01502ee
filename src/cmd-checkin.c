/* tidings checkin add|list|show|edit|remove. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "columns.h"
#include "conf.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "tidings.h"
#include "value.h"

#define DEFAULT_RULE "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;BYMINUTE=30"

static const char *const default_questions[] = {
	"What did you work on?",
	"What will you work on next?",
	"Is anything blocking you?",
	NULL
};
#define DEFAULT_BLOCKER 3

static char **opt_questions;
static char *opt_schedule;
static char *opt_at;
static char *opt_days;
static char *opt_reminder;
static char *opt_close;
static char *opt_title;
static char *opt_team;
static int opt_blocker = -1;
static gboolean opt_pause;
static gboolean opt_resume;
static gboolean opt_force;

#define SCHEDULE_OPTIONS \
	{ "question", 'q', 0, G_OPTION_ARG_STRING_ARRAY, &opt_questions, \
	  "a question, in order (repeat for each)", "TEXT" }, \
	{ "blocker", 'b', 0, G_OPTION_ARG_INT, &opt_blocker, \
	  "the number of the question that asks for blockers (0: none)", \
	  "N" }, \
	{ "schedule", 's', 0, G_OPTION_ARG_STRING, &opt_schedule, \
	  "when to ask, as an iCalendar RRULE in each member's zone", \
	  "RRULE" }, \
	{ "at", 0, 0, G_OPTION_ARG_STRING, &opt_at, \
	  "when to ask, local time (instead of --schedule)", "HH:MM" }, \
	{ "days", 0, 0, G_OPTION_ARG_STRING, &opt_days, \
	  "on which days, with --at (default mon-fri)", "DAYS" }, \
	{ "reminder", 'r', 0, G_OPTION_ARG_STRING, &opt_reminder, \
	  "remind who has not answered after this long (none: never)", \
	  "DURATION" }, \
	{ "close", 'c', 0, G_OPTION_ARG_STRING, &opt_close, \
	  "answers close this long after the prompt (default 1d)", \
	  "DURATION" }

static const GOptionEntry add_options[] = {
	SCHEDULE_OPTIONS,
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry edit_options[] = {
	SCHEDULE_OPTIONS,
	{ "title", 't', 0, G_OPTION_ARG_STRING, &opt_title,
	  "a new title", "TEXT" },
	{ "pause", 0, 0, G_OPTION_ARG_NONE, &opt_pause,
	  "stop asking, keeping everything", NULL },
	{ "resume", 0, 0, G_OPTION_ARG_NONE, &opt_resume,
	  "ask again", NULL },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry list_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team's", "TEAM" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry remove_options[] = {
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "remove a check-in that has answers, and its answers", NULL },
	G_OPTION_ENTRY_NULL
};

/* --schedule, or --at and --days made into a rule; NULL when neither. */
static char *
schedule_rule(GError **error)
{
	unsigned days = 0x1f;
	int start = 16 * 60 + 30;
	static const char *const names[] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };
	GString *rule;

	if (opt_schedule != NULL && (opt_at != NULL || opt_days != NULL)) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "give --schedule, or --at "
		    "with --days, not both");
		return NULL;
	}
	if (opt_schedule != NULL) {
		char *r = g_strdup(opt_schedule);
		if (g_ascii_strncasecmp(r, "RRULE:", 6) == 0)
			memmove(r, r + 6, strlen(r + 6) + 1);
		if (!sched_rule_check(r, error)) {
			g_free(r);
			return NULL;
		}
		return r;
	}
	if (opt_at == NULL && opt_days == NULL)
		return NULL;
	if (opt_days != NULL && !value_workdays(opt_days, &days, error))
		return NULL;
	if (opt_at != NULL && !value_time(opt_at, &start, error))
		return NULL;
	rule = g_string_new("FREQ=WEEKLY;BYDAY=");
	for (int d = 0, n = 0; d < 7; d++)
		if (days & (1u << d))
			g_string_append_printf(rule, "%s%s", n++ ? "," : "",
			    names[d]);
	g_string_append_printf(rule, ";BYHOUR=%d;BYMINUTE=%d", start / 60,
	    start % 60);
	return g_string_free(rule, FALSE);
}

/* A duration option: seconds, 0 for "none" when NONE_OK, -1 when unset;
 * -2 with error when wrong. */
static gint64
duration(const char *text, const char *name, gboolean none_ok,
    GError **error)
{
	gint64 s;

	if (text == NULL)
		return -1;
	if (none_ok && (strcmp(text, "none") == 0 || strcmp(text, "0") == 0))
		return 0;
	s = conf_parse_seconds(text);
	if (s <= 0) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "--%s \"%s\" is not a "
		    "duration: write it as 90m, 4h or 1d%s", name, text,
		    none_ok ? ", or none" : "");
		return -2;
	}
	return s;
}

static gboolean
check_questions(char **questions, int blocker, GError **error)
{
	guint n = questions != NULL ? g_strv_length(questions) : 0;

	for (guint i = 0; i < n; i++) {
		if (*g_strstrip(questions[i]) == '\0' ||
		    strpbrk(questions[i], "\r\n") != NULL) {
			g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "question %u is empty "
			    "or spans lines: give each question as one line",
			    i + 1);
			return FALSE;
		}
	}
	if (blocker < -1 || blocker > (int)n) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "--blocker %d: there %s %u "
		    "question%s", blocker, n == 1 ? "is" : "are", n,
		    n == 1 ? "" : "s");
		return FALSE;
	}
	return TRUE;
}

/* A title: one line of text, no '/' (CHECKIN is TEAM/TITLE). */
static gboolean
check_title(char *title, GError **error)
{
	if (*g_strstrip(title) == '\0' || strchr(title, '/') != NULL) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "a title "
		    "must not be empty nor hold '/'");
		return FALSE;
	}
	return value_display_name(title, error);
}

/* The options add and edit share: *rule NULL when no schedule was given,
 * *reminder and *close -1 when not given. */
static gboolean
read_options(char **rule, gint64 *reminder, gint64 *close, GError **error)
{
	*rule = schedule_rule(error);
	return (error == NULL || *error == NULL) &&
	    check_questions(opt_questions, opt_blocker, error) &&
	    (*reminder = duration(opt_reminder, "reminder", TRUE,
	    error)) != -2 &&
	    (*close = duration(opt_close, "close", FALSE, error)) != -2;
}

/* CHECKIN as typed: a number, or TEAM/TITLE. */
static struct checkin *
find_checkin(struct cmd_ctx *ctx, const char *which, GError **error)
{
	const char *slash = strchr(which, '/');
	char *end;
	gint64 id = g_ascii_strtoll(which, &end, 10);

	if (*end == '\0' && id > 0)
		return store_checkin_get(ctx->store, id, error);
	if (slash != NULL) {
		g_autofree char *team = g_strndup(which, (gsize)(slash - which));
		return store_checkin_find(ctx->store, team, slash + 1, error);
	}
	g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "\"%s\" names no check-in: give its "
	    "number (tidings checkin list) or TEAM/TITLE", which);
	return NULL;
}

static int
checkin_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	g_autofree char *rule = NULL;
	const char *const *qs = opt_questions != NULL ?
	    (const char *const *)opt_questions : default_questions;
	int blocker = opt_blocker >= 0 ? opt_blocker :
	    opt_questions == NULL ? DEFAULT_BLOCKER : 0;
	gint64 reminder, close;
	int rc;

	if (!read_options(&rule, &reminder, &close, &error) ||
	    !check_title(argv[2], &error))
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	c->team = g_strdup(argv[1]);
	c->title = g_strdup(argv[2]);
	c->rrule = rule != NULL ? g_steal_pointer(&rule) :
	    g_strdup(DEFAULT_RULE);
	c->reminder_after = MAX(reminder, 0);
	c->close_after = close > 0 ? close : 86400;
	c->active = TRUE;
	c->created_at = clock_now();
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	for (int i = 0; qs[i] != NULL; i++) {
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup(qs[i]);
		q->blocker = i + 1 == blocker;
		g_ptr_array_add(c->questions, q);
	}
	if (!store_checkin_add(ctx->store, c, &error))
		return cmd_fail(ctx, error);
	printf("added check-in %" G_GINT64_FORMAT " \"%s\" to team %s\n",
	    c->id, c->title, c->team);
	return EX_OK;
}

static char *
format_duration(gint64 s)
{
	if (s == 0)
		return g_strdup("none");
	if (s % 86400 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "d", s / 86400);
	if (s % 3600 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "h", s / 3600);
	if (s % 60 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "m", s / 60);
	return g_strdup_printf("%" G_GINT64_FORMAT "s", s);
}

static int
checkin_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((list = store_checkin_list(ctx->store, opt_team, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (list->len == 0) {
		printf("no check-ins; add one with 'tidings checkin add TEAM "
		    "TITLE'\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "ID", "TEAM", "TITLE",
	    "QUESTIONS", "STATE", "SCHEDULE", NULL });
	for (guint i = 0; i < list->len; i++) {
		struct checkin *ci = list->pdata[i];
		g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT,
		    ci->id);
		g_autofree char *n = g_strdup_printf("%u", ci->questions->len);
		columns_add(c, id, ci->team, ci->title, n, ci->active ?
		    "active" : "paused", ci->rrule);
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
checkin_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) ci = NULL;
	g_autoptr(GPtrArray) members = NULL;
	g_autofree char *reminder = NULL, *close = NULL;
	gint64 now = clock_now();
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((ci = find_checkin(ctx, argv[1], &error)) == NULL ||
	    (members = store_member_list(ctx->store, ci->team,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	reminder = format_duration(ci->reminder_after);
	close = format_duration(ci->close_after);
	printf("check-in: %" G_GINT64_FORMAT " %s\n", ci->id, ci->title);
	printf("team:     %s\n", ci->team);
	printf("state:    %s\n", ci->active ? "active" : "paused");
	printf("schedule: %s (in each member's zone)\n", ci->rrule);
	printf("reminder: %s\n", reminder);
	printf("closes:   %s after the prompt\n", close);
	printf("\n");
	for (guint i = 0; i < ci->questions->len; i++) {
		struct question *q = ci->questions->pdata[i];
		printf("  %d. %s%s\n", q->position, q->text, q->blocker ?
		    "   (blockers)" : "");
	}
	if (members->len == 0)
		return EX_OK;
	printf("\n");
	c = columns_new((const char *const[]){ "", "MEMBER", "ZONE",
	    "NEXT PROMPT (LOCAL)", NULL });
	for (guint i = 0; i < members->len; i++) {
		struct person *p = members->pdata[i];
		struct sched_occurrence o;
		g_autofree char *when = NULL;

		if (ci->active && sched_next(ci->rrule, p->zone, ci->created_at,
		    now, &o, NULL))
			when = sched_format(p->zone, o.at, "%a %Y-%m-%d %H:%M");
		columns_add(c, "", p->email, p->zone, when != NULL ? when :
		    "none");
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
checkin_edit(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) ci = NULL;
	g_autoptr(GPtrArray) qs = NULL;
	g_autofree char *rule = NULL;
	gint64 reminder, close;
	int blocker = 0, rc;

	if (!read_options(&rule, &reminder, &close, &error))
		return cmd_usage(ctx, "%s", error->message);
	if (opt_pause && opt_resume)
		return cmd_usage(ctx, "--pause and --resume contradict");
	if (opt_title != NULL && !check_title(opt_title, &error))
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((ci = find_checkin(ctx, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_title != NULL)
		g_free(ci->title), ci->title = g_strdup(opt_title);
	if (rule != NULL)
		g_free(ci->rrule), ci->rrule = g_steal_pointer(&rule);
	if (reminder >= 0)
		ci->reminder_after = reminder;
	if (close > 0)
		ci->close_after = close;
	if (opt_pause || opt_resume)
		ci->active = opt_resume;
	/* The blocker alone changes with the questions as they are. */
	if (opt_questions != NULL || opt_blocker >= 0) {
		qs = g_ptr_array_new();
		if (opt_questions != NULL)
			for (char **q = opt_questions; *q != NULL; q++)
				g_ptr_array_add(qs, *q);
		else
			for (guint i = 0; i < ci->questions->len; i++)
				g_ptr_array_add(qs, ((struct question *)
				    ci->questions->pdata[i])->text);
		if (opt_blocker > (int)qs->len)
			return cmd_usage(ctx, "--blocker %d: there are %u "
			    "questions", opt_blocker, qs->len);
		blocker = opt_blocker >= 0 ? opt_blocker : 0;
		if (opt_blocker < 0)
			for (guint i = 0; i < ci->questions->len; i++)
				if (((struct question *)
				    ci->questions->pdata[i])->blocker)
					blocker = (int)i + 1;
	}
	if (!store_begin(ctx->store, &error) ||
	    !store_checkin_update(ctx->store, ci, qs, blocker, &error) ||
	    !store_commit(ctx->store, &error)) {
		store_rollback(ctx->store);
		return cmd_fail(ctx, error);
	}
	printf("changed check-in %" G_GINT64_FORMAT " \"%s\"\n", ci->id,
	    ci->title);
	return EX_OK;
}

static int
checkin_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) ci = NULL;
	gint64 answers;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((ci = find_checkin(ctx, argv[1], &error)) == NULL ||
	    (answers = store_checkin_answers(ctx->store, ci->id, &error)) < 0)
		return cmd_fail(ctx, error);
	if (answers > 0 && !opt_force) {
		log_warnx("checkin remove: \"%s\" has %" G_GINT64_FORMAT
		    " answer%s; pause it with 'tidings checkin edit %"
		    G_GINT64_FORMAT " --pause', or remove it and its answers "
		    "with --force", ci->title, answers, answers == 1 ? "" : "s",
		    ci->id);
		return EX_DATAERR;
	}
	if (!store_checkin_remove(ctx->store, ci->id, &error))
		return cmd_fail(ctx, error);
	printf("removed check-in %" G_GINT64_FORMAT " \"%s\"\n", ci->id,
	    ci->title);
	return EX_OK;
}

static const struct cmd_entry checkin_add_entry = {
	.name = "add",
	.args = "TEAM TITLE [--question TEXT]... [--blocker N] "
	    "[--schedule RRULE | --at HH:MM [--days DAYS]] "
	    "[--reminder DURATION] [--close DURATION]",
	.summary = "add a check-in to a team",
	.help = "Without --question, the check-in asks \"What did you work "
	    "on?\", \"What will\nyou work on next?\" and \"Is anything "
	    "blocking you?\" (the blocker question).\nWithout a schedule, "
	    "it asks on weekdays at 16:30 in each member's own zone:\n"
	    DEFAULT_RULE ".\n--at 09:30 --days mon,wed,fri makes the rule "
	    "for you.",
	.options = add_options, .min_args = 2, .max_args = 2,
	.exec = checkin_add,
};
static const struct cmd_entry checkin_list_entry = {
	.name = "list", .args = "[--team TEAM]", .summary = "list check-ins",
	.options = list_options, .min_args = 0, .max_args = 0,
	.exec = checkin_list,
};
static const struct cmd_entry checkin_show_entry = {
	.name = "show", .args = "CHECKIN",
	.summary = "show a check-in and when each member is asked next",
	.help = "CHECKIN is the number shown by 'tidings checkin list', or "
	    "TEAM/TITLE.",
	.min_args = 1, .max_args = 1, .exec = checkin_show,
};
static const struct cmd_entry checkin_edit_entry = {
	.name = "edit",
	.args = "CHECKIN [--title TEXT] [--question TEXT]... [--blocker N] "
	    "[--schedule RRULE | --at HH:MM [--days DAYS]] "
	    "[--reminder DURATION] [--close DURATION] [--pause | --resume]",
	.summary = "change a check-in",
	.help = "--question given once or more replaces the questions; a "
	    "question dropped\nthat has answers is retired, its answers kept.",
	.options = edit_options, .min_args = 1, .max_args = 1,
	.exec = checkin_edit,
};
static const struct cmd_entry checkin_remove_entry = {
	.name = "remove", .args = "CHECKIN [--force]",
	.summary = "remove a check-in",
	.options = remove_options, .min_args = 1, .max_args = 1,
	.exec = checkin_remove,
};

const struct cmd_entry cmd_checkin_entry = {
	.name = "checkin",
	.summary = "manage check-ins: questions and when they are asked",
	.subs = (const struct cmd_entry *const[]){ &checkin_add_entry,
	    &checkin_list_entry, &checkin_show_entry, &checkin_edit_entry,
	    &checkin_remove_entry, NULL },
};
