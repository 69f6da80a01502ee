/* Unit tests for meetings: the slot for a team in Berlin, New York,
 * Kolkata and Sydney across both March changes of daylight saving time,
 * with deep work and absence avoided; the invitation mailed to each member
 * (text, HTML and text/calendar; method=REQUEST); REPLY and COUNTER mails
 * as calendar programs send them, taken through ingest_mail(); CANCEL; and
 * the exported calendar. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "conf.h"
#include "ingest.h"
#include "itip.h"
#include "meet.h"
#include "message.h"
#include "store-meet.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-avail.h"
#include "testdb.h"
#include "testtime.h"

#define ADDRESS "standup@example.org"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
};

static void
add_member(struct fixture *f, const char *email, const char *name,
    const char *zone, int start, int end, const char *role)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new(email);

	g_free(p->name);
	p->name = g_strdup(name);
	g_free(p->zone);
	p->zone = g_strdup(zone);
	p->work_start = start;
	p->work_end = end;
	g_assert_true(store_person_save(f->t.st, p, &error));
	g_assert_true(store_member_add(f->t.st, "platform", email, role,
	    &error));
	g_assert_no_error(error);
}

/* Working hours, in UTC, before 8 March / from 8 March / from 29 March:
 * Ana 09-17 Berlin (08-16, 08-16, 07-15), Bob 07-15 New York (12-20,
 * 11-19, 11-19), Priya 12-20 Kolkata (06:30-14:30), Kai 22-06 Sydney
 * (11-19 until 5 April).  All four overlap from 12:00 (then 11:00) to
 * 14:30. */
static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	testenv_open(&f->t, ADDRESS, data);
	g_assert_true(store_team_add(f->t.st, "platform", "Platform",
	    "Europe/Berlin", &error));
	add_member(f, "ana@example.org", "Ana Lima", "Europe/Berlin", 9 * 60,
	    17 * 60, "owner");
	add_member(f, "bob@example.org", "Bob Stone", "America/New_York",
	    7 * 60, 15 * 60, "member");
	add_member(f, "priya@example.org", "Priya Nair", "Asia/Kolkata",
	    12 * 60, 20 * 60, "member");
	add_member(f, "kai@example.org", "Kai Tan", "Australia/Sydney",
	    22 * 60, 6 * 60, "member");
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));
	clock_set(utc("2026-03-27T09:00:00Z"));
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	clock_set(0);
	tidings_ctx_clear(&f->env);
	testenv_close(&f->t);
}

static gint64
sql_int(struct fixture *f, const char *sql)
{
	return testdb_int(f->t.db, sql);
}

static void
block(struct fixture *f, const char *email, const char *kind,
    const char *start, const char *end, const char *rrule, const char *zone)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = store_person_get(f->t.st, email, &error);
	struct availability a = {
		.person_id = p->id,
		.kind = (char *)kind,
		.starts_at = utc(start),
		.ends_at = utc(end),
		.rrule = (char *)rrule,
		.zone = (char *)zone,
		.source = (char *)"cli",
	};

	g_assert_true(store_availability_add(f->t.st, &a, utc(start), &error));
	g_assert_no_error(error);
}

static gint64
pick(struct fixture *f, const char *now, guint *working, guint *away)
{
	g_autoptr(GError) error = NULL;
	struct meet_slot s;
	gint64 start;

	g_assert_true(meet_pick(f->t.st, "platform", utc(now), 30 * 60,
	    5 * 86400, &s, &error));
	g_assert_no_error(error);
	g_assert_cmpint(s.end - s.start, ==, 30 * 60);
	g_assert_cmpint(s.start % MEET_STEP, ==, 0);
	g_assert_cmpuint(s.members, ==, 4);
	*working = s.working;
	*away = s.away->len;
	start = s.start;
	meet_slot_clear(&s);
	return start;
}

