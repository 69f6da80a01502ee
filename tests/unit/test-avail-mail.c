/* Unit tests for availability by mail, through ingest_mail as mail
 * arrives: the commands to LOCAL+availability@ (each, several in one
 * mail, a bad line that changes nothing, a stranger who changes nothing),
 * an attached .ics, a reply to a prompt that starts with a command, who,
 * out-of-office auto-replies that say when someone is back; and the
 * team's shared hours across both March changes of daylight saving. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "avail.h"
#include "avail-mail.h"
#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "conf.h"
#include "ingest.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "store-avail.h"
#include "testdb.h"
#include "testtime.h"

#define ADDRESS "standup@example.org"
/* The word of the trusted server that a mail is signed by example.org. */
#define AUTH "Authentication-Results: mx.example.org; dkim=pass " \
	"header.d=example.org\n"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
};

static void
add_member(struct fixture *f, const char *email, const char *name,
    const char *zone)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new(email);

	g_free(p->name);
	p->name = g_strdup(name);
	g_free(p->zone);
	p->zone = g_strdup(zone);
	g_assert_true(store_person_save(f->t.st, p, &error));
	g_assert_true(store_member_add(f->t.st, "platform", email, "member",
	    &error));
	g_assert_no_error(error);
}

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	testenv_open(&f->t, ADDRESS, "trusted-authserv-ids = mx.example.org\n");
	g_assert_true(store_team_add(f->t.st, "platform", "Platform",
	    "Europe/Berlin", &error));
	add_member(f, "ana@example.org", "Ana Lima", "Europe/Berlin");
	add_member(f, "bob@example.org", "Bob Stone", "America/New_York");
	add_member(f, "priya@example.org", "Priya Nair", "Asia/Kolkata");
	add_member(f, "liam@example.org", "Liam Chen", "Australia/Sydney");
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));
	/* Tuesday 1 December 2026, 10:00 in Berlin. */
	clock_set(utc("2026-12-01T09:00:00Z"));
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

static char *
sql_text(struct fixture *f, const char *sql)
{
	return testdb_text(f->t.db, sql);
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
	g_assert_cmpint(res.outcome, !=, INGEST_QUARANTINED);
	ingest_result_clear(&res);
}

/* A mail from FROM to standup+DETAIL@ with BODY, which the trusted
 * server says is signed by FROM's domain. */
static char *
command_mail(const char *from, const char *detail, const char *body)
{
	static int n;
	g_autofree char *domain = g_strdup(strchr(from, '@') + 1);

	domain[strcspn(domain, ">")] = '\0';
	return g_strdup_printf("Authentication-Results: mx.example.org; "
	    "dkim=pass header.d=%s\nFrom: %s\nTo: standup+%s@example.org\n"
	    "Subject: availability\nMessage-ID: <a%d@example.org>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\n%s", domain, from,
	    detail, ++n, body);
}

/* The text of the last reply queued. */
static char *
last_reply(struct fixture *f)
{
	return sql_text(f, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE kind = "
	    "'reply' ORDER BY id DESC LIMIT 1");
}

/* TEXT (taken) with the soft breaks of format=flowed undone, as a reader
 * shows it. */
static char *
unflowed(char *text)
{
	g_auto(GStrv) parts = g_strsplit(text, " \n", -1);

	g_free(text);
	return g_strjoinv(" ", parts);
}

static gint64
replies(struct fixture *f)
{
	return sql_int(f, "SELECT count(*) FROM outbox WHERE kind = 'reply'");
}

