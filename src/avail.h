/* Availability: when people are around.  Each person has working hours
 * and workdays in their zone (people table), and may state blocks of time
 * (availability table): away (out of office), deep work (no meetings),
 * busy, or working hours that differ from the usual — each a single range
 * or a recurring block (an RRULE in a zone, with the first instance's
 * start and end).  They arrive by mail commands, by .ics (src/ical.c), or
 * from an out-of-office auto-reply that says when the person is back.
 *
 * avail_at() is the one answer to "what is PERSON doing at T?" that
 * prompts, digests, `tidings who`, overlap and meeting slots all use. */
#ifndef TIDINGS_AVAIL_H
#define TIDINGS_AVAIL_H

#include <glib.h>

struct person;
struct store;

enum avail_state {
	AVAIL_OFF,		/* outside working hours or days */
	AVAIL_WORKING,		/* in working hours, nothing stated */
	AVAIL_BUSY,		/* in working hours, in something else */
	AVAIL_DEEP_WORK,	/* in working hours, not to be disturbed */
	AVAIL_AWAY,		/* out of office, whatever the hours */
};

const char *avail_state_name(enum avail_state s);

/* What PERSON is doing at T (UTC seconds).  *why (may be NULL; caller
 * frees) gets the stated block's summary ("holiday", "focus time"), or
 * NULL.  Away wins over everything, then deep work, then busy. */
enum avail_state avail_at(struct store *st, const struct person *p,
    gint64 t, char **why, GError **error);

/* When PERSON is next AVAIL_WORKING at or after T, within a horizon of
 * 60 days; 0 when never. */
gint64 avail_next_working(struct store *st, const struct person *p,
    gint64 t, GError **error);

/* What PERSON is doing at FROM, FROM + STEP, ... (N times), into OUT:
 * one look at their blocks for a band of `overlap --grid`.  FALSE with
 * ERROR set when the store fails. */
gboolean avail_band(struct store *st, const struct person *p, gint64 from,
    gint64 step, guint n, enum avail_state *out, GError **error);

/* One member as `tidings who` shows them. */
struct avail_who {
	char *email;
	char *name;
	char *zone;
	char *local;		/* "Wed 14:03" */
	enum avail_state state;
	char *why;		/* the block's summary, or NULL */
	char *status;		/* stated status, or NULL */
	gint64 status_until;	/* 0: no end */
	gint64 next;		/* next working time; 0: never, or now */
};
void avail_who_free(struct avail_who *w);

/* TEAM's members at NOW, by name: struct avail_who *. */
GPtrArray *avail_who(struct store *st, const char *team, gint64 now,
    GError **error);

/* A stretch of time in which the same members of a team are working
 * (in their hours, not away: busy and deep work count as there). */
struct avail_window {
	gint64 start, end;
	GPtrArray *missing;	/* char *: who is not working */
};
void avail_window_free(struct avail_window *w);
/* The windows of [FROM, TO), looked at every STEP seconds, in which all
 * of TEAM's members but at most MAX_MISSING are working: struct
 * avail_window *, in time order.  *members gets the team (struct person
 * *, may be NULL). */
GPtrArray *avail_overlap(struct store *st, const char *team, gint64 from,
    gint64 to, gint64 step, guint max_missing, GPtrArray **members,
    GError **error);

#endif