static void
test_slot_dst(struct fixture *f, gconstpointer data)
{
	guint working, away;

	/* Winter everywhere in the north: 12:00 UTC, when Bob starts. */
	g_assert_cmpint(pick(f, "2026-03-02T00:00:00Z", &working, &away), ==,
	    utc("2026-03-02T12:00:00Z"));
	g_assert_cmpuint(working, ==, 4);
	g_assert_cmpuint(away, ==, 0);
	/* New York moved on 8 March, Berlin not yet: an hour earlier. */
	g_assert_cmpint(pick(f, "2026-03-09T00:00:00Z", &working, &away), ==,
	    utc("2026-03-09T11:00:00Z"));
	g_assert_cmpuint(working, ==, 4);
	/* From the 15-minute grid on, never in the past. */
	g_assert_cmpint(pick(f, "2026-03-09T11:07:00Z", &working, &away), ==,
	    utc("2026-03-09T11:15:00Z"));
	/* Friday afternoon past the overlap: Monday. */
	g_assert_cmpint(pick(f, "2026-03-13T14:10:00Z", &working, &away), ==,
	    utc("2026-03-16T11:00:00Z"));
}

static void
test_slot_deep_work_away(struct fixture *f, gconstpointer data)
{
	guint working, away;

	/* Ana's deep work, 13:00-14:00 in Berlin on weekdays: 12:00 UTC in
	 * winter, 11:00 UTC in summer. */
	block(f, "ana@example.org", "deep-work", "2026-03-02T12:00:00Z",
	    "2026-03-02T13:00:00Z", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;"
	    "BYHOUR=13;BYMINUTE=0", "Europe/Berlin");
	/* Before the European change it does not touch 11:00 UTC. */
	g_assert_cmpint(pick(f, "2026-03-09T00:00:00Z", &working, &away), ==,
	    utc("2026-03-09T11:00:00Z"));
	/* After 29 March it covers 11:00-12:00 UTC: 12:00 then. */
	g_assert_cmpint(pick(f, "2026-03-30T00:00:00Z", &working, &away), ==,
	    utc("2026-03-30T12:00:00Z"));
	g_assert_cmpuint(working, ==, 4);
	/* Priya away on Monday 30 March: Tuesday, with everyone. */
	block(f, "priya@example.org", "away", "2026-03-29T18:30:00Z",
	    "2026-03-30T18:30:00Z", NULL, NULL);
	g_assert_cmpint(pick(f, "2026-03-30T00:00:00Z", &working, &away), ==,
	    utc("2026-03-31T12:00:00Z"));
	g_assert_cmpuint(away, ==, 0);
	g_assert_cmpuint(working, ==, 4);
	/* Away for the whole window: the best of the rest, her absence
	 * said. */
	block(f, "priya@example.org", "away", "2026-03-29T18:30:00Z",
	    "2026-04-10T18:30:00Z", NULL, NULL);
	g_assert_cmpint(pick(f, "2026-03-30T00:00:00Z", &working, &away), ==,
	    utc("2026-03-30T12:00:00Z"));
	g_assert_cmpuint(away, ==, 1);
	g_assert_cmpuint(working, ==, 3);
}

static void
test_slot_none(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct meet_slot s;

	/* A Saturday and Sunday window: nobody works. */
	g_assert_false(meet_pick(f->t.st, "platform",
	    utc("2026-03-28T00:00:00Z"), 30 * 60, 86400, &s, &error));
	g_assert_error(error, MEET_ERROR, MEET_ERROR_NO_SLOT);
}

/* Asks the team to a meeting on Tuesday 31 March at 13:00 UTC, the time
 * of the samples. */
static char *
request(struct fixture *f)
{
	g_autoptr(GError) error = NULL;
	struct meet_slot s = { .start = utc("2026-03-31T13:00:00Z"),
	    .end = utc("2026-03-31T13:30:00Z"), .members = 4, .working = 4 };
	char *uid = NULL;

	g_assert_true(meet_request(&f->env, "platform", &s, "Platform sync",
	    utc("2026-03-27T09:00:00Z"), &uid, &error));
	g_assert_no_error(error);
	return uid;
}

static char *own(struct fixture *f, const char *uid, const char *email);

/* The calendar TEXT sent to TO is organised by TO's own address for UID,
 * and names no other attendee's. */
