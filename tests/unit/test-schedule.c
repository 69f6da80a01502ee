/* Unit tests for schedules: a team across zones, daylight saving in both
 * directions, the window, COUNT and UNTIL, refused rules and zones, and
 * local days. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "schedule.h"

#define WEEKDAYS_1630 "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;BYMINUTE=30"

/* An ISO 8601 time as UTC seconds. */
static gint64
at(const char *iso)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_iso8601(iso, NULL);

	g_assert_nonnull(d);
	return g_date_time_to_unix(d);
}

/* UTC seconds as "2026-03-09T15:30:00Z", for readable failures. */
static char *
iso(gint64 t)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);

	return g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");
}

static GArray *
occurrences(const char *rule, const char *zone, const char *anchor,
    const char *from, const char *to)
{
	g_autoptr(GError) error = NULL;
	GArray *a = sched_occurrences(rule, zone, at(anchor), at(from), at(to),
	    &error);

	g_assert_no_error(error);
	g_assert_nonnull(a);
	return a;
}

/* Checks A against WANT: pairs of firing time (ISO) and local identity,
 * ended by NULL. */
static void
assert_occurrences(GArray *a, const char *const *want)
{
	guint n = 0;

	for (; want[2 * n] != NULL; n++) {
		g_assert_cmpuint(n, <, a->len);
		struct sched_occurrence *o = &g_array_index(a,
		    struct sched_occurrence, n);
		g_autofree char *got = iso(o->at);
		g_assert_cmpstr(got, ==, want[2 * n]);
		g_assert_cmpint(o->local, ==,
		    g_ascii_strtoll(want[2 * n + 1], NULL, 10));
	}
	g_assert_cmpuint(a->len, ==, n);
}

static void
assert_rule_refused(const char *rule, const char *part)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error2 = NULL;
	g_autoptr(GArray) a = NULL;

	g_assert_false(sched_rule_check(rule, &error));
	g_assert_error(error, SCHED_ERROR, SCHED_ERROR_RULE);
	if (strstr(error->message, part) == NULL)
		g_error("rule \"%s\": message \"%s\" does not name \"%s\"", rule,
		    error->message, part);
	a = sched_occurrences(rule, "UTC", at("2026-03-09T00:00:00Z"),
	    at("2026-03-09T00:00:00Z"), at("2026-04-09T00:00:00Z"), &error2);
	g_assert_null(a);
	g_assert_error(error2, SCHED_ERROR, SCHED_ERROR_RULE);
}

/* --- a team in three zones -------------------------------------------- */

/* The week of 9 March 2026: New York is on daylight time since the 8th,
 * Berlin not until the 29th, Kolkata never. */
static void
test_team_weekdays(void)
{
	static const char *const berlin[] = {
		"2026-03-09T15:30:00Z", "202603091630",
		"2026-03-10T15:30:00Z", "202603101630",
		"2026-03-11T15:30:00Z", "202603111630",
		"2026-03-12T15:30:00Z", "202603121630",
		"2026-03-13T15:30:00Z", "202603131630",
		NULL,
	};
	static const char *const new_york[] = {
		"2026-03-09T20:30:00Z", "202603091630",
		"2026-03-10T20:30:00Z", "202603101630",
		"2026-03-11T20:30:00Z", "202603111630",
		"2026-03-12T20:30:00Z", "202603121630",
		"2026-03-13T20:30:00Z", "202603131630",
		NULL,
	};
	static const char *const kolkata[] = {
		"2026-03-09T11:00:00Z", "202603091630",
		"2026-03-10T11:00:00Z", "202603101630",
		"2026-03-11T11:00:00Z", "202603111630",
		"2026-03-12T11:00:00Z", "202603121630",
		"2026-03-13T11:00:00Z", "202603131630",
		NULL,
	};
	const char *anchor = "2026-03-02T08:00:00Z";
	const char *from = "2026-03-09T00:00:00Z", *to = "2026-03-16T00:00:00Z";
	g_autoptr(GArray) b = occurrences(WEEKDAYS_1630, "Europe/Berlin",
	    anchor, from, to);
	g_autoptr(GArray) n = occurrences(WEEKDAYS_1630, "America/New_York",
	    anchor, from, to);
	g_autoptr(GArray) k = occurrences(WEEKDAYS_1630, "Asia/Kolkata",
	    anchor, from, to);

	assert_occurrences(b, berlin);
	assert_occurrences(n, new_york);
	assert_occurrences(k, kolkata);
}

