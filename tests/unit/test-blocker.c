/* Unit tests for blockers: opened by an answer to the blocker question
 * that is not "none", asked about in the next prompt, updated, resolved
 * by "resolved" or "none", escalated to the owners after the team's
 * workdays and again only a period later, and left alone by forged
 * mail. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "blocker.h"
#include "checkin.h"
#include "clock.h"
#include "conf.h"
#include "context.h"
#include "digest.h"
#include "digest-run.h"
#include "ingest.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "store-blocker.h"
#include "subscription.h"
#include "testdb.h"
#include "testtime.h"

#define ADDRESS "standup@example.org"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
};

static gint64
sql_int(struct fixture *f, const char *sql)
{
	return testdb_int(f->t.db, sql);
}

static char *
sql_text(struct fixture *f, const char *sql)
{
	return testdb_text(f->t.db, sql);
}

static void
add_person(struct fixture *f, const char *email, const char *name,
    const char *zone, const char *role)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new(email);

	g_free(p->name);
	p->name = g_strdup(name);
	g_free(p->zone);
	p->zone = g_strdup(zone);
	p->workdays = 0x1f;
	g_assert_true(store_person_save(f->t.st, p, &error));
	g_assert_true(store_member_add(f->t.st, "platform", email, role,
	    &error));
	g_assert_no_error(error);
}

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	static const char *const questions[] = { "What did you work on?",
	    "Is anything blocking you?" };

	clock_set(utc("2026-03-23T12:00:00Z"));
	testenv_open(&f->t, ADDRESS, "trusted-authserv-ids = mx.example.org\n");
	g_assert_true(store_team_add(f->t.st, "platform", "Platform",
	    "Europe/Berlin", &error));
	add_person(f, "olga@example.org", "Olga Berg", "Europe/Berlin",
	    "owner");
	add_person(f, "bo@example.org", "Bo Chen", "America/New_York",
	    "member");
	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;"
	    "BYMINUTE=30");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = utc("2026-03-01T00:00:00Z");
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	for (size_t i = 0; i < G_N_ELEMENTS(questions); i++) {
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup(questions[i]);
		q->blocker = i == 1;
		g_ptr_array_add(c->questions, q);
	}
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));
	g_assert_no_error(error);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	clock_set(0);
	tidings_ctx_clear(&f->env);
	testenv_close(&f->t);
}

/* Asks whoever is due at WHEN (an ISO time). */
static void
tick(struct fixture *f, const char *when)
{
	g_autoptr(GError) error = NULL;
	struct checkin_stats s;

	g_assert_true(checkin_tick(&f->env, utc(when), &s, &error));
	g_assert_no_error(error);
}

static void
ingest_text(struct fixture *f, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	ingest_result_clear(&res);
}

/* Bo's reply BODY to his newest prompt, at WHEN: to his own reply
 * address, or (FORGED) from someone else's From to it. */
static void
reply(struct fixture *f, const char *when, const char *from,
    const char *body)
{
	g_autofree char *token = sql_text(f, "SELECT token FROM prompts "
	    "ORDER BY id DESC LIMIT 1");
	g_autofree char *mid = sql_text(f, "SELECT message_id FROM prompts "
	    "ORDER BY id DESC LIMIT 1");
	g_autofree char *uuid = g_uuid_string_random();
	g_autofree char *text = g_strdup_printf("From: %s\n"
	    "To: standup+%s@example.org\nSubject: Re: Daily\n"
	    "Message-ID: <%s@example.org>\nIn-Reply-To: <%s>\n"
	    "Date: Mon, 23 Mar 2026 17:00:00 -0400\n\n%s", from, token, uuid,
	    mid, body);

	clock_set(utc(when));
	ingest_text(f, text);
}

/* The newest prompt as queued, its format=flowed lines joined. */
static char *
last_prompt(struct fixture *f)
{
	g_autofree char *raw = sql_text(f, "SELECT raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "dedupe_key LIKE 'prompt%' ORDER BY id DESC LIMIT 1");
	g_auto(GStrv) parts = g_strsplit(raw != NULL ? raw : "", " \n", -1);

	return g_strjoinv(" ", parts);
}

static gint64
escalate(struct fixture *f, const char *when)
{
	g_autoptr(GError) error = NULL;
	guint n;

	g_assert_true(blocker_tick(&f->env, utc(when), &n, &error));
	g_assert_no_error(error);
	return n;
}

static void
set_escalation(struct fixture *f, int days, const char *to)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(TeamAlerts) a = store_team_alerts_get(f->t.st, 1, &error);

	g_assert_nonnull(a);
	a->escalate_after = days;
	g_free(a->escalate_to);
	a->escalate_to = g_strdup(to);
	g_assert_true(store_team_alerts_set(f->t.st, a, &error));
	g_assert_no_error(error);
}

