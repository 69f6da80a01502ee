/* Schedules; see schedule.h.
 *
 * libical expands a rule in floating local time (the wall clock of the
 * member, no zone attached); each instance is then placed on the UTC line
 * with GLib's reading of the system zoneinfo.  libical's own zones are not
 * used: 3.0 picks the later instant for a repeated local time and an
 * instant before the change for a skipped one, and beyond 2037 it
 * extrapolates rules that are wrong for zones such as Europe/Dublin and
 * Australia/Lord_Howe. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libical/ical.h>

#include "schedule.h"
#include "value.h"

G_DEFINE_QUARK(tidings-sched-error-quark, sched_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(icalrecur_iterator, icalrecur_iterator_free)

#define DEFAULT_HOUR 9
/* Instances walked in one call before giving up; COUNT is kept below it so
 * that only a rule that cannot reach the window stops here. */
#define MAX_STEPS 100000
#define MAX_INTERVAL 1000
#define RULE_EXAMPLE "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;BYMINUTE=30"

static gboolean
rule_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
rule_error(GError **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (error != NULL)
		*error = g_error_new_valist(SCHED_ERROR, SCHED_ERROR_RULE, fmt, ap);
	va_end(ap);
	return FALSE;
}

/* --- reading a rule ---------------------------------------------------- */

enum part_kind {
	PART_FREQ,
	PART_UNTIL,
	PART_NUMBER,		/* one number in [min, max] */
	PART_LIST,		/* numbers; a negative min allows min..-1 and 1..max */
	PART_DAYS,		/* BYDAY: [[+-]N]MO,... */
	PART_DAY,		/* WKST: one day */
};

#define F_DAILY (1u << ICAL_DAILY_RECURRENCE)
#define F_WEEKLY (1u << ICAL_WEEKLY_RECURRENCE)
#define F_MONTHLY (1u << ICAL_MONTHLY_RECURRENCE)
#define F_YEARLY (1u << ICAL_YEARLY_RECURRENCE)
#define F_ANY (F_DAILY | F_WEEKLY | F_MONTHLY | F_YEARLY)

/* The parts of a rule tidings accepts (RFC 5545 3.3.10 without RSCALE and
 * SKIP), with the frequencies each may go with; messages quote EXPECT. */
static const struct rule_part {
	const char *name;
	enum part_kind kind;
	int min, max;
	unsigned freqs;
	const char *expect;
} rule_parts[] = {
	{ "FREQ", PART_FREQ, 0, 0, F_ANY, "DAILY, WEEKLY, MONTHLY or YEARLY" },
	{ "UNTIL", PART_UNTIL, 0, 0, F_ANY,
	  "a date like 20261231, or a UTC time like 20261231T170000Z" },
	{ "COUNT", PART_NUMBER, 1, MAX_STEPS, F_ANY,
	  "a number of check-ins from 1 to 100000" },
	{ "INTERVAL", PART_NUMBER, 1, MAX_INTERVAL, F_ANY,
	  "a number from 1 to 1000 (2 for every other)" },
	{ "BYSECOND", PART_LIST, 0, 0, F_ANY,
	  "0: check-ins are set to the minute, leave BYSECOND out" },
	{ "BYMINUTE", PART_LIST, 0, 59, F_ANY,
	  "minutes from 0 to 59, separated by commas" },
	{ "BYHOUR", PART_LIST, 0, 23, F_ANY,
	  "hours from 0 to 23, separated by commas" },
	{ "BYDAY", PART_DAYS, -53, 53, F_ANY,
	  "days MO, TU, WE, TH, FR, SA, SU separated by commas (numbered "
	  "as in 1MO or -1FR with FREQ=MONTHLY or YEARLY)" },
	{ "BYMONTHDAY", PART_LIST, -31, 31, F_DAILY | F_MONTHLY | F_YEARLY,
	  "days of the month from 1 to 31, or -1 for the last" },
	{ "BYYEARDAY", PART_LIST, -366, 366, F_YEARLY,
	  "days of the year from 1 to 366, or -1 for the last" },
	{ "BYWEEKNO", PART_LIST, -53, 53, F_YEARLY,
	  "ISO weeks from 1 to 53, or -1 for the last" },
	{ "BYMONTH", PART_LIST, 1, 12, F_ANY, "months from 1 to 12" },
	{ "BYSETPOS", PART_LIST, -366, 366, F_ANY,
	  "positions like 1 for the first or -1 for the last" },
	{ "WKST", PART_DAY, 0, 0, F_ANY,
	  "the first day of the week: MO, TU, WE, TH, FR, SA or SU" },
};

