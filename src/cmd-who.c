/* tidings who and tidings overlap: the team directory for urgent
 * contact, and the hours a team shares across its zones. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "avail.h"
#include "clock.h"
#include "columns.h"
#include "grid.h"
#include "report.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-bounce.h"
#include "tidings.h"
#include "urgent.h"
#include "utf8.h"
#include "value.h"

static char *opt_team;
static gboolean opt_json;
static gboolean opt_week;
static int opt_near = 2;
static gboolean opt_grid;
static char *opt_zone;
static char *opt_color;

static const GOptionEntry who_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team (required)", "TEAM" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "one JSON object per member", NULL },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry overlap_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team (required)", "TEAM" },
	{ "week", 'w', 0, G_OPTION_ARG_NONE, &opt_week,
	  "the coming seven days rather than one", NULL },
	{ "near", 'n', 0, G_OPTION_ARG_INT, &opt_near,
	  "show windows with up to N members missing (default 2)", "N" },
	{ "grid", 'g', 0, G_OPTION_ARG_NONE, &opt_grid,
	  "draw one band a member across the day (or week)", NULL },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the zone the grid is aligned in (default the team's)", "ZONE" },
	{ "color", 0, 0, G_OPTION_ARG_STRING, &opt_color,
	  "blocks and colour: auto (on a terminal), always or never",
	  "WHEN" },
	G_OPTION_ENTRY_NULL
};

static void
who_json(const struct avail_who *w, const struct mail_health *h)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "email");
	json_builder_add_string_value(b, w->email);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, w->name);
	json_builder_set_member_name(b, "zone");
	json_builder_add_string_value(b, w->zone);
	json_builder_set_member_name(b, "local_time");
	json_builder_add_string_value(b, w->local);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, avail_state_name(w->state));
	json_builder_set_member_name(b, "why");
	json_builder_add_string_value(b, w->why);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, w->status);
	json_builder_set_member_name(b, "status_until");
	json_builder_add_int_value(b, w->status_until);
	json_builder_set_member_name(b, "next_working");
	json_builder_add_int_value(b, w->state == AVAIL_WORKING ? 0 : w->next);
	/* Mail to them bounces (since when), and whether it is dead: then
	 * they are not prompted. */
	json_builder_set_member_name(b, "mail_bounces_since");
	json_builder_add_int_value(b, h->since);
	json_builder_set_member_name(b, "mail_dead");
	json_builder_add_boolean_value(b, h->dead_at != 0);
	json_builder_end_object(b);
	report_print_json(b);
}

static int
who_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) who = NULL;
	g_autoptr(Team) team = NULL;
	g_autofree struct mail_health *health = NULL;
	g_autofree char *line = NULL;
	struct columns *c;
	gint64 now = clock_now();
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((team = store_team_get(ctx->store, opt_team, &error)) == NULL ||
	    (who = avail_who(ctx->store, opt_team, now, &error)) == NULL)
		return cmd_fail(ctx, error);
	health = g_new0(struct mail_health, MAX(who->len, 1));
	for (guint i = 0; i < who->len; i++)
		if (!store_person_mail_health(ctx->store,
		    ((struct avail_who *)who->pdata[i])->email, &health[i],
		    &error))
			return cmd_fail(ctx, error);
	if (opt_json) {
		for (guint i = 0; i < who->len; i++)
			who_json(who->pdata[i], &health[i]);
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "MEMBER", "ZONE", "LOCAL",
	    "NOW", "STATUS", "NEXT WORKING (LOCAL)", NULL });
	for (guint i = 0; i < who->len; i++) {
		const struct avail_who *w = who->pdata[i];
		g_autofree char *state = g_strdup_printf("%s%s%s%s",
		    avail_state_name(w->state), w->why != NULL ? " (" : "",
		    w->why != NULL ? w->why : "", w->why != NULL ? ")" : "");
		g_autofree char *until = w->status_until != 0 ?
		    sched_format(w->zone, w->status_until - 1, " until %a %-d %b") :
		    g_strdup("");
		g_autofree char *status = w->status != NULL ?
		    g_strconcat(w->status, until, NULL) : g_strdup("-");
		const struct mail_health *h = &health[i];

		if (h->dead_at != 0) {
			/* Why they are not asked: say it first. */
			g_autofree char *since = sched_format(w->zone, h->since,
			    "%a %-d %b");
			g_autofree char *rest = g_steal_pointer(&status);
			status = g_strdup_printf("mail bounces since %s%s%s",
			    since, strcmp(rest, "-") != 0 ? "; " : "",
			    strcmp(rest, "-") != 0 ? rest : "");
		}
		g_autofree char *next = w->state == AVAIL_WORKING ?
		    g_strdup("now") : w->next != 0 ? sched_format(w->zone,
		    w->next, "%a %-d %b %H:%M") : g_strdup("not within 60 days");
		columns_add(c, *w->name != '\0' ? w->name : w->email, w->zone,
		    w->local, state, status, next);
	}
	columns_print(c, stdout);
	if ((line = urgent_who_line(ctx->store, opt_team, now, &error)) == NULL)
		return cmd_fail(ctx, error);
	printf("\n%s\n", line);
	return EX_OK;
}

