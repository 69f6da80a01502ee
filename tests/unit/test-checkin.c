/* Unit tests for check-ins in the library: the store's check-ins, prompts
 * and answers; the scheduler asking each member at their local time,
 * reminding and closing; replies taken as answers and commands. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "checkin.h"
#include "context.h"
#include "replies.h"
#include "clock.h"
#include "conf.h"
#include "filter.h"
#include "ingest.h"
#include "mail-command.h"
#include "takers.h"
#include "store.h"
#include "store-avail.h"
#include "store-team.h"
#include "store-checkin.h"
#include "testdb.h"
#include "testtime.h"

#define ADDRESS "standup@example.org"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
	gint64 checkin;
};

static void
add_member(struct fixture *f, const char *email, const char *name,
    const char *zone, unsigned workdays)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new(email);

	g_free(p->name);
	p->name = g_strdup(name);
	g_free(p->zone);
	p->zone = g_strdup(zone);
	p->workdays = workdays;
	g_assert_true(store_person_save(f->t.st, p, &error));
	g_assert_true(store_member_add(f->t.st, "platform", email, "member",
	    &error));
	g_assert_no_error(error);
}

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	static const char *const questions[] = { "What did you work on?",
	    "What is next?", "Is anything blocking you?" };

	/* Mail arrives on the day of the check-ins, unless a test says when:
	 * after their close an answer no longer counts. */
	clock_set(utc("2026-03-27T16:00:00Z"));
	testenv_open(&f->t, ADDRESS, "trusted-authserv-ids = mx.example.org\n"
	    "[limits]\nreplies-per-sender = 3\nreplies-per-hour = 6\n");
	g_assert_true(store_team_add(f->t.st, "platform", "Platform",
	    "Europe/Berlin", &error));
	add_member(f, "ana@example.org", "Ana Lima", "Europe/Berlin", 0x1f);
	add_member(f, "bob@example.org", "Bob Stone", "America/New_York",
	    0x0f);
	add_member(f, "priya@example.org", "Priya Nair", "Asia/Kolkata",
	    0x1f);

	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;"
	    "BYMINUTE=30");
	c->reminder_after = 2 * 3600;
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = utc("2026-03-01T00:00:00Z");
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	for (size_t i = 0; i < G_N_ELEMENTS(questions); i++) {
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup(questions[i]);
		q->blocker = i == 2;
		g_ptr_array_add(c->questions, q);
	}
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_no_error(error);
	f->checkin = c->id;
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	tidings_ctx_clear(&f->env);
	testenv_close(&f->t);
}

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

static struct checkin_stats
tick(struct fixture *f, const char *when)
{
	g_autoptr(GError) error = NULL;
	struct checkin_stats s;

	g_assert_true(checkin_tick(&f->env, utc(when), &s, &error));
	g_assert_no_error(error);
	return s;
}

/* Each member at 16:30 local: Kolkata 11:00Z, Berlin 15:30Z, New York
 * 20:30Z (summer time there since 8 March); Bob works Monday to
 * Thursday. */
static void
test_local_time(struct fixture *f, gconstpointer data)
{
	struct checkin_stats s;

	s = tick(f, "2026-03-27T10:59:00Z");
	g_assert_cmpuint(s.prompted, ==, 0);
	s = tick(f, "2026-03-27T11:00:00Z");
	g_assert_cmpuint(s.prompted, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'priya@example.org' AND o.kind = 'prompt'"), ==, 1);
	s = tick(f, "2026-03-27T15:30:00Z");
	g_assert_cmpuint(s.prompted, ==, 1);
	s = tick(f, "2026-03-27T20:30:00Z");
	g_assert_cmpuint(s.prompted, ==, 0);
	g_assert_cmpuint(s.skipped, ==, 1);
	/* Claimed once: the same time again asks nobody. */
	s = tick(f, "2026-03-27T20:31:00Z");
	g_assert_cmpuint(s.prompted + s.skipped, ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE "
	    "skip_reason = 'not a workday'"), ==, 1);
	/* Berlin's clocks go forward on 29 March. */
	s = tick(f, "2026-03-30T14:30:00Z");
	g_assert_cmpuint(s.prompted, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts p JOIN people "
	    "e ON e.id = p.person_id WHERE e.email = 'ana@example.org' AND "
	    "p.due_at = 1774881000"), ==, 1);
}

