/* Unit tests for urgent mail: a team in four zones; an urgent mail when
 * exactly one member works goes to them alone, with why and the original
 * attached; unacknowledged it goes to whoever starts work next, then to
 * the owner; an acknowledgement by reply takes it and tells the sender;
 * nobody working sends it to the owner at once; forged urgent mail,
 * forged acknowledgements and auto-replies change nothing; limits. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "ingest.h"
#include "store.h"
#include "store-team.h"
#include "store-blocker.h"
#include "testdb.h"
#include "testtime.h"
#include "urgent.h"

#define ADDRESS "standup@example.org"
#define AUTH "Authentication-Results: mx.example.org; dkim=pass " \
	"header.d=example.com\n"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
	int n;
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
	g_assert_true(store_person_save(f->t.st, p, &error));
	g_assert_true(store_member_add(f->t.st, "support", email, role,
	    &error));
	g_assert_no_error(error);
}

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(TeamAlerts) a = NULL;

	testenv_open(&f->t, ADDRESS, "trusted-authserv-ids = mx.example.org\n");
	g_assert_true(store_team_add(f->t.st, "support", "Support",
	    "Europe/Lisbon", &error));
	/* Four zones, everyone 09:00-17:00 Monday to Friday. */
	add_person(f, "ana@example.org", "Ana Lima", "Europe/Lisbon", "member");
	add_person(f, "bo@example.org", "Bo Chen", "America/New_York",
	    "member");
	add_person(f, "chen@example.org", "Chen Wei", "Asia/Tokyo", "member");
	add_person(f, "olga@example.org", "Olga Berg", "Pacific/Auckland",
	    "owner");
	a = store_team_alerts_get(f->t.st, 1, &error);
	g_free(a->urgent_senders);
	a->urgent_senders = g_strdup("sam@example.com");
	g_assert_true(store_team_alerts_set(f->t.st, a, &error));
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

static void
ingest_at(struct fixture *f, const char *when, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	clock_set(utc(when));
	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	ingest_result_clear(&res);
}

/* An urgent mail from FROM (with HEADERS before it) to LOCAL+DETAIL@. */
static void
urgent(struct fixture *f, const char *when, const char *headers,
    const char *from, const char *detail)
{
	g_autofree char *text = g_strdup_printf("%sFrom: %s\n"
	    "To: standup+%s@example.org\nSubject: The shop is down\n"
	    "Message-ID: <u%d@example.com>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nCheckout answers 500 since 10:50.\n"
	    "--b\nContent-Type: text/plain; name=log.txt\n"
	    "Content-Disposition: attachment; filename=log.txt\n\n"
	    "GET /checkout 500\n--b--\n", headers, from, detail, f->n++);

	ingest_at(f, when, text);
}

/* A reply with BODY from FROM (HEADERS before it) to the copy EMAIL got. */
static void
reply_to_copy(struct fixture *f, const char *when, const char *headers,
    const char *from, const char *email, const char *body)
{
	g_autofree char *q = g_strdup_printf("SELECT token FROM urgent_steps "
	    "WHERE what = 'sent' AND email = '%s'", email);
	g_autofree char *token = sql_text(f, q);
	g_autofree char *text = NULL;

	g_assert_nonnull(token);
	text = g_strdup_printf("%sFrom: %s\nTo: standup+%s@example.org\n"
	    "Subject: Re: [Urgent] The shop is down\n"
	    "Message-ID: <r%d@example.org>\n\n%s", headers, from, token,
	    f->n++, body);
	ingest_at(f, when, text);
}

static gint64
copies_to(struct fixture *f, const char *email)
{
	g_autofree char *q = g_strdup_printf("SELECT count(*) FROM outbox o "
	    "JOIN outbox_recipients r ON r.outbox_id = o.id WHERE "
	    "o.dedupe_key LIKE 'urgent:%%' AND r.address = '%s'", email);

	return sql_int(f, q);
}

static gint64
told(struct fixture *f)
{
	return sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.dedupe_key "
	    "LIKE 'urgent-told:%' AND r.address = 'sam@example.com'");
}

static guint
tick(struct fixture *f, const char *when)
{
	g_autoptr(GError) error = NULL;
	guint n;

	g_assert_true(urgent_tick(&f->env, utc(when), &n, &error));
	g_assert_no_error(error);
	return n;
}