/* "Tue 14:00-16:30" for each member, in their zone. */
static void
print_window(const struct avail_window *w, GPtrArray *members)
{
	g_autofree char *when = sched_format("UTC", w->start, "%a %-d %b");

	if (w->missing->len == 0)
		printf("all %u members, %s (%u min):\n", members->len, when,
		    (unsigned)((w->end - w->start) / 60));
	else {
		printf("all but ");
		for (guint i = 0; i < w->missing->len; i++) {
			g_autofree char *name = utf8_visible(
			    w->missing->pdata[i], FALSE);
			printf("%s%s", i == 0 ? "" : i + 1 == w->missing->len ?
			    " and " : ", ", name);
		}
		printf(", %s (%u min):\n", when,
		    (unsigned)((w->end - w->start) / 60));
	}
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_autofree char *a = sched_format(p->zone, w->start, "%a %H:%M");
		g_autofree char *b = sched_format(p->zone, w->end, "%H:%M");
		g_autofree char *name = utf8_visible(*p->name != '\0' ?
		    p->name : p->email, FALSE);
		printf("    %-24s %s-%s %s\n", name, a, b, p->zone);
	}
}

/* Whether the grid is drawn for a terminal: WHEN (auto, always, never);
 * auto is a terminal that is not dumb, without NO_COLOR. */
static gboolean
terminal_style(const char *when, gboolean *terminal)
{
	const char *term = g_getenv("TERM");

	if (when == NULL || strcmp(when, "auto") == 0)
		*terminal = isatty(STDOUT_FILENO) && g_getenv("NO_COLOR") ==
		    NULL && term != NULL && strcmp(term, "dumb") != 0;
	else if (strcmp(when, "always") == 0)
		*terminal = TRUE;
	else if (strcmp(when, "never") == 0)
		*terminal = FALSE;
	else
		return FALSE;
	return TRUE;
}

/* The team's day (or, with --week, seven days) from the viewer's midnight,
 * a band a member. */
static int
overlap_grid(struct cmd_ctx *ctx, const struct team *team, gint64 now)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Grid) g = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(now);
	g_autoptr(GDateTime) local = NULL, midnight = NULL, end = NULL;
	g_autofree char *text = NULL;
	const char *zone = opt_zone != NULL ? opt_zone : team->zone;
	gboolean terminal;
	gint64 step = opt_week ? 3 * 3600 : 30 * 60;

	if (!terminal_style(opt_color, &terminal))
		return cmd_usage(ctx, "--color takes auto, always or never, "
		    "not '%s'", opt_color);
	if (opt_zone != NULL && !value_zone(opt_zone, &error))
		return cmd_usage(ctx, "--zone: %s", error->message);
	tz = g_time_zone_new_identifier(zone);
	if (tz == NULL)
		tz = g_time_zone_new_utc();
	local = g_date_time_to_timezone(utc, tz);
	midnight = g_date_time_new(tz, g_date_time_get_year(local),
	    g_date_time_get_month(local), g_date_time_get_day_of_month(local),
	    0, 0, 0);
	/* To the same midnight a day or a week on: a cell more or less on
	 * a change of daylight saving time. */
	end = g_date_time_add_days(midnight, opt_week ? 7 : 1);
	g = grid_build(ctx->store, team->name, zone,
	    g_date_time_to_unix(midnight), step,
	    (guint)((g_date_time_to_unix(end) - g_date_time_to_unix(midnight)) /
	    step), (guint)opt_near, &error);
	if (g == NULL)
		return cmd_fail(ctx, error);
	text = grid_text(g, terminal ? GRID_TERMINAL : GRID_ASCII, opt_week);
	fputs(text, stdout);
	return EX_OK;
}

static int
overlap_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) windows = NULL, members = NULL;
	g_autoptr(Team) team = NULL;
	gint64 step = 15 * 60, now = clock_now();
	gint64 from = (now + step - 1) / step * step;
	gint64 to = from + (opt_week ? 7 : 1) * 86400;
	gboolean any = FALSE;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (opt_near < 0 || opt_near > 10)
		return cmd_usage(ctx, "--near takes a number from 0 to 10");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((team = store_team_get(ctx->store, opt_team, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_grid)
		return overlap_grid(ctx, team, now);
	if (opt_zone != NULL || opt_color != NULL)
		return cmd_usage(ctx, "--zone and --color are for --grid");
	if ((windows = avail_overlap(ctx->store, opt_team, from, to, step,
	    (guint)opt_near, &members, &error)) == NULL)
		return cmd_fail(ctx, error);
	for (int pass = 0; pass < 2; pass++) {
		printf(pass == 0 ? "Shared working hours:\n" :
		    "\nNear misses:\n");
		any = FALSE;
		for (guint i = 0; i < windows->len; i++) {
			const struct avail_window *w = windows->pdata[i];
			if ((w->missing->len == 0) != (pass == 0))
				continue;
			print_window(w, members);
			any = TRUE;
		}
		if (!any)
			printf("  none in the coming %s\n", opt_week ? "week" :
			    "day");
	}
	return EX_OK;
}

const struct cmd_entry cmd_who_entry = {
	.name = "who", .args = "--team TEAM [--json]",
	.summary = "each member's local time, whether they work now, and when",
	.help = "For each member of the team: the local time now, whether they "
	    "are working,\noff, busy, in deep work or away (with why), their "
	    "status, and when they next\nwork.  The same as the answer to a "
	    "\"who\" mail.",
	.options = who_options, .min_args = 0, .max_args = 0,
	.exec = who_exec,
};

const struct cmd_entry cmd_overlap_entry = {
	.name = "overlap", .args = "--team TEAM [--week] [--near N] "
	    "[--grid [--zone ZONE] [--color WHEN]]",
	.summary = "the hours a team shares across its zones",
	.help = "The windows of the coming day (or week) in which every member "
	    "is in their\nworking hours and not away (busy and deep work count "
	    "as there), looked at\nevery 15 minutes and shown in each member's "
	    "local time; then the near\nmisses, in which all but N are, with "
	    "who is missing.",
	.options = overlap_options, .min_args = 0, .max_args = 0,
	.exec = overlap_exec,
};