/* Missed while tidings was down: sent late within catch-up only. */
static void
test_catch_up(struct fixture *f, gconstpointer data)
{
	struct checkin_stats s = tick(f, "2026-03-27T16:00:00Z");

	/* Berlin's 15:30Z is half an hour ago; Kolkata's 11:00Z, five. */
	g_assert_cmpuint(s.prompted, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts"), ==, 1);
}

/* The prompt mail: a token reply address, a stable Message-ID, the
 * questions numbered. */
static void ingest(struct fixture *f, const char *text,
    struct ingest_result *res);

static void
test_prompt_mail(struct fixture *f, gconstpointer data)
{
	g_autofree char *raw = NULL, *token = NULL, *mid = NULL;
	g_autofree char *expect = NULL;

	tick(f, "2026-03-27T15:30:00Z");
	raw = sql_text(f, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id");
	token = sql_text(f, "SELECT token FROM prompts");
	mid = sql_text(f, "SELECT message_id FROM prompts");
	g_assert_nonnull(raw);
	g_assert_cmpuint(strlen(token), ==, 16);
	expect = g_strdup_printf("standup+%s@example.org", token);
	g_assert_nonnull(strstr(raw, expect));
	g_assert_nonnull(strstr(raw, mid));
	/* The Message-ID is seen by whoever a reply goes to: it carries no
	 * token, nothing that would make the reply address. */
	g_assert_true(g_str_has_prefix(mid, "prompt-"));
	g_assert_null(strstr(mid, token));
	g_assert_nonnull(strstr(raw, "1. What did you work on?"));
	g_assert_nonnull(strstr(raw, "3. Is anything blocking you?"));
	/* Out-of-office responders may answer it (RFC 3834, RFC 5230). */
	g_assert_null(strstr(raw, "Auto-Submitted:"));
	g_assert_null(strstr(raw, "List-Id:"));
	g_assert_null(strstr(raw, "Precedence:"));
	g_assert_nonnull(strstr(raw, "X-Tidings: prompt"));
	g_assert_nonnull(strstr(raw, "ana@example.org"));
}

static void
test_reminder_and_close(struct fixture *f, gconstpointer data)
{
	struct checkin_stats s;

	tick(f, "2026-03-27T15:30:00Z");
	s = tick(f, "2026-03-27T17:29:00Z");
	g_assert_cmpuint(s.reminded, ==, 0);
	s = tick(f, "2026-03-27T17:30:00Z");
	g_assert_cmpuint(s.reminded, ==, 1);
	s = tick(f, "2026-03-27T17:45:00Z");
	g_assert_cmpuint(s.reminded, ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reminder'"), ==, 1);
	/* Nor does a reminder's; a reply to it finds the prompt still. */
	g_autofree char *token = sql_text(f, "SELECT token FROM prompts "
	    "WHERE reminded_at IS NOT NULL");
	g_autofree char *email = sql_text(f, "SELECT email FROM people WHERE "
	    "id = (SELECT person_id FROM prompts WHERE reminded_at IS NOT "
	    "NULL)");
	g_autofree char *rmid = sql_text(f, "SELECT message_id FROM outbox "
	    "WHERE kind = 'reminder'");
	g_assert_true(g_str_has_prefix(rmid, "reminder-"));
	g_assert_null(strstr(rmid, token));
	g_autofree char *reply = g_strdup_printf("From: %s\n"
	    "To: standup@example.org\nSubject: Re: Daily\n"
	    "Message-ID: <late@example.org>\nIn-Reply-To: <%s>\n"
	    "Date: Fri, 27 Mar 2026 18:00:00 +0100\n\nDone.\n", email, rmid);
	struct ingest_result res;
	ingest(f, reply, &res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages m JOIN "
	    "prompts p ON p.id = m.prompt_id WHERE m.message_id = "
	    "'late@example.org'"), ==, 1);
	ingest_result_clear(&res);
	s = tick(f, "2026-03-28T15:30:00Z");
	g_assert_cmpuint(s.closed, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'missed'"), ==, 1);
}

/* Who went away after being asked is not reminded. */
static void
test_no_reminder_when_away(struct fixture *f, gconstpointer data)
{
	g_autofree char *sql = NULL;

	tick(f, "2026-03-27T11:00:00Z");
	sql = g_strdup_printf("INSERT INTO availability (person_id, kind, "
	    "starts_at, ends_at, summary, source, created_at) SELECT id, "
	    "'away', %" G_GINT64_FORMAT ", NULL, 'sick', 'mail', 0 FROM people "
	    "WHERE email = 'priya@example.org'", utc("2026-03-27T12:00:00Z"));
	testdb_exec(f->t.db, sql);
	tick(f, "2026-03-27T13:00:00Z");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reminder'"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE "
	    "reminded_at IS NOT NULL"), ==, 1);
}

/* A paused or away member is not asked, and says why. */
static void
test_paused_and_away(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) ana = store_person_get(f->t.st, "ana@example.org",
	    &error);
	g_autoptr(Person) priya = store_person_get(f->t.st, "priya@example.org",
	    &error);
	g_autofree char *sql = NULL;
	struct checkin_stats s;

	g_assert_true(store_person_pause(f->t.st, ana->id,
	    utc("2026-03-30T00:00:00Z"), &error));
	sql = g_strdup_printf("INSERT INTO availability (person_id, kind, "
	    "starts_at, ends_at, summary, source, created_at) VALUES (%"
	    G_GINT64_FORMAT ", 'away', %" G_GINT64_FORMAT ", NULL, 'holiday', "
	    "'cli', 0)", priya->id, utc("2026-03-27T00:00:00Z"));
	testdb_exec(f->t.db, sql);
	s = tick(f, "2026-03-27T11:00:00Z");
	g_assert_cmpuint(s.skipped, ==, 1);
	s = tick(f, "2026-03-27T15:30:00Z");
	g_assert_cmpuint(s.skipped, ==, 1);
	g_assert_cmpuint(s.prompted, ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE "
	    "skip_reason = 'paused until 2026-03-30'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE "
	    "skip_reason = 'away: holiday'"), ==, 1);
}

static void
ingest(struct fixture *f, const char *text, struct ingest_result *res)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, res,
	    &error));
	g_assert_no_error(error);
}

static gint64 replies(struct fixture *f);

static char *
reply_to_prompt(struct fixture *f, const char *from, const char *body)
{
	g_autofree char *token = sql_text(f, "SELECT token FROM prompts");
	g_autofree char *mid = sql_text(f, "SELECT message_id FROM prompts");
	static int n;

	return g_strdup_printf("From: %s\nTo: standup+%s@example.org\n"
	    "Subject: Re: Daily\nMessage-ID: <r%d@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Fri, 27 Mar 2026 17:00:00 +0100\n\n%s",
	    from, token, ++n, mid, body);
}

/* An answer replayed after the check-in closed is kept and shown, not
 * counted; the member is told once. */
static void
test_late_answer(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *reason = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	m1 = reply_to_prompt(f, "ana@example.org", "Exports\n");
	m2 = reply_to_prompt(f, "ana@example.org", "Exports, again\n");
	/* Two weeks on; the prompt closed a day after it was asked. */
	tick(f, "2026-03-28T15:30:00Z");
	clock_set(utc("2026-04-10T09:00:00Z"));
	ingest(f, m1, &res);
	g_assert_cmpint(res.outcome, ==, INGEST_STORED);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 0);
	reason = sql_text(f, "SELECT reason FROM answers");
	g_assert_cmpstr(reason, ==, "it came after the check-in closed");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'answered'"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.kind = 'reply' "
	    "AND r.address = 'ana@example.org' AND o.subject LIKE "
	    "'Too late to count:%'"), ==, 1);
	/* Once: a second late answer is kept, and not answered again. */
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 0"), ==, 2);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 1);
}