static void
assert_organizer(struct fixture *f, const char *uid, const char *text,
    const char *to)
{
	g_autofree char *mine = own(f, uid, to);
	g_autofree char *line = g_strdup_printf("ORGANIZER;CN=Platform:mailto:"
	    "%s", mine);
	const char *at = strstr(text, line);

	g_assert_nonnull(at);
	g_assert_true(at[strlen(line)] == '\r' || at[strlen(line)] == '\n');
	g_assert_cmpint(strstr(text, "+meet-") - strstr(text, mine), ==,
	    strlen("standup"));
	g_assert_null(strstr(strstr(text, "+meet-") + 1, "+meet-"));
}

static void
test_request(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uid = request(f);
	g_autoptr(GPtrArray) out = store_outbox_due(f->t.st,
	    utc("2026-03-27T09:00:00Z"), 0, &error);
	g_autoptr(Meeting) m = store_meeting_get(f->t.st, uid, &error);

	g_assert_no_error(error);
	g_assert_cmpint(m->sequence, ==, 0);
	g_assert_cmpstr(m->state, ==, "requested");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM attendees WHERE "
	    "partstat = 'NEEDS-ACTION'"), ==, 4);
	g_assert_cmpuint(out->len, ==, 4);
	for (guint i = 0; i < out->len; i++) {
		const struct outbox_entry *e = out->pdata[i];
		g_autoptr(Message) msg = message_parse(e->raw, 0, &error);
		g_autoptr(GPtrArray) cal = NULL;
		const struct message_part *p;
		g_autofree char *method = NULL;

		g_assert_no_error(error);
		g_assert_cmpstr(msg->from, ==, "standup+platform@example.org");
		g_assert_true(g_str_has_prefix(message_header(msg,
		    "Content-Type"), "multipart/alternative"));
		g_assert_nonnull(msg->html);
		cal = message_parts_of_type(msg, "text/calendar");
		g_assert_cmpuint(cal->len, ==, 1);
		p = cal->pdata[0];
		g_assert_cmpstr(p->method, ==, "REQUEST");
		method = itip_method(p->text);
		g_assert_cmpstr(method, ==, p->method);
		g_assert_nonnull(strstr(p->text, uid));
		assert_organizer(f, uid, p->text, msg->to->pdata[0]);
		g_assert_cmpuint(((struct message_part *)
		    msg->parts->pdata[msg->parts->len - 1])->depth, ==, 1);
		g_assert_true(itip_check(p->text, &error));
		g_assert_no_error(error);
		/* Each member reads their own local time. */
		if (strcmp(msg->to->pdata[0], "kai@example.org") == 0)
			g_assert_nonnull(strstr(msg->text, "Wed 1 Apr 00:00 to "
			    "00:30, your time (Australia/Sydney)"));
		if (strcmp(msg->to->pdata[0], "bob@example.org") == 0)
			g_assert_nonnull(strstr(msg->text, "Tue 31 Mar 09:00"));
	}
}

/* EMAIL's own address for meeting UID, where their answers go. */
static char *
own(struct fixture *f, const char *uid, const char *email)
{
	g_autoptr(GError) error = NULL;
	char *address = meet_attendee_address(&f->env, uid, email, &error);

	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(address, "standup+meet-"));
	g_assert_true(g_str_has_suffix(address, "@example.org"));
	return address;
}

/* A mail from FROM to TO (NULL: the team's address) carrying the sample
 * NAME for UID: in a multipart/alternative as text/calendar;
 * method=METHOD, or with METHOD NULL as an application/ics attachment
 * without one (as Google sends it too). */
static char *
reply_mail(const char *from, const char *to, const char *name,
    const char *uid, const char *method)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..",
	    "data", "ics", name, NULL);
	g_autofree char *text = NULL;
	g_autoptr(GString) ics = NULL;
	static int n;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	ics = g_string_new(text);
	g_string_replace(ics, "@UID@", uid, 0);
	g_string_replace(ics, "\n", "\r\n", 0);
	return g_strdup_printf("From: %s\nTo: %s\n"
	    "Subject: Answer: Platform sync\nMessage-ID: <itip%d@example.org>\n"
	    "Date: Fri, 27 Mar 2026 10:00:00 +0000\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b1\n\n--b1\n"
	    "Content-Type: text/plain; charset=utf-8\n\nMy answer.\n\n--b1\n"
	    "Content-Type: %s%s%s\n%s\n%s\n--b1--\n", from,
	    to != NULL ? to : "standup+platform@example.org", ++n,
	    method != NULL ? "text/calendar; charset=UTF-8; method=" :
	    "application/ics; name=invite.ics",
	    method != NULL ? method : "", "",
	    method != NULL ? "" : "Content-Disposition: attachment; "
	    "filename=invite.ics\n", ics->str);
}