/* A rule ready to expand: libical's form with tidings' defaults in it. */
struct rule {
	const char *text;		/* as the user gave it */
	struct icalrecurrencetype recur;
	char until_part[40];		/* "UNTIL=..." as given, for messages */
	gboolean until_utc;		/* UNTIL is an instant, not a wall clock */
	gint64 until;			/* that instant */
};

static const struct rule_part *
part_find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rule_parts); i++)
		if (g_ascii_strcasecmp(name, rule_parts[i].name) == 0)
			return &rule_parts[i];
	return NULL;
}

/* A decimal number of at most 6 digits with an optional sign, like "-1". */
static gboolean
number_read(const char *s, gboolean sign, int *n)
{
	const char *p = s;
	int v = 0;

	if (sign && (*p == '+' || *p == '-'))
		p++;
	if (*p == '\0' || strlen(p) > 6)
		return FALSE;
	for (; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
		v = v * 10 + (*p - '0');
	}
	*n = *s == '-' ? -v : v;
	return TRUE;
}

static gboolean
in_range(const struct rule_part *part, int n)
{
	if (part->min < 0)
		return n != 0 && n >= part->min && n <= part->max;
	return n >= part->min && n <= part->max;
}

static gboolean
weekday_ok(const char *s)
{
	static const char *const days[] = { "MO", "TU", "WE", "TH", "FR", "SA",
	    "SU" };

	for (size_t i = 0; i < G_N_ELEMENTS(days); i++)
		if (g_ascii_strcasecmp(s, days[i]) == 0)
			return TRUE;
	return FALSE;
}

/* One BYDAY item; *numbered is set for "1MO" and "-1FR". */
static gboolean
byday_ok(const struct rule_part *part, const char *item, gboolean *numbered)
{
	size_t len = strlen(item);
	int n;

	if (len < 2 || !weekday_ok(item + len - 2))
		return FALSE;
	if (len == 2)
		return TRUE;
	g_autofree char *pos = g_strndup(item, len - 2);
	*numbered = TRUE;
	return number_read(pos, TRUE, &n) && in_range(part, n);
}

/* YYYYMMDD, or YYYYMMDDTHHMMSS with an optional Z. */
static gboolean
until_ok(const char *s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isdigit(s[i]) && !(i == 8 && s[i] == 'T') &&
		    !(i == 15 && s[i] == 'Z'))
			return FALSE;
	if (len != 8 && len != 15 && len != 16)
		return FALSE;
	if (sscanf(s, "%4d%2d%2d", &y, &mo, &d) != 3 ||
	    (len > 8 && sscanf(s + 9, "%2d%2d%2d", &h, &mi, &sec) != 3))
		return FALSE;
	return y >= 1970 && g_date_valid_dmy((GDateDay)d, (GDateMonth)mo,
	    (GDateYear)y) && h < 24 && mi < 60 && sec < 60;
}

static gboolean
value_ok(const struct rule_part *part, const char *value, gboolean *numbered)
{
	g_auto(GStrv) items = NULL;
	int n;

	switch (part->kind) {
	case PART_UNTIL:
		return until_ok(value);
	case PART_NUMBER:
		return number_read(value, FALSE, &n) && in_range(part, n);
	case PART_DAY:
		return weekday_ok(value);
	case PART_LIST:
	case PART_DAYS:
		items = g_strsplit(value, ",", -1);
		for (char **i = items; *i != NULL; i++) {
			if (part->kind == PART_DAYS ?
			    !byday_ok(part, *i, numbered) :
			    !(number_read(*i, part->min < 0, &n) &&
			    in_range(part, n)))
				return FALSE;
		}
		return TRUE;
	case PART_FREQ:
		break;
	}
	return TRUE;
}

