/* Unit tests for ical.c: calendars from Google, Outlook and Apple,
 * free/busy, RFC 7953 availability, recurring events with exceptions,
 * zones (IANA, Windows, a VTIMEZONE's own rules) and broken files, all in
 * tests/data/ics. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "ical.h"
#include "store.h"
#include "store-avail.h"
#include "testtime.h"

/* 2026-12-01T09:00:00Z, a Tuesday. */
#define NOW 1796115600

static struct ical_result *
read_file(const char *name, const char *zone, GError **error)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..",
	    "data", "ics", name, NULL);
	g_autofree char *text = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(path, &text, &len, NULL));
	return ical_read(text, (gssize)len, zone, NULL, NOW, error);
}

static struct ical_result *
read_ok(const char *name)
{
	g_autoptr(GError) error = NULL;
	struct ical_result *r = read_file(name, "Europe/Berlin", &error);

	g_assert_no_error(error);
	g_assert_nonnull(r);
	return r;
}

/* The block with UID, which must be there. */
static const struct availability *
block(const struct ical_result *r, const char *uid)
{
	for (guint i = 0; i < r->blocks->len; i++) {
		const struct availability *a = r->blocks->pdata[i];
		if (strcmp(a->uid, uid) == 0)
			return a;
	}
	g_test_message("no block %s", uid);
	g_assert_not_reached();
	return NULL;
}

static gboolean
has_block(const struct ical_result *r, const char *uid)
{
	for (guint i = 0; i < r->blocks->len; i++)
		if (strcmp(((struct availability *)r->blocks->pdata[i])->uid,
		    uid) == 0)
			return TRUE;
	return FALSE;
}

static void
test_google(void)
{
	g_autoptr(IcalResult) r = read_ok("google-ooo.ics");
	const struct availability *a;

	/* All-day out of office in the person's zone, end excluded. */
	a = block(r, "0a1b2c3d4e5f@google.com");
	g_assert_cmpstr(a->kind, ==, "away");
	g_assert_cmpint(a->starts_at, ==, utc("2026-12-20T23:00:00Z"));
	g_assert_cmpint(a->ends_at, ==, utc("2027-01-03T23:00:00Z"));
	g_assert_cmpstr(a->source, ==, "ics");
	a = block(r, "focus1@google.com");
	g_assert_cmpstr(a->kind, ==, "deep-work");
	g_assert_cmpint(a->starts_at, ==, utc("2026-12-02T08:00:00Z"));
	g_assert_cmpstr(block(r, "meeting1@google.com")->kind, ==, "busy");
	/* Free and past events give nothing, but their UIDs are named. */
	g_assert_false(has_block(r, "free1@google.com"));
	g_assert_false(has_block(r, "past1@google.com"));
	g_assert_cmpuint(r->blocks->len, ==, 3);
	g_assert_cmpuint(r->uids->len, ==, 5);
}

static void
test_outlook(void)
{
	g_autoptr(IcalResult) r = read_ok("outlook-oof.ics");
	const struct availability *a;

	/* "W. Europe Standard Time" is Europe/Berlin; OOF is away. */
	a = r->blocks->pdata[0];
	g_assert_cmpstr(a->kind, ==, "away");
	g_assert_cmpstr(a->summary, ==, "Urlaub");
	g_assert_cmpint(a->starts_at, ==, utc("2026-12-20T23:00:00Z"));
	g_assert_cmpint(a->ends_at, ==, utc("2026-12-23T23:00:00Z"));
	g_assert_cmpstr(block(r, "outlook-tentative-1")->kind, ==, "busy");
	g_assert_false(has_block(r, "outlook-free-1"));
	g_assert_cmpstr(ical_windows_zone("India Standard Time"), ==,
	    "Asia/Kolkata");
	g_assert_cmpstr(ical_windows_zone("aus eastern standard time"), ==,
	    "Australia/Sydney");
	g_assert_null(ical_windows_zone("Mars Standard Time"));
}

static void
test_apple(void)
{
	g_autoptr(IcalResult) r = read_ok("apple.ics");

	g_assert_cmpuint(r->blocks->len, ==, 1);
	g_assert_cmpint(block(r, "5E6A1C2B-9C1F-4E7B-8D2A-1B2C3D4E5F60")->
	    starts_at, ==, utc("2026-12-02T15:30:00Z"));
}

/* A public-holiday calendar (Google's "Holidays in ..."): each all-day
 * holiday, though marked free, is a day away, in the person's zone; its
 * observances are not. */