/* A responder that marks its mail with nothing, answering the prompt to
 * its reply address: an auto-reply, not the member's answer. */
static void
test_unmarked_autoreply(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = NULL, *kind = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	m = reply_to_prompt(f, "Ana <ana@example.org>", "Thank you for your "
	    "email. I am out of the office until Monday 6 April, with no "
	    "access to email.\n\n> 1. What did you work on?\n");
	ingest(f, m, &res);
	g_assert_cmpint(res.outcome, ==, INGEST_STORED);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'answered'"), ==, 0);
	kind = sql_text(f, "SELECT kind FROM messages WHERE message_id LIKE "
	    "'r%@example.org'");
	g_assert_cmpstr(kind, ==, "autoreply");
	g_assert_cmpint(replies(f), ==, 0);
}

static void
test_answers(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *t = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	m1 = reply_to_prompt(f, "Ana <ana@example.org>",
	    "> 1. What did you work on?\nExports\n> 2. What is next?\n"
	    "Imports\n> 3. Is anything blocking you?\nNo\n");
	ingest(f, m1, &res);
	g_assert_cmpint(res.outcome, ==, INGEST_STORED);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 3);
	t = sql_text(f, "SELECT a.text FROM answers a JOIN questions q ON "
	    "q.id = a.question_id WHERE q.position = 2");
	g_assert_cmpstr(t, ==, "Imports");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'answered'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT prompt_id IS NOT NULL AND "
	    "trusted <> 0 FROM messages WHERE message_id = 'r1@example.org'"),
	    ==, 1);

	/* A stranger at Ana's address: kept, not counted, with why. */
	m2 = reply_to_prompt(f, "Eve <eve@example.net>", "All done!\n");
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 0 AND reason LIKE 'sent by eve@example.net%'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1 AND superseded_by IS NULL"), ==, 3);

	/* Ana again: an edit of the first answer. */
	m3 = reply_to_prompt(f, "ana@example.org", "Exports and their tests\n");
	ingest(f, m3, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "superseded_by IS NOT NULL"), ==, 1);
	g_free(t);
	t = sql_text(f, "SELECT a.text FROM answers a JOIN questions q ON "
	    "q.id = a.question_id WHERE q.position = 1 AND a.superseded_by IS "
	    "NULL AND a.counted = 1");
	g_assert_cmpstr(t, ==, "Exports and their tests");
}

static void
test_commands(struct fixture *f, gconstpointer data)
{
	g_autofree char *skip = NULL;
	struct ingest_result res;
	static const char pause[] = "Authentication-Results: mx.example.org; "
	    "dkim=pass header.d=example.org\nFrom: Bob <bob@example.org>\n"
	    "To: standup+pause@example.org\nSubject: pause until 2026-04-06\n"
	    "Message-ID: <p1@example.org>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nSee you then.\n";
	static const char stranger[] = "From: eve@example.net\n"
	    "To: standup+pause@example.org\nSubject: pause until 2026-04-06\n"
	    "Message-ID: <p2@example.org>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nx\n";
	static const char forged[] = "From: Bob <bob@example.org>\n"
	    "To: standup+resume@example.org\nSubject: resume\n"
	    "Message-ID: <p5@example.org>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nx\n";
	static const char unknown[] = "From: bob@example.org\n"
	    "To: standup+snooze@example.org\nSubject: x\n"
	    "Message-ID: <p3@example.org>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nx\n";
	static const char machine[] = "From: bob@example.org\n"
	    "To: standup+help@example.org\nSubject: Out of office\n"
	    "Auto-Submitted: auto-replied\nMessage-ID: <p4@example.org>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nI am away.\n";

	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	skip = reply_to_prompt(f, "ana@example.org", "Skip!\n\n> 1. What did "
	    "you work on?\n");
	ingest(f, skip, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'skipped'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 1);

	ingest(f, pause, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT paused_until FROM people WHERE "
	    "email = 'bob@example.org'"), ==, utc("2026-04-06T04:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 2);

	/* Nobody may pause Bob but Bob; nobody unknown gets an answer. */
	ingest(f, stranger, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 2);

	/* Bob's address without his reply address or a trusted server's
	 * word: a forgery changes nothing and is not answered. */
	ingest(f, forged, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT paused_until FROM people WHERE "
	    "email = 'bob@example.org'"), ==, utc("2026-04-06T04:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 2);
	g_assert_cmpint(sql_int(f, "SELECT trusted = 0 AND trust_reason LIKE "
	    "'%without a trusted Authentication-Results%' FROM messages "
	    "WHERE message_id = 'p5@example.org'"), ==, 1);

	/* An unknown command is answered with what tidings knows. */
	ingest(f, unknown, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE kind = "
	    "'reply'"), ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE kind = "
	    "'reply' AND CAST(raw AS TEXT) LIKE '%snooze%'"), ==, 1);

	/* A machine is never answered. */
	ingest(f, machine, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 3);
}

/* A reply from Ana: in reply to the prompt, but to tidings' plain address,
 * with HEADERS above it. */
static char *
plain_reply(struct fixture *f, const char *headers, const char *body)
{
	g_autofree char *mid = sql_text(f, "SELECT message_id FROM prompts");
	static int n;

	return g_strdup_printf("%sFrom: Ana <ana@example.org>\n"
	    "To: standup@example.org\nSubject: Re: Daily\n"
	    "Message-ID: <plain%d@example.org>\nIn-Reply-To: <%s>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\n%s", headers, ++n, mid,
	    body);
}

/* The trust rule: the member's reply address, or their From with a trusted
 * server's DKIM or DMARC pass.  In-Reply-To alone is not enough. */
