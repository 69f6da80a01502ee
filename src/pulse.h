/* The pulse of a digest: the answer rate of its period against the one
 * before, the rate of each of the last weeks as a small chart, a streak
 * worth naming and, once blockers are kept, the longest-standing one.
 * Gathered with the figures of stats.c when a digest is built, rendered
 * as a section of its text part (a line of bar characters) and of its
 * HTML part (bars of table cells, no image, nothing remote). */
#ifndef TIDINGS_PULSE_H
#define TIDINGS_PULSE_H

#include <glib.h>

struct store;
struct team;

/* The weeks the chart looks back over, and the run of answered prompts
 * that is worth naming. */
#define PULSE_WEEKS 8
#define PULSE_STREAK 5

struct pulse {
	guint asked, answered;		/* prompts of the period */
	guint last_asked, last_answered; /* of the period before, as long */
	char *streak_name;		/* NULL: no streak worth naming */
	guint streak;
	char *blocker_name;		/* NULL: none open, or not kept */
	char *blocker_title;
	gint64 blocker_since;
	char *zone;			/* the team's, for dates */
	GArray *week_starts;		/* gint64, PULSE_WEEKS of them */
	GArray *week_rates;		/* double; below 0 for nobody asked */
};
void pulse_free(struct pulse *p);

/* The pulse of TEAM's digest for [START, END), every prompt as it stood
 * at END.  NULL with ERROR set when the store fails. */
struct pulse *pulse_gather(struct store *st, const struct team *team,
    gint64 start, gint64 end, GError **error);

/* Whether there is anything to tell: someone was asked in the period or
 * in the one before. */
gboolean pulse_any(const struct pulse *p);

/* The section as text (*TEXT) and HTML (*HTML, values escaped).  Caller
 * frees both. */
void pulse_render(const struct pulse *p, char **text, char **html);

/* The answer rate of each week of P as an SVG document under TITLE, or
 * NULL when nobody was asked in those weeks.  Caller frees. */
char *pulse_svg(const struct pulse *p, const char *title);

#endif
