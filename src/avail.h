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

#endif