static void
test_commands(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = command_mail("Ana <ana@example.org>",
	    "availability", "zone Europe/Lisbon\nhours 08:00-16:00\n"
	    "days mon-thu\nooo 2026-12-20..2027-01-03\n"
	    "deep work mon-fri 09:00-12:00\nstatus traveling until friday\n\n"
	    "-- \nAna\n");
	g_autofree char *reply = NULL, *status = NULL;

	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT work_start * 10000 + work_end FROM "
	    "people WHERE email = 'ana@example.org'"), ==, 480 * 10000 + 960);
	g_assert_cmpint(sql_int(f, "SELECT workdays FROM people WHERE email = "
	    "'ana@example.org'"), ==, 0x0f);
	status = sql_text(f, "SELECT zone || ' ' || status FROM people WHERE "
	    "email = 'ana@example.org'");
	g_assert_cmpstr(status, ==, "Europe/Lisbon traveling");
	/* Friday 4 December is the last day of the status, in Lisbon. */
	g_assert_cmpint(sql_int(f, "SELECT status_until FROM people WHERE "
	    "email = 'ana@example.org'"), ==, utc("2026-12-05T00:00:00Z"));
	/* The dates are Lisbon's (set on the line before); the end is
	 * included. */
	g_assert_cmpint(sql_int(f, "SELECT starts_at FROM availability WHERE "
	    "kind = 'away' AND source = 'mail'"), ==, utc("2026-12-20T00:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT ends_at FROM availability WHERE "
	    "kind = 'away' AND source = 'mail'"), ==, utc("2027-01-04T00:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "kind = 'deep-work' AND rrule LIKE '%BYHOUR=9;BYMINUTE=0' AND "
	    "zone = 'Europe/Lisbon'"), ==, 1);
	g_assert_cmpint(replies(f), ==, 1);
	reply = last_reply(f);
	g_assert_nonnull(strstr(reply, "Subject: Your availability"));
	g_assert_nonnull(strstr(reply, "hours: 08:00-16:00"));
	g_assert_nonnull(strstr(reply, "out of office: Sun 20 Dec 2026 to "
	    "Sun 3 Jan 2027"));
	g_assert_nonnull(strstr(reply, "status: traveling"));
	/* The deep work rule in words, not as an RRULE. */
	g_free(reply);
	reply = unflowed(last_reply(f));
	g_assert_nonnull(strstr(reply, "09:00-12:00, every week on mon-fri "
	    "(Europe/Lisbon, mail)"));
	g_assert_null(strstr(reply, "FREQ="));

	/* A second deep work mail replaces the first; status clear. */
	g_free(m);
	m = command_mail("ana@example.org", "availability",
	    "deep work tue,thu 14:00-16:00\nstatus clear\n");
	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "kind = 'deep-work'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM people WHERE "
	    "status IS NOT NULL"), ==, 0);
	g_assert_cmpint(replies(f), ==, 2);
}

static void
test_bad_line(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = command_mail("bob@example.org", "availability",
	    "hours 07:00-15:00\nooo 2026-13-40..2027-01-03\nsnooze please\n");
	g_autofree char *reply = NULL;

	ingest(f, m);
	/* Nothing changed, not even the good line. */
	g_assert_cmpint(sql_int(f, "SELECT work_start FROM people WHERE "
	    "email = 'bob@example.org'"), ==, 9 * 60);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability"), ==, 0);
	reply = last_reply(f);
	g_assert_nonnull(reply);
	g_assert_nonnull(strstr(reply, "Subject: Not changed"));
	g_assert_nonnull(strstr(reply, "line 2: \"ooo 2026-13-40..2027-01-03\""));
	g_assert_nonnull(strstr(reply, "line 3: \"snooze please\": not a "
	    "command"));
}

static void
test_stranger(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = command_mail("eve@example.net", "availability",
	    "ooo 2026-12-02..2026-12-24\n");
	g_autofree char *forged = g_strdup_printf("From: ana@example.org\n"
	    "To: standup+availability@example.org\nSubject: x\n"
	    "Auto-Submitted: auto-generated\nMessage-ID: <f1@example.org>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\nooo 2026-12-02\n");

	ingest(f, m);
	ingest(f, forged);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability"), ==, 0);
	g_assert_cmpint(replies(f), ==, 0);
}

/* Anyone can write a member's address in From: availability by mail and
 * out-of-office auto-replies change nothing without the member's reply
 * address or a trusted server's word, and the forger is not answered. */