static gboolean
freq_read(const char *part, const char *value, icalrecurrencetype_frequency *freq,
    GError **error)
{
	*freq = icalrecur_string_to_freq(value);
	switch (*freq) {
	case ICAL_DAILY_RECURRENCE:
	case ICAL_WEEKLY_RECURRENCE:
	case ICAL_MONTHLY_RECURRENCE:
	case ICAL_YEARLY_RECURRENCE:
		return TRUE;
	case ICAL_SECONDLY_RECURRENCE:
	case ICAL_MINUTELY_RECURRENCE:
	case ICAL_HOURLY_RECURRENCE:
		return rule_error(error, "\"%s\": check-ins repeat at most daily; "
		    "for several a day, use FREQ=DAILY with a list of hours, like "
		    "BYHOUR=9,14", part);
	default:
		return rule_error(error, "\"%s\": FREQ is DAILY, WEEKLY, MONTHLY "
		    "or YEARLY", part);
	}
}

/* What the parts of a rule said, as far as they must agree. */
struct rule_seen {
	const char *part[G_N_ELEMENTS(rule_parts)];	/* text, by rule_parts[] */
	icalrecurrencetype_frequency freq;
	gboolean numbered;		/* BYDAY has 1MO or -1FR */
};

/* The text of part NAME, or NULL. */
static const char *
part_seen(const struct rule_seen *seen, const char *name)
{
	return seen->part[part_find(name) - rule_parts];
}

/* Checks the part P ("NAME=VALUE") by itself, so that a message can name
 * it. */
static gboolean
part_read(char *p, const char *text, struct rule_seen *seen, GError **error)
{
	char *eq = strchr(p, '=');
	const struct rule_part *part;
	size_t at;

	if (eq == NULL || eq == p || eq[1] == '\0')
		return rule_error(error, "\"%s\": expected NAME=VALUE, like "
		    "BYHOUR=9, in the rule \"%s\"", p, text);
	*eq = '\0';
	part = part_find(p);
	*eq = '=';
	if (part == NULL)
		return rule_error(error, "\"%s\": not a part of a schedule; "
		    "use FREQ, UNTIL, COUNT, INTERVAL, BYMINUTE, BYHOUR, BYDAY, "
		    "BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS or WKST",
		    p);
	at = (size_t)(part - rule_parts);
	if (seen->part[at] != NULL)
		return rule_error(error, "\"%s\" and \"%s\": %s is given twice",
		    seen->part[at], p, part->name);
	seen->part[at] = p;
	if (part->kind == PART_FREQ) {
		g_autofree char *value = g_ascii_strup(eq + 1, -1);
		return freq_read(p, value, &seen->freq, error);
	}
	if (!value_ok(part, eq + 1, &seen->numbered))
		return rule_error(error, "\"%s\": %s takes %s", p, part->name,
		    part->expect);
	return TRUE;
}

/* The checks between parts: FREQ given, and the rest allowed with it. */
static gboolean
parts_agree(const struct rule_seen *seen, const char *text, GError **error)
{
	const char *until = part_seen(seen, "UNTIL");
	const char *count = part_seen(seen, "COUNT");

	if (seen->freq == ICAL_NO_RECURRENCE)
		return rule_error(error, "\"%s\": no FREQ; a schedule starts with "
		    "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, like \"%s\"", text,
		    RULE_EXAMPLE);
	for (size_t i = 0; i < G_N_ELEMENTS(rule_parts); i++) {
		if (seen->part[i] != NULL &&
		    !(rule_parts[i].freqs & (1u << seen->freq)))
			return rule_error(error, "\"%s\" does not go with FREQ=%s",
			    seen->part[i], icalrecur_freq_to_string(seen->freq));
	}
	if (seen->numbered && seen->freq != ICAL_MONTHLY_RECURRENCE &&
	    seen->freq != ICAL_YEARLY_RECURRENCE)
		return rule_error(error, "\"%s\": numbered days (1MO, -1FR) need "
		    "FREQ=MONTHLY or FREQ=YEARLY", part_seen(seen, "BYDAY"));
	if (until != NULL && count != NULL)
		return rule_error(error, "\"%s\" and \"%s\": give one or the other",
		    count, until);
	return TRUE;
}

