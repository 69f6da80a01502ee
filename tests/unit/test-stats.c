/* Unit tests for the pulse: working time in a member's own hours (a night
 * shift, a weekend, a change of daylight saving time), medians, and the
 * figures of a team whose prompts were answered, missed, skipped, not
 * sent while away and still open, against numbers worked out by hand; the
 * store's rows and its one-aggregate answer rate; blockers as one more
 * source. */
#include "config.h"

#include <glib.h>

#include "stats.h"
#include "store-stats.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "testdb.h"
#include "testtime.h"

#define H 3600
#define M 60

static struct person *
person(gint64 id, const char *email, const char *zone, int start, int end)
{
	struct person *p = person_new(email);

	p->id = id;
	g_free(p->zone);
	p->zone = g_strdup(zone);
	p->work_start = start;
	p->work_end = end;
	return p;
}

static void
test_work_seconds(void)
{
	g_autoptr(Person) ana = person(1, "ana@example.org", "Europe/Berlin",
	    9 * 60, 17 * 60);
	g_autoptr(Person) kai = person(2, "kai@example.org", "Australia/Sydney",
	    22 * 60, 6 * 60);
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier(
	    "Europe/Berlin");
	g_autoptr(GTimeZone) sydney = g_time_zone_new_identifier(
	    "Australia/Sydney");

	/* Thursday 16:30 to Friday 09:30 in Berlin (UTC+1): 30 + 30 min. */
	g_assert_cmpint(stats_work_seconds(ana, berlin,
	    utc("2026-12-03T15:30:00Z"), utc("2026-12-04T08:30:00Z")), ==,
	    60 * M);
	/* Friday 16:00 to Monday 10:00: 1 h on Friday, 1 h on Monday. */
	g_assert_cmpint(stats_work_seconds(ana, berlin,
	    utc("2026-12-04T15:00:00Z"), utc("2026-12-07T09:00:00Z")), ==,
	    2 * H);
	/* Before her hours and after them: nothing. */
	g_assert_cmpint(stats_work_seconds(ana, berlin,
	    utc("2026-12-03T05:00:00Z"), utc("2026-12-03T07:59:00Z")), ==, 0);
	g_assert_cmpint(stats_work_seconds(ana, berlin,
	    utc("2026-12-03T10:00:00Z"), utc("2026-12-03T10:00:00Z")), ==, 0);
	/* Across the March change (29 March 2026, UTC+1 to UTC+2): Friday
	 * 16:00 CET to Monday 10:00 CEST, still 1 h + 1 h. */
	g_assert_cmpint(stats_work_seconds(ana, berlin,
	    utc("2026-03-27T15:00:00Z"), utc("2026-03-30T08:00:00Z")), ==,
	    2 * H);
	/* Kai's night shift in Sydney (UTC+11 in December), Monday 22:00 to
	 * Tuesday 06:00: from Monday 23:00 to Tuesday 01:00 is 2 h. */
	g_assert_cmpint(stats_work_seconds(kai, sydney,
	    utc("2026-12-07T12:00:00Z"), utc("2026-12-07T14:00:00Z")), ==,
	    2 * H);
	/* Saturday 01:00 to Sunday 00:00: Saturday 01:00 to 06:00 is still
	 * Friday's shift; Saturday, no workday, starts none: 5 h. */
	g_assert_cmpint(stats_work_seconds(kai, sydney,
	    utc("2026-12-11T14:00:00Z"), utc("2026-12-12T13:00:00Z")), ==,
	    5 * H);
}

static void
test_median(void)
{
	gint64 odd[] = { 450, 20, 60, 480, 30 };
	gint64 even[] = { 10, 40, 20, 30 };

	g_assert_cmpint(stats_median(odd, 5), ==, 60);
	g_assert_cmpint(stats_median(even, 4), ==, 25);
	g_assert_cmpint(stats_median(NULL, 0), ==, STATS_NONE);
}