static void
test_trust(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
	g_autofree char *m5 = NULL, *why = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	/* A forged skip by In-Reply-To: nothing changes, nobody is told. */
	m1 = plain_reply(f, "", "skip\n");
	ingest(f, m1, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'sent'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'reply'"), ==, 0);

	m2 = plain_reply(f, "", "Exports\n");
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 0 AND reason LIKE 'it came to the team''s address%'"),
	    ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "message_id = 'plain2@example.org' AND trust_reason LIKE 'from the "
	    "member''s address, but not to their reply address and without a "
	    "trusted%'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'sent'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT prompt_id IS NOT NULL AND "
	    "trusted = 0 FROM messages WHERE message_id = "
	    "'plain2@example.org'"), ==, 1);

	/* A pass from a server nobody trusts, or for another domain. */
	m3 = plain_reply(f, "Authentication-Results: mx.evil.example; dkim=pass "
	    "header.d=example.org; dmarc=pass header.from=example.org\n",
	    "Exports\n");
	ingest(f, m3, &res);
	ingest_result_clear(&res);
	m4 = plain_reply(f, "Authentication-Results: mx.example.org; dkim=pass "
	    "header.d=evil.example\n", "Exports\n");
	ingest(f, m4, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 0);
	why = sql_text(f, "SELECT trust_reason FROM messages WHERE message_id "
	    "= 'plain4@example.org'");
	g_assert_nonnull(strstr(why, "without a DKIM or DMARC pass"));

	/* The trusted server's DKIM pass for her domain: it counts. */
	m5 = plain_reply(f, "Authentication-Results: mx.example.org;\n"
	    " dkim=pass (good signature) header.d=example.org\n", "Exports\n");
	ingest(f, m5, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'answered'"), ==, 1);
	g_free(why);
	why = sql_text(f, "SELECT trust_reason FROM messages WHERE message_id "
	    "= 'plain5@example.org'");
	g_assert_cmpstr(why, ==, "from the member, authenticated by "
	    "mx.example.org (dkim=pass header.d=example.org)");
}

/* A prompt's token signs its check-in, person and occurrence: a row that
 * the database finds by it but that is another prompt (here: moved to
 * Priya, or to another day) takes no reply. */
static void
test_token_bound(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	testdb_exec(f->t.db, "UPDATE prompts SET person_id = "
	    "(SELECT id FROM people WHERE email = 'priya@example.org')");
	m1 = reply_to_prompt(f, "priya@example.org", "Exports\n");
	ingest(f, m1, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "prompt_id IS NOT NULL"), ==, 0);
	testdb_exec(f->t.db, "UPDATE prompts SET person_id = "
	    "(SELECT id FROM people WHERE email = 'ana@example.org'), "
	    "occurrence = occurrence + 86400");
	m2 = reply_to_prompt(f, "ana@example.org", "Exports\n");
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'sent'"), ==, 1);
}

/* A mail command FROM to LOCAL+WHAT@, with HEADERS above it; "pause"
 * is until 6 April. */
static void
command(struct fixture *f, const char *headers, const char *from,
    const char *what)
{
	static int n;
	g_autofree char *text = g_strdup_printf("%sFrom: %s\n"
	    "To: standup+%s@example.org\nSubject: %s\n"
	    "Message-ID: <c%d@example.net>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\n%s\n", headers, from,
	    what, what, ++n, strcmp(what, "pause") == 0 ?
	    "pause until 2026-04-06" : "x");
	struct ingest_result res;

	ingest(f, text, &res);
	ingest_result_clear(&res);
}

static gint64
replies(struct fixture *f)
{
	return sql_int(f, "SELECT count(*) FROM outbox WHERE kind = 'reply'");
}

/* No answer ever to a machine, a list, tidings itself or mail without a
 * way back: each rule alone, through ingest, and reply_no_answer() on
 * the parsed mail without the filters. */
static void
test_no_answer(struct fixture *f, gconstpointer data)
{
	static const struct {
		const char *headers;
		const char *from;
		const char *why;
	} cases[] = {
		{ "Return-Path: <>\n", "bob@example.org",
		  "an empty Return-Path" },
		{ "", "undisclosed-recipients:;", "it has no From address" },
		{ "List-Id: Chat <chat.example.org>\n", "bob@example.org",
		  "mailing list traffic" },
		{ "List-Post: <mailto:chat@example.org>\n", "bob@example.org",
		  "mailing list traffic" },
		{ "Precedence: bulk\n", "bob@example.org", "Precedence: bulk" },
		{ "Precedence: junk\n", "bob@example.org", "Precedence: junk" },
		{ "Auto-Submitted: auto-generated\n", "bob@example.org",
		  "Auto-Submitted" },
		{ "X-Autoreply: yes\n", "bob@example.org",
		  "an X-Autoreply header" },
		{ "", "mailer-daemon@example.net",
		  "sent by a mail system or a no-reply address" },
		{ FILTER_MARKER_HEADER ": reply 3\n", "bob@example.org",
		  "sent by tidings (" FILTER_MARKER_HEADER ")" },
		{ "", "standup@example.org", "from tidings' own address" },
		{ "", "standup+help@example.org", "from tidings' own address" },
	};

	clock_set(utc("2026-03-27T16:00:00Z"));
	command(f, "", "bob@example.org", "help");
	g_assert_cmpint(replies(f), ==, 1);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strdup_printf("%sFrom: %s\nTo: "
		    "standup+help@example.org\nSubject: help\n\nx\n",
		    cases[i].headers, cases[i].from);
		g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
		g_autoptr(Message) m = message_parse(raw, 0, NULL);

		g_assert_cmpstr(reply_no_answer(&f->env, m), ==,
		    cases[i].why);
		command(f, cases[i].headers, cases[i].from, "help");
		g_assert_cmpint(replies(f), ==, 1);
	}
	/* Subscribing a list's address, or from a bounce address: no
	 * confirmation goes out. */
	command(f, "List-Id: <chat.example.org>\n", "chat@example.org",
	    "platform-subscribe");
	/* List mail is kept as a kind of its own. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "kind = 'list'"), >=, 1);
	command(f, "Return-Path: <>\n", "kim@example.org",
	    "platform-subscribe");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox"), ==, 1);
}

/* Answers are limited per sender and in all, per hour, across processes
 * (counted in the store); past a limit a command is carried out but not
 * answered. */