/* The weekend is skipped by BYDAY; without BYHOUR the time is 09:00. */
static void
test_weekend_skipped(void)
{
	static const char *const want[] = {
		"2026-03-13T08:00:00Z", "202603130900",
		"2026-03-16T08:00:00Z", "202603160900",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
	    "Europe/Berlin", "2026-03-02T08:00:00Z", "2026-03-13T00:00:00Z",
	    "2026-03-17T00:00:00Z");
	g_autoptr(GArray) weekend = occurrences(WEEKDAYS_1630, "Asia/Kolkata",
	    "2026-03-02T08:00:00Z", "2026-03-13T18:30:00Z",
	    "2026-03-15T18:30:00Z");

	assert_occurrences(a, want);
	g_assert_cmpuint(weekend->len, ==, 0);
}

/* --- daylight saving ---------------------------------------------------- */

/* Clocks go from 02:00 to 03:00 on 29 March: 02:30 does not exist and
 * fires at 03:00 CEST. */
static void
test_berlin_spring(void)
{
	static const char *const want[] = {
		"2026-03-28T01:30:00Z", "202603280230",
		"2026-03-29T01:00:00Z", "202603290230",
		"2026-03-30T00:30:00Z", "202603300230",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
	    "Europe/Berlin", "2026-03-01T12:00:00Z", "2026-03-28T00:00:00Z",
	    "2026-03-31T00:00:00Z");
	g_autofree char *shown = NULL;

	/* Skipped times fire with 03:00, each under its own identity. */
	static const char *const both[] = {
		"2026-03-29T01:00:00Z", "202603290200",
		"2026-03-29T01:00:00Z", "202603290230",
		"2026-03-29T01:00:00Z", "202603290300",
		NULL,
	};
	g_autoptr(GArray) b = occurrences(
	    "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30", "Europe/Berlin",
	    "2026-03-01T12:00:00Z", "2026-03-29T00:00:00Z",
	    "2026-03-29T01:20:00Z");

	assert_occurrences(a, want);
	assert_occurrences(b, both);
	shown = sched_format("Europe/Berlin", at("2026-03-29T01:00:00Z"),
	    "%H:%M %Z");
	g_assert_cmpstr(shown, ==, "03:00 CEST");
}

/* Clocks go from 03:00 back to 02:00 on 25 October: 02:30 happens twice
 * and fires once, at the first (CEST). */
static void
test_berlin_autumn(void)
{
	static const char *const want[] = {
		"2026-10-24T00:30:00Z", "202610240230",
		"2026-10-25T00:30:00Z", "202610250230",
		"2026-10-26T01:30:00Z", "202610260230",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
	    "Europe/Berlin", "2026-10-01T12:00:00Z", "2026-10-24T00:00:00Z",
	    "2026-10-27T00:00:00Z");

	assert_occurrences(a, want);
}

static void
test_new_york_dst(void)
{
	static const char *const spring[] = {
		"2026-03-07T07:30:00Z", "202603070230",
		"2026-03-08T07:00:00Z", "202603080230",
		"2026-03-09T06:30:00Z", "202603090230",
		NULL,
	};
	/* 01:30 happens twice on 1 November; 02:30 once, in EST. */
	static const char *const autumn[] = {
		"2026-11-01T05:30:00Z", "202611010130",
		"2026-11-01T07:30:00Z", "202611010230",
		"2026-11-02T06:30:00Z", "202611020130",
		NULL,
	};
	g_autoptr(GArray) s = occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
	    "America/New_York", "2026-03-01T12:00:00Z", "2026-03-07T00:00:00Z",
	    "2026-03-10T00:00:00Z");
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;BYHOUR=1,2;BYMINUTE=30",
	    "America/New_York", "2026-10-01T12:00:00Z", "2026-11-01T00:00:00Z",
	    "2026-11-02T07:00:00Z");

	assert_occurrences(s, spring);
	assert_occurrences(a, autumn);
}

/* A half-hour zone, and one whose daylight saving moves clocks by 30
 * minutes: in October 02:00 becomes 02:30, in April 02:00 becomes 01:30. */