/* Reads TEXT part by part, then gives libical the parts as one upper-case
 * string without blanks. */
static gboolean
rule_read(const char *text, struct rule *r, GError **error)
{
	g_auto(GStrv) parts = NULL;
	g_autoptr(GPtrArray) clean = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *joined = NULL;
	struct rule_seen seen = { .freq = ICAL_NO_RECURRENCE };

	if (text == NULL || strspn(text, " \t;") == strlen(text))
		return rule_error(error, "a schedule is required, like \"%s\"",
		    RULE_EXAMPLE);
	memset(r, 0, sizeof(*r));
	r->text = text;
	parts = g_strsplit(text, ";", -1);
	for (char **p = parts; *p != NULL; p++) {
		g_strstrip(*p);
		if (**p == '\0')
			continue;
		if (!part_read(*p, text, &seen, error))
			return FALSE;
		g_ptr_array_add(clean, g_ascii_strup(*p, -1));
	}
	if (!parts_agree(&seen, text, error))
		return FALSE;
	if (part_seen(&seen, "UNTIL") != NULL)
		g_strlcpy(r->until_part, part_seen(&seen, "UNTIL"),
		    sizeof(r->until_part));

	g_ptr_array_add(clean, NULL);
	joined = g_strjoinv(";", (char **)clean->pdata);
	r->recur = icalrecurrencetype_from_string(joined);
	if (r->recur.freq == ICAL_NO_RECURRENCE)
		return rule_error(error, "\"%s\" is not a rule libical can read; "
		    "expected one like \"%s\"", text, RULE_EXAMPLE);
	return TRUE;
}

/* Fills in what the rule leaves to tidings: the time of day, and the end
 * of the day for an UNTIL date. */
static void
rule_defaults(struct rule *r)
{
	struct icalrecurrencetype *rc = &r->recur;

	if (rc->by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX) {
		rc->by_hour[0] = DEFAULT_HOUR;
		rc->by_hour[1] = ICAL_RECURRENCE_ARRAY_MAX;
	}
	if (rc->by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX) {
		rc->by_minute[0] = 0;
		rc->by_minute[1] = ICAL_RECURRENCE_ARRAY_MAX;
	}
	rc->by_second[0] = 0;
	rc->by_second[1] = ICAL_RECURRENCE_ARRAY_MAX;

	if (icaltime_is_null_time(rc->until))
		return;
	/* UNTIL=20261231 means "through the 31st", whatever the time. */
	if (rc->until.is_date) {
		rc->until.is_date = 0;
		rc->until.hour = 23;
		rc->until.minute = 59;
		rc->until.second = 59;
	}
	if (icaltime_is_utc(rc->until)) {
		r->until_utc = TRUE;
		r->until = icaltime_as_timet(rc->until);
	}
}

/* --- time -------------------------------------------------------------- */

static gboolean
zone_open(const char *zone, GTimeZone **tz, GError **error)
{
	g_autoptr(GError) e = NULL;

	if (!value_zone(zone, &e)) {
		g_set_error_literal(error, SCHED_ERROR, SCHED_ERROR_ZONE, e->message);
		return FALSE;
	}
	*tz = g_time_zone_new_identifier(zone);
	if (*tz == NULL) {
		g_set_error(error, SCHED_ERROR, SCHED_ERROR_ZONE, "unknown time "
		    "zone '%s': the zone file cannot be read", zone);
		return FALSE;
	}
	return TRUE;
}

