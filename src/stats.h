/* The pulse of a team: how its check-ins are answered, computed from the
 * rows the store gives (src/store-stats.c) and nothing else, so that
 * every figure can be checked against numbers worked out by hand.
 *
 * What counts: a prompt that was sent and answered in time is answered;
 * one that closed unanswered (or was answered too late) is missed; both
 * are asked.  A prompt the member skipped by mail, one not sent because
 * they were away, paused or it was not their workday, and one still open
 * are not held against them: they are not asked, and they neither break
 * nor lengthen a streak.
 *
 * Blockers are one more source: stats_add_blockers() takes their rows,
 * whatever table keeps them, and fills the blocker figures, which stay
 * unknown (STATS_NONE) until it is called. */
#ifndef TIDINGS_STATS_H
#define TIDINGS_STATS_H

#include <glib.h>

struct person;

#define STATS_NONE (-1)		/* a figure without data */
#define STATS_WEEK (7 * 86400)

/* What became of one prompt. */
enum stats_outcome {
	STATS_ANSWERED,
	STATS_MISSED,		/* closed unanswered */
	STATS_OPEN,		/* sent, not yet closed */
	STATS_SKIPPED,		/* the member said skip */
	STATS_AWAY,		/* not sent: away */
	STATS_NOT_ASKED,	/* not sent: not a workday, paused */
};

/* One prompt, as the store reads it: rows come ordered by person, then
 * due time. */
struct stats_prompt {
	gint64 person_id;
	gint64 due_at;
	gint64 answered_at;	/* 0: not answered */
	enum stats_outcome outcome;
};

/* One blocker, for stats_add_blockers(). */
struct stats_blocker {
	gint64 person_id;
	gint64 opened_at;
	gint64 resolved_at;	/* 0: still open */
	char *title;		/* what blocks, for the longest standing */
};

/* One member's figures over the period. */
struct stats_member {
	gint64 id;
	char *email;
	char *name;
	guint asked;		/* answered + missed */
	guint answered;
	guint missed;
	guint skipped;
	guint away;
	guint open;
	double rate;		/* answered / asked; STATS_NONE without any */
	guint streak;		/* answered in a row, up to now */
	guint longest;		/* the longest such run in the period */
	/* The median, in seconds, of the time from prompt to answer counted
	 * in the member's working hours and workdays; STATS_NONE without
	 * an answer. */
	gint64 median_response;
	/* Blockers (stats_add_blockers); STATS_NONE until then. */
	int blockers_opened;
	int blockers_resolved;
	gint64 median_blocked;	/* seconds, of those resolved */
};

/* One week of the team: weeks start on Monday 00:00 in the team's zone. */
struct stats_week {
	gint64 start;
	guint members;		/* members asked at least once */
	guint active;		/* members who answered at least once */
	guint asked;
	guint answered;
	double rate;		/* STATS_NONE when nobody was asked */
};

/* The longest-standing blocker still open, for the digest's pulse. */
struct stats_open_blocker {
	gint64 person_id;
	char *name;
	char *title;
	gint64 opened_at;
};

struct stats {
	gint64 from, to;	/* the period, [from, to) */
	GPtrArray *members;	/* struct stats_member *, in the team's order */
	GArray *weeks;		/* struct stats_week, oldest first */
	guint asked, answered;
	double rate;
	struct stats_open_blocker *blocker;	/* NULL: none, or unknown */
	gboolean blockers_known;
};
void stats_free(struct stats *s);
typedef struct stats Stats;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Stats, stats_free)

/* The Mondays 00:00 in ZONE that start the WEEKS weeks ending with the one
 * holding NOW, oldest first, and the end of the last (a GArray of
 * gint64, WEEKS + 1 long). */
GArray *stats_weeks(const char *zone, gint64 now, guint weeks);

/* The figures of MEMBERS (struct person *) from ROWS (struct
 * stats_prompt *, ordered by person then due time) over the weeks starting
 * at the elements of WEEK_STARTS (stats_weeks()). */
struct stats *stats_compute(GPtrArray *members, GPtrArray *rows,
    GArray *week_starts);

/* Adds the blocker figures from ROWS (struct stats_blocker *): opened and
 * resolved in the period per member, the median time blocked of those
 * resolved, and the longest-standing one still open at S->to. */
void stats_add_blockers(struct stats *s, GPtrArray *rows);

/* The seconds of [FROM, TO) inside P's working hours on P's workdays, in
 * P's zone (a shift past midnight belongs to the day it starts). */
gint64 stats_work_seconds(const struct person *p, GTimeZone *tz, gint64 from,
    gint64 to);

/* The median of N values (sorted in place); STATS_NONE when N is 0. */
gint64 stats_median(gint64 *v, guint n);

/* The member with the longest current streak of at least MIN, or NULL. */
const struct stats_member *stats_best_streak(const struct stats *s,
    guint min);

#endif