static void
ingest(struct fixture *f, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpint(res.outcome, ==, INGEST_STORED);
	ingest_result_clear(&res);
}

static char *
partstat(struct fixture *f, const char *email)
{
	g_autofree char *sql = g_strdup_printf("SELECT a.partstat FROM "
	    "attendees a JOIN people p ON p.id = a.person_id WHERE p.email = "
	    "'%s'", email);

	return testdb_text(f->t.db, sql);
}

#define assert_partstat(f, email, want) G_STMT_START {			\
	g_autofree char *got_ = partstat(f, email);			\
	g_assert_cmpstr(got_, ==, want);				\
} G_STMT_END

/* Declares own_WHO, WHO@example.org's own address for meeting UID. */
#define OWN(who) \
	g_autofree char *own_##who = own(f, uid, #who "@example.org")

static void
test_replies(struct fixture *f, gconstpointer data)
{
	g_autofree char *uid = request(f);
	OWN(ana);
	OWN(bob);
	OWN(priya);
	OWN(kai);
	g_autofree char *g = NULL, *o = NULL, *oc = NULL, *a = NULL;
	g_autofree char *eve = NULL, *unknown = NULL;
	gint64 queued = sql_int(f, "SELECT count(*) FROM outbox");

	/* Google: ATTENDEE in other case, as application/ics alone. */
	g = reply_mail("Ana Lima <ana@example.org>", own_ana,
	    "reply-google.ics", uid, NULL);
	ingest(f, g);
	assert_partstat(f, "ana@example.org", "ACCEPTED");
	o = reply_mail("Priya Nair <priya@example.org>", own_priya,
	    "reply-outlook.ics", uid, "REPLY");
	ingest(f, o);
	assert_partstat(f, "priya@example.org", "DECLINED");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM attendees WHERE "
	    "comment LIKE 'Sorry, I am at a customer%'"), ==, 1);
	/* outlook.com: no ORGANIZER. */
	oc = reply_mail("bob@example.org", own_bob, "reply-outlook-com.ics",
	    uid, "REPLY");
	ingest(f, oc);
	assert_partstat(f, "bob@example.org", "TENTATIVE");
	a = reply_mail("Kai <kai@example.org>", own_kai,
	    "reply-apple.ics", uid, "REPLY");
	ingest(f, a);
	assert_partstat(f, "kai@example.org", "ACCEPTED");
	/* The times these replies carry are the meeting's: no proposal. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM attendees WHERE "
	    "counter_start IS NOT NULL"), ==, 0);
	/* Someone else sending Priya's answer, even to her own address, and
	 * a reply for a meeting tidings never asked to, change nothing. */
	eve = reply_mail("Eve <eve@example.org>", own_priya,
	    "reply-outlook.ics", uid, "REPLY");
	ingest(f, eve);
	assert_partstat(f, "priya@example.org", "DECLINED");
	unknown = reply_mail("Ana <ana@example.org>", own_ana,
	    "reply-outlook.ics", "nothing@example.org", "REPLY");
	ingest(f, unknown);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "trusted = 0 AND (trust_reason LIKE 'the answer of % was sent by "
	    "eve%' OR trust_reason LIKE 'sent to a meeting address that is "
	    "not priya@example.org''s for nothing@example.org, and %')"), ==,
	    2);
	/* Never answered: nothing more in the outbox. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox"), ==, queued);
}

static void
test_counter(struct fixture *f, gconstpointer data)
{
	g_autofree char *uid = request(f);
	OWN(bob);
	OWN(priya);
	g_autofree char *c = NULL, *g = NULL, *n = NULL;

	c = reply_mail("priya@example.org", own_priya,
	    "counter-outlook.ics", uid, "COUNTER");
	ingest(f, c);
	g_assert_cmpint(sql_int(f, "SELECT counter_start FROM attendees a "
	    "JOIN people p ON p.id = a.person_id WHERE p.email = "
	    "'priya@example.org'"), ==, utc("2026-03-31T12:00:00Z"));
	assert_partstat(f, "priya@example.org", "TENTATIVE");
	/* The owner, Ana, is told; only she. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.kind = "
	    "'invite-counter' AND r.address = 'ana@example.org'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'invite-counter'"), ==, 1);
	/* Google's proposal as a COUNTER, then as a REPLY with a new time. */
	g = reply_mail("bob@example.org", own_bob,
	    "reply-google-proposal.ics", uid, "COUNTER");
	ingest(f, g);
	g_assert_cmpint(sql_int(f, "SELECT counter_start FROM attendees a "
	    "JOIN people p ON p.id = a.person_id WHERE p.email = "
	    "'bob@example.org'"), ==, utc("2026-04-01T14:00:00Z"));
	n = reply_mail("bob@example.org", own_bob,
	    "reply-google-newtime.ics", uid, NULL);
	ingest(f, n);
	g_assert_cmpint(sql_int(f, "SELECT counter_start FROM attendees a "
	    "JOIN people p ON p.id = a.person_id WHERE p.email = "
	    "'bob@example.org'"), ==, utc("2026-04-02T08:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM attendees WHERE "
	    "comment = 'Thursday morning instead?'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'invite-counter'"), ==, 3);
}

