/* Unit tests for the parsers of user-typed values. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "value.h"

static void
test_email(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *a = value_email("Ana.Lima+x@Example.ORG", &error);

	g_assert_no_error(error);
	g_assert_cmpstr(a, ==, "Ana.Lima+x@example.org");

	const char *bad[] = { "", "ana", "@example.org", "ana@", "ana@@x.org",
	    "ana @x.org", "ana@x..org", "ana@-x.org", ".ana@x.org",
	    "a..b@x.org", "ana@x.org\r\nBcc: eve@x.org", "<ana@x.org>", NULL };
	for (const char **b = bad; *b != NULL; b++) {
		g_autoptr(GError) e = NULL;
		g_autofree char *r = value_email(*b, &e);
		g_assert_null(r);
		g_assert_error(e, VALUE_ERROR, VALUE_ERROR_INVALID);
	}
}

static void
test_email_message_names_value(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *r = value_email("not-an-address", &error);

	g_assert_null(r);
	g_assert_nonnull(strstr(error->message, "'not-an-address'"));
	g_assert_nonnull(strstr(error->message, "local@domain"));
}

static void
test_team_name(void)
{
	const char *good[] = { "platform", "web-2", "a", "0ops", NULL };
	const char *bad[] = { "", "Platform", "-web", "web-", "web team",
	    "wéb", "a_b", "x@y", "a1234567890123456789012345678901234567890",
	    NULL };

	for (const char **g = good; *g != NULL; g++)
		g_assert_true(value_team_name(*g, NULL));
	for (const char **b = bad; *b != NULL; b++) {
		g_autoptr(GError) e = NULL;
		g_assert_false(value_team_name(*b, &e));
		g_assert_nonnull(strstr(e->message, *b));
	}
}

static void
test_display_name(void)
{
	g_assert_true(value_display_name("Zoë O'Brien-Łukasz 李", NULL));
	g_assert_false(value_display_name("Eve\r\nBcc: x@y.org", NULL));
	g_assert_false(value_display_name("tab\there", NULL));
	g_assert_false(value_display_name("\xff\xfe", NULL));
}

static void
test_zone(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(value_zone("Europe/Berlin", NULL));
	g_assert_true(value_zone("America/Argentina/Buenos_Aires", NULL));
	g_assert_true(value_zone("UTC", NULL));
	g_assert_false(value_zone("Europe/Berln", &error));
	g_assert_nonnull(strstr(error->message, "'Europe/Berln'"));
	g_assert_nonnull(strstr(error->message, "did you mean Europe/Berlin"));
	/* Paths out of the zone directory are not zones. */
	g_assert_false(value_zone("../../etc/passwd", NULL));
	g_assert_false(value_zone("/etc/localtime", NULL));
	g_assert_false(value_zone("", NULL));
	/* A directory is not a zone. */
	g_assert_false(value_zone("Europe", NULL));
	g_assert_false(value_zone("Mars/Olympus_Mons", NULL));
}

static void
test_zone_tzdir(void)
{
	g_autofree char *dir = g_dir_make_tmp("tidings-tz-XXXXXX", NULL);
	g_autofree char *zone = g_build_filename(dir, "Test_Zone", NULL);
	g_autofree char *bogus = g_build_filename(dir, "Not_A_Zone", NULL);

	g_assert_true(g_file_set_contents(zone, "TZif2...", -1, NULL));
	g_assert_true(g_file_set_contents(bogus, "hello", -1, NULL));
	g_setenv("TZDIR", dir, TRUE);
	g_assert_true(value_zone("Test_Zone", NULL));
	g_assert_false(value_zone("Not_A_Zone", NULL));
	g_assert_false(value_zone("Europe/Berlin", NULL));
	g_unsetenv("TZDIR");
	g_remove(zone);
	g_remove(bogus);
	g_rmdir(dir);
}

static void
test_hours(void)
{
	struct { const char *in; int start, end; } good[] = {
		{ "09:00-17:00", 540, 1020 },
		{ "9-17", 540, 1020 },
		{ "8:30 - 16:45", 510, 1005 },
		{ "00:00-24:00", 0, 1440 },
		{ "22:00-06:00", 1320, 360 },
	};
	const char *bad[] = { "", "9", "9-", "-17", "09:00-09:00", "25:00-26:00",
	    "09:60-17:00", "24:00-08:00", "nine-five", "09:00-17:00-18:00",
	    "9:5-17", "24:30-01:00", NULL };

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		int s = -1, e = -1;
		g_assert_true(value_hours(good[i].in, &s, &e, NULL));
		g_assert_cmpint(s, ==, good[i].start);
		g_assert_cmpint(e, ==, good[i].end);
	}
	for (const char **b = bad; *b != NULL; b++) {
		int s, e;
		g_autoptr(GError) err = NULL;
		g_assert_false(value_hours(*b, &s, &e, &err));
		g_assert_nonnull(err);
	}
	g_autofree char *f = value_hours_format(510, 1005);
	g_assert_cmpstr(f, ==, "08:30-16:45");
}

static void
test_workdays(void)
{
	struct { const char *in; unsigned days; const char *out; } cases[] = {
		{ "mon-fri", 0x1f, "mon-fri" },
		{ "weekdays", 0x1f, "mon-fri" },
		{ "Sun-Thu", 0x4f, "mon-thu,sun" },
		{ "mon,wed,fri", 0x15, "mon,wed,fri" },
		{ "fri-mon", 0x71, "mon,fri-sun" },
		{ "monday, tuesday", 0x03, "mon,tue" },
		{ "all", 0x7f, "mon-sun" },
		{ "sat", 0x20, "sat" },
	};
	const char *bad[] = { "", "funday", "mon-", "m", "mon--fri", ",",
	    "mon-fri-sat", NULL };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		unsigned d = 0;
		g_assert_true(value_workdays(cases[i].in, &d, NULL));
		g_assert_cmphex(d, ==, cases[i].days);
		g_autofree char *f = value_workdays_format(d);
		g_assert_cmpstr(f, ==, cases[i].out);
	}
	for (const char **b = bad; *b != NULL; b++) {
		unsigned d;
		g_autoptr(GError) err = NULL;
		g_assert_false(value_workdays(*b, &d, &err));
		g_assert_nonnull(strstr(err->message, "mon-fri"));
	}
}