/* Tuesday 11:00 UTC: 11:00 in Lisbon, 07:00 in New York, 20:00 in Tokyo,
 * 00:00 in Auckland: only Ana works. */
#define TUESDAY_11 "2026-03-24T11:00:00Z"

static void
test_one_working(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *raw = NULL, *line = NULL;

	line = urgent_who_line(f->t.st, "support", utc(TUESDAY_11), &error);
	g_assert_cmpstr(line, ==, "An urgent mail now goes to: Ana Lima "
	    "(11:00 in Lisbon).");
	urgent(f, TUESDAY_11, AUTH, "sam@example.com", "urgent-support");
	g_assert_cmpint(copies_to(f, "ana@example.org"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "dedupe_key LIKE 'urgent:%'"), ==, 1);
	raw = sql_text(f, "SELECT raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE dedupe_key LIKE "
	    "'urgent:%'");
	g_assert_nonnull(strstr(raw, "Subject: [Urgent] The shop is down "
	    "(from sam@example.com)"));
	g_assert_nonnull(strstr(raw, "11:00 in Lisbon"));
	g_assert_nonnull(strstr(raw, "Content-Type: message/rfc822"));
	g_assert_nonnull(strstr(raw, "filename=log.txt"));
	g_assert_nonnull(strstr(raw, "Reply-To: standup+"));
	/* 15 minutes on (the test's clock runs on from when it was set). */
	g_assert_cmpint(sql_int(f, "SELECT next_at FROM urgents"), >=,
	    utc(TUESDAY_11) + 15 * 60);
	g_assert_cmpint(sql_int(f, "SELECT next_at FROM urgents"), <,
	    utc(TUESDAY_11) + 15 * 60 + 30);
}

static void
test_escalation(struct fixture *f, gconstpointer data)
{
	urgent(f, TUESDAY_11, AUTH, "sam@example.com", "urgent-support");
	g_assert_cmpuint(tick(f, "2026-03-24T11:14:59Z"), ==, 0);
	/* Bo starts next, at 09:00 in New York (13:00 UTC). */
	g_assert_cmpuint(tick(f, "2026-03-24T11:15:30Z"), ==, 1);
	g_assert_cmpint(copies_to(f, "bo@example.org"), ==, 1);
	g_assert_cmpint(copies_to(f, "chen@example.org"), ==, 0);
	g_assert_cmpint(copies_to(f, "olga@example.org"), ==, 0);
	g_assert_cmpint(told(f), ==, 1);
	/* Then the owner. */
	g_assert_cmpuint(tick(f, "2026-03-24T11:31:00Z"), ==, 1);
	g_assert_cmpint(copies_to(f, "olga@example.org"), ==, 1);
	g_assert_cmpint(told(f), ==, 2);
	g_assert_cmpuint(tick(f, "2026-03-24T12:30:00Z"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents WHERE "
	    "state = 'owners'"), ==, 1);
	g_assert_cmpint(copies_to(f, "ana@example.org"), ==, 1);
}