static void
test_forged(struct fixture *f, gconstpointer data)
{
	static const char forged[] = "From: Liam Chen <liam@example.org>\n"
	    "To: standup+availability@example.org\nSubject: availability\n"
	    "Message-ID: <forged1@example.net>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\n"
	    "zone Pacific/Auckland\nooo 2026-12-02..2026-12-24\n";
	static const char untrusted[] = "Authentication-Results: "
	    "mx.evil.example; dkim=pass header.d=example.org\n"
	    "From: liam@example.org\nTo: standup+availability@example.org\n"
	    "Subject: availability\nMessage-ID: <forged2@example.net>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\nooo 2026-12-02\n";
	static const char ooo[] = "From: Priya <priya@example.org>\n"
	    "To: standup@example.org\nSubject: Automatic reply: Daily\n"
	    "Auto-Submitted: auto-replied\nMessage-ID: <forged3@example.net>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\n"
	    "I am on leave and back on Monday 7 December.\n";
	g_autofree char *zone = NULL, *reason = NULL;

	ingest(f, forged);
	ingest(f, untrusted);
	ingest(f, ooo);
	zone = sql_text(f, "SELECT zone FROM people WHERE email = "
	    "'liam@example.org'");
	g_assert_cmpstr(zone, ==, "Australia/Sydney");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability"), ==, 0);
	g_assert_cmpint(replies(f), ==, 0);
	/* Kept, with why. */
	reason = sql_text(f, "SELECT trust_reason FROM messages WHERE "
	    "message_id = 'forged1@example.net'");
	g_assert_nonnull(reason);
	g_assert_nonnull(strstr(reason, "without a trusted "
	    "Authentication-Results header"));
}

static void
test_ics(struct fixture *f, gconstpointer data)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..",
	    "data", "ics", "google-ooo.ics", NULL);
	g_autofree char *ics = NULL, *m = NULL, *reply = NULL, *broken = NULL;

	g_assert_true(g_file_get_contents(path, &ics, NULL, NULL));
	m = g_strdup_printf(AUTH "From: ana@example.org\n"
	    "To: standup+availability@example.org\nSubject: my calendar\n"
	    "Message-ID: <ics1@example.org>\nMIME-Version: 1.0\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nhours 09:00-18:00\n--b\n"
	    "Content-Type: text/calendar; charset=utf-8; name=cal.ics\n"
	    "Content-Disposition: attachment; filename=cal.ics\n\n%s\n--b--\n",
	    ics);
	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "source = 'ics'"), ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT work_end FROM people WHERE "
	    "email = 'ana@example.org'"), ==, 18 * 60);
	reply = last_reply(f);
	g_assert_nonnull(strstr(reply, "calendar: 3 blocks"));
	/* The same calendar again replaces, and does not add. */
	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "source = 'ics'"), ==, 3);

	/* A broken calendar changes nothing and is answered with why. */
	broken = g_strdup_printf(AUTH "From: ana@example.org\n"
	    "To: standup+availability@example.org\nSubject: x\n"
	    "Message-ID: <ics2@example.org>\nMIME-Version: 1.0\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nhours 10:00-18:00\n--b\n"
	    "Content-Type: application/ics; name=bad.ics\n\n"
	    "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026\nEND:VEVENT\n"
	    "END:VCALENDAR\n--b--\n");
	ingest(f, broken);
	g_assert_cmpint(sql_int(f, "SELECT work_start FROM people WHERE "
	    "email = 'ana@example.org'"), ==, 9 * 60);
	g_free(reply);
	reply = last_reply(f);
	g_assert_nonnull(strstr(reply, "line 3: DTSTART \"2026\""));
}

