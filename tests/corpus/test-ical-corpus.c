/* Real-world calendars, read in place from $SHARED_DIR/corpus (each test
 * skipped without it):
 *
 * - every file of collective_icalendar/, icaljs/samples/ and
 *   libical/test-data/ is read by ical.c or refused with a clear error,
 *   never a crash or a hang;
 * - the RRULE cases of libical (icalrecur_cases.json) and ical.js
 *   (rrule_cases.json) through tidings' schedules (schedule.c): the
 *   instances must be exactly those expected.  Rules finer than daily,
 *   and times with seconds, are not schedules: counted as skipped. */
#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ical.h"
#include "schedule.h"

/* Generous for a sanitised build; a hang is minutes. */
#define SLOW_USEC (5 * G_USEC_PER_SEC)
/* The pass rates measured when the test was written (76% and 93%: the
 * misses are libical 3.0's BYWEEKNO and BYSETPOS, and a DTSTART that
 * does not match its rule, which ical.js counts), less a margin. */
#define LIBICAL_FLOOR 0.75
#define ICALJS_FLOOR 0.90

static char *
corpus_dir(const char *set)
{
	const char *shared = g_getenv("SHARED_DIR");
	g_autofree char *dir = NULL;

	if (shared != NULL)
		dir = g_build_filename(shared, "corpus", set, NULL);
	if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_test_skip("no corpus: set SHARED_DIR to the shared folder");
		return NULL;
	}
	return g_steal_pointer(&dir);
}

struct tally {
	guint read, refused, slow;
	GString *bad;		/* files refused without a message */
};

static void
read_tree(const char *dir, struct tally *t)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *text = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(IcalResult) r = NULL;
		gsize len;
		gint64 t0;

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			read_tree(path, t);
			continue;
		}
		if (!g_file_get_contents(path, &text, &len, NULL))
			continue;
		t0 = g_get_monotonic_time();
		/* 1 December 2026, 09:00 UTC. */
		r = ical_read(text, (gssize)len, "Europe/Berlin", NULL, 1796115600,
		    &error);
		if (g_get_monotonic_time() - t0 > SLOW_USEC) {
			t->slow++;
			g_string_append_printf(t->bad, " %s (slow)", path);
		}
		if (r != NULL)
			t->read++;
		else if (error != NULL && error->domain == ICAL_ERROR &&
		    strlen(error->message) > 10)
			t->refused++;
		else
			g_string_append_printf(t->bad, " %s", path);
	}
}

static void
test_files(void)
{
	static const char *const sets[] = { "collective_icalendar",
	    "icaljs/samples", "libical/test-data" };

	for (size_t i = 0; i < G_N_ELEMENTS(sets); i++) {
		g_autofree char *dir = corpus_dir(sets[i]);
		struct tally t = { .bad = g_string_new(NULL) };

		if (dir == NULL)
			return;
		read_tree(dir, &t);
		g_test_message("%s: %u files read, %u refused with an error, "
		    "%u slow", sets[i], t.read, t.refused, t.slow);
		if (t.bad->len > 0)
			g_error("%s: without a clear error, or slow:%s", sets[i],
			    t.bad->str);
		g_assert_cmpuint(t.read + t.refused, >, 0);
		g_string_free(t.bad, TRUE);
	}
}

/* --- recurrence rules --------------------------------------------------- */

/* "2015-04-30T08:00:00" or "20150430T080000" as "20150430T080000". */
static char *
compact(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s != '\0'; s++)
		if (*s != '-' && *s != ':')
			g_string_append_c(out, *s);
	return g_string_free(out, FALSE);
}

static gint64
instant(const char *c, gboolean *date, int *hour, int *minute, int *second)
{
	int y, mo, d;
	g_autoptr(GDateTime) t = NULL;

	*hour = *minute = *second = 0;
	*date = strlen(c) == 8;
	if (sscanf(c, "%4d%2d%2d", &y, &mo, &d) != 3)
		return G_MININT64;
	if (!*date && sscanf(c + 9, "%2d%2d%2d", hour, minute, second) != 3)
		return G_MININT64;
	t = g_date_time_new_utc(y, mo, d, *hour, *minute, *second);
	return t != NULL ? g_date_time_to_unix(t) : G_MININT64;
}

enum outcome { CASE_PASS, CASE_FAIL, CASE_SKIP };

/* One case: RRULE from DTSTART (compact), the EXPECTED instances
 * (compact), all of them when FINITE, else the first ones; only those at
 * or after START (0: all). */