static void
test_holidays(void)
{
	g_autoptr(IcalResult) r = read_ok("holidays.ics");
	const struct availability *a;

	g_assert_cmpuint(r->blocks->len, ==, 2);
	a = block(r, "20261225_xmas@holiday.calendar.google.com");
	g_assert_cmpstr(a->kind, ==, "away");
	g_assert_cmpstr(a->summary, ==, "Christmas Day");
	g_assert_cmpint(a->starts_at, ==, utc("2026-12-24T23:00:00Z"));
	g_assert_cmpint(a->ends_at, ==, utc("2026-12-25T23:00:00Z"));
	g_assert_cmpstr(block(r, "20261226_boxing@holiday.calendar.google.com")->
	    kind, ==, "away");
	/* An observance of the same calendar is no day off. */
	g_assert_false(has_block(r, "20261231_nye@holiday.calendar.google.com"));
}

/* In any calendar, a whole day marked free (TRANSP:TRANSPARENT, Outlook's
 * FREE) or with a holiday category is a day off; a birthday, an hour
 * marked free and an ordinary all-day event are not. */
static void
test_day_off(void)
{
	g_autoptr(IcalResult) r = read_ok("day-off.ics");

	g_assert_cmpstr(block(r, "dayoff-free-1")->kind, ==, "away");
	g_assert_cmpstr(block(r, "dayoff-category-1")->kind, ==, "away");
	g_assert_cmpstr(block(r, "dayoff-outlook-free-1")->kind, ==, "away");
	g_assert_false(has_block(r, "dayoff-birthday-1"));
	g_assert_false(has_block(r, "dayoff-timed-free-1"));
	g_assert_cmpstr(block(r, "dayoff-conference-1")->kind, ==, "busy");
	g_assert_cmpuint(r->blocks->len, ==, 4);
}

static void
test_zones(void)
{
	g_autoptr(IcalResult) r = read_ok("custom-zone.ics");
	g_autofree char *z1 = ical_iana_zone("/mozilla.org/20050126_1/"
	    "Europe/Berlin");
	g_autofree char *z2 = ical_iana_zone("(UTC+01:00) Amsterdam, Berlin");

	/* A VTIMEZONE's own rules, and a Windows name without one. */
	g_assert_cmpint(block(r, "custom-1")->starts_at, ==,
	    utc("2026-12-02T08:30:00Z"));
	g_assert_cmpint(block(r, "windows-1")->starts_at, ==,
	    utc("2026-12-02T22:00:00Z"));
	g_assert_cmpstr(z1, ==, "Europe/Berlin");
	g_assert_null(z2);
}

static void
test_freebusy(void)
{
	g_autoptr(IcalResult) r = read_ok("freebusy.ics");
	const char *uid = "fb-ana-1@example.org";
	g_autofree char *u1 = g_strdup_printf("%s#20261202T130000", uid);
	g_autofree char *u2 = g_strdup_printf("%s#20261207T000000", uid);

	g_assert_cmpuint(r->blocks->len, ==, 5);
	g_assert_cmpint(block(r, u1)->ends_at, ==,
	    utc("2026-12-02T13:30:00Z"));
	g_assert_cmpstr(block(r, u2)->kind, ==, "away");
}

static void
test_availability(void)
{
	g_autoptr(IcalResult) r = read_ok("vavailability.ics");
	g_autoptr(IcalResult) s = read_ok("vavailability-split.ics");
	const struct availability *a;

	/* One weekly pattern: the person's hours and days. */
	g_assert_true(r->hours_set);
	g_assert_cmpstr(r->zone, ==, "Europe/Lisbon");
	g_assert_cmpint(r->work_start, ==, 8 * 60);
	g_assert_cmpint(r->work_end, ==, 16 * 60);
	g_assert_cmpuint(r->workdays, ==, 0x0f);
	g_assert_cmpuint(r->blocks->len, ==, 0);
	/* Two patterns: working blocks, kept as rules. */
	g_assert_false(s->hours_set);
	g_assert_cmpuint(s->blocks->len, ==, 2);
	a = block(s, "avail-bob-1@example.org#2");
	g_assert_cmpstr(a->kind, ==, "working");
	g_assert_cmpstr(a->zone, ==, "America/New_York");
	g_assert_nonnull(strstr(a->rrule, "BYHOUR=13"));
}