/* The updates queued at NOW: each a REQUEST of the meeting at its new
 * time, SEQUENCE 1, for every attendee. */
static void
assert_updates(struct fixture *f, const char *uid, const char *now,
    const char *dtstart)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) out = store_outbox_due(f->t.st, utc(now), 0,
	    &error);
	guint updates = 0;

	g_assert_no_error(error);
	for (guint i = 0; i < out->len; i++) {
		const struct outbox_entry *e = out->pdata[i];
		g_autoptr(Message) msg = message_parse(e->raw, 0, &error);
		g_autoptr(GPtrArray) cal = message_parts_of_type(msg,
		    "text/calendar");
		const struct message_part *p;

		if (cal->len == 0 || !g_str_has_prefix(msg->subject,
		    "Moved: "))
			continue;
		p = cal->pdata[0];
		updates++;
		g_assert_cmpstr(p->method, ==, "REQUEST");
		g_assert_nonnull(strstr(p->text, uid));
		g_assert_nonnull(strstr(p->text, "SEQUENCE:1"));
		g_assert_nonnull(strstr(p->text, dtstart));
		assert_organizer(f, uid, p->text, msg->to->pdata[0]);
		g_assert_true(itip_check(p->text, &error));
		g_assert_no_error(error);
		if (strcmp(msg->to->pdata[0], "bob@example.org") == 0)
			g_assert_nonnull(strstr(msg->text, "moves to Wed 1 Apr "
			    "10:00 to 10:30, your time (America/New_York)"));
	}
	g_assert_cmpuint(updates, ==, 4);
}

/* tidings meet --accept: the meeting moves to the time proposed, under a
 * higher SEQUENCE, every attendee asked anew and sent the update. */