static void
test_who(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = command_mail("bob@example.org", "who", "\n");
	g_autofree char *reply = NULL;

	ingest(f, m);
	reply = last_reply(f);
	g_assert_nonnull(reply);
	g_assert_nonnull(strstr(reply, "Subject: Who is around"));
	/* 10:00 in Berlin, 04:00 in New York, 14:30 in Kolkata. */
	g_assert_nonnull(strstr(reply, "Tue 10:00, working"));
	g_assert_nonnull(strstr(reply, "Tue 04:00, off"));
	g_assert_nonnull(strstr(reply, "working again Tue 09:00"));
	g_assert_nonnull(strstr(reply, "Tue 14:30, working"));
	/* Each member's name starts a line, and no line is indented: a
	 * client re-wrapping the flowed text cannot drop a continuation to
	 * the start of a line where it reads as a member. */
	g_free(reply);
	reply = unflowed(last_reply(f));
	g_assert_nonnull(strstr(reply, "\nAna Lima <ana@example.org>\n"
	    "Tue 10:00, working"));
	g_assert_nonnull(strstr(reply, "\nBob Stone <bob@example.org>\n"
	    "Tue 04:00, off"));
	g_assert_null(strstr(reply, "\n "));
}

static void
test_return_dates(struct fixture *f, gconstpointer data)
{
	static const struct {
		const char *text;
		const char *back;	/* the day back, in Berlin */
	} cases[] = {
		{ "I am out of the office and back on Monday 4 January.",
		  "2027-01-04" },
		{ "Out of office until 3 January", "2027-01-04" },
		{ "I'm away, returning 2027-01-05. For urgent matters...",
		  "2027-01-05" },
		{ "Ich bin ab dem 21.12. nicht im Büro und am 5. Januar "
		  "zurück", "2027-01-05" },
		{ "Ich bin bis einschließlich 8. Dezember nicht erreichbar.",
		  "2026-12-09" },
		{ "Ich bin zurück am 07.01.2027", "2027-01-07" },
		{ "I will be back on Friday.", "2026-12-04" },
		{ "I'm back January 11th", "2027-01-11" },
	};
	gint64 now = utc("2026-12-01T09:00:00Z");

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *day = NULL;
		gint64 t = avail_return_date(cases[i].text, "Europe/Berlin",
		    now);
		day = t != 0 ? sched_format("Europe/Berlin", t, "%Y-%m-%d") :
		    g_strdup("none");
		if (strcmp(day, cases[i].back) != 0)
			g_error("\"%s\": %s, not %s", cases[i].text, day,
			    cases[i].back);
	}
	g_assert_cmpint(avail_return_date("I am out of office.",
	    "Europe/Berlin", now), ==, 0);
}

static void
test_autoreply(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	struct checkin_stats s;
	static const char ooo[] = "Authentication-Results: mx.example.org; "
	    "dkim=pass header.d=example.org\nFrom: Priya <priya@example.org>\n"
	    "To: standup@example.org\nSubject: Automatic reply: Daily\n"
	    "Auto-Submitted: auto-replied\nMessage-ID: <o1@example.org>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\n"
	    "I am on leave and back on Monday 7 December.\n";

	ingest(f, ooo);
	g_assert_cmpint(sql_int(f, "SELECT ends_at FROM availability WHERE "
	    "source = 'autoreply' AND kind = 'away'"), ==,
	    utc("2026-12-06T18:30:00Z"));
	g_assert_cmpint(replies(f), ==, 0);

	/* Her prompts are skipped until then. */
	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=DAILY;BYHOUR=16;BYMINUTE=30");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = utc("2026-11-01T00:00:00Z");
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	{
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup("What did you do?");
		g_ptr_array_add(c->questions, q);
	}
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_true(checkin_tick(&f->env, utc("2026-12-02T11:00:00Z"), &s,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM prompts p JOIN "
	    "people e ON e.id = p.person_id WHERE e.email = "
	    "'priya@example.org' AND p.state = 'skipped' AND p.skip_reason "
	    "LIKE 'away%'"), ==, 1);
}

