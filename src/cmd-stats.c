/* tidings stats: the pulse of a team, per member and per week. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "chart.h"
#include "clock.h"
#include "columns.h"
#include "report.h"
#include "schedule.h"
#include "stats.h"
#include "store.h"
#include "store-team.h"
#include "store-stats.h"
#include "tidings.h"

#define MAX_WEEKS 520

static char *opt_team;
static int opt_weeks = 12;
static gboolean opt_json;
static char *opt_svg;

static const GOptionEntry stats_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team (required)", "TEAM" },
	{ "weeks", 'w', 0, G_OPTION_ARG_INT, &opt_weeks,
	  "the weeks to look back over, this one included (default 12)", "N" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "one JSON object", NULL },
	{ "svg", 's', 0, G_OPTION_ARG_FILENAME, &opt_svg,
	  "write the chart of the answer rate per week as SVG to FILE (- for "
	  "standard output)", "FILE" },
	G_OPTION_ENTRY_NULL
};

/* "1h 05m", "3d 2h", "12m"; "-" for none. */
static char *
duration(gint64 secs)
{
	if (secs < 0)
		return g_strdup("-");
	if (secs >= 86400)
		return g_strdup_printf("%" G_GINT64_FORMAT "d %" G_GINT64_FORMAT
		    "h", secs / 86400, secs % 86400 / 3600);
	if (secs >= 3600)
		return g_strdup_printf("%" G_GINT64_FORMAT "h %02" G_GINT64_FORMAT
		    "m", secs / 3600, secs % 3600 / 60);
	return g_strdup_printf("%" G_GINT64_FORMAT "m", secs / 60);
}

static char *
percent(double rate)
{
	return rate < 0 ? g_strdup("-") : g_strdup_printf("%.0f%%",
	    rate * 100);
}

static void
add_int_or_null(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	if (v < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, v);
}

static void
add_rate(JsonBuilder *b, const char *name, double rate)
{
	json_builder_set_member_name(b, name);
	if (rate < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, (double)(gint64)(rate * 1000 +
		    0.5) / 1000);
}

static void
member_json(JsonBuilder *b, const struct stats_member *m)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "email");
	json_builder_add_string_value(b, m->email);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, m->name);
	add_int_or_null(b, "asked", m->asked);
	add_int_or_null(b, "answered", m->answered);
	add_int_or_null(b, "missed", m->missed);
	add_int_or_null(b, "skipped", m->skipped);
	add_int_or_null(b, "away", m->away);
	add_int_or_null(b, "open", m->open);
	add_rate(b, "answer_rate", m->rate);
	add_int_or_null(b, "streak", m->streak);
	add_int_or_null(b, "longest_streak", m->longest);
	add_int_or_null(b, "median_response_seconds", m->median_response);
	add_int_or_null(b, "blockers_opened", m->blockers_opened);
	add_int_or_null(b, "blockers_resolved", m->blockers_resolved);
	add_int_or_null(b, "median_blocked_seconds", m->median_blocked);
	json_builder_end_object(b);
}

static void
stats_json(const struct team *team, const struct stats *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *from = sched_format(team->zone, s->from, "%F");
	g_autofree char *to = sched_format(team->zone, s->to, "%F");

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "team");
	json_builder_add_string_value(b, team->name);
	json_builder_set_member_name(b, "zone");
	json_builder_add_string_value(b, team->zone);
	json_builder_set_member_name(b, "from");
	json_builder_add_string_value(b, from);
	json_builder_set_member_name(b, "to");
	json_builder_add_string_value(b, to);
	add_int_or_null(b, "weeks", s->weeks->len);
	add_int_or_null(b, "asked", s->asked);
	add_int_or_null(b, "answered", s->answered);
	add_rate(b, "answer_rate", s->rate);
	json_builder_set_member_name(b, "members");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->members->len; i++)
		member_json(b, s->members->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "participation");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->weeks->len; i++) {
		const struct stats_week *w = &g_array_index(s->weeks,
		    struct stats_week, i);
		g_autofree char *start = sched_format(team->zone, w->start,
		    "%F");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "week");
		json_builder_add_string_value(b, start);
		add_int_or_null(b, "members", w->members);
		add_int_or_null(b, "active", w->active);
		add_int_or_null(b, "asked", w->asked);
		add_int_or_null(b, "answered", w->answered);
		add_rate(b, "answer_rate", w->rate);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "longest_open_blocker");
	if (s->blocker == NULL)
		json_builder_add_null_value(b);
	else {
		g_autofree char *since = sched_format(team->zone,
		    s->blocker->opened_at, "%F");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, s->blocker->name);
		json_builder_set_member_name(b, "title");
		json_builder_add_string_value(b, s->blocker->title);
		json_builder_set_member_name(b, "since");
		json_builder_add_string_value(b, since);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	report_print_json(b);
}

/* The answer rate of each week as bars; LABELS keeps their text. */
static struct chart_bar *
week_bars(const struct team *team, const struct stats *s, GPtrArray *labels)
{
	struct chart_bar *bars = g_new0(struct chart_bar, s->weeks->len + 1);

	for (guint i = 0; i < s->weeks->len; i++) {
		const struct stats_week *w = &g_array_index(s->weeks,
		    struct stats_week, i);
		char *label = sched_format(team->zone, w->start, "%-d %b");
		g_ptr_array_add(labels, label);
		bars[i].label = label;
		bars[i].value = w->rate;
	}
	return bars;
}