/* The zone of the sched_local() family: zones are checked when they are
 * stored, so one missing now (tzdata changed under us) reads as UTC rather
 * than stopping the caller. */
static GTimeZone *
zone_or_utc(const char *zone)
{
	GTimeZone *tz = g_time_zone_new_identifier(zone);

	return tz != NULL ? tz : g_time_zone_new_utc();
}

static int
offset_at(GTimeZone *tz, gint64 t)
{
	return g_time_zone_get_offset(tz,
	    g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t));
}

/* A wall-clock time as seconds counted as if it were UTC. */
static gint64
nominal_seconds(struct icaltimetype t)
{
	g_autoptr(GDateTime) d = g_date_time_new_utc(t.year, t.month, t.day,
	    t.hour, t.minute, t.second);

	return d != NULL ? g_date_time_to_unix(d) : G_MAXINT64;
}

static gint64
nominal_key(struct icaltimetype t)
{
	return (gint64)t.year * 100000000 + t.month * 1000000 + t.day * 10000 +
	    t.hour * 100 + t.minute;
}

/* The wall-clock day of T in TZ, at midnight, floating; null when T is
 * beyond what GDateTime can hold. */
static struct icaltimetype
local_day(GTimeZone *tz, gint64 t, int add_days)
{
	struct icaltimetype day = icaltime_null_time();
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = NULL;
	g_autoptr(GDateTime) moved = NULL;

	if (utc == NULL || (local = g_date_time_to_timezone(utc, tz)) == NULL ||
	    (moved = g_date_time_add_days(local, add_days)) == NULL)
		return day;
	day.year = g_date_time_get_year(moved);
	day.month = g_date_time_get_month(moved);
	day.day = g_date_time_get_day_of_month(moved);
	return day;
}

/* When the wall-clock time N (seconds as if UTC) happens in TZ.  Of a time
 * that happens twice, the first; of a time that is skipped, the first
 * whole minute after the skip.  The offsets a day either side are the only
 * candidates, as no zone changes twice in a day. */
static gint64
place(GTimeZone *tz, gint64 n)
{
	int before = offset_at(tz, n - 86400), after = offset_at(tz, n + 86400);
	gint64 lo = n - MAX(before, after), hi = n - MIN(before, after);
	gint64 local;
	int sec;

	if (offset_at(tz, lo) == n - lo)
		return lo;
	if (offset_at(tz, hi) == n - hi)
		return hi;
	/* In a gap: the change is the first instant whose wall clock is past
	 * N, somewhere in (lo, hi]. */
	while (hi - lo > 1) {
		gint64 mid = lo + (hi - lo) / 2;
		if (mid + offset_at(tz, mid) > n)
			hi = mid;
		else
			lo = mid;
	}
	local = hi + offset_at(tz, hi);
	sec = (int)(((local % 60) + 60) % 60);
	return sec == 0 ? hi : hi + (60 - sec);
}

/* --- expansion --------------------------------------------------------- */

/* libical compares UNTIL with the floating instances: a UTC UNTIL becomes
 * the member's wall clock at that instant. */
static void
until_localize(struct rule *r, GTimeZone *tz)
{
	g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(r->until);
	g_autoptr(GDateTime) l = g_date_time_to_timezone(u, tz);

	r->recur.until = icaltime_null_time();
	r->recur.until.year = g_date_time_get_year(l);
	r->recur.until.month = g_date_time_get_month(l);
	r->recur.until.day = g_date_time_get_day_of_month(l);
	r->recur.until.hour = g_date_time_get_hour(l);
	r->recur.until.minute = g_date_time_get_minute(l);
	r->recur.until.second = g_date_time_get_second(l);
}

/* An iterator over R from DTSTART with the rule's first instance taken
 * out into *FIRST, or an error when there is none. */
static icalrecur_iterator *
rule_start(struct rule *r, struct icaltimetype dtstart,
    struct icaltimetype *first, GError **error)
{
	icalrecur_iterator *it = icalrecur_iterator_new(r->recur, dtstart);

