/* tidings team add|list|show|remove. */
#include "config.h"

#include <stdio.h>

#include <string.h>

#include "columns.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "tidings.h"
#include "value.h"

static char *opt_title;
static char *opt_zone;
static char *opt_digest;
static char *opt_digest_at;
static char *opt_digest_days;
static char *opt_empty;
static char *opt_around;
static gboolean opt_force;

static const GOptionEntry add_options[] = {
	{ "title", 't', 0, G_OPTION_ARG_STRING, &opt_title,
	  "a title for digests and the list name", "TEXT" },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the team's time zone, for its digest (default UTC)", "ZONE" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry set_options[] = {
	{ "title", 't', 0, G_OPTION_ARG_STRING, &opt_title,
	  "a title for digests and the list name", "TEXT" },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the team's time zone, for its digest", "ZONE" },
	{ "digest", 'd', 0, G_OPTION_ARG_STRING, &opt_digest,
	  "when to send the digest: an RRULE in the team's zone, or none",
	  "RRULE" },
	{ "digest-at", 0, 0, G_OPTION_ARG_STRING, &opt_digest_at,
	  "send the digest at this local time (instead of --digest)", "HH:MM" },
	{ "digest-days", 0, 0, G_OPTION_ARG_STRING, &opt_digest_days,
	  "on these days, with --digest-at (default mon-fri)", "DAYS" },
	{ "empty", 0, 0, G_OPTION_ARG_STRING, &opt_empty,
	  "a period without news: skip (send nothing) or notice (a "
	  "one-line digest)", "skip|notice" },
	{ "around", 0, 0, G_OPTION_ARG_STRING, &opt_around,
	  "the weekday whose digest shows who is around that week, or none",
	  "DAY" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry remove_options[] = {
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "remove a team that still has members", NULL },
	G_OPTION_ENTRY_NULL
};

static int
team_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;

	if (!value_team_name(argv[1], &error) ||
	    (opt_title != NULL && !value_display_name(opt_title, &error)) ||
	    (opt_zone != NULL && !value_zone(opt_zone, &error)))
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!store_team_add(ctx->store, argv[1], opt_title, opt_zone, &error))
		return cmd_fail(ctx, error);
	printf("added team %s\n", argv[1]);
	return EX_OK;
}

static int
team_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) teams = NULL;
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((teams = store_team_list(ctx->store, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (teams->len == 0) {
		printf("no teams; add one with 'tidings team add NAME'\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "TEAM", "MEMBERS", "ZONE",
	    "TITLE", NULL });
	for (guint i = 0; i < teams->len; i++) {
		struct team *t = teams->pdata[i];
		g_autofree char *n = g_strdup_printf("%d", t->members);
		columns_add(c, t->name, n, t->zone, t->title);
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
team_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	g_autoptr(GPtrArray) members = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, argv[1], &error)) == NULL ||
	    (members = store_member_list(ctx->store, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	printf("team:    %s\n", t->name);
	if (*t->title != '\0')
		printf("title:   %s\n", t->title);
	printf("zone:    %s\n", t->zone);
	printf("digest:  %s%s\n", t->digest_rrule != NULL ? t->digest_rrule :
	    "none", t->digest_rrule != NULL && g_strcmp0(t->digest_empty,
	    "notice") == 0 ? " (a notice when there is no news)" : "");
	if (t->around_day >= 0) {
		g_autofree char *day = value_workdays_format(1u <<
		    t->around_day);
		printf("around:  %s (the digest shows who is around that "
		    "week)\n", day);
	}
	printf("members: %d\n", t->members);
	if (members->len == 0)
		return EX_OK;
	struct columns *c = columns_new((const char *const[]){ "", "EMAIL",
	    "NAME", "ZONE", "HOURS", "DAYS", "ROLE", NULL });
	for (guint i = 0; i < members->len; i++) {
		struct person *p = members->pdata[i];
		g_autofree char *hours = value_hours_format(p->work_start,
		    p->work_end);
		g_autofree char *days = value_workdays_format(p->workdays);
		columns_add(c, "", p->email, p->name, p->zone, hours, days,
		    p->role);
	}
	printf("\n");
	columns_print(c, stdout);
	return EX_OK;
}

/* --digest, or --digest-at and --digest-days made into a rule; *rule
 * stays NULL for none.  FALSE when neither was given or one is wrong. */
static gboolean
digest_rule(char **rule, GError **error)
{
	static const char *const names[] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };
	unsigned days = 0x1f;
	int at = 9 * 60;
	GString *r;

	*rule = NULL;
	if (opt_digest != NULL && (opt_digest_at != NULL ||
	    opt_digest_days != NULL)) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "give "
		    "--digest, or --digest-at with --digest-days, not both");
		return FALSE;
	}
	if (opt_digest != NULL) {
		if (g_ascii_strcasecmp(opt_digest, "none") == 0)
			return TRUE;
		if (!sched_rule_check(opt_digest, error))
			return FALSE;
		*rule = g_strdup(opt_digest);
		return TRUE;
	}
	if ((opt_digest_at != NULL && !value_time(opt_digest_at, &at,
	    error)) || (opt_digest_days != NULL &&
	    !value_workdays(opt_digest_days, &days, error)))
		return FALSE;
	r = g_string_new("FREQ=WEEKLY;BYDAY=");
	for (int d = 0, n = 0; d < 7; d++)
		if (days & (1u << d))
			g_string_append_printf(r, "%s%s", n++ ? "," : "",
			    names[d]);
	g_string_append_printf(r, ";BYHOUR=%d;BYMINUTE=%d", at / 60, at % 60);
	*rule = g_string_free(r, FALSE);
	return TRUE;
}