/* Opened, asked about in the next prompt, updated, resolved by a line
 * "resolved". */
static void
test_lifecycle(struct fixture *f, gconstpointer data)
{
	g_autofree char *prompt = NULL, *text = NULL;

	/* Monday 16:30 in New York. */
	tick(f, "2026-03-23T20:30:00Z");
	reply(f, "2026-03-23T21:00:00Z", "bo@example.org",
	    "1. The billing export\n2. Waiting for VPN access from IT\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'open'"), ==, 1);
	text = sql_text(f, "SELECT text FROM blockers");
	g_assert_cmpstr(text, ==, "Waiting for VPN access from IT");

	/* Tuesday's prompt asks about it. */
	tick(f, "2026-03-24T20:30:00Z");
	prompt = last_prompt(f);
	g_assert_nonnull(strstr(prompt, "Still blocked on: Waiting for VPN "
	    "access from IT? Reply \"resolved\" or write what changed under "
	    "question 2."));

	/* The same again confirms it; new words update it. */
	reply(f, "2026-03-24T21:00:00Z", "bo@example.org",
	    "1. Imports\n2. waiting for  VPN access from IT\n");
	reply(f, "2026-03-24T21:05:00Z", "bo@example.org",
	    "1. Imports\n2. IT says Thursday for the VPN\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers"), ==, 1);
	g_free(text);
	text = sql_text(f, testdb_is_pg() ? "SELECT string_agg(what, ',' "
	    "ORDER BY id) FROM blocker_events" : "SELECT group_concat(what, "
	    "',') FROM (SELECT what FROM blocker_events ORDER BY id)");
	g_assert_cmpstr(text, ==, "opened,confirmed,updated");

	/* "resolved" on a line of its own closes it. */
	tick(f, "2026-03-25T20:30:00Z");
	reply(f, "2026-03-25T21:00:00Z", "bo@example.org",
	    "Resolved.\n\n1. Imports, done\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'resolved'"), ==, 1);
	g_free(prompt);
	tick(f, "2026-03-26T20:30:00Z");
	prompt = last_prompt(f);
	g_assert_null(strstr(prompt, "Still blocked"));
}

/* "none" in the usual wordings closes an open blocker and opens none. */
static void
test_none(struct fixture *f, gconstpointer data)
{
	static const char *const nones[] = { "no", "nothing", "n/a", "nope",
	    "-", "None so far", "Keine", "rien", "nada" };

	for (size_t i = 0; i < G_N_ELEMENTS(nones); i++)
		g_assert_false(digest_is_blocker(TRUE, nones[i]));
	tick(f, "2026-03-23T20:30:00Z");
	reply(f, "2026-03-23T21:00:00Z", "bo@example.org",
	    "1. Billing\n2. nope\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers"), ==, 0);
	reply(f, "2026-03-23T21:10:00Z", "bo@example.org",
	    "1. Billing\n2. The staging database is down\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'open'"), ==, 1);
	tick(f, "2026-03-24T20:30:00Z");
	reply(f, "2026-03-24T21:00:00Z", "bo@example.org",
	    "1. Billing\n2. None so far\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'resolved'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blocker_events WHERE "
	    "what = 'resolved' AND text = 'answered none'"), ==, 1);
}

/* A forged reply neither opens nor resolves a blocker. */
static void
test_forged(struct fixture *f, gconstpointer data)
{
	tick(f, "2026-03-23T20:30:00Z");
	reply(f, "2026-03-23T21:00:00Z", "mallory@example.net",
	    "1. Nothing\n2. Blocked by the whole team\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers"), ==, 0);
	reply(f, "2026-03-23T21:05:00Z", "bo@example.org",
	    "1. Billing\n2. Waiting on the API keys\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers"), ==, 1);
	reply(f, "2026-03-23T21:10:00Z", "mallory@example.net",
	    "resolved\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'open'"), ==, 1);
}

/* After two workdays in the member's zone, the owner is mailed once;
 * again only two workdays later; --escalate-to instead of the owners. */