static void
test_accept(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uid = request(f);
	g_autofree char *c = NULL, *g = NULL;
	g_autoptr(Meeting) m = NULL;
	gint64 start, end;
	OWN(bob);
	OWN(priya);

	/* Nothing proposed yet. */
	g_assert_false(meet_accept(&f->env, uid, NULL, utc("2026-03-27T11:00:00Z"),
	    &start, &end, &error));
	g_assert_error(error, MEET_ERROR, MEET_ERROR_NO_PROPOSAL);
	g_clear_error(&error);
	c = reply_mail("priya@example.org", own_priya,
	    "counter-outlook.ics", uid, "COUNTER");
	ingest(f, c);
	g = reply_mail("bob@example.org", own_bob,
	    "reply-google-proposal.ics", uid, "COUNTER");
	ingest(f, g);
	/* Kai proposed nothing. */
	g_assert_false(meet_accept(&f->env, uid, "kai@example.org",
	    utc("2026-03-27T11:00:00Z"), &start, &end, &error));
	g_assert_error(error, MEET_ERROR, MEET_ERROR_NO_PROPOSAL);
	g_clear_error(&error);
	/* Bob's, named. */
	g_assert_true(meet_accept(&f->env, uid, "bob@example.org",
	    utc("2026-03-27T11:00:00Z"), &start, &end, &error));
	g_assert_no_error(error);
	g_assert_cmpint(start, ==, utc("2026-04-01T14:00:00Z"));
	m = store_meeting_get(f->t.st, uid, &error);
	g_assert_cmpint(m->sequence, ==, 1);
	g_assert_cmpint(m->starts_at, ==, utc("2026-04-01T14:00:00Z"));
	g_assert_cmpint(m->ends_at - m->starts_at, ==, 30 * 60);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM attendees WHERE "
	    "partstat = 'NEEDS-ACTION' AND counter_start IS NULL"), ==, 4);
	assert_updates(f, uid, "2026-03-27T11:00:00Z", "20260401T");
	/* Answers to the old time no longer count as the new one's. */
	g_clear_pointer(&c, g_free);
	c = reply_mail("priya@example.org", own_priya,
	    "counter-outlook.ics", uid, "COUNTER");
	ingest(f, c);
	assert_partstat(f, "priya@example.org", "NEEDS-ACTION");
}

/* "accept" in reply to the notice of a proposal, from the owner and
 * vouched for by her server: the meeting moves and she is told; the same
 * from a member who is no owner, or unvouched, moves nothing. */
static void
test_accept_by_mail(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uid = request(f);
	g_autofree char *c = NULL, *notice = NULL, *mail = NULL;
	g_autoptr(Meeting) m = NULL;
	OWN(bob);
	static const char *const auth = "Authentication-Results: "
	    "mx.example.org; dmarc=pass header.from=example.org\n";

	c = reply_mail("bob@example.org", own_bob,
	    "reply-google-proposal.ics", uid, "COUNTER");
	ingest(f, c);
	notice = testdb_text(f->t.db, "SELECT message_id FROM outbox WHERE "
	    "kind = 'invite-counter'");
	g_assert_nonnull(notice);
	/* Forged: Ana's address, no server's word for it. */
	mail = g_strdup_printf("From: Ana Lima <ana@example.org>\nTo: %s\n"
	    "Subject: Re: New time proposed\nMessage-ID: <acc1@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Fri, 27 Mar 2026 11:00:00 +0000\n\n"
	    "Accept\n\n> Bob proposes another time\n", ADDRESS, notice);
	ingest(f, mail);
	m = store_meeting_get(f->t.st, uid, &error);
	g_assert_cmpint(m->sequence, ==, 0);
	g_clear_pointer(&m, meeting_free);
	/* Bob is no owner, vouched for or not. */
	g_free(mail);
	mail = g_strdup_printf("%sFrom: bob@example.org\nTo: %s\n"
	    "Subject: Re: New time proposed\nMessage-ID: <acc2@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Fri, 27 Mar 2026 11:00:00 +0000\n\n"
	    "accept\n", auth, ADDRESS, notice);
	ingest(f, mail);
	m = store_meeting_get(f->t.st, uid, &error);
	g_assert_cmpint(m->sequence, ==, 0);
	g_clear_pointer(&m, meeting_free);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE subject "
	    "LIKE 'Not moved: %'"), ==, 1);
	/* Ana, vouched for. */
	g_free(mail);
	mail = g_strdup_printf("%sFrom: Ana Lima <ana@example.org>\nTo: %s\n"
	    "Subject: Re: New time proposed\nMessage-ID: <acc3@example.org>\n"
	    "In-Reply-To: <%s>\nReferences: <%s>\n"
	    "Date: Fri, 27 Mar 2026 11:00:00 +0000\n\nAccept.\n\n"
	    "On Fri, tidings wrote:\n> Bob proposes another time\n", auth,
	    ADDRESS, notice, notice);
	ingest(f, mail);
	m = store_meeting_get(f->t.st, uid, &error);
	g_assert_cmpint(m->sequence, ==, 1);
	g_assert_cmpint(m->starts_at, ==, utc("2026-04-01T14:00:00Z"));
	assert_updates(f, uid, "2026-03-27T11:00:00Z", "20260401T");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.subject LIKE "
	    "'Moved: Platform sync now on %' AND o.kind = 'reply' AND "
	    "r.address = 'ana@example.org'"), ==, 1);
}