static void
test_half_hours(void)
{
	static const char *const kolkata[] = {
		"2026-07-01T03:30:00Z", "202607010900",
		NULL,
	};
	static const char *const spring[] = {
		"2026-10-02T15:45:00Z", "202610030215",
		"2026-10-03T15:30:00Z", "202610040215",
		"2026-10-04T15:15:00Z", "202610050215",
		NULL,
	};
	static const char *const autumn[] = {
		"2026-04-04T14:45:00Z", "202604050145",
		"2026-04-05T15:15:00Z", "202604060145",
		NULL,
	};
	g_autoptr(GArray) k = occurrences("FREQ=DAILY", "Asia/Kolkata",
	    "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z",
	    "2026-07-02T00:00:00Z");
	g_autoptr(GArray) s = occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=15",
	    "Australia/Lord_Howe", "2026-09-01T00:00:00Z",
	    "2026-10-02T00:00:00Z", "2026-10-05T00:00:00Z");
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;BYHOUR=1;BYMINUTE=45",
	    "Australia/Lord_Howe", "2026-03-01T00:00:00Z",
	    "2026-04-04T14:00:00Z", "2026-04-06T00:00:00Z");

	assert_occurrences(k, kolkata);
	assert_occurrences(s, spring);
	assert_occurrences(a, autumn);
}

/* Beyond 2037 the zone files hold a rule, not a list of changes, which
 * libical 3.0 extrapolates wrongly for Lord Howe: the change of 7 October
 * 2040 must still be at 15:30 UTC. */
static void
test_beyond_2037(void)
{
	static const char *const want[] = {
		"2040-10-05T15:45:00Z", "204010060215",
		"2040-10-06T15:30:00Z", "204010070215",
		"2040-10-07T15:15:00Z", "204010080215",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=15",
	    "Australia/Lord_Howe", "2040-09-01T00:00:00Z",
	    "2040-10-05T00:00:00Z", "2040-10-08T00:00:00Z");

	assert_occurrences(a, want);
}

/* --- windows, COUNT and UNTIL ------------------------------------------- */

static void
test_window_bounds(void)
{
	static const char *const want[] = {
		"2026-03-10T09:00:00Z", "202603100900",
		"2026-03-11T09:00:00Z", "202603110900",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=DAILY", "UTC",
	    "2026-03-01T00:00:00Z", "2026-03-10T09:00:00Z",
	    "2026-03-12T09:00:00Z");
	g_autoptr(GArray) empty = occurrences("FREQ=DAILY", "UTC",
	    "2026-03-01T00:00:00Z", "2026-03-10T09:00:01Z",
	    "2026-03-11T09:00:00Z");
	g_autoptr(GArray) backwards = occurrences("FREQ=DAILY", "UTC",
	    "2026-03-01T00:00:00Z", "2026-03-12T00:00:00Z",
	    "2026-03-10T00:00:00Z");
	/* Nothing before the local day of the anchor. */
	g_autoptr(GArray) before = occurrences("FREQ=DAILY", "UTC",
	    "2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z",
	    "2026-03-02T00:00:00Z");

	assert_occurrences(a, want);
	g_assert_cmpuint(empty->len, ==, 0);
	g_assert_cmpuint(backwards->len, ==, 0);
	g_assert_cmpuint(before->len, ==, 1);
	g_assert_cmpint(g_array_index(before, struct sched_occurrence, 0).at,
	    ==, at("2026-03-01T09:00:00Z"));
}

/* COUNT counts from the local day of the anchor: an anchor at 12:00 still
 * has that day's 09:00. */
static void
test_count(void)
{
	static const char *const want[] = {
		"2026-03-09T09:00:00Z", "202603090900",
		"2026-03-10T09:00:00Z", "202603100900",
		"2026-03-11T09:00:00Z", "202603110900",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=DAILY;COUNT=3", "UTC",
	    "2026-03-09T12:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-04-01T00:00:00Z");
	/* In Kolkata, 20:00 UTC on the 8th is already the 9th. */
	g_autoptr(GArray) k = occurrences("FREQ=DAILY;COUNT=1", "Asia/Kolkata",
	    "2026-03-08T20:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-04-01T00:00:00Z");

	assert_occurrences(a, want);
	g_assert_cmpuint(k->len, ==, 1);
	g_assert_cmpint(g_array_index(k, struct sched_occurrence, 0).local, ==,
	    202603090900);
}

