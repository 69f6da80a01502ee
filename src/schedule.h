/* Schedules: iCalendar recurrence rules (RFC 5545 RRULE) evaluated in a
 * person's own time zone with libical, so that "weekdays at 16:30" is
 * 16:30 in Berlin for one member and 16:30 in Bangalore for another.
 *
 * Every time here is UTC seconds since the epoch; zones are IANA names.
 * Nothing here reads the clock: callers pass the times (see clock.h). */
#ifndef TIDINGS_SCHEDULE_H
#define TIDINGS_SCHEDULE_H

#include <glib.h>

#define SCHED_ERROR (sched_error_quark())
GQuark sched_error_quark(void);
enum sched_error {
	SCHED_ERROR_RULE,	/* the RRULE cannot be read or never fires */
	SCHED_ERROR_ZONE,	/* the zone is unknown */
};

/* One instance of a rule for one zone. */
struct sched_occurrence {
	gint64 at;		/* when it fires, UTC */
	/* The nominal local date and time of the instance, as the number
	 * YYYYMMDDHHMM: the identity of the occurrence, the same whatever
	 * daylight saving did to it, so that it can be claimed once. */
	gint64 local;
};

/* Checks RRULE (without the "RRULE:" prefix, as in
 * "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;BYMINUTE=30").  A rule
 * without BYHOUR fires at 09:00 local, without BYMINUTE at minute 0.
 * Refuses, with a message naming the part at fault, what cannot be read,
 * rules finer than daily (FREQ=HOURLY, MINUTELY, SECONDLY), and rules
 * that never fire. */
gboolean sched_rule_check(const char *rrule, GError **error);

/*
 * The occurrences of RRULE in ZONE whose firing time is in [FROM, TO),
 * oldest first, in a GArray of struct sched_occurrence.  The rule starts
 * on the local day of ANCHOR (a check-in's creation time); COUNT and
 * UNTIL count from there.  An UNTIL date (20261231) includes that local
 * day; an UNTIL time in UTC (20261231T170000Z) is an instant.
 *
 * Daylight saving: a local time that does not exist (skipped by the
 * spring change) fires at the first valid minute after it (02:30 on the
 * day clocks go from 02:00 to 03:00 fires at 03:00); a local time that
 * happens twice (the autumn change) fires once, at the first.
 */
GArray *sched_occurrences(const char *rrule, const char *zone, gint64 anchor,
    gint64 from, gint64 to, GError **error);

/* The first occurrence firing strictly after AFTER, or FALSE (no error)
 * when the rule has ended. */
gboolean sched_next(const char *rrule, const char *zone, gint64 anchor,
    gint64 after, struct sched_occurrence *next, GError **error);

/* The local weekday (0 Monday .. 6 Sunday) and minutes after local
 * midnight of T in ZONE.  Here and below, a zone missing from the system
 * (zones are checked when stored) reads as UTC. */
void sched_local(const char *zone, gint64 t, int *weekday, int *minutes);

/* Whether T falls on one of WORKDAYS (bit 0 Monday .. bit 6 Sunday) in
 * ZONE. */
gboolean sched_is_workday(const char *zone, unsigned workdays, gint64 t);

/* The first time at or after AFTER that is MINUTE minutes after local
 * midnight in ZONE on one of WORKDAYS (bit 0 Monday .. bit 6 Sunday; 0:
 * every day): when a reader's copy of a digest leaves. */
gint64 sched_next_local(const char *zone, int minute, unsigned workdays,
    gint64 after);

/* T in ZONE as text for people, through g_date_time_format() (FORMAT such
 * as "%A %-d %B, %H:%M").  Caller frees; NULL when FORMAT is invalid. */
char *sched_format(const char *zone, gint64 t, const char *format);

#endif