static void
test_prompt_reply(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	g_autofree char *token = NULL, *mid = NULL, *m = NULL;
	struct checkin_stats s;

	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=DAILY;BYHOUR=9;BYMINUTE=30");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = utc("2026-11-01T00:00:00Z");
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	{
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup("What did you do?");
		g_ptr_array_add(c->questions, q);
	}
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_true(checkin_tick(&f->env, utc("2026-12-01T08:30:00Z"), &s,
	    &error));
	token = sql_text(f, "SELECT p.token FROM prompts p JOIN people e ON "
	    "e.id = p.person_id WHERE e.email = 'ana@example.org'");
	mid = sql_text(f, "SELECT p.message_id FROM prompts p JOIN people e "
	    "ON e.id = p.person_id WHERE e.email = 'ana@example.org'");
	g_assert_nonnull(token);
	m = g_strdup_printf("From: ana@example.org\nTo: standup+%s@example.org\n"
	    "Subject: Re: Daily\nMessage-ID: <pr1@example.org>\n"
	    "In-Reply-To: <%s>\nDate: Tue, 01 Dec 2026 10:00:00 +0100\n\n"
	    "hours 10:00-18:00\nooo friday\n\nShipped the exporter.\n", token,
	    mid);
	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT work_start FROM people WHERE "
	    "email = 'ana@example.org'"), ==, 10 * 60);
	g_assert_cmpint(sql_int(f, "SELECT starts_at FROM availability WHERE "
	    "kind = 'away'"), ==, utc("2026-12-03T23:00:00Z"));
	/* A reply that is an answer stays one. */
	g_free(m);
	m = g_strdup_printf("From: bob@example.org\nTo: standup@example.org\n"
	    "Subject: Re: Daily\nMessage-ID: <pr2@example.org>\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n\nhours of debugging\n");
	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT work_start FROM people WHERE "
	    "email = 'bob@example.org'"), ==, 9 * 60);
}

/* The windows of DAY (UTC) in which at most one member is missing, as
 * "HH:MM-HH:MM" in UTC with who is missing. */
static char *
overlap_text(struct fixture *f, const char *day)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) w = avail_overlap(f->t.st, "platform", utc(day),
	    utc(day) + 86400, 900, 1, NULL, &error);
	GString *out = g_string_new(NULL);

	g_assert_no_error(error);
	for (guint i = 0; i < w->len; i++) {
		const struct avail_window *x = w->pdata[i];
		g_autofree char *a = sched_format("UTC", x->start, "%H:%M");
		g_autofree char *b = sched_format("UTC", x->end, "%H:%M");
		g_string_append_printf(out, "%s%s-%s", out->len > 0 ? " " : "",
		    a, b);
		for (guint k = 0; k < x->missing->len; k++)
			g_string_append_printf(out, "%s%s", k == 0 ? " -" : ",",
			    (char *)x->missing->pdata[k]);
	}
	return g_string_free(out, FALSE);
}

static void
test_overlap_dst(struct fixture *f, gconstpointer data)
{
	g_autofree char *before = NULL, *between = NULL, *after = NULL;
	g_autofree char *sydney = NULL;

	/* Everyone 07:00-22:00 local, so that four zones meet at all. */
	testdb_exec(f->t.db, "UPDATE people SET work_start = 420, "
	    "work_end = 1320, workdays = 127");

	/* Wednesday 4 March: Berlin +1, New York -5, Kolkata +5:30, Sydney
	 * +11.  Ana 06-21Z, Bob 12-03Z, Priya 01:30-16:30Z, Liam 20-11Z. */
	before = overlap_text(f, "2026-03-04T00:00:00Z");
	/* 11 March: New York has gone to -4 (8 March): Bob 11-02Z. */
	between = overlap_text(f, "2026-03-11T00:00:00Z");
	/* 1 April: Berlin +2 (29 March): Ana 05-20Z; Sydney still +11 until
	 * 5 April. */
	after = overlap_text(f, "2026-04-01T00:00:00Z");
	/* 8 April: Sydney +10 (5 April): Liam 21-12Z. */
	sydney = overlap_text(f, "2026-04-08T00:00:00Z");
	g_assert_cmpstr(before, ==, "01:30-03:00 -Ana Lima "
	    "06:00-11:00 -Bob Stone 12:00-16:30 -Liam Chen "
	    "20:00-21:00 -Priya Nair");
	g_assert_cmpstr(between, ==, "01:30-02:00 -Ana Lima "
	    "06:00-11:00 -Bob Stone 11:00-16:30 -Liam Chen "
	    "20:00-21:00 -Priya Nair");
	g_assert_cmpstr(after, ==, "01:30-02:00 -Ana Lima "
	    "05:00-11:00 -Bob Stone 11:00-16:30 -Liam Chen");
	/* Only then do all four share an hour. */
	g_assert_cmpstr(sydney, ==, "01:30-02:00 -Ana Lima "
	    "05:00-11:00 -Bob Stone 11:00-12:00 12:00-16:30 -Liam Chen");
}

