/* tidings member add|list|show|set|remove. */
#include "config.h"

#include <stdio.h>

#include "clock.h"
#include "columns.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-avail.h"
#include "store-bounce.h"
#include "tidings.h"
#include "utf8.h"
#include "value.h"

static char *opt_team;
static char *opt_name;
static char *opt_zone;
static char *opt_hours;
static char *opt_days;
static gboolean opt_owner;
static gboolean opt_mail_ok;

#define PERSON_OPTIONS \
	{ "name", 'n', 0, G_OPTION_ARG_STRING, &opt_name, \
	  "the display name", "NAME" }, \
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone, \
	  "the IANA time zone, like Europe/Berlin (default UTC)", "ZONE" }, \
	{ "hours", 'H', 0, G_OPTION_ARG_STRING, &opt_hours, \
	  "working hours in local time (default 09:00-17:00)", "HH:MM-HH:MM" }, \
	{ "days", 'd', 0, G_OPTION_ARG_STRING, &opt_days, \
	  "workdays, like mon-fri or sun-thu (default mon-fri)", "DAYS" }

static const GOptionEntry add_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team to join (required)", "TEAM" },
	{ "owner", 0, 0, G_OPTION_ARG_NONE, &opt_owner,
	  "make the member an owner of the team", NULL },
	PERSON_OPTIONS,
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry set_options[] = {
	PERSON_OPTIONS,
	{ "mail-ok", 0, 0, G_OPTION_ARG_NONE, &opt_mail_ok,
	  "the address works again: forget its bounces and prompt again",
	  NULL },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry team_option[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team", "TEAM" },
	G_OPTION_ENTRY_NULL
};

/* Applies the person options given on the command line to P. */
static gboolean
apply_options(struct person *p, GError **error)
{
	int start, end;
	unsigned days;

	if (opt_name != NULL) {
		if (!value_display_name(opt_name, error))
			return FALSE;
		g_free(p->name);
		p->name = g_strdup(opt_name);
	}
	if (opt_zone != NULL) {
		if (!value_zone(opt_zone, error))
			return FALSE;
		g_free(p->zone);
		p->zone = g_strdup(opt_zone);
	}
	if (opt_hours != NULL) {
		if (!value_hours(opt_hours, &start, &end, error))
			return FALSE;
		p->work_start = start;
		p->work_end = end;
	}
	if (opt_days != NULL) {
		if (!value_workdays(opt_days, &days, error))
			return FALSE;
		p->workdays = days;
	}
	return TRUE;
}

static int
member_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = NULL;
	g_autofree char *email = NULL;
	gboolean known;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if ((email = value_email(argv[1], &error)) == NULL ||
	    !value_team_name(opt_team, &error))
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	p = store_person_get(ctx->store, email, &error);
	known = p != NULL;
	if (!known) {
		if (!g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
			return cmd_fail(ctx, error);
		g_clear_error(&error);
		p = person_new(email);
	}
	if (!apply_options(p, &error))
		return cmd_usage(ctx, "%s", error->message);
	if (!store_begin(ctx->store, &error))
		return cmd_fail(ctx, error);
	if (!store_person_save(ctx->store, p, &error) ||
	    !store_member_add(ctx->store, opt_team, p->email,
	    opt_owner ? "owner" : "member", &error)) {
		store_rollback(ctx->store);
		return cmd_fail(ctx, error);
	}
	if (!store_commit(ctx->store, &error))
		return cmd_fail(ctx, error);
	printf("added %s to team %s%s\n", p->email, opt_team,
	    opt_owner ? " as an owner" : "");
	return EX_OK;
}

static int
member_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) people = NULL;
	g_autoptr(Team) t = NULL;
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (opt_team != NULL &&
	    (t = store_team_get(ctx->store, opt_team, &error)) == NULL)
		return cmd_fail(ctx, error);
	if ((people = store_member_list(ctx->store, opt_team, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (people->len == 0) {
		printf("no members; add one with 'tidings member add EMAIL "
		    "--team TEAM'\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "EMAIL", "NAME", "ZONE",
	    "HOURS", "DAYS", opt_team != NULL ? "ROLE" : "TEAMS", NULL });
	for (guint i = 0; i < people->len; i++) {
		struct person *p = people->pdata[i];
		g_autofree char *hours = value_hours_format(p->work_start,
		    p->work_end);
		g_autofree char *days = value_workdays_format(p->workdays);
		columns_add(c, p->email, p->name, p->zone, hours, days,
		    opt_team != NULL ? p->role : p->teams);
	}
	columns_print(c, stdout);
	return EX_OK;
}

/* When T is, in P's zone and words: "Thu 24 Dec 2026 09:00", or the day
 * alone when T is its start; with END, a day's start is said as the end
 * of the day before ("the end of Fri 11 Dec 2026").  Caller frees. */
static char *
local_date(const struct person *p, gint64 t, gboolean end)
{
	g_autofree char *hm = sched_format(p->zone, t, "%H:%M");
	char *s;

	if (g_strcmp0(hm, "00:00") != 0)
		s = sched_format(p->zone, t, "%a %-d %b %Y %H:%M");
	else if (!end)
		s = sched_format(p->zone, t, "%a %-d %b %Y");
	else {
		g_autofree char *day = sched_format(p->zone, t - 1,
		    "%a %-d %b %Y");
		s = day != NULL ? g_strconcat("the end of ", day, NULL) : NULL;
	}
	return s != NULL ? s : g_strdup("?");
}

/* Whether P is paused (asked nothing until when) and the status they
 * stated, as they stand now; text from mail shown visibly. */
static gboolean
show_pause_status(struct cmd_ctx *ctx, const struct person *p,
    GError **error)
{
	gint64 now = clock_now(), until = 0;
	g_autofree char *status = store_person_status(ctx->store, p->id, now,
	    &until, error);
	g_autofree char *visible = NULL;

	if (status == NULL && error != NULL && *error != NULL)
		return FALSE;
	if (p->paused_until > now) {
		g_autofree char *when = local_date(p, p->paused_until,
		    FALSE);
		printf("paused: until %s (no prompts before then; 'resume' "
		    "ends it)\n", when);
	} else
		printf("paused: no\n");
	if (status == NULL) {
		printf("status: none\n");
		return TRUE;
	}
	visible = utf8_visible(status, FALSE);
	if (until > 0) {
		g_autofree char *when = local_date(p, until, TRUE);
		printf("status: %s (until %s)\n", visible, when);
	} else
		printf("status: %s\n", visible);
	return TRUE;
}

static int
member_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = NULL;
	g_autofree char *email = NULL;
	struct mail_health h;
	int rc;

	if ((email = value_email(argv[1], &error)) == NULL)
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((p = store_person_get(ctx->store, email, &error)) == NULL)
		return cmd_fail(ctx, error);
	g_autofree char *hours = value_hours_format(p->work_start, p->work_end);
	g_autofree char *days = value_workdays_format(p->workdays);
	g_autofree char *now = value_local_time(p->zone, p->work_start,
	    p->work_end, p->workdays, clock_now());
	printf("email:  %s\n", p->email);
	printf("name:   %s\n", p->name);
	printf("zone:   %s\n", p->zone);
	printf("hours:  %s\n", hours);
	printf("days:   %s\n", days);
	printf("teams:  %s\n", p->teams != NULL ? p->teams : "(none)");
	printf("now:    %s\n", now);
	if (!store_person_mail_health(ctx->store, p->email, &h, &error))
		return cmd_fail(ctx, error);
	if (h.since != 0) {
		g_autofree char *since = sched_format(p->zone, h.since,
		    "%Y-%m-%d %H:%M");
		printf("mail:   bounces since %s (score %.2f)%s\n", since,
		    h.score, h.dead_at != 0 ? ", not prompted" : "");
	}
	if (!show_pause_status(ctx, p, &error))
		return cmd_fail(ctx, error);
	return EX_OK;
}

static int
member_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = NULL;
	g_autofree char *email = NULL;
	int rc;

	if (opt_name == NULL && opt_zone == NULL && opt_hours == NULL &&
	    opt_days == NULL && !opt_mail_ok)
		return cmd_usage(ctx, "nothing to set; give --name, --zone, "
		    "--hours, --days or --mail-ok");
	if ((email = value_email(argv[1], &error)) == NULL)
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((p = store_person_get(ctx->store, email, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (!apply_options(p, &error))
		return cmd_usage(ctx, "%s", error->message);
	if (!store_person_save(ctx->store, p, &error) ||
	    (opt_mail_ok && !store_person_mail_ok(ctx->store, p->email,
	    &error)))
		return cmd_fail(ctx, error);
	printf("updated %s\n", p->email);
	return EX_OK;
}

static int
member_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *email = NULL;
	int rc;

	if ((email = value_email(argv[1], &error)) == NULL)
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!store_member_remove(ctx->store, email, opt_team, &error))
		return cmd_fail(ctx, error);
	if (opt_team != NULL)
		printf("removed %s from team %s\n", email, opt_team);
	else
		printf("removed %s from every team and forgot them\n", email);
	return EX_OK;
}

static const struct cmd_entry member_add_entry = {
	.name = "add",
	.args = "EMAIL --team TEAM [--owner] [--name NAME] [--zone ZONE] "
	    "[--hours HH:MM-HH:MM] [--days DAYS]",
	.summary = "add a person to a team",
	.help = "A person already known keeps their settings unless options "
	    "change them;\nthe same person may belong to several teams.",
	.options = add_options, .min_args = 1, .max_args = 1,
	.exec = member_add,
};
static const struct cmd_entry member_list_entry = {
	.name = "list", .args = "[--team TEAM]",
	.summary = "list members, of every team or one",
	.options = team_option, .min_args = 0, .max_args = 0,
	.exec = member_list,
};
static const struct cmd_entry member_show_entry = {
	.name = "show", .args = "EMAIL",
	.summary = "show a person's settings and local time",
	.min_args = 1, .max_args = 1, .exec = member_show,
};
static const struct cmd_entry member_set_entry = {
	.name = "set",
	.args = "EMAIL [--name NAME] [--zone ZONE] [--hours HH:MM-HH:MM] "
	    "[--days DAYS] [--mail-ok]",
	.summary = "change a person's name, zone, hours or days",
	.help = "With --mail-ok, an address whose mail bounced is taken to "
	    "work again:\nits bounces are forgotten and prompts go to it "
	    "again.",
	.options = set_options, .min_args = 1, .max_args = 1,
	.exec = member_set,
};
static const struct cmd_entry member_remove_entry = {
	.name = "remove", .args = "EMAIL [--team TEAM]",
	.summary = "remove a person from a team, or from every team",
	.help = "Without --team, the person is forgotten entirely.",
	.options = team_option, .min_args = 1, .max_args = 1,
	.exec = member_remove,
};

const struct cmd_entry cmd_member_entry = {
	.name = "member",
	.summary = "manage team members",
	.subs = (const struct cmd_entry *const[]){ &member_add_entry,
	    &member_list_entry, &member_show_entry, &member_set_entry,
	    &member_remove_entry, NULL },
};