static void
test_ack(struct fixture *f, gconstpointer data)
{
	g_autofree char *raw = NULL;

	urgent(f, TUESDAY_11, AUTH, "sam@example.com", "urgent-support");
	/* An auto-reply and someone else's "ack" are no acknowledgement. */
	reply_to_copy(f, "2026-03-24T11:01:00Z", "Auto-Submitted: "
	    "auto-replied\n", "ana@example.org", "ana@example.org",
	    "ack\n");
	reply_to_copy(f, "2026-03-24T11:02:00Z", "", "mallory@example.net",
	    "ana@example.org", "ack\n");
	reply_to_copy(f, "2026-03-24T11:02:30Z", "", "ana@example.org",
	    "ana@example.org", "Looking, but who is on call?\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents WHERE "
	    "state = 'open'"), ==, 1);
	/* The auto-reply is the out-of-office taker's; the others are kept
	 * with the urgent mail's steps, as ignored. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgent_steps WHERE "
	    "what = 'ignored'"), ==, 2);
	g_assert_cmpint(told(f), ==, 0);
	reply_to_copy(f, "2026-03-24T11:03:00Z", "", "ana@example.org",
	    "ana@example.org", "On it!\n\n> The shop is down\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents u JOIN "
	    "people p ON p.id = u.taken_by WHERE u.state = 'taken' AND "
	    "p.email = 'ana@example.org'"), ==, 1);
	g_assert_cmpint(told(f), ==, 1);
	raw = sql_text(f, "SELECT raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE dedupe_key LIKE "
	    "'urgent-told:%'");
	g_assert_nonnull(strstr(raw, "Ana Lima took your urgent mail"));
	/* Nobody else is mailed, now or later. */
	g_assert_cmpuint(tick(f, "2026-03-24T12:00:00Z"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id"), ==, 2);
}

static void
test_nobody_working(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *line = NULL;

	/* Saturday: nobody works anywhere. */
	line = urgent_who_line(f->t.st, "support",
	    utc("2026-03-28T12:00:00Z"), &error);
	g_assert_nonnull(strstr(line, "Nobody works now: an urgent mail goes "
	    "to the owners: Olga Berg"));
	urgent(f, "2026-03-28T12:00:00Z", AUTH, "sam@example.com",
	    "urgent-support");
	g_assert_cmpint(copies_to(f, "olga@example.org"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key LIKE 'urgent:%'"), ==, 1);
	g_assert_cmpint(told(f), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents WHERE "
	    "state = 'owners' AND next_at IS NULL"), ==, 1);
	/* The owner's own urgent mail does not come back to her. */
	urgent(f, "2026-03-28T12:10:00Z", "Authentication-Results: "
	    "mx.example.org; dkim=pass header.d=example.org\n",
	    "olga@example.org", "urgent-support");
	g_assert_cmpint(copies_to(f, "olga@example.org"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents WHERE "
	    "state = 'owners'"), ==, 2);
}

static void
test_forged(struct fixture *f, gconstpointer data)
{
	/* Sam's address without a trusted server's word for it. */
	urgent(f, TUESDAY_11, "", "sam@example.com", "urgent-support");
	/* A member's, likewise. */
	urgent(f, TUESDAY_11, "", "bo@example.org", "urgent");
	/* A trusted stranger. */
	urgent(f, TUESDAY_11, AUTH, "eve@example.com", "urgent-support");
	/* A machine. */
	urgent(f, TUESDAY_11, AUTH "Auto-Submitted: auto-generated\n",
	    "sam@example.com", "urgent-support");
	/* Only the trusted stranger is told why, and nothing is sent on. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.dedupe_key "
	    "LIKE 'reply:%' AND r.address = 'eve@example.com'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents"), ==, 0);
	/* Each is kept. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages"), ==, 4);
}

static void
test_own_team_and_limits(struct fixture *f, gconstpointer data)
{
	/* Bo's own team, by LOCAL+urgent@, with DKIM for example.org. */
	urgent(f, TUESDAY_11, "Authentication-Results: mx.example.org; "
	    "dkim=pass header.d=example.org\n", "bo@example.org", "urgent");
	g_assert_cmpint(copies_to(f, "ana@example.org"), ==, 1);
	/* Three an hour from one sender; the fourth is held. */
	urgent(f, "2026-03-24T11:01:00Z", AUTH, "sam@example.com",
	    "urgent-support");
	urgent(f, "2026-03-24T11:02:00Z", AUTH, "sam@example.com",
	    "urgent-support");
	urgent(f, "2026-03-24T11:03:00Z", AUTH, "sam@example.com",
	    "urgent-support");
	urgent(f, "2026-03-24T11:04:00Z", AUTH, "sam@example.com",
	    "urgent-support");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM urgents WHERE "
	    "state = 'held'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.dedupe_key "
	    "LIKE 'reply:%' AND r.address = 'sam@example.com'"), ==, 1);
	g_assert_cmpint(copies_to(f, "ana@example.org"), ==, 4);
}

static char *
who_line(struct fixture *f, const char *when)
{
	g_autoptr(GError) error = NULL;
	char *line = urgent_who_line(f->t.st, "support", utc(when), &error);

	g_assert_no_error(error);
	return line;
}