static void
test_until(void)
{
	/* A date: through that day. */
	g_autoptr(GArray) d = occurrences("FREQ=DAILY;UNTIL=20260312",
	    "Europe/Berlin", "2026-03-09T12:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-04-01T00:00:00Z");
	/* A UTC time: an instant, inclusive. 09:00 CET is 08:00 UTC. */
	g_autoptr(GArray) in = occurrences("FREQ=DAILY;UNTIL=20260312T080000Z",
	    "Europe/Berlin", "2026-03-09T12:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-04-01T00:00:00Z");
	g_autoptr(GArray) out = occurrences("FREQ=DAILY;UNTIL=20260312T075959Z",
	    "Europe/Berlin", "2026-03-09T12:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-04-01T00:00:00Z");
	/* In New York, 02:00 UTC on the 13th is still the 12th. */
	g_autoptr(GArray) ny = occurrences(
	    "FREQ=DAILY;BYHOUR=21;UNTIL=20260313T020000Z", "America/New_York",
	    "2026-03-09T16:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-04-01T00:00:00Z");

	g_assert_cmpuint(d->len, ==, 4);
	g_assert_cmpint(g_array_index(d, struct sched_occurrence, 3).local, ==,
	    202603120900);
	g_assert_cmpuint(in->len, ==, 4);
	g_assert_cmpuint(out->len, ==, 3);
	g_assert_cmpuint(ny->len, ==, 4);
	g_assert_cmpint(g_array_index(ny, struct sched_occurrence, 3).at, ==,
	    at("2026-03-13T01:00:00Z"));
}

/* UNTIL before the anchor's day: the schedule never fires. */
static void
test_until_before_anchor(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error2 = NULL;
	g_autoptr(GArray) a = NULL;
	struct sched_occurrence next;

	g_assert_true(sched_rule_check("FREQ=DAILY;UNTIL=20250101", NULL));
	a = sched_occurrences("FREQ=DAILY;UNTIL=20250101", "UTC",
	    at("2026-03-09T12:00:00Z"), at("2026-03-01T00:00:00Z"),
	    at("2026-04-01T00:00:00Z"), &error);
	g_assert_null(a);
	g_assert_error(error, SCHED_ERROR, SCHED_ERROR_RULE);
	g_assert_nonnull(strstr(error->message, "UNTIL=20250101"));
	g_assert_nonnull(strstr(error->message, "ends before it starts"));

	g_assert_false(sched_next("FREQ=DAILY;UNTIL=20250101", "UTC",
	    at("2026-03-09T12:00:00Z"), at("2026-03-09T12:00:00Z"), &next,
	    &error2));
	g_assert_error(error2, SCHED_ERROR, SCHED_ERROR_RULE);
}

/* --- shapes of rules ---------------------------------------------------- */

/* Every other Monday counts from the anchor's week: from a Wednesday, the
 * Monday of that week is before the start, so the first is 16 March. */
static void
test_weekly_interval(void)
{
	static const char *const from_monday[] = {
		"2026-03-02T09:00:00Z", "202603020900",
		"2026-03-16T09:00:00Z", "202603160900",
		"2026-03-30T09:00:00Z", "202603300900",
		"2026-04-13T09:00:00Z", "202604130900",
		NULL,
	};
	static const char *const from_wednesday[] = {
		"2026-03-16T09:00:00Z", "202603160900",
		"2026-03-30T09:00:00Z", "202603300900",
		"2026-04-13T09:00:00Z", "202604130900",
		NULL,
	};
	const char *rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO";
	g_autoptr(GArray) m = occurrences(rule, "UTC", "2026-03-02T06:00:00Z",
	    "2026-03-01T00:00:00Z", "2026-04-14T00:00:00Z");
	g_autoptr(GArray) w = occurrences(rule, "UTC", "2026-03-04T06:00:00Z",
	    "2026-03-01T00:00:00Z", "2026-04-14T00:00:00Z");
	/* Far from the anchor, the phase holds: 2027-01-04 is 44 weeks
	 * after 2026-03-02. */
	g_autoptr(GArray) later = occurrences(rule, "UTC",
	    "2026-03-02T06:00:00Z", "2027-01-01T00:00:00Z",
	    "2027-01-12T00:00:00Z");

	assert_occurrences(m, from_monday);
	assert_occurrences(w, from_wednesday);
	g_assert_cmpuint(later->len, ==, 1);
	g_assert_cmpint(g_array_index(later, struct sched_occurrence, 0).local,
	    ==, 202701040900);
}