static void
test_weeks(void)
{
	/* Wednesday 9 December 2026, 12:00 UTC: weeks from Monday 00:00 in
	 * Berlin (UTC+1). */
	g_autoptr(GArray) w = stats_weeks("Europe/Berlin",
	    utc("2026-12-09T12:00:00Z"), 2);
	g_autoptr(GArray) nz = stats_weeks("Pacific/Auckland",
	    utc("2026-12-06T12:00:00Z"), 1);

	g_assert_cmpuint(w->len, ==, 3);
	g_assert_cmpint(g_array_index(w, gint64, 0), ==,
	    utc("2026-11-29T23:00:00Z"));
	g_assert_cmpint(g_array_index(w, gint64, 1), ==,
	    utc("2026-12-06T23:00:00Z"));
	g_assert_cmpint(g_array_index(w, gint64, 2), ==,
	    utc("2026-12-13T23:00:00Z"));
	/* Sunday 12:00 UTC is Monday 01:00 in Auckland: a new week. */
	g_assert_cmpint(g_array_index(nz, gint64, 0), ==,
	    utc("2026-12-06T11:00:00Z"));
}

static struct stats_prompt *
row(gint64 person, const char *due, gint64 answer_after,
    enum stats_outcome o)
{
	struct stats_prompt *r = g_new0(struct stats_prompt, 1);

	r->person_id = person;
	r->due_at = utc(due);
	r->answered_at = answer_after >= 0 ? r->due_at + answer_after : 0;
	r->outcome = o;
	return r;
}

/* Two weeks of a daily check-in at 09:00 UTC (Monday 30 November to
 * Wednesday 9 December 2026); Ana works 09:00-17:00, Bob 12:00-20:00,
 * both in UTC.  Worked out by hand:
 *
 *   Ana  Mon A 30m · Tue A 60m · Wed skip · Thu A 7h30 · Fri missed
 *        Mon A 8h (at 18:00) · Tue A 20m · Wed open
 *        asked 6, answered 5; streak 2, longest 3; median 60m
 *   Bob  Mon A 60m (at 13:00) · Tue missed · Wed A 10m · Thu, Fri away
 *        Mon A 30m · Tue A 8h (at 20:30) · Wed A 0 (at 11:00)
 *        asked 6, answered 5; streak 4, longest 4; median 30m
 *   week 1: asked 7, answered 5, 2 members, 2 active; week 2: 5 of 5. */