static void
test_recurring(void)
{
	g_autoptr(IcalResult) r = read_ok("recurring.ics");
	const struct availability *a;
	const char *series = "review-series@example.org";
	g_autofree char *moved = g_strdup_printf("%s#R20261216T150000",
	    series);
	static const char *const gone[] = { "20261209T150000",
	    "20261216T150000", "20261223T150000", "20270113T150000" };

	/* A plain weekly event stays a rule, at its own time. */
	a = block(r, "standup-series@example.org");
	g_assert_nonnull(a->rrule);
	g_assert_nonnull(strstr(a->rrule, "BYHOUR=10"));
	g_assert_cmpstr(a->zone, ==, "Europe/Berlin");
	g_assert_cmpint(a->ends_at - a->starts_at, ==, 15 * 60);
	/* With EXDATE and overrides: instances, the moved one by itself,
	 * the excluded and cancelled ones and those past COUNT gone. */
	g_assert_true(has_block(r, "review-series@example.org#20261202T150000"));
	g_assert_true(has_block(r, "review-series@example.org#20270106T150000"));
	for (size_t i = 0; i < G_N_ELEMENTS(gone); i++) {
		g_autofree char *u = g_strdup_printf("%s#%s", series, gone[i]);
		g_assert_false(has_block(r, u));
	}
	g_assert_cmpint(block(r, moved)->starts_at, ==,
	    utc("2026-12-17T08:00:00Z"));
	/* A cancelled event is named, to be removed. */
	g_assert_false(has_block(r, "cancelled@example.org"));
	g_assert_cmpstr(r->uids->pdata[2], ==, "cancelled@example.org");
}

static void
test_broken(void)
{
	static const struct {
		const char *file;
		const char *message;
	} cases[] = {
		{ "broken-line.ics", "line 6: \"this is not a line\"" },
		{ "broken-nesting.ics", "line 7: END:VCALENDAR, but BEGIN:VEVENT "
		  "of line 3" },
		{ "broken-truncated.ics", "ends before END:VCALENDAR" },
		{ "broken-no-dtstart.ics", "line 3: VEVENT \"No start\": no "
		  "DTSTART" },
		{ "broken-date.ics", "line 6: DTSTART \"2026-12-02\" is not a "
		  "date" },
		{ "broken-zone.ics", "TZID \"Mars/Olympus\"" },
		{ "broken-not-ics.ics", "line 1:" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(IcalResult) r = read_file(cases[i].file, "UTC",
		    &error);
		g_assert_null(r);
		g_assert_error(error, ICAL_ERROR, ICAL_ERROR_PARSE);
		if (strstr(error->message, cases[i].message) == NULL)
			g_error("%s: \"%s\" lacks \"%s\"", cases[i].file,
			    error->message, cases[i].message);
	}
}

/* An invitation the person declined is free time; one they accepted is
 * busy; for a reader who does not know the person, both are busy. */
static void
test_declined(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..",
	    "data", "ics", "declined.ics", NULL);
	g_autofree char *text = NULL;
	g_autoptr(IcalResult) mine = NULL, anyone = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(path, &text, &len, NULL));
	mine = ical_read(text, (gssize)len, "Europe/Berlin", "ana@example.org",
	    NOW, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(mine->blocks->len, ==, 1);
	g_assert_cmpstr(((struct availability *)mine->blocks->pdata[0])->uid,
	    ==, "accepted-1@example.org");
	anyone = ical_read(text, (gssize)len, "Europe/Berlin", NULL, NOW,
	    &error);
	g_assert_cmpuint(anyone->blocks->len, ==, 2);
}

/* Two VEVENTs of one UID without RECURRENCE-ID, as some servers send:
 * both blocks are kept, each under a UID of its own. */
static void
test_duplicate_uid(void)
{
	g_autoptr(IcalResult) r = read_ok("duplicate-uid.ics");
	const struct availability *a, *b;

	g_assert_cmpuint(r->blocks->len, ==, 2);
	a = block(r, "trip-4411@calendar.example.com");
	b = block(r, "trip-4411@calendar.example.com#2");
	g_assert_cmpint(a->starts_at, ==, utc("2026-12-03T08:00:00Z"));
	g_assert_cmpint(b->starts_at, ==, utc("2026-12-04T13:00:00Z"));
	g_assert_cmpint(b->ends_at, ==, utc("2026-12-04T17:00:00Z"));
	g_assert_cmpuint(r->uids->len, ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ical/google", test_google);
	g_test_add_func("/ical/outlook", test_outlook);
	g_test_add_func("/ical/apple", test_apple);
	g_test_add_func("/ical/holidays", test_holidays);
	g_test_add_func("/ical/day-off", test_day_off);
	g_test_add_func("/ical/zones", test_zones);
	g_test_add_func("/ical/freebusy", test_freebusy);
	g_test_add_func("/ical/availability", test_availability);
	g_test_add_func("/ical/recurring", test_recurring);
	g_test_add_func("/ical/broken", test_broken);
	g_test_add_func("/ical/declined", test_declined);
	g_test_add_func("/ical/duplicate-uid", test_duplicate_uid);
	return g_test_run();
}
