/* The time as tidings sees it.  Everything that schedules reads the clock
 * here, so that tests can move time: with TIDINGS_NOW set (UTC seconds, or
 * an ISO 8601 time such as 2026-03-27T15:00:00Z) at start-up, the clock
 * starts at that time and runs on from there at the normal pace. */
#ifndef TIDINGS_CLOCK_H
#define TIDINGS_CLOCK_H

#include <glib.h>

/* UTC seconds since the epoch. */
gint64 clock_now(void);
/* Sets the clock to run from T now (for tests); T of 0 restores the real
 * clock. */
void clock_set(gint64 t);
/* Parses UTC seconds or an ISO 8601 time with a zone; -1 when invalid. */
gint64 clock_parse(const char *text);

#endif