static GPtrArray *
history(void)
{
	GPtrArray *r = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(r, row(1, "2026-11-30T09:00:00Z", 30 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(1, "2026-12-01T09:00:00Z", 60 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(1, "2026-12-02T09:00:00Z", -1, STATS_SKIPPED));
	g_ptr_array_add(r, row(1, "2026-12-03T09:00:00Z", 450 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(1, "2026-12-04T09:00:00Z", -1, STATS_MISSED));
	g_ptr_array_add(r, row(1, "2026-12-07T09:00:00Z", 9 * H, STATS_ANSWERED));
	g_ptr_array_add(r, row(1, "2026-12-08T09:00:00Z", 20 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(1, "2026-12-09T09:00:00Z", -1, STATS_OPEN));
	g_ptr_array_add(r, row(2, "2026-11-30T09:00:00Z", 4 * H, STATS_ANSWERED));
	g_ptr_array_add(r, row(2, "2026-12-01T09:00:00Z", -1, STATS_MISSED));
	g_ptr_array_add(r, row(2, "2026-12-02T09:00:00Z", 190 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(2, "2026-12-03T09:00:00Z", -1, STATS_AWAY));
	g_ptr_array_add(r, row(2, "2026-12-04T09:00:00Z", -1, STATS_AWAY));
	g_ptr_array_add(r, row(2, "2026-12-07T09:00:00Z", 210 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(2, "2026-12-08T09:00:00Z", 690 * M, STATS_ANSWERED));
	g_ptr_array_add(r, row(2, "2026-12-09T09:00:00Z", 2 * H, STATS_ANSWERED));
	/* Someone no longer in the team: not counted. */
	g_ptr_array_add(r, row(9, "2026-12-01T09:00:00Z", -1, STATS_MISSED));
	return r;
}

static GPtrArray *
members(void)
{
	GPtrArray *m = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)person_free);

	g_ptr_array_add(m, person(1, "ana@example.org", "UTC", 9 * 60,
	    17 * 60));
	g_ptr_array_add(m, person(2, "bob@example.org", "UTC", 12 * 60,
	    20 * 60));
	return m;
}

static void
check_history(const struct stats *s)
{
	const struct stats_member *ana = s->members->pdata[0];
	const struct stats_member *bob = s->members->pdata[1];
	const struct stats_week *w1 = &g_array_index(s->weeks,
	    struct stats_week, 0);
	const struct stats_week *w2 = &g_array_index(s->weeks,
	    struct stats_week, 1);

	g_assert_cmpuint(ana->asked, ==, 6);
	g_assert_cmpuint(ana->answered, ==, 5);
	g_assert_cmpuint(ana->missed, ==, 1);
	g_assert_cmpuint(ana->skipped, ==, 1);
	g_assert_cmpuint(ana->open, ==, 1);
	g_assert_cmpfloat_with_epsilon(ana->rate, 5.0 / 6, 1e-9);
	g_assert_cmpuint(ana->streak, ==, 2);
	g_assert_cmpuint(ana->longest, ==, 3);
	g_assert_cmpint(ana->median_response, ==, 60 * M);
	g_assert_cmpuint(bob->asked, ==, 6);
	g_assert_cmpuint(bob->answered, ==, 5);
	g_assert_cmpuint(bob->away, ==, 2);
	g_assert_cmpuint(bob->streak, ==, 4);
	g_assert_cmpuint(bob->longest, ==, 4);
	g_assert_cmpint(bob->median_response, ==, 30 * M);
	g_assert_cmpuint(s->weeks->len, ==, 2);
	g_assert_cmpuint(w1->asked, ==, 7);
	g_assert_cmpuint(w1->answered, ==, 5);
	g_assert_cmpuint(w1->members, ==, 2);
	g_assert_cmpuint(w1->active, ==, 2);
	g_assert_cmpuint(w2->asked, ==, 5);
	g_assert_cmpuint(w2->answered, ==, 5);
	g_assert_cmpfloat_with_epsilon(w2->rate, 1.0, 1e-9);
	g_assert_cmpuint(s->asked, ==, 12);
	g_assert_cmpuint(s->answered, ==, 10);
	/* Blockers are unknown until their source is added. */
	g_assert_cmpint(ana->blockers_opened, ==, STATS_NONE);
	g_assert_null(s->blocker);
}

static void
test_compute(void)
{
	g_autoptr(GPtrArray) m = members(), rows = history();
	g_autoptr(GArray) weeks = stats_weeks("UTC",
	    utc("2026-12-09T12:00:00Z"), 2);
	g_autoptr(Stats) s = stats_compute(m, rows, weeks);
	const struct stats_member *best;

	check_history(s);
	best = stats_best_streak(s, 3);
	g_assert_nonnull(best);
	g_assert_cmpstr(best->email, ==, "bob@example.org");
	g_assert_null(stats_best_streak(s, 5));
}

static struct stats_blocker *
blocker(gint64 person, const char *opened, const char *resolved,
    const char *title)
{
	struct stats_blocker *b = g_new0(struct stats_blocker, 1);

	b->person_id = person;
	b->opened_at = utc(opened);
	b->resolved_at = resolved != NULL ? utc(resolved) : 0;
	b->title = g_strdup(title);
	return b;
}

static void
blocker_free(struct stats_blocker *b)
{
	g_free(b->title);
	g_free(b);
}

static void
test_blockers(void)
{
	g_autoptr(GPtrArray) m = members(), rows = history();
	g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)blocker_free);
	g_autoptr(GArray) weeks = stats_weeks("UTC",
	    utc("2026-12-09T12:00:00Z"), 2);
	g_autoptr(Stats) s = stats_compute(m, rows, weeks);
	const struct stats_member *ana, *bob;

	/* Ana: one from before the period, resolved in it after 3 days;
	 * one of 1 day; one still open since 1 December.  Bob: one open
	 * since 4 December. */
	g_ptr_array_add(b, blocker(1, "2026-11-27T09:00:00Z",
	    "2026-11-30T09:00:00Z", "the build"));
	g_ptr_array_add(b, blocker(1, "2026-12-02T09:00:00Z",
	    "2026-12-03T09:00:00Z", "review"));
	g_ptr_array_add(b, blocker(1, "2026-12-01T09:00:00Z", NULL,
	    "access to staging"));
	g_ptr_array_add(b, blocker(2, "2026-12-04T09:00:00Z", NULL, "VPN"));
	stats_add_blockers(s, b);
	ana = s->members->pdata[0];
	bob = s->members->pdata[1];
	g_assert_cmpint(ana->blockers_opened, ==, 2);
	g_assert_cmpint(ana->blockers_resolved, ==, 2);
	g_assert_cmpint(ana->median_blocked, ==, 2 * 86400);
	g_assert_cmpint(bob->blockers_opened, ==, 1);
	g_assert_cmpint(bob->blockers_resolved, ==, 0);
	g_assert_cmpint(bob->median_blocked, ==, STATS_NONE);
	g_assert_nonnull(s->blocker);
	g_assert_cmpstr(s->blocker->title, ==, "access to staging");
	g_assert_cmpint(s->blocker->opened_at, ==, utc("2026-12-01T09:00:00Z"));
}

/* The same history in a database, as prompts with states, through the
 * store's query and stats_compute(). */
static void
add_prompt(const char *db, gint64 checkin, gint64 person, const char *due,
    gint64 answer_after, const char *state, const char *reason)
{
	static int n;
	gint64 at = utc(due);
	g_autofree char *sql = NULL;
	g_autofree char *answered = answer_after >= 0 ?
	    g_strdup_printf("%" G_GINT64_FORMAT, at + answer_after) :
	    g_strdup("NULL");
	g_autofree char *why = reason != NULL ? g_strdup_printf("'%s'",
	    reason) : g_strdup("NULL");

	n++;
	sql = g_strdup_printf("INSERT INTO prompts (checkin_id, person_id, "
	    "occurrence, due_at, closes_at, state, skip_reason, token, "
	    "message_id, answered_at) VALUES (%" G_GINT64_FORMAT ", %"
	    G_GINT64_FORMAT ", %d, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
	    ", '%s', %s, 't%d', 'm%d', %s)", checkin, person, n, at,
	    at + 86400, state, why, n, n, answered);
	testdb_exec(db, sql);
}

static gint64
add_person(struct testenv *e, const char *team, const char *email, int start)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person(0, email, "UTC", start, start + 8 * 60);

	g_assert_true(store_person_save(e->st, p, &error));
	g_assert_true(store_member_add(e->st, team, email, "member", &error));
	g_assert_no_error(error);
	return p->id;
}

static gint64
add_checkin(struct testenv *e, const char *team)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);

	c->team = g_strdup(team);
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=DAILY;BYHOUR=9");
	c->close_after = 86400;
	c->active = TRUE;
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	g_assert_true(store_checkin_add(e->st, c, &error));
	g_assert_no_error(error);
	return c->id;
}

