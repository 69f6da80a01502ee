/* The pulse of a digest; see pulse.h. */
#include "config.h"

#include "chart.h"
#include "pulse.h"
#include "schedule.h"
#include "stats.h"
#include "store.h"
#include "store-team.h"
#include "store-stats.h"

#define CSS_H2 "font-size: 18px; margin: 28px 0 8px 0; padding-bottom: 4px; " \
	"border-bottom: 1px solid #9aa0a6;"
#define CSS_P "margin: 0 0 8px 0;"

void
pulse_free(struct pulse *p)
{
	if (p == NULL)
		return;
	g_free(p->streak_name);
	g_free(p->blocker_name);
	g_free(p->blocker_title);
	g_free(p->zone);
	if (p->week_starts != NULL)
		g_array_unref(p->week_starts);
	if (p->week_rates != NULL)
		g_array_unref(p->week_rates);
	g_free(p);
}

/* The streak, the weekly rates and the longest-standing blocker, from
 * the weeks up to END. */
static gboolean
gather_weeks(struct pulse *p, struct store *st, const struct team *team,
    gint64 end, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, team->name,
	    error);
	g_autoptr(GPtrArray) rows = NULL, blockers = NULL;
	g_autoptr(GArray) weeks = NULL;
	g_autoptr(Stats) s = NULL;
	const struct stats_member *best;

	if (members == NULL)
		return FALSE;
	weeks = stats_weeks(team->zone, end - 1, PULSE_WEEKS);
	rows = store_stats_prompts(st, team->id, g_array_index(weeks, gint64,
	    0), MIN(end, g_array_index(weeks, gint64, weeks->len - 1)), end,
	    error);
	if (rows == NULL)
		return FALSE;
	s = stats_compute(members, rows, weeks);
	if ((blockers = store_stats_blockers(st, team->id, s->from, s->to,
	    error)) == NULL)
		return FALSE;
	stats_add_blockers(s, blockers);
	if ((best = stats_best_streak(s, PULSE_STREAK)) != NULL) {
		p->streak_name = g_strdup(best->name);
		p->streak = best->streak;
	}
	if (s->blocker != NULL) {
		p->blocker_name = g_strdup(s->blocker->name);
		p->blocker_title = g_strdup(s->blocker->title);
		p->blocker_since = s->blocker->opened_at;
	}
	p->week_starts = g_array_new(FALSE, FALSE, sizeof(gint64));
	p->week_rates = g_array_new(FALSE, FALSE, sizeof(double));
	for (guint i = 0; i < s->weeks->len; i++) {
		const struct stats_week *w = &g_array_index(s->weeks,
		    struct stats_week, i);
		g_array_append_val(p->week_starts, w->start);
		g_array_append_val(p->week_rates, w->rate);
	}
	return TRUE;
}

struct pulse *
pulse_gather(struct store *st, const struct team *team, gint64 start,
    gint64 end, GError **error)
{
	struct pulse *p = g_new0(struct pulse, 1);
	gint64 len = end - start;

	p->zone = g_strdup(team->zone);
	if (!store_stats_rate(st, team->id, start, end, end, &p->asked,
	    &p->answered, error) ||
	    !store_stats_rate(st, team->id, start - len, start, end,
	    &p->last_asked, &p->last_answered, error) ||
	    !gather_weeks(p, st, team, end, error)) {
		pulse_free(p);
		return NULL;
	}
	return p;
}

gboolean
pulse_any(const struct pulse *p)
{
	return p != NULL && p->asked + p->last_asked > 0;
}

static int
percent(guint part, guint whole)
{
	return whole > 0 ? (int)((100.0 * part) / whole + 0.5) : 0;
}

/* The sentences of the pulse, as plain text, one a line. */
static GPtrArray *
sentences(const struct pulse *p)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *last = p->last_asked > 0 ?
	    g_strdup_printf("%d%%", percent(p->last_answered, p->last_asked)) :
	    NULL;

	if (p->asked > 0)
		g_ptr_array_add(out, g_strdup_printf("Answered: %u of %u "
		    "prompts (%d%%)%s%s%s.", p->answered, p->asked,
		    percent(p->answered, p->asked),
		    last != NULL ? ", against " : "", last != NULL ? last : "",
		    last != NULL ? " the period before" : ""));
	else
		g_ptr_array_add(out, g_strdup_printf("Nobody was asked in this "
		    "period (%s the period before).", last));
	if (p->blocker_name != NULL) {
		g_autofree char *since = sched_format(p->zone,
		    p->blocker_since, "%-d %B");
		g_ptr_array_add(out, g_strdup_printf("Longest-standing "
		    "blocker: %s, since %s: %s", p->blocker_name, since,
		    p->blocker_title));
	}
	if (p->streak_name != NULL)
		g_ptr_array_add(out, g_strdup_printf("%s has answered %u "
		    "check-ins in a row.", p->streak_name, p->streak));
	return out;
}

/* The weeks of P as BARS (room for all), from the first week anyone was
 * asked, their labels kept in LABELS; returns how many. */
static guint
week_bars(const struct pulse *p, struct chart_bar *bars, GPtrArray *labels)
{
	guint first = 0, n;

	while (first < p->week_rates->len &&
	    g_array_index(p->week_rates, double, first) < 0)
		first++;
	n = p->week_rates->len - first;
	for (guint i = 0; i < n; i++) {
		char *label = sched_format(p->zone, g_array_index(
		    p->week_starts, gint64, first + i), "%-d %b");
		g_ptr_array_add(labels, label);
		bars[i].label = label;
		bars[i].value = g_array_index(p->week_rates, double, first + i);
	}
	return n;
}

char *
pulse_svg(const struct pulse *p, const char *title)
{
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autofree struct chart_bar *bars = g_new0(struct chart_bar,
	    p->week_rates->len + 1);
	guint n = week_bars(p, bars, labels);

	return n > 0 ? chart_svg(bars, n, title) : NULL;
}

void
pulse_render(const struct pulse *p, char **text, char **html)
{
	g_autoptr(GPtrArray) lines = sentences(p);
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autofree struct chart_bar *bars = g_new0(struct chart_bar,
	    p->week_rates->len + 1);
	g_autofree char *line = NULL, *chart = NULL;
	GString *t = g_string_new("PULSE\n=====\n\n");
	GString *h = g_string_new("<h2 style=\"" CSS_H2 "\">Pulse</h2>\n");
	guint n = week_bars(p, bars, labels);
	for (guint i = 0; i < lines->len; i++) {
		g_autofree char *e = g_markup_escape_text(lines->pdata[i], -1);
		g_string_append_printf(t, "%s\n", (char *)lines->pdata[i]);
		g_string_append_printf(h, "<p style=\"" CSS_P "\">%s</p>\n", e);
	}
	if (n > 0) {
		line = chart_text(bars, n);
		g_string_append_printf(t, "Answers per week since %s: %s\n",
		    (char *)labels->pdata[0], line);
		chart = chart_html(bars, n, "Answers per week");
		g_string_append_printf(h, "%s\n", chart);
	}
	*text = g_string_free(t, FALSE);
	*html = g_string_free(h, FALSE);
}