static enum outcome
rule_case(const char *rrule, const char *dtstart, GPtrArray *expected,
    gboolean finite, gint64 start, char **why)
{
	g_autofree char *up = g_ascii_strup(rrule, -1);
	g_autoptr(GString) rule = g_string_new(rrule);
	g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) want = g_ptr_array_new();
	gboolean date, z = g_str_has_suffix(dtstart, "Z");
	int h, m, s;
	gint64 anchor = instant(dtstart, &date, &h, &m, &s);
	gint64 after;
	struct sched_occurrence o;

	if (strstr(up, "FREQ=SECONDLY") || strstr(up, "FREQ=MINUTELY") ||
	    strstr(up, "FREQ=HOURLY") || strstr(up, "BYSECOND") || s != 0) {
		*why = g_strdup("finer than a minute or daily");
		return CASE_SKIP;
	}
	if (anchor == G_MININT64 || anchor < 0) {
		*why = g_strdup("before 1970");
		return CASE_SKIP;
	}
	/* DTSTART gives the time of day where the rule does not. */
	if (strstr(up, "BYHOUR") == NULL)
		g_string_append_printf(rule, ";BYHOUR=%d", h);
	if (strstr(up, "BYMINUTE") == NULL)
		g_string_append_printf(rule, ";BYMINUTE=%d", m);
	for (guint i = 0; i < expected->len; i++) {
		gboolean d;
		int hh, mm, ss;
		if (start == 0 || instant(expected->pdata[i], &d, &hh, &mm,
		    &ss) >= start)
			g_ptr_array_add(want, expected->pdata[i]);
	}
	after = MAX(anchor, start) - 1;
	while (got->len < want->len + (finite ? 1 : 0) &&
	    sched_next(rule->str, "UTC", anchor, after, &o, NULL)) {
		g_autofree char *f = NULL;
		after = o.at;
		if (date)
			f = sched_format("UTC", o.at, "%Y%m%d");
		else
			f = sched_format("UTC", o.at, z ? "%Y%m%dT%H%M%SZ" :
			    "%Y%m%dT%H%M%S");
		g_ptr_array_add(got, g_steal_pointer(&f));
	}
	for (guint i = 0; i < MAX(got->len, want->len); i++)
		if (i >= got->len || i >= want->len ||
		    strcmp(got->pdata[i], want->pdata[i]) != 0) {
			*why = g_strdup_printf("instance %u: %s, expected %s", i + 1,
			    i < got->len ? (char *)got->pdata[i] : "none",
			    i < want->len ? (char *)want->pdata[i] : "none");
			return CASE_FAIL;
		}
	return CASE_PASS;
}

static JsonArray *
cases_of(const char *dir, const char *file, JsonParser *parser)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);
	g_autoptr(GError) error = NULL;

	if (!json_parser_load_from_file(parser, path, &error))
		g_error("%s: %s", path, error->message);
	return json_object_get_array_member(json_node_get_object(
	    json_parser_get_root(parser)), "cases");
}

static GPtrArray *
strings_of(JsonObject *o, const char *member)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	JsonArray *a = json_object_has_member(o, member) ?
	    json_object_get_array_member(o, member) : NULL;

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++)
		g_ptr_array_add(out, compact(json_array_get_string_element(a,
		    i)));
	return out;
}

static void
report(const char *set, guint pass, guint fail, guint skip, double floor)
{
	double rate = pass + fail > 0 ? (double)pass / (pass + fail) : 1;

	g_test_message("%s: %u of %u rules expanded exactly (%.1f%%), %u "
	    "skipped (finer than daily or with seconds)", set, pass,
	    pass + fail, rate * 100, skip);
	g_assert_cmpfloat(rate, >=, floor);
}

static void
test_libical_rules(void)
{
	g_autofree char *dir = corpus_dir("libical");
	g_autoptr(JsonParser) parser = json_parser_new();
	guint n[3] = { 0 };
	JsonArray *cases;

	if (dir == NULL)
		return;
	cases = cases_of(dir, "icalrecur_cases.json", parser);
	for (guint i = 0; i < json_array_get_length(cases); i++) {
		JsonObject *c = json_array_get_object_element(cases, i);
		g_autoptr(GPtrArray) want = strings_of(c, "instances");
		g_autofree char *why = NULL;
		const char *start_at = json_object_has_member(c, "start_at") ?
		    json_object_get_string_member(c, "start_at") : NULL;
		gint64 start = 0;
		enum outcome r;

		if (start_at != NULL) {
			gboolean d;
			int h, m, s;
			start = instant(start_at, &d, &h, &m, &s);
		}
		r = rule_case(json_object_get_string_member(c, "rrule"),
		    json_object_get_string_member(c, "dtstart"), want, TRUE,
		    start, &why);
		n[r]++;
		if (r == CASE_FAIL)
			g_test_message("libical line %" G_GINT64_FORMAT ": %s: %s",
			    json_object_get_int_member(c, "line"),
			    json_object_get_string_member(c, "rrule"), why);
	}
	report("libical/icalrecur_cases.json", n[CASE_PASS], n[CASE_FAIL],
	    n[CASE_SKIP], LIBICAL_FLOOR);
}

static void
test_icaljs_rules(void)
{
	g_autofree char *dir = corpus_dir("icaljs");
	g_autoptr(JsonParser) parser = json_parser_new();
	guint n[3] = { 0 };
	JsonArray *cases;

	if (dir == NULL)
		return;
	cases = cases_of(dir, "rrule_cases.json", parser);
	for (guint i = 0; i < json_array_get_length(cases); i++) {
		JsonObject *c = json_array_get_object_element(cases, i);
		g_autoptr(GPtrArray) want = strings_of(c, "dates");
		g_autofree char *why = NULL, *dtstart = compact(
		    json_object_get_string_member(c, "dtStart"));
		const char *rrule = json_object_get_string_member(c, "rrule");
		gboolean finite = strstr(rrule, "COUNT=") != NULL ||
		    strstr(rrule, "UNTIL=") != NULL ||
		    json_object_has_member(c, "noInstance");
		enum outcome r = rule_case(rrule, dtstart, want, finite, 0, &why);

		n[r]++;
		if (r == CASE_FAIL)
			g_test_message("ical.js %u: %s from %s: %s", i, rrule,
			    dtstart, why);
	}
	report("icaljs/rrule_cases.json", n[CASE_PASS], n[CASE_FAIL],
	    n[CASE_SKIP], ICALJS_FLOOR);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ical-corpus/files", test_files);
	g_test_add_func("/ical-corpus/libical-rules", test_libical_rules);
	g_test_add_func("/ical-corpus/icaljs-rules", test_icaljs_rules);
	return g_test_run();
}