static void
test_store(void)
{
	struct testenv e;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL, m = NULL;
	g_autoptr(GArray) weeks = NULL;
	g_autoptr(Stats) s = NULL;
	g_autoptr(Team) team = NULL;
	gint64 now = utc("2026-12-09T12:00:00Z"), c, other, ana, bob, eve;
	guint asked = 0, answered = 0;

	testenv_open(&e, "standup@example.org", NULL);
	g_assert_true(store_team_add(e.st, "platform", "", "UTC", &error));
	g_assert_true(store_team_add(e.st, "web", "", "UTC", &error));
	g_assert_no_error(error);
	ana = add_person(&e, "platform", "ana@example.org", 9 * 60);
	bob = add_person(&e, "platform", "bob@example.org", 12 * 60);
	eve = add_person(&e, "web", "eve@example.org", 9 * 60);
	c = add_checkin(&e, "platform");
	other = add_checkin(&e, "web");
	add_prompt(e.db, c, ana, "2026-11-30T09:00:00Z", 30 * M, "answered", NULL);
	add_prompt(e.db, c, ana, "2026-12-01T09:00:00Z", 60 * M, "answered", NULL);
	add_prompt(e.db, c, ana, "2026-12-02T09:00:00Z", -1, "skipped",
	    "skipped by mail");
	add_prompt(e.db, c, ana, "2026-12-03T09:00:00Z", 450 * M, "answered", NULL);
	/* Closed but not yet marked missed: missed all the same. */
	add_prompt(e.db, c, ana, "2026-12-04T09:00:00Z", -1, "sent", NULL);
	add_prompt(e.db, c, ana, "2026-12-05T09:00:00Z", -1, "skipped",
	    "not a workday");
	add_prompt(e.db, c, ana, "2026-12-07T09:00:00Z", 9 * H, "answered", NULL);
	add_prompt(e.db, c, ana, "2026-12-08T09:00:00Z", 20 * M, "answered", NULL);
	add_prompt(e.db, c, ana, "2026-12-09T09:00:00Z", -1, "sent", NULL);
	add_prompt(e.db, c, bob, "2026-11-30T09:00:00Z", 4 * H, "answered", NULL);
	add_prompt(e.db, c, bob, "2026-12-01T09:00:00Z", -1, "missed", NULL);
	add_prompt(e.db, c, bob, "2026-12-02T09:00:00Z", 190 * M, "answered", NULL);
	add_prompt(e.db, c, bob, "2026-12-03T09:00:00Z", -1, "skipped",
	    "away: holiday");
	add_prompt(e.db, c, bob, "2026-12-04T09:00:00Z", -1, "skipped", "away");
	add_prompt(e.db, c, bob, "2026-12-07T09:00:00Z", 210 * M, "answered", NULL);
	add_prompt(e.db, c, bob, "2026-12-08T09:00:00Z", 690 * M, "answered", NULL);
	add_prompt(e.db, c, bob, "2026-12-09T09:00:00Z", 2 * H, "answered", NULL);
	/* Before the period, and another team's: not read. */
	add_prompt(e.db, c, bob, "2026-11-27T09:00:00Z", -1, "missed", NULL);
	add_prompt(e.db, other, eve, "2026-12-01T09:00:00Z", -1, "missed", NULL);

	team = store_team_get(e.st, "platform", &error);
	g_assert_nonnull(team);
	m = store_member_list(e.st, "platform", &error);
	g_assert_nonnull(m);
	weeks = stats_weeks("UTC", now, 2);
	rows = store_stats_prompts(e.st, team->id, g_array_index(weeks,
	    gint64, 0), g_array_index(weeks, gint64, 2), now, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 17);
	s = stats_compute(m, rows, weeks);
	check_history(s);

	g_assert_true(store_stats_rate(e.st, team->id, utc("2026-11-30T00:00:00Z"),
	    utc("2026-12-07T00:00:00Z"), now, &asked, &answered, &error));
	g_assert_cmpuint(asked, ==, 7);
	g_assert_cmpuint(answered, ==, 5);

	/* Blockers, from the table that keeps them: Ana's resolved in the
	 * period after two days, Bob's open since before it, one of another
	 * team and one resolved before the period, neither read. */
	{
		g_autoptr(GPtrArray) b = NULL;
		g_autofree char *sql = g_strdup_printf(
		    "INSERT INTO blockers (team_id, person_id, text, state, "
		    "opened_at, confirmed_at, resolved_at) VALUES "
		    "(%1$" G_GINT64_FORMAT ", %2$" G_GINT64_FORMAT ", 'keys', "
		    "'resolved', %4$" G_GINT64_FORMAT ", %4$" G_GINT64_FORMAT
		    ", %5$" G_GINT64_FORMAT "), "
		    "(%1$" G_GINT64_FORMAT ", %3$" G_GINT64_FORMAT ", 'vpn', "
		    "'open', %6$" G_GINT64_FORMAT ", %6$" G_GINT64_FORMAT
		    ", NULL), "
		    "(%1$" G_GINT64_FORMAT ", %3$" G_GINT64_FORMAT ", 'old', "
		    "'resolved', %6$" G_GINT64_FORMAT ", %6$" G_GINT64_FORMAT
		    ", %6$" G_GINT64_FORMAT " + 60), "
		    "((SELECT id FROM teams WHERE name = 'web'), %7$"
		    G_GINT64_FORMAT ", 'web', 'open', %4$" G_GINT64_FORMAT
		    ", %4$" G_GINT64_FORMAT ", NULL)", team->id, ana, bob,
		    utc("2026-12-01T10:00:00Z"), utc("2026-12-03T10:00:00Z"),
		    utc("2026-11-20T10:00:00Z"), eve);

		testdb_exec(e.db, sql);
		b = store_stats_blockers(e.st, team->id, s->from, s->to,
		    &error);
		g_assert_no_error(error);
		g_assert_cmpuint(b->len, ==, 2);
		stats_add_blockers(s, b);
		g_assert_nonnull(s->blocker);
		g_assert_cmpstr(s->blocker->title, ==, "vpn");
		g_assert_cmpint(s->blocker->person_id, ==, bob);
	}
	testenv_close(&e);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/stats/work-seconds", test_work_seconds);
	g_test_add_func("/stats/median", test_median);
	g_test_add_func("/stats/weeks", test_weeks);
	g_test_add_func("/stats/compute", test_compute);
	g_test_add_func("/stats/blockers", test_blockers);
	g_test_add_func("/stats/store", test_store);
	return g_test_run();
}