static void
test_rate_limits(struct fixture *f, gconstpointer data)
{
	static const char auth[] = "Authentication-Results: mx.example.org; "
	    "dmarc=pass header.from=example.org\n";

	clock_set(utc("2026-03-27T16:00:00Z"));
	for (int i = 0; i < 4; i++)
		command(f, "", "bob@example.org", "help");
	g_assert_cmpint(replies(f), ==, 3);
	command(f, auth, "bob@example.org", "pause");
	g_assert_cmpint(sql_int(f, "SELECT paused_until IS NOT NULL FROM "
	    "people WHERE email = 'bob@example.org'"), ==, 1);
	g_assert_cmpint(replies(f), ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT held FROM reply_counts WHERE "
	    "sender = 'bob@example.org'"), ==, 2);

	/* Six in all this hour. */
	for (int i = 0; i < 3; i++)
		command(f, "", "ana@example.org", "help");
	g_assert_cmpint(replies(f), ==, 6);
	command(f, "", "priya@example.org", "help");
	g_assert_cmpint(replies(f), ==, 6);

	/* A new hour, a new count. */
	clock_set(utc("2026-03-27T17:00:00Z"));
	command(f, "", "priya@example.org", "help");
	command(f, auth, "bob@example.org", "resume");
	g_assert_cmpint(replies(f), ==, 8);
	g_assert_cmpint(sql_int(f, "SELECT paused_until IS NULL FROM "
	    "people WHERE email = 'bob@example.org'"), ==, 1);
}

/* Questions taken out of a check-in with answers are retired, answers
 * kept. */
static void
test_edit_questions(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = NULL;
	g_autoptr(GPtrArray) qs = g_ptr_array_new();
	g_autofree char *m = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	m = reply_to_prompt(f, "ana@example.org", "1. a\n2. b\n3. c\n");
	ingest(f, m, &res);
	ingest_result_clear(&res);
	c = store_checkin_get(f->t.st, f->checkin, &error);
	g_ptr_array_add(qs, "What shipped?");
	g_assert_true(store_checkin_update(f->t.st, c, qs, 0, &error));
	g_assert_no_error(error);
	g_clear_pointer(&c, checkin_free);
	c = store_checkin_get(f->t.st, f->checkin, &error);
	g_assert_cmpuint(c->questions->len, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers"), ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM questions WHERE "
	    "retired = 1"), ==, 2);
}

#define ADD(name, fn) \
	g_test_add("/checkin/" name, struct fixture, NULL, setup, fn, teardown)

/* A mail's parents are looked up among the prompts only when they may be
 * a prompt's Message-ID or a reminder's: a reply to a prompt or to its
 * reminder finds it; one to other mail costs the store nothing. */
static void
test_lookup_parents(struct fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *mid = NULL;
	struct filter_ctx ctx = { .lookup_data = &f->env };
	struct filter_prompt *fp;
	gint64 before;

	(void)data;
	tick(f, "2026-03-27T15:30:00Z");
	mid = sql_text(f, "SELECT p.message_id FROM prompts p JOIN people u "
	    "ON u.id = p.person_id WHERE u.email = 'ana@example.org'");
	g_assert_true(g_str_has_prefix(mid, "prompt-"));
	g_ptr_array_add(ids, g_strdup("p0@example.net"));
	g_ptr_array_add(ids, g_strdup(mid));
	fp = take_answer_lookup(&ctx, NULL, ids);
	g_assert_nonnull(fp);
	g_assert_cmpstr(fp->person, ==, "ana@example.org");
	filter_prompt_free(fp);
	/* Its reminder's Message-ID is its own under another name. */
	g_ptr_array_set_size(ids, 0);
	g_ptr_array_add(ids, g_strconcat("reminder-", mid + 7, NULL));
	fp = take_answer_lookup(&ctx, NULL, ids);
	g_assert_nonnull(fp);
	filter_prompt_free(fp);
	/* Other parents: nothing is asked of the store. */
	g_ptr_array_set_size(ids, 0);
	g_ptr_array_add(ids, g_strdup("p0@example.net"));
	g_ptr_array_add(ids, g_strdup("xprompt-1@example.net"));
	g_ptr_array_add(ids, g_strdup(mid + 7));
	before = store_work_done(f->env.st);
	g_assert_null(take_answer_lookup(&ctx, NULL, ids));
	g_assert_cmpint(store_work_done(f->env.st), ==, before);
}

/* A mail from FROM to tidings' own address, with HEADERS, SUBJECT and
 * BODY. */
static void
to_team(struct fixture *f, const char *headers, const char *from,
    const char *subject, const char *body)
{
	static int n;
	g_autofree char *text = g_strdup_printf("%sFrom: %s\n"
	    "To: Standup <standup@example.org>\nSubject: %s\n"
	    "Message-ID: <t%d@example.net>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\n%s\n", headers, from,
	    subject, ++n, body);
	struct ingest_result res;

	ingest(f, text, &res);
	ingest_result_clear(&res);
}

#define SIGNED "Authentication-Results: mx.example.org; dkim=pass " \
	"header.d=example.org\n"

/* skip, pause and resume sent on their own to the team's address, as the
 * help mail says: carried out when the trust rule holds (a trusted
 * server's word for the From), in the first line or the subject; a
 * forgery changes nothing. */