/* --around: one weekday (0 Monday .. 6 Sunday), or -1 for none. */
static gboolean
around_day(const char *text, int *day)
{
	unsigned days;

	if (g_ascii_strcasecmp(text, "none") == 0 ||
	    g_ascii_strcasecmp(text, "off") == 0) {
		*day = -1;
		return TRUE;
	}
	if (!value_workdays(text, &days, NULL) || (days & (days - 1)) != 0)
		return FALSE;
	for (*day = 0; (days & (1u << *day)) == 0; (*day)++)
		;
	return TRUE;
}

static int
team_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	g_autofree char *rule = NULL;
	gboolean digest = opt_digest != NULL || opt_digest_at != NULL ||
	    opt_digest_days != NULL;
	int rc, around = -1;

	if ((opt_title != NULL && !value_display_name(opt_title, &error)) ||
	    (opt_zone != NULL && !value_zone(opt_zone, &error)) ||
	    (digest && !digest_rule(&rule, &error)))
		return cmd_usage(ctx, "%s", error->message);
	if (opt_empty != NULL && strcmp(opt_empty, "skip") != 0 &&
	    strcmp(opt_empty, "notice") != 0)
		return cmd_usage(ctx, "--empty '%s' is not skip or notice",
		    opt_empty);
	if (opt_around != NULL && !around_day(opt_around, &around))
		return cmd_usage(ctx, "--around '%s' is not one weekday (mon, "
		    "tue, ...) or none", opt_around);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_around != NULL)
		t->around_day = around;
	if (opt_title != NULL)
		g_free(t->title), t->title = g_strdup(opt_title);
	if (opt_zone != NULL)
		g_free(t->zone), t->zone = g_strdup(opt_zone);
	if (digest)
		g_free(t->digest_rrule), t->digest_rrule = g_steal_pointer(&rule);
	if (opt_empty != NULL)
		g_free(t->digest_empty), t->digest_empty = g_strdup(opt_empty);
	if (!store_team_set(ctx->store, t, &error))
		return cmd_fail(ctx, error);
	printf("changed team %s\n", t->name);
	return EX_OK;
}

static int
team_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (t->members > 0 && !opt_force) {
		log_warnx("team remove: team '%s' has %d member%s; remove "
		    "them first or use --force", t->name, t->members,
		    t->members == 1 ? "" : "s");
		return EX_DATAERR;
	}
	if (!store_team_remove(ctx->store, argv[1], &error))
		return cmd_fail(ctx, error);
	printf("removed team %s\n", argv[1]);
	return EX_OK;
}

static const struct cmd_entry team_add_entry = {
	.name = "add", .args = "NAME [--title TEXT] [--zone ZONE]",
	.summary = "add a team",
	.help = "NAME is 1 to 40 lower-case letters, digits and inner hyphens; "
	    "it becomes\npart of mail addresses (LOCAL+NAME-subscribe@DOMAIN) "
	    "and of the List-Id.",
	.options = add_options, .min_args = 1, .max_args = 1,
	.exec = team_add,
};
static const struct cmd_entry team_list_entry = {
	.name = "list", .args = "", .summary = "list the teams",
	.min_args = 0, .max_args = 0, .exec = team_list,
};
static const struct cmd_entry team_show_entry = {
	.name = "show", .args = "NAME", .summary = "show a team and its members",
	.min_args = 1, .max_args = 1, .exec = team_show,
};
static const struct cmd_entry team_set_entry = {
	.name = "set",
	.args = "NAME [--title TEXT] [--zone ZONE] [--digest RRULE|none | "
	    "--digest-at HH:MM [--digest-days DAYS]] [--empty skip|notice]",
	.summary = "change a team: its title, zone and digest schedule",
	.help = "The digest schedule is an RRULE in the team's zone, such as\n"
	    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0, which "
	    "--digest-at 09:00\nmakes for you.  A period without news sends "
	    "nothing, or with --empty notice\na one-line digest.",
	.options = set_options, .min_args = 1, .max_args = 1,
	.exec = team_set,
};
static const struct cmd_entry team_remove_entry = {
	.name = "remove", .args = "NAME [--force]",
	.summary = "remove a team (its people stay)",
	.options = remove_options, .min_args = 1, .max_args = 1,
	.exec = team_remove,
};

const struct cmd_entry cmd_team_entry = {
	.name = "team",
	.summary = "manage teams",
	.subs = (const struct cmd_entry *const[]){ &team_add_entry,
	    &team_list_entry, &team_show_entry, &team_set_entry,
	    &team_remove_entry, NULL },
};