	if (it != NULL) {
		*first = icalrecur_iterator_next(it);
		if (!icaltime_is_null_time(*first))
			return it;
		icalrecur_iterator_free(it);
	}
	if (r->until_part[0] != '\0' && !icaltime_is_null_time(r->recur.until) &&
	    icaltime_compare(r->recur.until, dtstart) < 0)
		rule_error(error, "\"%s\": the schedule ends before it starts "
		    "(%04d-%02d-%02d)", r->until_part, dtstart.year, dtstart.month,
		    dtstart.day);
	else
		rule_error(error, "\"%s\" never fires: no date matches all of "
		    "its parts", r->text);
	return NULL;
}

/* Starts an iterator near DAY, when the rule allows it.  COUNT must count
 * from the start; libical 3.0 starts BYWEEKNO rules on wrong days. */
static icalrecur_iterator *
rule_jump(struct rule *r, struct icaltimetype dtstart, struct icaltimetype day)
{
	icalrecur_iterator *it;

	if (r->recur.count != 0 ||
	    r->recur.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    icaltime_is_null_time(day) || icaltime_compare(day, dtstart) <= 0)
		return NULL;
	it = icalrecur_iterator_new(r->recur, dtstart);
	if (it != NULL && !icalrecur_iterator_set_start(it, day)) {
		icalrecur_iterator_free(it);
		return NULL;
	}
	return it;
}

/* The instances of R in TZ from the local day of ANCHOR that fire in
 * [FROM, TO), at most LIMIT of them (0: all), appended to OUT. */
static gboolean
expand(struct rule *r, GTimeZone *tz, gint64 anchor, gint64 from, gint64 to,
    guint limit, GArray *out, GError **error)
{
	struct icaltimetype dtstart = local_day(tz, anchor, 0), t;
	g_autoptr(icalrecur_iterator) it = NULL;
	g_autoptr(icalrecur_iterator) jumped = NULL;
	struct icaltimetype near;

	if (icaltime_is_null_time(dtstart))
		return rule_error(error, "the start time %" G_GINT64_FORMAT
		    " is out of range", anchor);
	if (r->until_utc)
		until_localize(r, tz);
	it = rule_start(r, dtstart, &t, error);
	if (it == NULL)
		return FALSE;
	if (from >= to)
		return TRUE;

	/* Two days' margin covers every zone's offset and DST shift. */
	near = local_day(tz, MAX(from, anchor), -2);
	if (icaltime_is_null_time(near))
		return TRUE;
	if (!icaltime_is_null_time(r->recur.until) &&
	    icaltime_compare(near, r->recur.until) > 0)
		return TRUE;
	jumped = rule_jump(r, dtstart, near);
	if (jumped != NULL) {
		g_clear_pointer(&it, icalrecur_iterator_free);
		it = g_steal_pointer(&jumped);
		t = icalrecur_iterator_next(it);
	}

	for (guint steps = 0; !icaltime_is_null_time(t);
	    t = icalrecur_iterator_next(it)) {
		gint64 n = nominal_seconds(t), at;

		if (n == G_MAXINT64)
			break;
		at = place(tz, n);
		if (at >= to || (r->until_utc && at > r->until))
			break;
		if (at >= from) {
			struct sched_occurrence o = { at, nominal_key(t) };
			g_array_append_val(out, o);
			if (limit != 0 && out->len >= limit)
				break;
		}
		if (++steps >= MAX_STEPS)
			return rule_error(error, "\"%s\": gave up after %d "
			    "instances without reaching the time asked for",
			    r->text, MAX_STEPS);
	}
	return TRUE;
}

/* --- the interface ----------------------------------------------------- */