static void
test_team_address(struct fixture *f, gconstpointer data)
{
	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts p JOIN people "
	    "u ON u.id = p.person_id WHERE u.email = 'ana@example.org' AND "
	    "p.state = 'sent'"), ==, 1);

	to_team(f, SIGNED, "Ana <ana@example.org>", "standup", "skip\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts p JOIN people "
	    "u ON u.id = p.person_id WHERE u.email = 'ana@example.org' AND "
	    "p.state = 'skipped'"), ==, 1);
	g_assert_cmpint(replies(f), ==, 1);

	/* Anyone can write Bob's address: without the server's word,
	 * nothing changes and nobody is answered. */
	to_team(f, "", "bob@example.org", "hi", "pause until 2026-04-06\n");
	g_assert_cmpint(sql_int(f, "SELECT paused_until IS NULL FROM people "
	    "WHERE email = 'bob@example.org'"), ==, 1);
	g_assert_cmpint(replies(f), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "message_id = 't2@example.net' AND trusted = 0"), ==, 1);

	to_team(f, SIGNED, "priya@example.org", "x", "pause until 2026-04-06\n");
	g_assert_cmpint(sql_int(f, "SELECT paused_until IS NOT NULL FROM "
	    "people WHERE email = 'priya@example.org'"), ==, 1);
	/* The subject may be the command. */
	to_team(f, SIGNED, "priya@example.org", "Resume", "Back from leave.\n");
	g_assert_cmpint(sql_int(f, "SELECT paused_until IS NULL FROM people "
	    "WHERE email = 'priya@example.org'"), ==, 1);
	g_assert_cmpint(replies(f), ==, 3);

	/* Prose to the team's address is no command. */
	to_team(f, SIGNED, "bob@example.org", "question", "Skipping lunch "
	    "today, back at 2.\n");
	g_assert_cmpint(replies(f), ==, 3);
}

/* The raw of the newest mail in the outbox to TO. */
static char *
newest_to(struct fixture *f, const char *to)
{
	g_autofree char *sql = g_strdup_printf("SELECT CAST(coalesce(b.raw, "
	    "rw.raw) AS TEXT) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id "
	    "LEFT JOIN outbox_bodies b ON b.id = "
	    "o.body JOIN outbox_recipients r ON r.outbox_id = o.id WHERE "
	    "r.address = '%s' ORDER BY o.id DESC LIMIT 1", to);

	return sql_text(f, sql);
}

/* The value of header NAME in RAW, to the end of its line. */
static char *
header_of(const char *raw, const char *name)
{
	g_autofree char *start = g_strdup_printf("\n%s: ", name);
	const char *p = strstr(raw, start), *end;

	if (p == NULL)
		return NULL;
	p += strlen(start);
	end = strpbrk(p, "\r\n");
	return g_strndup(p, (gsize)(end - p));
}

/* A mail from FROM to TO, in reply to <IN_REPLY_TO>, with HEADERS. */
static void
mail_to(struct fixture *f, const char *headers, const char *from,
    const char *to, const char *in_reply_to, const char *body)
{
	static int n;
	g_autofree char *text = g_strdup_printf("%sFrom: %s\nTo: %s\n"
	    "Subject: Re: Please confirm\nMessage-ID: <m%d@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Fri, 27 Mar 2026 18:00:00 +0100\n\n%s",
	    headers, from, to, ++n, in_reply_to, body);
	struct ingest_result res;

	ingest(f, text, &res);
	ingest_result_clear(&res);
}

/* An answer that came to the team's address (a client that ignores
 * Reply-To), in reply to the prompt: with a trusted server's word for the
 * sender it counts at once; without it, the member is asked at their own
 * address to confirm, and one reply from their mailbox to the notice's
 * own address counts what they wrote.  A confirmation from anyone else,
 * to an address tidings did not sign, or from a machine counts
 * nothing. */
static void
test_team_address_answer(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *notice = NULL;
	g_autofree char *confirm = NULL, *mid = NULL, *wrong = NULL;
	g_autofree char *other = NULL, *ptoken = NULL;
	struct ingest_result res;
	gint64 pid;

	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	pid = sql_int(f, "SELECT id FROM prompts");
	m1 = plain_reply(f, "", "1. Exports\n2. Imports\n3. No\n");
	ingest(f, m1, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 0 AND reason LIKE 'it came to the team''s address%'"),
	    ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'sent'"), ==, 1);
	/* The notice: to Ana's stored address, with what came, and a
	 * Reply-To of its own. */
	notice = newest_to(f, "ana@example.org");
	g_assert_nonnull(notice);
	g_assert_nonnull(strstr(notice, "Subject: Please confirm your answer "
	    "to Daily"));
	g_assert_nonnull(strstr(notice, "Imports"));
	g_assert_nonnull(strstr(notice, "In-Reply-To: <plain"));
	confirm = header_of(notice, "Reply-To");
	g_assert_nonnull(confirm);
	other = g_strdup_printf("standup+answer-%" G_GINT64_FORMAT "-",
	    pid);
	g_assert_true(g_str_has_prefix(confirm, other));
	/* Its token is none of the prompt's. */
	ptoken = sql_text(f, "SELECT token FROM prompts");
	g_assert_null(strstr(confirm, ptoken));
	mid = header_of(notice, "Message-Id");
	g_assert_nonnull(mid);
	g_assert_cmpint(replies(f), ==, 1);

	/* Bob at Ana's confirmation address: nothing counts, nobody is
	 * told. */
	mail_to(f, "", "bob@example.org", confirm, mid, "ok\n");
	/* Ana at an address tidings did not sign, or another prompt's. */
	wrong = g_strdup_printf("standup+answer-%" G_GINT64_FORMAT
	    "-abcdefghijklmnop@example.org", pid);
	mail_to(f, "", "ana@example.org", wrong, mid, "ok\n");
	g_free(other);
	other = g_strdup_printf("standup+answer-%" G_GINT64_FORMAT "-%s",
	    pid + 1, strchr(confirm, '@') - 16);
	mail_to(f, "", "ana@example.org", other, mid, "ok\n");
	/* Her out-of-office responder answering the notice. */
	mail_to(f, "Auto-Submitted: auto-replied\n", "ana@example.org",
	    confirm, mid, "I am away until Monday.\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'sent'"), ==, 1);
	g_assert_cmpint(replies(f), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "message_id IN ('m1@example.org', 'm2@example.org', "
	    "'m3@example.org') AND trusted = 0"), ==, 3);

	/* Ana replies to the notice: her answers count. */
	mail_to(f, "", "Ana <ana@example.org>", confirm, mid, "> We got your "
	    "answer\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1 AND reason IS NULL AND superseded_by IS NULL"), ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'answered'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "message_id LIKE 'plain%' AND prompt_id IS NOT NULL AND trusted = "
	    "1"), ==, 1);
	/* She is told it counts. */
	g_assert_cmpint(replies(f), ==, 2);
	g_free(notice);
	notice = newest_to(f, "ana@example.org");
	g_assert_nonnull(strstr(notice, "Subject: Counted: your answer to "
	    "Daily"));
	/* A second confirmation changes nothing, and tells nothing. */
	mail_to(f, "", "ana@example.org", confirm, mid, "yes\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 3);
	g_assert_cmpint(replies(f), ==, 2);

	/* With a trusted server's word, an answer to the team's address
	 * counts at once, and asks nothing: an edit of the first. */
	m2 = plain_reply(f, SIGNED, "Exports, with tests\n");
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1 AND superseded_by IS NULL AND text = 'Exports, with "
	    "tests'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1 AND superseded_by IS NOT NULL"), ==, 1);
	g_assert_cmpint(replies(f), ==, 2);
}