/* An answer speaks for the attendee when it comes to their own address
 * for the meeting, or with a trusted server's word for its From; a forged
 * one is kept with why, changes nothing and is answered by nobody. */
static void
test_trust(struct fixture *f, gconstpointer data)
{
	g_autofree char *uid = request(f);
	g_autofree char *forged = NULL, *other = NULL, *counter = NULL;
	g_autofree char *mda = NULL, *delivered = NULL, *authed = NULL;
	g_autofree char *plain = NULL, *old = NULL, *upper = NULL;
	g_autofree char *kai = NULL, *text = NULL;
	gint64 queued = sql_int(f, "SELECT count(*) FROM outbox");
	OWN(ana);
	OWN(kai);

	/* The right UID, Ana's address in From, to the team's address. */
	forged = reply_mail("Ana Lima <ana@example.org>", NULL,
	    "reply-google.ics", uid, NULL);
	ingest(f, forged);
	assert_partstat(f, "ana@example.org", "NEEDS-ACTION");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "trusted = 0 AND trust_reason LIKE 'not sent to the attendee''s "
	    "own address for the meeting, and %'"), ==, 1);
	/* Bob's answer sent to Ana's address, which is not his. */
	other = reply_mail("bob@example.org", own_ana, "reply-outlook-com.ics",
	    uid, "REPLY");
	ingest(f, other);
	assert_partstat(f, "bob@example.org", "NEEDS-ACTION");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "trusted = 0 AND trust_reason LIKE 'sent to a meeting address "
	    "that is not bob@example.org''s for %'"), ==, 1);
	/* A proposal in Bob's name: not recorded, the owner not told. */
	counter = reply_mail("bob@example.org", NULL,
	    "reply-google-proposal.ics", uid, "COUNTER");
	ingest(f, counter);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM attendees WHERE "
	    "counter_start IS NOT NULL OR partstat <> 'NEEDS-ACTION'"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox"), ==, queued);
	/* Delivered to Ana's own address (an alias copy's To: the team's). */
	mda = reply_mail("Ana Lima <ana@example.org>", NULL,
	    "reply-google.ics", uid, NULL);
	delivered = g_strdup_printf("Delivered-To: %s\n%s", own_ana, mda);
	ingest(f, delivered);
	assert_partstat(f, "ana@example.org", "ACCEPTED");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "trusted = 1 AND trust_reason = 'from ana@example.org, to their "
	    "own address for the meeting'"), ==, 1);
	/* To the team's address with the server's word for the From. */
	plain = reply_mail("bob@example.org", NULL, "reply-outlook-com.ics",
	    uid, "REPLY");
	authed = g_strconcat("Authentication-Results: mx.example.org; "
	    "dmarc=pass header.from=example.org\n", plain, NULL);
	ingest(f, authed);
	assert_partstat(f, "bob@example.org", "TENTATIVE");
	/* A mail system that folds the address to upper case. */
	upper = g_ascii_strup(own_kai, -1);
	kai = reply_mail("Kai <kai@example.org>", upper, "reply-apple.ics",
	    uid, "REPLY");
	ingest(f, kai);
	assert_partstat(f, "kai@example.org", "ACCEPTED");
	/* Plain text to a meeting address is no command ("meet-..."), nor
	 * an answer: nothing is changed and nobody is answered. */
	text = g_strdup_printf("From: Ana Lima <ana@example.org>\nTo: %s\n"
	    "Subject: Re: Platform sync\nMessage-ID: <text1@example.org>\n"
	    "Date: Fri, 27 Mar 2026 10:30:00 +0000\n\nskip\n", own_ana);
	ingest(f, text);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "message_id = 'text1@example.org' AND kind = 'command'"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox"), ==, queued);
	/* Kai's own address holds across the meeting's updates. */
	g_assert_true(meet_cancel(&f->env, uid, utc("2026-03-28T09:00:00Z"),
	    NULL));
	old = own(f, uid, "KAI@example.org");
	g_assert_cmpstr(old, ==, own_kai);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox"), ==,
	    queued + 4);
}

