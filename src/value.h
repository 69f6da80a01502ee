/* Values users type: e-mail addresses, team names, display names, IANA
 * time zones, working hours and workdays.  Each parser accepts exactly what
 * its error message promises, and each error names the value given and what
 * is accepted, so the CLI, the config file and later the mail commands all
 * reject bad input in the same words. */
#ifndef TIDINGS_VALUE_H
#define TIDINGS_VALUE_H

#include <glib.h>

#define VALUE_ERROR (value_error_quark())
GQuark value_error_quark(void);
enum value_error {
	VALUE_ERROR_INVALID,
};

/* Workday bits: bit 0 is Monday, bit 6 Sunday. */
#define WORKDAYS_MON_FRI 0x1f
#define WORKDAYS_ALL 0x7f

/* Returns a newly allocated normalised address (domain lower-cased), or
 * NULL with error set.  Caller frees. */
char *value_email(const char *text, GError **error);
/* A host name or an IP address literal. */
gboolean value_host(const char *text, GError **error);
gboolean value_team_name(const char *text, GError **error);
gboolean value_display_name(const char *text, GError **error);

/* Checks an IANA zone name against the system zoneinfo ($TZDIR or
 * /usr/share/zoneinfo); the error suggests the nearest known names. */
gboolean value_zone(const char *name, GError **error);

/* "09:00-17:00": minutes after local midnight; end may be 24:00, and an end
 * before the start means a shift that runs past midnight. */
/* "HH:MM" (or "HH") as minutes after midnight. */
gboolean value_time(const char *text, int *minutes, GError **error);
gboolean value_hours(const char *text, int *start, int *end, GError **error);
char *value_hours_format(int start, int end);

/* "mon-fri", "mon,wed,fri", "sun-thu", "weekdays", "all". */
gboolean value_workdays(const char *text, unsigned *days, GError **error);
char *value_workdays_format(unsigned days);

/* "Wed 14:03 CET, working": the local time at AT (UTC seconds) in ZONE,
 * and whether it falls in the given working hours and days.  Caller
 * frees. */
char *value_local_time(const char *zone, int work_start, int work_end,
    unsigned workdays, gint64 at);

/* A day as people write it, read but not yet put on a calendar: the
 * one reader of date words, for "pause until DATE", "ooo", "status ...
 * until DATE" and the day an out-of-office reply says someone is back.
 * It reads 2026-12-24, 24.12.2026 and 21.12., 24 December [2026],
 * December 24th, [Monday] 4 January, a weekday, today, tomorrow, "2
 * weeks", "3 days"; month and day names in English or German; leading
 * words such as "until", "on", "the", "am" are passed over. */
struct value_date {
	enum {
		VALUE_DATE_NONE,
		VALUE_DATE_DAY,		/* day, month, and year or 0 */
		VALUE_DATE_WEEKDAY,	/* weekday, 0 Monday */
		VALUE_DATE_IN_DAYS,	/* days from today (today: 0) */
	} kind;
	int year, month, day;
	int weekday;
	int days;
};
/* Reads the day TEXT names: all of it when WHOLE (trailing punctuation
 * aside), else the day it starts with, whatever follows.  FALSE (kind
 * NONE) when it names none.  Checks the form only: see value_date(). */
gboolean value_date_read(const char *text, gboolean whole,
    struct value_date *d);
/* The start of the local day, in ZONE, that D names seen on the day of
 * NOW: a weekday is the next one (today itself when TODAY_COUNTS), a
 * date without a year the next such day, today included.  0 when there is
 * no such day (30 February). */
gint64 value_date_place(const struct value_date *d, const char *zone,
    gint64 now, gboolean today_counts);
/* Whether TEXT, whole, is a date (as value_date_read() reads it, and a
 * day that exists); the error says what is accepted. */
gboolean value_date(const char *text, GError **error);

/* Parses the date of "pause until DATE" (2026-12-24, 24 December, monday,
 * tomorrow, "2 weeks") in ZONE: the start of that local day, after NOW.
 * Returns 0 with error set when the text is not a date. */
gint64 value_parse_until(const char *text, const char *zone, gint64 now,
    GError **error);

#endif
