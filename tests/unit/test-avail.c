/* Unit tests for availability: working hours and days in a person's zone
 * (night shifts included), stated away, deep-work and busy blocks, single
 * or recurring across a daylight saving change, and the next time someone
 * is working. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include "avail.h"
#include "store.h"
#include "store-team.h"
#include "store-avail.h"
#include "testdb.h"
#include "testtime.h"

struct fixture {
	char *dir;
	char *db;		/* the file, or the URI (testdb.h) */
	struct store *st;
	struct person *p;
};

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("tidings-avail-XXXXXX", NULL);
	f->db = testdb_create(f->dir, FALSE);
	f->st = store_open(f->db, &error);
	g_assert_no_error(error);
	f->p = person_new("jonas@example.org");
	g_free(f->p->zone);
	f->p->zone = g_strdup("Europe/Berlin");
	f->p->work_start = 9 * 60;
	f->p->work_end = 17 * 60 + 30;
	f->p->workdays = 0x1f;
	g_assert_true(store_person_save(f->st, f->p, &error));
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	person_free(f->p);
	store_close(f->st);
	testdb_drop(f->db);
	g_rmdir(f->dir);
	g_free(f->db);
	g_free(f->dir);
}

static void
block(struct fixture *f, const char *kind, const char *from, const char *to,
    const char *rrule, const char *summary)
{
	g_autoptr(GError) error = NULL;
	struct availability a = {
		.person_id = f->p->id,
		.kind = (char *)kind,
		.starts_at = from != NULL ? utc(from) : 0,
		.ends_at = to != NULL ? utc(to) : 0,
		.rrule = (char *)rrule,
		.zone = (char *)"Europe/Berlin",
		.summary = (char *)summary,
		.source = (char *)"cli",
	};

	g_assert_true(store_availability_add(f->st, &a, 0, &error));
	g_assert_no_error(error);
}

static enum avail_state
at(struct fixture *f, const char *when, char **why)
{
	g_autoptr(GError) error = NULL;
	enum avail_state s = avail_at(f->st, f->p, utc(when), why, &error);

	g_assert_no_error(error);
	return s;
}

static void
test_hours(struct fixture *f, gconstpointer data)
{
	/* Thursday 26 March 2026: 08:59 and 17:30 are outside, in CET. */
	g_assert_cmpint(at(f, "2026-03-26T07:59:00Z", NULL), ==, AVAIL_OFF);
	g_assert_cmpint(at(f, "2026-03-26T08:00:00Z", NULL), ==,
	    AVAIL_WORKING);
	g_assert_cmpint(at(f, "2026-03-26T16:29:00Z", NULL), ==,
	    AVAIL_WORKING);
	g_assert_cmpint(at(f, "2026-03-26T16:30:00Z", NULL), ==, AVAIL_OFF);
	/* Saturday. */
	g_assert_cmpint(at(f, "2026-03-28T10:00:00Z", NULL), ==, AVAIL_OFF);
	/* Monday after the change: 09:00 CEST is 07:00 UTC. */
	g_assert_cmpint(at(f, "2026-03-30T07:00:00Z", NULL), ==,
	    AVAIL_WORKING);
}

/* 22:00-06:00, Monday to Friday: Friday night runs into Saturday; Sunday
 * night is no shift. */
static void
test_night_shift(struct fixture *f, gconstpointer data)
{
	f->p->work_start = 22 * 60;
	f->p->work_end = 6 * 60;
	g_assert_cmpint(at(f, "2026-03-27T22:00:00Z", NULL), ==,
	    AVAIL_WORKING);	/* Friday 23:00 CET */
	g_assert_cmpint(at(f, "2026-03-28T03:00:00Z", NULL), ==,
	    AVAIL_WORKING);	/* Saturday 04:00, Friday's shift */
	g_assert_cmpint(at(f, "2026-03-28T22:00:00Z", NULL), ==,
	    AVAIL_OFF);		/* Saturday 23:00 */
	g_assert_cmpint(at(f, "2026-03-30T02:00:00Z", NULL), ==,
	    AVAIL_OFF);		/* Monday 04:00 CEST, Sunday's night */
}

static void
test_blocks(struct fixture *f, gconstpointer data)
{
	g_autofree char *why = NULL;

	block(f, "away", "2026-03-30T00:00:00Z", "2026-04-03T00:00:00Z", NULL,
	    "conference");
	/* Deep work on weekdays 09:00-12:00 local, from 23 March. */
	block(f, "deep-work", "2026-03-23T08:00:00Z", "2026-03-23T11:00:00Z",
	    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0", "focus");
	block(f, "busy", "2026-03-26T13:00:00Z", "2026-03-26T14:00:00Z", NULL,
	    "1:1");

	g_assert_cmpint(at(f, "2026-03-26T08:30:00Z", &why), ==,
	    AVAIL_DEEP_WORK);
	g_assert_cmpstr(why, ==, "focus");
	g_clear_pointer(&why, g_free);
	g_assert_cmpint(at(f, "2026-03-26T11:00:00Z", NULL), ==,
	    AVAIL_WORKING);
	g_assert_cmpint(at(f, "2026-03-26T13:30:00Z", NULL), ==, AVAIL_BUSY);
	/* The deep-work block follows local time across the change. */
	g_assert_cmpint(at(f, "2026-04-06T07:30:00Z", NULL), ==,
	    AVAIL_DEEP_WORK);
	g_assert_cmpint(at(f, "2026-04-06T10:00:00Z", NULL), ==,
	    AVAIL_WORKING);
	/* Away wins, even outside working hours. */
	g_assert_cmpint(at(f, "2026-03-31T07:30:00Z", &why), ==, AVAIL_AWAY);
	g_assert_cmpstr(why, ==, "conference");
	g_assert_cmpint(at(f, "2026-03-31T22:00:00Z", NULL), ==, AVAIL_AWAY);
	g_assert_cmpint(at(f, "2026-04-03T08:30:00Z", NULL), ==,
	    AVAIL_DEEP_WORK);
}

static void
test_next_working(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	block(f, "away", "2026-03-30T00:00:00Z", "2026-04-02T00:00:00Z", NULL,
	    NULL);
	/* Friday evening: Monday to Wednesday away, so Thursday 09:00. */
	g_assert_cmpint(avail_next_working(f->st, f->p,
	    utc("2026-03-27T17:03:00Z"), &error), ==,
	    utc("2026-04-02T07:00:00Z"));
	/* Working already: now. */
	g_assert_cmpint(avail_next_working(f->st, f->p,
	    utc("2026-03-26T10:07:00Z"), &error), ==,
	    utc("2026-03-26T10:07:00Z"));
	g_assert_no_error(error);
}

#define ADD(name, fn) \
	g_test_add("/avail/" name, struct fixture, NULL, setup, fn, teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("hours", test_hours);
	ADD("night-shift", test_night_shift);
	ADD("blocks", test_blocks);
	ADD("next-working", test_next_working);
	return g_test_run();
}