static gboolean
write_svg(const struct team *team, const struct stats *s, const char *path,
    GError **error)
{
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autofree struct chart_bar *bars = week_bars(team, s, labels);
	g_autofree char *title = g_strdup_printf("%s: answers per week",
	    *team->title != '\0' ? team->title : team->name);
	g_autofree char *svg = chart_svg(bars, s->weeks->len, title);

	if (strcmp(path, "-") == 0) {
		fputs(svg, stdout);
		return TRUE;
	}
	return g_file_set_contents(path, svg, -1, error);
}

static void
stats_text(const struct team *team, const struct stats *s)
{
	g_autofree char *from = sched_format(team->zone, s->from,
	    "%a %-d %b %Y");
	g_autofree char *rate = percent(s->rate);
	struct columns *c;

	printf("%s, %u week%s from %s (%s): ", team->name, s->weeks->len,
	    s->weeks->len == 1 ? "" : "s", from, team->zone);
	if (s->asked == 0)
		printf("nobody was asked\n\n");
	else
		printf("%s answered (%u of %u)\n\n", rate, s->answered,
		    s->asked);
	c = columns_new((const char *const[]){ "MEMBER", "ANSWERED", "RATE",
	    "STREAK", "LONGEST", "MEDIAN REPLY", "SKIPPED", "AWAY",
	    "BLOCKERS", "MEDIAN BLOCKED", NULL });
	for (guint i = 0; i < s->members->len; i++) {
		const struct stats_member *m = s->members->pdata[i];
		g_autofree char *answered = g_strdup_printf("%u of %u",
		    m->answered, m->asked);
		g_autofree char *r = percent(m->rate);
		g_autofree char *streak = g_strdup_printf("%u", m->streak);
		g_autofree char *longest = g_strdup_printf("%u", m->longest);
		g_autofree char *median = duration(m->median_response);
		g_autofree char *skipped = g_strdup_printf("%u", m->skipped);
		g_autofree char *away = g_strdup_printf("%u", m->away);
		g_autofree char *blockers = m->blockers_opened < 0 ?
		    g_strdup("-") : g_strdup_printf("%d opened, %d resolved",
		    m->blockers_opened, m->blockers_resolved);
		g_autofree char *blocked = duration(m->median_blocked);
		columns_add(c, m->name, answered, r, streak, longest, median,
		    skipped, away, blockers, blocked);
	}
	columns_print(c, stdout);
	{
		g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(
		    g_free);
		g_autofree struct chart_bar *bars = week_bars(team, s, labels);
		g_autofree char *line = chart_text(bars, s->weeks->len);
		printf("\nParticipation per week: %s\n", line);
	}
	for (guint i = 0; i < s->weeks->len; i++) {
		const struct stats_week *w = &g_array_index(s->weeks,
		    struct stats_week, i);
		g_autofree char *start = sched_format(team->zone, w->start,
		    "%a %-d %b");
		g_autofree char *r = percent(w->rate);
		printf("  %-10s %4s  %u of %u answered, %u of %u members\n",
		    start, r, w->answered, w->asked, w->active, w->members);
	}
}

static int
stats_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) team = NULL;
	g_autoptr(GPtrArray) members = NULL, rows = NULL, blockers = NULL;
	g_autoptr(GArray) weeks = NULL;
	g_autoptr(Stats) s = NULL;
	gint64 now = clock_now();
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (opt_weeks < 1 || opt_weeks > MAX_WEEKS)
		return cmd_usage(ctx, "--weeks takes a number from 1 to %d",
		    MAX_WEEKS);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((team = store_team_get(ctx->store, opt_team, &error)) == NULL ||
	    (members = store_member_list(ctx->store, opt_team,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	weeks = stats_weeks(team->zone, now, (guint)opt_weeks);
	rows = store_stats_prompts(ctx->store, team->id,
	    g_array_index(weeks, gint64, 0),
	    g_array_index(weeks, gint64, weeks->len - 1), now, &error);
	if (rows == NULL)
		return cmd_fail(ctx, error);
	s = stats_compute(members, rows, weeks);
	if ((blockers = store_stats_blockers(ctx->store, team->id, s->from,
	    s->to, &error)) == NULL)
		return cmd_fail(ctx, error);
	stats_add_blockers(s, blockers);
	if (opt_svg != NULL) {
		if (!write_svg(team, s, opt_svg, &error)) {
			g_printerr("tidings stats: %s\n", error->message);
			return EX_CANTCREAT;
		}
		if (strcmp(opt_svg, "-") == 0)
			return EX_OK;
	}
	if (opt_json)
		stats_json(team, s);
	else
		stats_text(team, s);
	return EX_OK;
}

const struct cmd_entry cmd_stats_entry = {
	.name = "stats", .args = "--team TEAM [--weeks N] [--json] [--svg FILE]",
	.summary = "the pulse of a team: who answers, how often, how fast",
	.help = "Over the last N weeks (12 unless told, this one included, "
	    "weeks starting on\nMonday in the team's zone), for each member: "
	    "the answer rate (prompts\nanswered of prompts asked; a prompt "
	    "skipped by mail, not sent while away,\npaused or on a day off, "
	    "or still open is not counted against them), the\ncurrent and "
	    "longest run of answered prompts, and the median time from\n"
	    "prompt to answer counted in their own working hours; then the "
	    "team's\nparticipation per week, with a line of bars.  --svg "
	    "writes that chart as SVG\nfor a page or a slide.",
	.options = stats_options, .min_args = 0, .max_args = 0,
	.exec = stats_exec,
};