static void
test_cancel(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uid = request(f);
	g_autoptr(Meeting) m = NULL;
	g_autoptr(GPtrArray) out = NULL;
	guint cancels = 0;

	g_assert_true(meet_cancel(&f->env, uid, utc("2026-03-28T09:00:00Z"),
	    &error));
	g_assert_no_error(error);
	m = store_meeting_get(f->t.st, uid, &error);
	g_assert_cmpstr(m->state, ==, "cancelled");
	g_assert_cmpint(m->sequence, ==, 1);
	out = store_outbox_due(f->t.st, utc("2026-03-28T09:00:00Z"), 0, &error);
	for (guint i = 0; i < out->len; i++) {
		const struct outbox_entry *e = out->pdata[i];
		g_autoptr(Message) msg = message_parse(e->raw, 0, &error);
		g_autoptr(GPtrArray) cal = message_parts_of_type(msg,
		    "text/calendar");
		const struct message_part *p = cal->pdata[0];

		if (g_strcmp0(p->method, "CANCEL") != 0)
			continue;
		cancels++;
		g_assert_nonnull(strstr(p->text, "SEQUENCE:1"));
		g_assert_nonnull(strstr(p->text, "STATUS:CANCELLED"));
		assert_organizer(f, uid, p->text, msg->to->pdata[0]);
		g_assert_true(itip_check(p->text, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpuint(cancels, ==, 4);
	g_assert_false(meet_cancel(&f->env, uid, utc("2026-03-28T09:00:00Z"),
	    &error));
	g_assert_error(error, MEET_ERROR, MEET_ERROR_CANCELLED);
}

static void
test_export(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uid = request(f);
	g_autofree char *ics = NULL, *one = NULL;

	block(f, "priya@example.org", "away", "2026-03-30T00:00:00Z",
	    "2026-04-01T00:00:00Z", NULL, NULL);
	block(f, "ana@example.org", "deep-work", "2026-03-02T12:00:00Z",
	    "2026-03-02T13:00:00Z", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;"
	    "BYHOUR=13;BYMINUTE=0", "Europe/Berlin");
	ics = meet_export(f->t.st, "platform", NULL,
	    "standup+platform@example.org", utc("2026-03-27T09:00:00Z"), 14,
	    &error);
	g_assert_no_error(error);
	g_assert_true(itip_check(ics, &error));
	g_assert_no_error(error);
	g_assert_nonnull(strstr(ics, "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:"
	    "20260330T000000Z/20260401T000000Z"));
	/* Deep work after the change: 11:00 UTC. */
	g_assert_nonnull(strstr(ics, "FREEBUSY;FBTYPE=BUSY:"
	    "20260330T110000Z/20260330T120000Z"));
	g_assert_nonnull(strstr(ics, uid));
	one = meet_export(f->t.st, "platform", "KAI@example.org",
	    "standup+platform@example.org", utc("2026-03-27T09:00:00Z"), 14,
	    &error);
	g_assert_no_error(error);
	g_assert_null(strstr(one, "ana@example.org"));
	g_assert_nonnull(strstr(one, "TZID:Australia/Sydney"));
	g_assert_null(meet_export(f->t.st, "platform", "eve@example.org",
	    "standup+platform@example.org", utc("2026-03-27T09:00:00Z"), 14,
	    &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
}

#define ADD(name, fn) \
	g_test_add("/meet/" name, struct fixture, NULL, setup, fn, teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("slot/dst", test_slot_dst);
	ADD("slot/deep-work-away", test_slot_deep_work_away);
	ADD("slot/none", test_slot_none);
	ADD("request", test_request);
	ADD("replies", test_replies);
	ADD("counter", test_counter);
	ADD("accept", test_accept);
	g_test_add("/meet/accept-by-mail", struct fixture,
	    "trusted-authserv-ids = mx.example.org\n", setup,
	    test_accept_by_mail, teardown);
	g_test_add("/meet/trust", struct fixture,
	    "trusted-authserv-ids = mx.example.org\n", setup, test_trust,
	    teardown);
	ADD("cancel", test_cancel);
	ADD("export", test_export);
	return g_test_run();
}