static void
test_monthly(void)
{
	static const char *const twice[] = {
		"2026-04-01T08:00:00Z", "202604011000",
		"2026-04-15T08:00:00Z", "202604151000",
		"2026-05-01T08:00:00Z", "202605011000",
		NULL,
	};
	/* Months without a 31st are skipped, as RFC 5545 says. */
	static const char *const thirty_first[] = {
		"2026-03-31T09:00:00Z", "202603310900",
		"2026-05-31T09:00:00Z", "202605310900",
		"2026-07-31T09:00:00Z", "202607310900",
		NULL,
	};
	static const char *const last_friday[] = {
		"2026-03-27T15:00:00Z", "202603271600",
		"2026-04-24T14:00:00Z", "202604241600",
		NULL,
	};
	g_autoptr(GArray) a = occurrences("FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=10",
	    "Europe/Berlin", "2026-03-20T12:00:00Z", "2026-03-20T00:00:00Z",
	    "2026-05-02T00:00:00Z");
	g_autoptr(GArray) b = occurrences("FREQ=MONTHLY;BYMONTHDAY=31", "UTC",
	    "2026-03-01T12:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-08-01T00:00:00Z");
	g_autoptr(GArray) c = occurrences("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16",
	    "Europe/Berlin", "2026-03-01T12:00:00Z", "2026-03-01T00:00:00Z",
	    "2026-05-01T00:00:00Z");

	assert_occurrences(a, twice);
	assert_occurrences(b, thirty_first);
	assert_occurrences(c, last_friday);
}

/* --- the next occurrence ------------------------------------------------ */