static void
test_escalation(struct fixture *f, gconstpointer data)
{
	g_autofree char *raw = NULL;

	tick(f, "2026-03-23T20:30:00Z");
	reply(f, "2026-03-23T21:00:00Z", "bo@example.org",
	    "1. Billing\n2. Waiting on the API keys\n");
	g_assert_cmpint(escalate(f, "2026-03-27T00:00:00Z"), ==, 0);
	set_escalation(f, 2, NULL);
	/* Opened Monday 17:00 in New York (the test's clock runs on from
	 * when it was set): due Wednesday 17:00 there. */
	g_assert_cmpint(escalate(f, "2026-03-25T20:59:00Z"), ==, 0);
	g_assert_cmpint(escalate(f, "2026-03-25T21:00:30Z"), ==, 1);
	g_assert_cmpint(escalate(f, "2026-03-26T21:00:00Z"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "dedupe_key LIKE 'blocker:%'"), ==, 1);
	raw = sql_text(f, "SELECT raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE dedupe_key LIKE "
	    "'blocker:%'");
	g_assert_nonnull(strstr(raw, "To: Olga Berg <olga@example.org>"));
	g_assert_nonnull(strstr(raw, "Waiting on the API keys"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'escalated'"), ==, 1);
	/* Wednesday 17:00 + two workdays: Friday 17:00; the weekend does
	 * not count, so from the next escalation, Tuesday. */
	g_assert_cmpint(escalate(f, "2026-03-27T21:01:00Z"), ==, 1);
	set_escalation(f, 2, "lead@example.org");
	g_assert_cmpint(escalate(f, "2026-03-30T21:00:00Z"), ==, 0);
	g_assert_cmpint(escalate(f, "2026-03-31T21:02:00Z"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox_recipients "
	    "WHERE address = 'lead@example.org'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'blocker:%'"), ==, 3);
}

/* Bo's prompt of check-in TITLE, as queued, flowed lines joined; its
 * token and Message-ID in *TOKEN and *MID. */
static char *
bo_prompt(struct fixture *f, const char *title, char **token, char **mid)
{
	g_autofree char *where = g_strdup_printf("FROM prompts p JOIN people e "
	    "ON e.id = p.person_id JOIN checkins c ON c.id = p.checkin_id "
	    "WHERE e.email = 'bo@example.org' AND c.title = '%s' ORDER BY "
	    "p.id DESC LIMIT 1", title);
	g_autofree char *q1 = g_strconcat("SELECT p.token ", where, NULL);
	g_autofree char *q2 = g_strconcat("SELECT p.message_id ", where, NULL);
	g_autofree char *q3 = g_strconcat("SELECT rw.raw FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id WHERE "
	    "o.dedupe_key = (SELECT 'prompt:' || p.id ", where, ")", NULL);
	g_autofree char *raw = sql_text(f, q3);
	g_auto(GStrv) parts = g_strsplit(raw != NULL ? raw : "", " \n", -1);

	*token = sql_text(f, q1);
	*mid = sql_text(f, q2);
	return g_strjoinv(" ", parts);
}

/* A check-in without a blocker question asks about an open blocker too,
 * and "resolved" in answer to it closes it. */
static void
test_other_checkin(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	struct question *q = g_new0(struct question, 1);
	g_autofree char *raw = NULL, *token = NULL, *mid = NULL;
	g_autofree char *text = NULL;

	c->team = g_strdup("platform");
	c->title = g_strdup("Weekly");
	c->rrule = g_strdup("FREQ=WEEKLY;BYDAY=TU;BYHOUR=12;BYMINUTE=0");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = utc("2026-03-01T00:00:00Z");
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	q->text = g_strdup("What shipped?");
	g_ptr_array_add(c->questions, q);
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_no_error(error);

	tick(f, "2026-03-23T20:30:00Z");
	reply(f, "2026-03-23T21:00:00Z", "bo@example.org",
	    "1. Billing\n2. Waiting on the API keys\n");
	/* Tuesday 12:00 in New York. */
	tick(f, "2026-03-24T16:00:30Z");
	raw = bo_prompt(f, "Weekly", &token, &mid);
	g_assert_nonnull(strstr(raw, "Still blocked on: Waiting on the API "
	    "keys? Reply \"resolved\" or write what changed."));
	text = g_strdup_printf("From: bo@example.org\n"
	    "To: standup+%s@example.org\nSubject: Re: Weekly\n"
	    "Message-ID: <w1@example.org>\nIn-Reply-To: <%s>\n\n"
	    "The export.\n\nresolved\n", token, mid);
	clock_set(utc("2026-03-24T16:30:00Z"));
	ingest_text(f, text);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM blockers WHERE "
	    "state = 'resolved'"), ==, 1);
}

/* The digest's text for [START, END). */
static char *
digest_of(struct fixture *f, const char *start, const char *end)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Digest) d = digest_build(f->t.st, "platform", utc(start),
	    utc(end), &error);
	char *text;

	g_assert_no_error(error);
	text = digest_text(f->env.render, d, &error);
	g_assert_no_error(error);
	return text;
}

/* The digest shows it first with its age, state and helpers; a reply to
 * the digest that quotes it is a comment, mailed to the member; once
 * resolved it is shown once, as resolved. */