gboolean
sched_rule_check(const char *rrule, GError **error)
{
	struct rule r;
	struct icaltimetype dtstart = icaltime_null_time(), first;
	g_autoptr(icalrecur_iterator) it = NULL;

	if (!rule_read(rrule, &r, error))
		return FALSE;
	rule_defaults(&r);
	/* Whether the rule can fire at all, from a start that lets any
	 * calendar pattern (29 February, the 5th Friday) come round before
	 * UNTIL. */
	dtstart.year = icaltime_is_null_time(r.recur.until) ? 2000 :
	    MAX(1970, r.recur.until.year - 10);
	dtstart.month = 1;
	dtstart.day = 1;
	it = rule_start(&r, dtstart, &first, error);
	return it != NULL;
}

GArray *
sched_occurrences(const char *rrule, const char *zone, gint64 anchor,
    gint64 from, gint64 to, GError **error)
{
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE,
	    sizeof(struct sched_occurrence));
	g_autoptr(GTimeZone) tz = NULL;
	struct rule r;

	if (!rule_read(rrule, &r, error) || !zone_open(zone, &tz, error))
		return NULL;
	rule_defaults(&r);
	if (!expand(&r, tz, anchor, from, to, 0, out, error))
		return NULL;
	return g_steal_pointer(&out);
}

gboolean
sched_next(const char *rrule, const char *zone, gint64 anchor, gint64 after,
    struct sched_occurrence *next, GError **error)
{
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE,
	    sizeof(struct sched_occurrence));
	g_autoptr(GTimeZone) tz = NULL;
	struct rule r;

	if (!rule_read(rrule, &r, error) || !zone_open(zone, &tz, error))
		return FALSE;
	rule_defaults(&r);
	if (after == G_MAXINT64 ||
	    !expand(&r, tz, anchor, after + 1, G_MAXINT64, 1, out, error) ||
	    out->len == 0)
		return FALSE;
	*next = g_array_index(out, struct sched_occurrence, 0);
	return TRUE;
}

void
sched_local(const char *zone, gint64 t, int *weekday, int *minutes)
{
	g_autoptr(GTimeZone) tz = zone_or_utc(zone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = NULL;

	if (utc == NULL || (local = g_date_time_to_timezone(utc, tz)) == NULL) {
		*weekday = 0;
		*minutes = 0;
		return;
	}
	*weekday = g_date_time_get_day_of_week(local) - 1;
	*minutes = g_date_time_get_hour(local) * 60 +
	    g_date_time_get_minute(local);
}

gboolean
sched_is_workday(const char *zone, unsigned workdays, gint64 t)
{
	int weekday, minutes;

	sched_local(zone, t, &weekday, &minutes);
	return (workdays & (1u << weekday)) != 0;
}

char *
sched_format(const char *zone, gint64 t, const char *format)
{
	g_autoptr(GTimeZone) tz = zone_or_utc(zone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = NULL;

	if (utc == NULL || (local = g_date_time_to_timezone(utc, tz)) == NULL)
		return NULL;
	return g_date_time_format(local, format);
}

gint64
sched_next_local(const char *zone, int minute, unsigned workdays,
    gint64 after)
{
	g_autoptr(GTimeZone) tz = zone_or_utc(zone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(after);
	g_autoptr(GDateTime) local = NULL;

	if (utc == NULL || (local = g_date_time_to_timezone(utc, tz)) == NULL)
		return after;
	if ((workdays & 0x7f) == 0)
		workdays = 0x7f;
	/* Today, or one of the next seven days: one of them is a workday. */
	for (int d = 0; d < 8; d++) {
		g_autoptr(GDateTime) day = g_date_time_add_days(local, d);
		g_autoptr(GDateTime) at = NULL;

		if (day == NULL)
			break;
		/* A minute that a clock change skips is read as after it. */
		at = g_date_time_new(tz, g_date_time_get_year(day),
		    g_date_time_get_month(day),
		    g_date_time_get_day_of_month(day), minute / 60, minute % 60,
		    0);
		if (at == NULL || g_date_time_to_unix(at) < after ||
		    !(workdays & (1u << (g_date_time_get_day_of_week(at) - 1))))
			continue;
		return g_date_time_to_unix(at);
	}
	return after;
}