static void
set_alerts(struct fixture *f, gboolean deep, const char *oncall)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(TeamAlerts) a = store_team_alerts_get(f->t.st, 1, &error);

	a->urgent_deep = deep;
	g_free(a->oncall);
	a->oncall = g_strdup(oncall);
	g_assert_true(store_team_alerts_set(f->t.st, a, &error));
	g_assert_no_error(error);
}

/* Deep work is not disturbed unless the team says so; the on-call
 * rotation comes first. */
static void
test_routing(struct fixture *f, gconstpointer data)
{
	g_autofree char *l1 = NULL, *l2 = NULL, *l3 = NULL;

	ingest_at(f, "2026-03-23T08:00:00Z", "Authentication-Results: "
	    "mx.example.org; dkim=pass header.d=example.org\n"
	    "From: ana@example.org\nTo: standup+availability@example.org\n"
	    "Subject: focus\nMessage-ID: <d1@example.org>\n\n"
	    "deep work mon-fri 10:00-12:00\n");
	l1 = who_line(f, TUESDAY_11);
	g_assert_cmpstr(l1, ==, "Nobody works now: an urgent mail goes to "
	    "the owners: Olga Berg (an owner of the team).");
	set_alerts(f, TRUE, "");
	l2 = who_line(f, TUESDAY_11);
	g_assert_cmpstr(l2, ==, "An urgent mail now goes to: Ana Lima "
	    "(11:00 in Lisbon).");
	/* 14:00 in Lisbon, 10:00 in New York: Bo on call first. */
	set_alerts(f, FALSE, "bo@example.org");
	l3 = who_line(f, "2026-03-24T14:00:00Z");
	g_assert_cmpstr(l3, ==, "An urgent mail now goes to: Bo Chen (on "
	    "call, 10:00 in New York), Ana Lima (14:00 in Lisbon).");
}

/* An original too large to attach to every copy is kept, its text sent
 * on. */
static void
test_large(struct fixture *f, gconstpointer data)
{
	GString *text = g_string_new(AUTH "From: sam@example.com\n"
	    "To: standup+urgent-support@example.org\nSubject: Big\n"
	    "Message-ID: <big@example.com>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nThe dump is attached.\n--b\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n\n");
	g_autofree char *raw = NULL;

	while (text->len < 11 * 1024 * 1024)
		g_string_append(text, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n");
	g_string_append(text, "--b--\n");
	ingest_at(f, TUESDAY_11, text->str);
	g_string_free(text, TRUE);
	raw = sql_text(f, "SELECT raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE dedupe_key LIKE "
	    "'urgent:%'");
	g_assert_nonnull(raw);
	g_assert_cmpuint(strlen(raw), <, 64 * 1024);
	g_assert_null(strstr(raw, "message/rfc822"));
	g_assert_nonnull(strstr(raw, "too large to attach"));
	g_assert_nonnull(strstr(raw, "The dump is attached."));
}

/* The help mail names the urgent address. */
static void
test_help(struct fixture *f, gconstpointer data)
{
	g_autofree char *raw = NULL;

	ingest_at(f, TUESDAY_11, "From: ana@example.org\n"
	    "To: standup+help@example.org\nSubject: help\n"
	    "Message-ID: <h1@example.org>\n\nhelp\n");
	raw = sql_text(f, "SELECT raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE dedupe_key LIKE "
	    "'reply:%'");
	g_assert_nonnull(raw);
	g_assert_nonnull(strstr(raw, "standup+urgent@example.org"));
}

static void
test_says_ack(void)
{
	g_assert_true(urgent_says_ack("ack"));
	g_assert_true(urgent_says_ack(" On it! "));
	g_assert_true(urgent_says_ack("Taking it."));
	g_assert_false(urgent_says_ack("not on it"));
	g_assert_false(urgent_says_ack("I'm out of office"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/urgent/" name, struct fixture, NULL, \
	setup, fn, teardown)
	ADD("one-working", test_one_working);
	ADD("escalation", test_escalation);
	ADD("ack", test_ack);
	ADD("nobody-working", test_nobody_working);
	ADD("forged", test_forged);
	ADD("own-team-and-limits", test_own_team_and_limits);
	ADD("help", test_help);
	ADD("routing", test_routing);
	ADD("large", test_large);
#undef ADD
	g_test_add_func("/urgent/says-ack", test_says_ack);
	return g_test_run();
}