/* A confirmed answer counts as of when it came: a later answer that
 * counted at once stays the one that counts. */
static void
test_confirm_older(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *notice = NULL;
	g_autofree char *confirm = NULL, *mid = NULL, *t = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	m1 = plain_reply(f, "", "Exports\n");
	ingest(f, m1, &res);
	ingest_result_clear(&res);
	notice = newest_to(f, "ana@example.org");
	confirm = header_of(notice, "Reply-To");
	mid = header_of(notice, "Message-Id");
	g_assert_nonnull(confirm);
	m2 = reply_to_prompt(f, "ana@example.org", "Exports, with tests\n");
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	mail_to(f, "", "ana@example.org", confirm, mid, "ok\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1"), ==, 2);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE "
	    "counted = 1 AND superseded_by IS NULL"), ==, 1);
	t = sql_text(f, "SELECT text FROM answers WHERE counted = 1 AND "
	    "superseded_by IS NULL");
	g_assert_cmpstr(t, ==, "Exports, with tests");
}

/* The notice shows what came, bounded. */
static void
test_confirm_bounded(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *notice = NULL;
	const char *body;
	g_autoptr(GString) long_answer = g_string_new(NULL);
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	for (int i = 0; i < 1000; i++)
		g_string_append(long_answer, "word ");
	g_string_append(long_answer, "LASTWORD\n");
	m1 = plain_reply(f, "", long_answer->str);
	ingest(f, m1, &res);
	ingest_result_clear(&res);
	notice = newest_to(f, "ana@example.org");
	g_assert_nonnull(notice);
	body = strstr(notice, "\n\n");
	g_assert_nonnull(body);
	g_assert_nonnull(strstr(body, "[...]"));
	g_assert_null(strstr(body, "LASTWORD"));
	/* The answer itself is kept whole. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM answers WHERE text "
	    "LIKE '%LASTWORD'"), ==, 1);
}

/* Every reply to a prompt that does not count is answered once, to its
 * sender, with why and what to do (within the limits); a counted one is
 * not. */
static void
test_uncounted_told(struct fixture *f, gconstpointer data)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *raw = NULL;
	struct ingest_result res;

	tick(f, "2026-03-27T15:30:00Z");
	clock_set(utc("2026-03-27T16:00:00Z"));
	/* Someone else answering Ana's prompt. */
	m1 = reply_to_prompt(f, "Eve <eve@example.net>", "All done!\n");
	ingest(f, m1, &res);
	ingest_result_clear(&res);
	raw = newest_to(f, "eve@example.net");
	g_assert_nonnull(raw);
	g_assert_nonnull(strstr(raw, "Subject: Not counted: your reply to "
	    "Daily"));
	g_assert_nonnull(strstr(raw, "it does not count as an answer: sent"));
	g_assert_nonnull(strstr(raw, "asked ana@example.org"));
	g_assert_nonnull(strstr(raw, "reply to the prompt tidings sent you"));
	g_assert_cmpint(replies(f), ==, 1);

	/* Ana's reply with nothing but the quoted prompt. */
	m2 = reply_to_prompt(f, "ana@example.org", "> 1. What did you work "
	    "on?\n> 2. What is next?\n");
	ingest(f, m2, &res);
	ingest_result_clear(&res);
	g_free(raw);
	raw = newest_to(f, "ana@example.org");
	g_assert_nonnull(raw);
	g_assert_nonnull(strstr(raw, "Subject: Not counted: your reply to "
	    "Daily"));
	g_assert_nonnull(strstr(raw, "Hi Ana Lima,"));
	g_assert_nonnull(strstr(raw, "answer could be read in it"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'sent'"), ==, 1);

	/* Her real answer counts and asks nothing. */
	m3 = reply_to_prompt(f, "ana@example.org", "Exports\n");
	ingest(f, m3, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(replies(f), ==, 2);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts WHERE state = "
	    "'answered'"), ==, 1);

	/* Within the limits: three answers to one sender an hour. */
	for (int i = 0; i < 3; i++) {
		g_autofree char *m = reply_to_prompt(f, "eve@example.net",
		    "Me too\n");
		ingest(f, m, &res);
		ingest_result_clear(&res);
	}
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'eve@example.net'"), ==, 3);
}

/* The help mail is made from the mail commands' table: every command, its
 * usage on a line of its own at the start of the line (no indented
 * continuation for a client that re-wraps flowed text to fall out of),
 * and where commands go. */
static void
test_help_mail(struct fixture *f, gconstpointer data)
{
	g_autofree char *raw = NULL;
	g_auto(GStrv) lines = NULL;

	command(f, "", "ana@example.org", "help");
	raw = sql_text(f, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE kind = "
	    "'reply' ORDER BY id DESC LIMIT 1");
	g_assert_nonnull(raw);
	lines = g_strsplit(strstr(raw, "\n\n") + 2, "\n", -1);
	for (gsize i = 0; i < mail_commands_len; i++) {
		gboolean found = FALSE;
		for (char **l = lines; *l != NULL && !found; l++)
			found = strcmp(*l, mail_commands[i].usage) == 0;
		if (!found)
			g_error("the help mail lacks \"%s\" on a line of its own",
			    mail_commands[i].usage);
	}
	for (char **l = lines; *l != NULL; l++)
		g_assert_false(g_ascii_isspace(**l) && **l != '\0');
	{
		/* The text as a reader shows it: soft breaks undone. */
		g_auto(GStrv) soft = g_strsplit(raw, " \n", -1);
		g_autofree char *text = g_strjoinv(" ", soft);

		g_assert_nonnull(strstr(text, "send it on its own to "
		    "standup@example.org"));
		/* This tidings trusts a server's word: commands sent on
		 * their own count, and the mail says so. */
		g_assert_nonnull(strstr(text, "or sent from your own mailbox, "
		    "as your mail server confirms it"));
	}
	g_assert_nonnull(strstr(raw, "standup+availability@example.org"));
}

/* Without a server it trusts, the help mail does not promise that
 * commands sent on their own count: they could not. */
static void
test_help_untrusted(void)
{
	struct testenv t;
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new("ana@example.org");
	g_autofree char *raw = NULL, *text = NULL;
	g_auto(GStrv) soft = NULL;
	struct ingest_result res;
	static const char help[] = "From: ana@example.org\n"
	    "To: standup+help@example.org\nSubject: help\n"
	    "Message-ID: <h1@example.net>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nx\n";
	g_autoptr(GBytes) b = g_bytes_new_static(help, strlen(help));

	clock_set(utc("2026-03-27T16:00:00Z"));
	testenv_open(&t, ADDRESS, NULL);
	g_assert_true(store_team_add(t.st, "platform", "Platform",
	    "Europe/Berlin", &error));
	g_assert_true(store_person_save(t.st, p, &error));
	g_assert_true(store_member_add(t.st, "platform", "ana@example.org",
	    "member", &error));
	g_assert_true(ingest_mail(t.st, t.conf, b, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	ingest_result_clear(&res);
	raw = testdb_text(t.db, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "kind = 'reply'");
	g_assert_nonnull(raw);
	soft = g_strsplit(raw, " \n", -1);
	text = g_strjoinv(" ", soft);
	g_assert_nonnull(strstr(text, "counts only in a reply to a "
	    "check-in"));
	g_assert_null(strstr(text, "as your mail server confirms it"));
	testenv_close(&t);
}

/* Mail to an address tidings does not serve (standup+urgnet@, a typo) is
 * answered, to a member or anyone else, with the addresses it serves;
 * never to a machine. */
static void
test_unknown_address(struct fixture *f, gconstpointer data)
{
	g_autofree char *raw = NULL;
	struct ingest_result res;
	static const char stranger[] = "From: Carol <carol@example.net>\n"
	    "To: standup+urgnet@example.org\nSubject: server down\n"
	    "Message-ID: <u1@example.net>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nPlease look.\n";
	static const char machine[] = "From: carol@example.net\n"
	    "To: standup+urgnet@example.org\nSubject: Out of office\n"
	    "Auto-Submitted: auto-replied\nMessage-ID: <u2@example.net>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\nI am away.\n";

	ingest(f, stranger, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(replies(f), ==, 1);
	raw = sql_text(f, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE kind = "
	    "'reply' ORDER BY id DESC LIMIT 1");
	g_assert_nonnull(strstr(raw, "To: Carol <carol@example.net>"));
	g_assert_nonnull(strstr(raw, "Subject: No such address at tidings: "
	    "urgnet"));
	g_assert_nonnull(strstr(raw, "standup+urgnet@example.org"));
	g_assert_nonnull(strstr(raw, "\nstandup@example.org\n"));
	g_assert_nonnull(strstr(raw, "\nstandup+help@example.org\n"));
	g_assert_nonnull(strstr(raw, "\nstandup+availability@example.org\n"));
	g_assert_nonnull(strstr(raw, "\nstandup+urgent@example.org\n"));

	ingest(f, machine, &res);
	ingest_result_clear(&res);
	g_assert_cmpint(replies(f), ==, 1);

	/* A member's typo is answered the same way. */
	command(f, "", "bob@example.org", "hepl");
	g_assert_cmpint(replies(f), ==, 2);
	g_free(raw);
	raw = sql_text(f, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE kind = "
	    "'reply' ORDER BY id DESC LIMIT 1");
	g_assert_nonnull(strstr(raw, "Hi Bob Stone,"));
	g_assert_nonnull(strstr(raw, "\nstandup+who@example.org\n"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("local-time", test_local_time);
	ADD("catch-up", test_catch_up);
	ADD("prompt-mail", test_prompt_mail);
	ADD("reminder-and-close", test_reminder_and_close);
	ADD("paused-and-away", test_paused_and_away);
	ADD("no-reminder-when-away", test_no_reminder_when_away);
	ADD("answers", test_answers);
	ADD("lookup-parents", test_lookup_parents);
	ADD("unmarked-autoreply", test_unmarked_autoreply);
	ADD("late-answer", test_late_answer);
	ADD("commands", test_commands);
	ADD("trust", test_trust);
	ADD("token-bound", test_token_bound);
	ADD("no-answer", test_no_answer);
	ADD("rate-limits", test_rate_limits);
	ADD("edit-questions", test_edit_questions);
	ADD("team-address", test_team_address);
	ADD("team-address-answer", test_team_address_answer);
	ADD("confirm-older", test_confirm_older);
	ADD("confirm-bounded", test_confirm_bounded);
	ADD("uncounted-told", test_uncounted_told);
	ADD("help-mail", test_help_mail);
	ADD("unknown-address", test_unknown_address);
	g_test_add_func("/checkin/help-untrusted", test_help_untrusted);
	return g_test_run();
}