/* A calendar of N one-hour events on the days after 10 December 2026,
 * their UIDs PREFIX-0@x, PREFIX-1@x, ... */
static void
add_events(GString *s, const char *prefix, guint n)
{
	g_string_append(s, "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t\n");
	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "BEGIN:VEVENT\nUID:%s-%u@x\n"
		    "DTSTAMP:20261201T000000Z\nDTSTART:202612%02uT%02u0000Z\n"
		    "DTEND:202612%02uT%02u3000Z\nSUMMARY:busy\nEND:VEVENT\n",
		    prefix, i, 10 + i / 20 % 20, i % 20, 10 + i / 20 % 20,
		    i % 20);
	g_string_append(s, "END:VCALENDAR\n");
}

/* A signed availability mail from FROM with PARTS calendar parts of
 * EVENTS events each. */
static char *
calendar_mail(const char *from, guint parts, guint events)
{
	static int n;
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, AUTH "From: %s\n"
	    "To: standup+availability@example.org\nSubject: my calendars\n"
	    "Message-ID: <cal%d@example.org>\nMIME-Version: 1.0\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n", from, ++n);
	for (guint i = 0; i < parts; i++) {
		g_autofree char *prefix = g_strdup_printf("p%u", i);
		g_string_append(s, "--b\nContent-Type: text/calendar\n\n");
		add_events(s, prefix, events);
	}
	g_string_append(s, "--b--\n");
	return g_string_free(s, FALSE);
}

/* A mail with more calendars than one mail may hold: the first ones are
 * applied, the rest not read, and the mail's note and the answer say
 * so. */
static void
test_calendar_cap(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = calendar_mail("ana@example.org",
	    AVAIL_MAX_CALENDARS + 5, 2);
	g_autofree char *reply = NULL, *note = NULL, *expect = NULL;

	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "source = 'ics'"), ==, AVAIL_MAX_CALENDARS * 2);
	expect = g_strdup_printf("5 calendars after the first %d were not "
	    "read", AVAIL_MAX_CALENDARS);
	reply = last_reply(f);
	g_assert_nonnull(strstr(reply, "Not applied, past what one mail may "
	    "hold"));
	g_assert_nonnull(strstr(reply, expect));
	note = sql_text(f, "SELECT reason FROM messages WHERE message_id "
	    "LIKE 'cal%' ORDER BY id DESC LIMIT 1");
	g_assert_nonnull(note);
	g_assert_true(g_str_has_prefix(note, "not applied: "));
	g_assert_nonnull(strstr(note, expect));
	g_free(note);
	note = sql_text(f, "SELECT state FROM messages WHERE "
	    "message_id LIKE 'cal%' ORDER BY id DESC LIMIT 1");
	g_assert_cmpstr(note, ==, "processed");
}

/* Events past the blocks one mail may hold are left out whole, and the
 * events within are stored. */
static void
test_block_cap(struct fixture *f, gconstpointer data)
{
	g_autofree char *m = calendar_mail("bob@example.org", 1,
	    AVAIL_MAX_BLOCKS + 7);
	g_autofree char *reply = NULL, *expect = NULL;

	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "source = 'ics'"), ==, AVAIL_MAX_BLOCKS);
	expect = g_strdup_printf("7 events past the first %d blocks of time "
	    "were not stored", AVAIL_MAX_BLOCKS);
	reply = last_reply(f);
	g_assert_nonnull(strstr(reply, expect));
}