static void
test_digest(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL, *mid = NULL, *comment = NULL;
	gboolean claimed;
	guint mails;

	tick(f, "2026-03-23T20:30:00Z");
	reply(f, "2026-03-23T21:00:00Z", "bo@example.org",
	    "1. Billing\n2. Waiting on the API keys from the bank\n");
	g_assert_true(subscription_request(&f->env, "platform",
	    "olga@example.org", NULL, TRUE, clock_now(), NULL, &error));
	g_assert_true(digest_send(&f->env, "platform",
	    utc("2026-03-23T00:00:00Z"), utc("2026-03-24T07:00:00Z"),
	    utc("2026-03-24T07:00:00Z"), &claimed, &mails, &error));
	g_assert_no_error(error);
	g_assert_true(claimed);
	text = digest_of(f, "2026-03-23T00:00:00Z", "2026-03-24T07:00:00Z");
	g_assert_nonnull(strstr(text, "BLOCKERS\n========\n\nBo Chen, "
	    "blocked for 1 day, open (Daily):\nWaiting on the API keys from "
	    "the bank\n"));
	/* Once, not again as an answer that says it is blocked. */
	g_assert_null(strstr(strstr(text, "the bank") + 1, "Bo Chen, "
	    "blocked"));

	mid = sql_text(f, "SELECT message_id FROM digests");
	comment = g_strdup_printf("Authentication-Results: mx.example.org; "
	    "dkim=pass header.d=example.org\nFrom: Olga Berg "
	    "<olga@example.org>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <o1@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Tue, 24 Mar 2026 10:00:00 +0100\n\n"
	    "> Waiting on the API keys from the bank\n\nI can help with "
	    "that: I know who to call.\n", mid);
	clock_set(utc("2026-03-24T09:00:00Z"));
	ingest_text(f, comment);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.kind = "
	    "'comment' AND r.address = 'bo@example.org'"), ==, 1);
	/* A later helper is named after, whatever the name. */
	add_person(f, "ada@example.org", "Ada Lind", "Europe/Berlin",
	    "member");
	g_free(comment);
	comment = g_strdup_printf("Authentication-Results: mx.example.org; "
	    "dkim=pass header.d=example.org\nFrom: Ada Lind "
	    "<ada@example.org>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <a1@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Tue, 24 Mar 2026 11:00:00 +0100\n\n"
	    "> Waiting on the API keys from the bank\n\nI have a contact "
	    "there too.\n", mid);
	clock_set(utc("2026-03-24T10:00:00Z"));
	ingest_text(f, comment);
	g_free(text);
	text = digest_of(f, "2026-03-24T07:00:00Z", "2026-03-26T07:00:00Z");
	g_assert_nonnull(strstr(text, "Bo Chen, blocked for 2 days, open "
	    "(Daily):\nWaiting on the API keys from the bank\nOffered help: "
	    "Olga Berg, Ada Lind.\n"));

	/* Resolved: shown once, as resolved. */
	tick(f, "2026-03-26T20:30:00Z");
	reply(f, "2026-03-26T21:00:00Z", "bo@example.org",
	    "1. Billing\n2. resolved\n");
	g_free(text);
	text = digest_of(f, "2026-03-26T07:00:00Z", "2026-03-27T07:00:00Z");
	g_assert_nonnull(strstr(text, "Bo Chen, resolved after 3 days "
	    "(Daily):"));
	g_free(text);
	text = digest_of(f, "2026-03-27T07:00:00Z", "2026-03-28T07:00:00Z");
	g_assert_null(strstr(text, "Bo Chen, resolved"));
}

static void
test_parse_after(void)
{
	int d = -1;

	g_assert_true(blocker_parse_after("2d", &d, NULL));
	g_assert_cmpint(d, ==, 2);
	g_assert_true(blocker_parse_after("3 workdays", &d, NULL));
	g_assert_cmpint(d, ==, 3);
	g_assert_true(blocker_parse_after("off", &d, NULL));
	g_assert_cmpint(d, ==, 0);
	g_assert_false(blocker_parse_after("2h", &d, NULL));
	g_assert_false(blocker_parse_after("-1d", &d, NULL));
	g_assert_false(blocker_parse_after("", &d, NULL));
	g_assert_true(blocker_says_resolved(" Resolved! "));
	g_assert_true(blocker_says_resolved("erledigt"));
	g_assert_false(blocker_says_resolved("not resolved"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/blocker/" name, struct fixture, NULL, \
	setup, fn, teardown)
	ADD("lifecycle", test_lifecycle);
	ADD("none", test_none);
	ADD("forged", test_forged);
	ADD("escalation", test_escalation);
	ADD("digest", test_digest);
	ADD("other-checkin", test_other_checkin);
#undef ADD
	g_test_add_func("/blocker/parse-after", test_parse_after);
	return g_test_run();
}