static void
test_next(void)
{
	const char *rule = "FREQ=DAILY;COUNT=3;BYHOUR=16;BYMINUTE=30";
	gint64 anchor = at("2026-03-09T08:00:00Z");
	struct sched_occurrence o;
	g_autoptr(GError) error = NULL;

	g_assert_true(sched_next(rule, "Asia/Kolkata", anchor, anchor, &o,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpint(o.at, ==, at("2026-03-09T11:00:00Z"));
	g_assert_cmpint(o.local, ==, 202603091630);
	/* Strictly after: an occurrence at AFTER is not next. */
	g_assert_true(sched_next(rule, "Asia/Kolkata", anchor, o.at, &o,
	    &error));
	g_assert_cmpint(o.at, ==, at("2026-03-10T11:00:00Z"));
	g_assert_true(sched_next(rule, "Asia/Kolkata", anchor, o.at, &o,
	    &error));
	g_assert_cmpint(o.at, ==, at("2026-03-11T11:00:00Z"));
	/* After the last of COUNT: ended, which is no error. */
	g_assert_false(sched_next(rule, "Asia/Kolkata", anchor, o.at, &o,
	    &error));
	g_assert_no_error(error);
	g_assert_false(sched_next(rule, "Asia/Kolkata", anchor,
	    at("2030-01-01T00:00:00Z"), &o, &error));
	g_assert_no_error(error);
	g_assert_false(sched_next("FREQ=DAILY;UNTIL=20260310", "UTC", anchor,
	    at("2026-03-10T09:00:00Z"), &o, &error));
	g_assert_no_error(error);
	/* Over a skipped hour. */
	g_assert_true(sched_next("FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
	    "Europe/Berlin", anchor, at("2026-03-28T01:30:00Z"), &o, &error));
	g_assert_cmpint(o.at, ==, at("2026-03-29T01:00:00Z"));
	g_assert_cmpint(o.local, ==, 202603290230);
}

/* An anchor long before the window: rules without COUNT start near the
 * window, so that even one from 1626 is answered without walking 400
 * years of days (which would stop at the cap on steps); with COUNT the
 * walk from the anchor must give the same instances. */
static void
test_far_anchor(void)
{
	static const char *const rules[] = {
		"FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30",
		"FREQ=DAILY;INTERVAL=3",
		WEEKDAYS_1630,
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
		"FREQ=WEEKLY;INTERVAL=3",
		"FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
		"FREQ=YEARLY;BYMONTH=3,4;BYDAY=MO",
		"FREQ=YEARLY;BYWEEKNO=11,14;BYDAY=MO",
	};
	const char *from = "2026-03-01T00:00:00Z", *to = "2026-04-30T00:00:00Z";

	for (size_t i = 0; i < G_N_ELEMENTS(rules); i++) {
		g_autofree char *counted = g_strconcat(rules[i], ";COUNT=100000",
		    NULL);
		g_autoptr(GArray) jump = occurrences(rules[i], "Europe/Berlin",
		    "2007-06-13T10:00:00Z", from, to);
		g_autoptr(GArray) walk = occurrences(counted, "Europe/Berlin",
		    "2007-06-13T10:00:00Z", from, to);

		g_test_message("%s: %u in the window", rules[i], jump->len);
		g_assert_cmpuint(jump->len, >, 0);
		g_assert_cmpuint(jump->len, ==, walk->len);
		g_assert_cmpmem(jump->data, jump->len *
		    sizeof(struct sched_occurrence), walk->data, walk->len *
		    sizeof(struct sched_occurrence));
	}

	g_autoptr(GArray) old = occurrences(WEEKDAYS_1630, "Europe/Berlin",
	    "1626-05-04T12:00:00Z", "2026-03-09T00:00:00Z",
	    "2026-03-16T00:00:00Z");
	g_assert_cmpuint(old->len, ==, 5);
	g_assert_cmpint(g_array_index(old, struct sched_occurrence, 0).at, ==,
	    at("2026-03-09T15:30:00Z"));
}

/* --- refusals ----------------------------------------------------------- */

static void
test_good_rules(void)
{
	const char *good[] = {
		WEEKDAYS_1630,
		"FREQ=DAILY",
		"freq=weekly;byday=mo",
		"FREQ=DAILY; BYHOUR=9 ;",
		"FREQ=MONTHLY;BYDAY=-1FR",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=DAILY;UNTIL=20261231T170000Z",
		"FREQ=DAILY;BYSECOND=0",
		"FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO",
		NULL,
	};

	for (const char **g = good; *g != NULL; g++) {
		g_autoptr(GError) error = NULL;
		if (!sched_rule_check(*g, &error))
			g_error("\"%s\" refused: %s", *g, error->message);
	}
}

static void
test_bad_rules(void)
{
	static const struct { const char *rule, *part; } bad[] = {
		{ "", "a schedule is required" },
		{ " ; ;", "a schedule is required" },
		{ "garbage", "\"garbage\": expected NAME=VALUE" },
		{ "FREQ=HOURLY", "\"FREQ=HOURLY\": check-ins repeat at most daily" },
		{ "FREQ=MINUTELY;BYMINUTE=5", "FREQ=MINUTELY" },
		{ "FREQ=SECONDLY", "FREQ=SECONDLY" },
		{ "FREQ=FORTNIGHTLY", "\"FREQ=FORTNIGHTLY\": FREQ is DAILY" },
		{ "FREQ=WEEKLY;BYDAY=XX", "\"BYDAY=XX\": BYDAY takes days MO" },
		{ "FREQ=WEEKLY;BYDAY=MO,", "BYDAY=MO," },
		{ "FREQ=WEEKLY;BYDAY=1MO", "\"BYDAY=1MO\": numbered days" },
		{ "FREQ=MONTHLY;BYDAY=0MO", "BYDAY=0MO" },
		{ "FREQ=DAILY;BYHOUR=24", "\"BYHOUR=24\": BYHOUR takes hours" },
		{ "FREQ=DAILY;BYHOUR=9x", "BYHOUR=9x" },
		{ "FREQ=DAILY;BYHOUR=", "\"BYHOUR=\": expected NAME=VALUE" },
		{ "FREQ=DAILY;BYMINUTE=60", "BYMINUTE=60" },
		{ "FREQ=DAILY;BYSECOND=30", "\"BYSECOND=30\": BYSECOND takes 0" },
		{ "FREQ=DAILY;COUNT=0", "\"COUNT=0\"" },
		{ "FREQ=DAILY;COUNT=5x", "COUNT=5x" },
		{ "FREQ=DAILY;COUNT=100001", "COUNT=100001" },
		{ "FREQ=DAILY;INTERVAL=0", "INTERVAL=0" },
		{ "FREQ=DAILY;COUNT=3;UNTIL=20261231",
		  "\"COUNT=3\" and \"UNTIL=20261231\": give one or the other" },
		{ "FREQ=DAILY;UNTIL=20261301", "\"UNTIL=20261301\": UNTIL takes" },
		{ "FREQ=DAILY;UNTIL=tomorrow", "UNTIL=tomorrow" },
		{ "FREQ=DAILY;BYMONTH=13", "BYMONTH=13" },
		{ "FREQ=DAILY;FOO=1", "\"FOO=1\": not a part of a schedule" },
		{ "FREQ=DAILY;RSCALE=GREGORIAN", "RSCALE=GREGORIAN" },
		{ "BYHOUR=9", "no FREQ" },
		{ "FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice" },
		{ "FREQ=WEEKLY;BYMONTHDAY=3", "\"BYMONTHDAY=3\" does not go with "
		  "FREQ=WEEKLY" },
		{ "FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO=3" },
		{ "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never fires" },
		{ "FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31", "never fires" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		assert_rule_refused(bad[i].rule, bad[i].part);
}

static void
test_unknown_zone(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error2 = NULL;
	g_autoptr(GArray) a = NULL;
	struct sched_occurrence o;

	a = sched_occurrences("FREQ=DAILY", "Mars/Base", 0, 0, 86400, &error);
	g_assert_null(a);
	g_assert_error(error, SCHED_ERROR, SCHED_ERROR_ZONE);
	g_assert_nonnull(strstr(error->message, "'Mars/Base'"));
	g_assert_false(sched_next("FREQ=DAILY", "Europe/Berln", 0, 0, &o,
	    &error2));
	g_assert_error(error2, SCHED_ERROR, SCHED_ERROR_ZONE);
	g_assert_nonnull(strstr(error2->message, "did you mean Europe/Berlin"));
}

/* --- local days --------------------------------------------------------- */

/* Berlin's Friday ends at 23:00 UTC in winter; Kolkata's at 18:30 UTC. */
static void
test_workday_edges(void)
{
	const unsigned mon_fri = 0x1f;
	int day, minutes;

	g_assert_true(sched_is_workday("Europe/Berlin", mon_fri,
	    at("2026-03-13T22:59:59Z")));
	g_assert_false(sched_is_workday("Europe/Berlin", mon_fri,
	    at("2026-03-13T23:00:00Z")));
	g_assert_false(sched_is_workday("Europe/Berlin", mon_fri,
	    at("2026-03-15T22:59:59Z")));
	g_assert_true(sched_is_workday("Europe/Berlin", mon_fri,
	    at("2026-03-15T23:00:00Z")));
	/* In summer, an hour earlier. */
	g_assert_false(sched_is_workday("Europe/Berlin", mon_fri,
	    at("2026-07-10T22:00:00Z")));
	g_assert_true(sched_is_workday("Asia/Kolkata", mon_fri,
	    at("2026-03-13T18:29:59Z")));
	g_assert_false(sched_is_workday("Asia/Kolkata", mon_fri,
	    at("2026-03-13T18:30:00Z")));
	/* Sunday only. */
	g_assert_true(sched_is_workday("America/New_York", 0x40,
	    at("2026-03-16T03:59:59Z")));
	g_assert_false(sched_is_workday("America/New_York", 0x40,
	    at("2026-03-16T04:00:00Z")));

	sched_local("Europe/Berlin", at("2026-03-13T23:00:00Z"), &day, &minutes);
	g_assert_cmpint(day, ==, 5);
	g_assert_cmpint(minutes, ==, 0);
	sched_local("Asia/Kolkata", at("2026-03-13T18:29:00Z"), &day, &minutes);
	g_assert_cmpint(day, ==, 4);
	g_assert_cmpint(minutes, ==, 23 * 60 + 59);
	sched_local("Australia/Lord_Howe", at("2026-10-03T15:30:00Z"), &day,
	    &minutes);
	g_assert_cmpint(day, ==, 6);
	g_assert_cmpint(minutes, ==, 2 * 60 + 30);
}

static void
test_format(void)
{
	g_autofree char *b = sched_format("Europe/Berlin",
	    at("2026-03-09T15:30:00Z"), "%A %-d %B, %H:%M");
	g_autofree char *k = sched_format("Asia/Kolkata",
	    at("2026-03-09T15:30:00Z"), "%a %H:%M %z");
	/* A zone gone from the system reads as UTC. */
	g_autofree char *u = sched_format("Mars/Base",
	    at("2026-03-09T15:30:00Z"), "%H:%M");

	g_assert_cmpstr(b, ==, "Monday 9 March, 16:30");
	g_assert_cmpstr(k, ==, "Mon 21:00 +0530");
	g_assert_cmpstr(u, ==, "15:30");
}

/* A reader's morning: the first MINUTE of a workday at or after a time,
 * across zones, weekends and clock changes. */
static void
test_next_local(void)
{
	const unsigned monfri = 0x1f;

	/* Friday 16:00 UTC: 08:30 in Tokyo has passed (01:00 Saturday);
	 * Monday 08:30 JST is Sunday 23:30 UTC. */
	g_assert_cmpint(sched_next_local("Asia/Tokyo", 8 * 60 + 30, monfri,
	    at("2026-03-27T16:00:00Z")), ==, at("2026-03-29T23:30:00Z"));
	/* The same minute is at or after: it counts. */
	g_assert_cmpint(sched_next_local("UTC", 9 * 60, monfri,
	    at("2026-03-27T09:00:00Z")), ==, at("2026-03-27T09:00:00Z"));
	/* Later the same day. */
	g_assert_cmpint(sched_next_local("America/Los_Angeles", 7 * 60, monfri,
	    at("2026-03-26T10:00:00Z")), ==, at("2026-03-26T14:00:00Z"));
	/* Berlin's clocks go forward on Sunday 29 March: Monday 08:00 is
	 * 06:00 UTC, Friday's was 07:00. */
	g_assert_cmpint(sched_next_local("Europe/Berlin", 8 * 60, monfri,
	    at("2026-03-27T08:00:00Z")), ==, at("2026-03-30T06:00:00Z"));
	/* Saturday only. */
	g_assert_cmpint(sched_next_local("UTC", 8 * 60, 1u << 5,
	    at("2026-03-23T00:00:00Z")), ==, at("2026-03-28T08:00:00Z"));
	/* No workdays is every day. */
	g_assert_cmpint(sched_next_local("UTC", 8 * 60, 0,
	    at("2026-03-28T09:00:00Z")), ==, at("2026-03-29T08:00:00Z"));
	/* 02:30 does not exist in Berlin on 29 March: read as after the
	 * change, once, on that day. */
	g_assert_cmpint(sched_next_local("Europe/Berlin", 2 * 60 + 30, 0x7f,
	    at("2026-03-28T23:00:00Z")), >=, at("2026-03-29T01:00:00Z"));
	g_assert_cmpint(sched_next_local("Europe/Berlin", 2 * 60 + 30, 0x7f,
	    at("2026-03-28T23:00:00Z")), <, at("2026-03-29T02:00:00Z"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/schedule/team/weekdays", test_team_weekdays);
	g_test_add_func("/schedule/team/weekend", test_weekend_skipped);
	g_test_add_func("/schedule/dst/berlin-spring", test_berlin_spring);
	g_test_add_func("/schedule/dst/berlin-autumn", test_berlin_autumn);
	g_test_add_func("/schedule/dst/new-york", test_new_york_dst);
	g_test_add_func("/schedule/dst/half-hours", test_half_hours);
	g_test_add_func("/schedule/dst/beyond-2037", test_beyond_2037);
	g_test_add_func("/schedule/window", test_window_bounds);
	g_test_add_func("/schedule/count", test_count);
	g_test_add_func("/schedule/until", test_until);
	g_test_add_func("/schedule/until/before-anchor",
	    test_until_before_anchor);
	g_test_add_func("/schedule/weekly-interval", test_weekly_interval);
	g_test_add_func("/schedule/monthly", test_monthly);
	g_test_add_func("/schedule/next", test_next);
	g_test_add_func("/schedule/far-anchor", test_far_anchor);
	g_test_add_func("/schedule/rules/good", test_good_rules);
	g_test_add_func("/schedule/rules/bad", test_bad_rules);
	g_test_add_func("/schedule/zone/unknown", test_unknown_zone);
	g_test_add_func("/schedule/local/workday-edges", test_workday_edges);
	g_test_add_func("/schedule/local/format", test_format);
	g_test_add_func("/schedule/local/next", test_next_local);
	return g_test_run();
}