/* The store's work for a calendar of N events, for PERSON, stored twice
 * (the second replaces the first). */
static gint64
work_for(struct fixture *f, const char *person, guint n)
{
	g_autofree char *m = calendar_mail(person, 1, n);
	gint64 before;

	ingest(f, m);
	before = store_work_done(f->t.st);
	g_free(m);
	m = calendar_mail(person, 1, n);
	ingest(f, m);
	return store_work_done(f->t.st) - before;
}

/* Storing a calendar costs the store work in proportion to its events,
 * counted in SQLite's steps: four times the events, about four times the
 * work, not sixteen. */
static void
test_linear(struct fixture *f, gconstpointer data)
{
	gint64 small, large;

	if (testdb_sqlite_only("the store's work is counted in SQLite's "
	    "steps"))
		return;
	small = work_for(f, "priya@example.org", 100);
	large = work_for(f, "liam@example.org", 400);
	g_test_message("store steps: %" G_GINT64_FORMAT " for 100 events, %"
	    G_GINT64_FORMAT " for 400", small, large);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "source = 'ics'"), ==, 500);
	g_assert_cmpint(large, <, small * 5);
}

/* A sentence and a signature around an attached calendar: the calendar
 * is taken, the prose left aside, and the answer says which lines. */
static void
test_prose_and_ics(struct fixture *f, gconstpointer data)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..",
	    "data", "ics", "google-ooo.ics", NULL);
	g_autofree char *ics = NULL, *m = NULL, *reply = NULL;

	g_assert_true(g_file_get_contents(path, &ics, NULL, NULL));
	m = g_strdup_printf(AUTH "From: ana@example.org\n"
	    "To: standup+availability@example.org\nSubject: my calendar\n"
	    "Message-ID: <prose1@example.org>\nMIME-Version: 1.0\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nHi, here is my calendar for the "
	    "weeks ahead.\nhours 09:00-18:00\n\nThanks!\nAna\n--b\n"
	    "Content-Type: text/calendar; charset=utf-8; name=cal.ics\n"
	    "Content-Disposition: attachment; filename=cal.ics\n\n%s\n--b--\n",
	    ics);
	ingest(f, m);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "source = 'ics'"), ==, 3);
	g_assert_cmpint(sql_int(f, "SELECT work_end FROM people WHERE "
	    "email = 'ana@example.org'"), ==, 18 * 60);
	reply = unflowed(last_reply(f));
	g_test_message("%s", reply);
	g_assert_null(strstr(reply, "Not changed"));
	g_assert_nonnull(strstr(reply, "left aside"));
	g_assert_nonnull(strstr(reply, "- \"Hi, here is my calendar for the "
	    "weeks ahead.\""));
	g_assert_nonnull(strstr(reply, "- \"Thanks!\""));
	g_assert_nonnull(strstr(reply, "- \"Ana\""));
	g_assert_nonnull(strstr(reply, "calendar: 3 blocks"));
}

#define ADD(name, fn) \
	g_test_add("/avail-mail/" name, struct fixture, NULL, setup, fn, \
	    teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("commands", test_commands);
	ADD("bad-line", test_bad_line);
	ADD("stranger", test_stranger);
	ADD("forged", test_forged);
	ADD("ics", test_ics);
	ADD("who", test_who);
	ADD("return-dates", test_return_dates);
	ADD("autoreply", test_autoreply);
	ADD("prompt-reply", test_prompt_reply);
	ADD("overlap-dst", test_overlap_dst);
	ADD("calendar-cap", test_calendar_cap);
	ADD("block-cap", test_block_cap);
	ADD("linear", test_linear);
	ADD("prose-and-ics", test_prose_and_ics);
	return g_test_run();
}