/* 2026-03-09 is a Monday. */
#define MON_2026_03_09_UTC 1773014400

static void
test_local_time(void)
{
	struct {
		const char *zone;
		gint64 at;
		int start, end;
		unsigned days;
		const char *want;
	} cases[] = {
		/* 10:00 UTC is 11:00 in Berlin (CET, before the DST change). */
		{ "Europe/Berlin", MON_2026_03_09_UTC + 10 * 3600, 540, 1020,
		  0x1f, "Mon 11:00 CET, working" },
		/* New York changed to EDT on 8 March: 10:00 UTC is 06:00. */
		{ "America/New_York", MON_2026_03_09_UTC + 10 * 3600, 540, 1020,
		  0x1f, "Mon 06:00 EDT, outside working hours" },
		{ "Asia/Kolkata", MON_2026_03_09_UTC + 10 * 3600, 540, 1020,
		  0x1f, "Mon 15:30 IST, working" },
		/* Sunday is not a workday in mon-fri... */
		{ "UTC", MON_2026_03_09_UTC - 12 * 3600, 540, 1020, 0x1f,
		  "Sun 12:00 UTC, outside working hours" },
		/* ...but is in sun-thu. */
		{ "UTC", MON_2026_03_09_UTC - 12 * 3600, 540, 1020, 0x4f,
		  "Sun 12:00 UTC, working" },
		/* A night shift started on Monday runs into Tuesday. */
		{ "UTC", MON_2026_03_09_UTC + 26 * 3600, 1320, 360, 0x01,
		  "Tue 02:00 UTC, working" },
		{ "UTC", MON_2026_03_09_UTC + 2 * 3600, 1320, 360, 0x01,
		  "Mon 02:00 UTC, outside working hours" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *s = value_local_time(cases[i].zone, cases[i].start,
		    cases[i].end, cases[i].days, cases[i].at);
		g_assert_cmpstr(s, ==, cases[i].want);
	}
}

/* The one reader of date words: the forms of the mail commands and of
 * out-of-office replies, in English and German, whole or at the start of
 * a sentence; placed on the calendar of Tuesday 1 December 2026, UTC. */
static void
test_dates(void)
{
	static const struct {
		const char *text;
		gboolean whole;
		gboolean today_counts;
		const char *want;	/* NULL: not a date */
	} cases[] = {
		{ "2027-01-04", TRUE, FALSE, "2027-01-04" },
		{ "until 2027-01-04", TRUE, FALSE, "2027-01-04" },
		{ "tomorrow", TRUE, FALSE, "2026-12-02" },
		{ "today", TRUE, TRUE, "2026-12-01" },
		{ "tuesday", TRUE, TRUE, "2026-12-01" },
		{ "tuesday", TRUE, FALSE, "2026-12-08" },
		{ "Friday.", TRUE, FALSE, "2026-12-04" },
		{ "Montag", TRUE, FALSE, "2026-12-07" },
		{ "5. Januar", TRUE, FALSE, "2027-01-05" },
		{ "21.12.", TRUE, FALSE, "2026-12-21" },
		{ "07.01.2027", TRUE, FALSE, "2027-01-07" },
		{ "December 24th, 2027", TRUE, FALSE, "2027-12-24" },
		{ "1 December", TRUE, FALSE, "2026-12-01" },
		{ "30 November", TRUE, FALSE, "2027-11-30" },
		{ "2 weeks", TRUE, FALSE, "2026-12-15" },
		{ "Monday 4 January. See you then", FALSE, FALSE, "2027-01-04" },
		{ "Monday 4 January. See you then", TRUE, FALSE, NULL },
		{ "the 11th of never", FALSE, FALSE, NULL },
		{ "whenever", TRUE, FALSE, NULL },
		{ "", TRUE, FALSE, NULL },
	};
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 12, 1, 9, 0, 0);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct value_date d;
		gboolean ok = value_date_read(cases[i].text, cases[i].whole,
		    &d);
		g_autoptr(GDateTime) t = NULL;
		g_autofree char *day = NULL;

		if (cases[i].want == NULL) {
			g_assert_false(ok);
			continue;
		}
		g_assert_true(ok);
		t = g_date_time_new_from_unix_utc(value_date_place(&d, "UTC",
		    g_date_time_to_unix(now), cases[i].today_counts));
		day = g_date_time_format(t, "%Y-%m-%d");
		if (strcmp(day, cases[i].want) != 0)
			g_error("\"%s\": %s, not %s", cases[i].text, day,
			    cases[i].want);
	}
	g_assert_false(value_date("30 February", NULL));
	g_assert_true(value_date("until friday", NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/value/email", test_email);
	g_test_add_func("/value/email/message", test_email_message_names_value);
	g_test_add_func("/value/team-name", test_team_name);
	g_test_add_func("/value/display-name", test_display_name);
	g_test_add_func("/value/zone", test_zone);
	g_test_add_func("/value/zone/tzdir", test_zone_tzdir);
	g_test_add_func("/value/hours", test_hours);
	g_test_add_func("/value/workdays", test_workdays);
	g_test_add_func("/value/local-time", test_local_time);
	g_test_add_func("/value/dates", test_dates);
	return g_test_run();
}
