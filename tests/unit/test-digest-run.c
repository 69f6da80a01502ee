/* Unit tests for sending digests: the period claimed once, one copy per
 * active subscriber in their format with their own List-Unsubscribe, the
 * body stored once per format, the schedule in the team's zone, and
 * comments made by replying to a digest. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "conf.h"
#include "digest.h"
#include "digest-run.h"
#include "ingest.h"
#include "message.h"
#include "store.h"
#include "store-avail.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-checkin.h"
#include "store-subscription.h"
#include "testdb.h"
#include "subscription.h"
#include "testtime.h"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
};

static gint64
sql_int(struct fixture *f, const char *sql)
{
	return testdb_int(f->t.db, sql);
}

/* TEXT with "<DIGEST>" made the Message-ID of the last digest sent: a
 * random one, which tells no team and no time. */
static char *
digest_reply(struct fixture *f, const char *text)
{
	g_autofree char *mid = testdb_text(f->t.db, "SELECT message_id FROM "
	    "digests ORDER BY id DESC LIMIT 1");
	g_auto(GStrv) parts = g_strsplit(text, "DIGEST", -1);

	g_assert_nonnull(mid);
	return g_strjoinv(mid, parts);
}

static void
ingest(struct fixture *f, const char *template)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = strstr(template, "<DIGEST>") != NULL ?
	    digest_reply(f, template) : g_strdup(template);
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	ingest_result_clear(&res);
}

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *token = NULL, *mid = NULL, *reply = NULL;
	g_autoptr(Person) ana = person_new("ana@example.org");
	g_autoptr(Team) t = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	struct question *q = g_new0(struct question, 1);
	struct checkin_stats stats;
	g_autoptr(GPtrArray) prompts = NULL;

	testenv_open(&f->t, "standup@example.org",
	    "trusted-authserv-ids = mx.example.org\n");
	clock_set(utc("2026-03-25T00:00:00Z"));
	g_assert_true(store_team_add(f->t.st, "platform", "Platform",
	    "Europe/Berlin", &error));
	t = store_team_get(f->t.st, "platform", &error);
	t->digest_rrule = g_strdup("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;"
	    "BYHOUR=9;BYMINUTE=0");
	g_assert_true(store_team_set(f->t.st, t, &error));
	g_free(ana->zone);
	ana->zone = g_strdup("Europe/Berlin");
	g_assert_true(store_person_save(f->t.st, ana, &error));
	g_assert_true(store_member_add(f->t.st, "platform", "ana@example.org",
	    "member", &error));
	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;"
	    "BYMINUTE=30");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = clock_now();
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	q->text = g_strdup("What did you work on?");
	g_ptr_array_add(c->questions, q);
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));

	/* Ana is asked on Friday the 27th and answers. */
	g_assert_true(checkin_tick(&f->env, utc("2026-03-27T15:30:00Z"),
	    &stats, &error));
	prompts = store_prompt_list(f->t.st, NULL, 0, &error);
	g_assert_cmpuint(prompts->len, ==, 1);
	token = g_strdup(((struct prompt *)prompts->pdata[0])->token);
	mid = g_strdup(((struct prompt *)prompts->pdata[0])->message_id);
	clock_set(utc("2026-03-27T16:00:00Z"));
	reply = g_strdup_printf("From: ana@example.org\n"
	    "To: standup+%s@example.org\nSubject: Re: Daily\n"
	    "Message-ID: <a1@example.org>\nIn-Reply-To: <%s>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\n"
	    "The billing export, with its tests.\n", token, mid);
	ingest(f, reply);
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
subscribe(struct fixture *f, const char *email, const char *format)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(subscription_request(&f->env, "platform", email, format,
	    TRUE, clock_now(), NULL, &error));
	g_assert_no_error(error);
}

/* Each copy as the outbox will send it, parsed. */
static void
check_copies(struct fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) due = store_outbox_due(f->t.st, clock_now() + 1, 0,
	    &error);
	guint digests = 0;

	g_assert_no_error(error);
	for (guint i = 0; i < due->len; i++) {
		const struct outbox_entry *e = due->pdata[i];
		const struct outbox_rcpt *r = e->rcpts->pdata[0];
		GMimeStream *s;
		GMimeParser *p;
		GMimeMessage *m;
		g_autofree char *text = NULL;
		InternetAddressList *to;
		const char *unsub;

		if (strcmp(e->kind, "digest") != 0)
			continue;
		digests++;
		s = g_mime_stream_mem_new_with_buffer(g_bytes_get_data(e->raw,
		    NULL), g_bytes_get_size(e->raw));
		p = g_mime_parser_new_with_stream(s);
		m = g_mime_parser_construct_message(p, NULL);
		g_assert_nonnull(m);
		to = g_mime_message_get_to(m);
		g_assert_cmpint(internet_address_list_length(to), ==, 1);
		g_assert_cmpstr(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(
		    to, 0))), ==, r->address);
		unsub = g_mime_object_get_header(GMIME_OBJECT(m),
		    "List-Unsubscribe");
		g_assert_nonnull(unsub);
		g_assert_true(g_str_has_prefix(unsub, "<mailto:standup+platform-"
		    "unsubscribe-"));
		g_autofree char *mid = testdb_text(f->t.db, "SELECT message_id "
		    "FROM digests ORDER BY id DESC LIMIT 1");
		g_assert_cmpstr(g_mime_message_get_message_id(m), ==, mid);
		/* Random: neither the team nor the time of the digest. */
		g_assert_true(g_str_has_prefix(mid, "digest-"));
		g_assert_cmpuint(strlen(mid), ==, strlen("digest-") + 16 +
		    strlen("@example.org"));
		g_assert_null(strstr(mid, "platform"));
		g_assert_nonnull(g_mime_message_get_subject(m));
		text = g_mime_object_to_string(GMIME_OBJECT(m), NULL);
		g_assert_nonnull(strstr(text, "billing export"));
		g_object_unref(m);
		g_object_unref(p);
		g_object_unref(s);
	}
	g_assert_cmpuint(digests, ==, 3);
}

static void
test_send(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct digest_stats ds;

	subscribe(f, "max@example.net", NULL);
	subscribe(f, "kim@example.net", NULL);
	subscribe(f, "lee@example.net", "plain");
	/* Friday 09:00 Berlin: a digest of nothing, not sent. */
	g_assert_true(digest_tick(&f->env, utc("2026-03-27T08:00:30Z"), &ds,
	    &error));
	g_assert_cmpuint(ds.digests, ==, 1);
	g_assert_cmpuint(ds.quiet, ==, 1);
	/* Monday 09:00 CEST, after the change: Ana's answer. */
	g_assert_true(digest_tick(&f->env, utc("2026-03-30T06:59:00Z"), &ds,
	    &error));
	g_assert_cmpuint(ds.digests, ==, 0);
	clock_set(utc("2026-03-30T07:00:30Z"));
	g_assert_true(digest_tick(&f->env, clock_now(), &ds, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ds.digests, ==, 1);
	g_assert_cmpuint(ds.mails, ==, 3);
	/* The body once per format; each copy's own part is small. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox_bodies"), ==,
	    2);
	g_assert_cmpint(sql_int(f, "SELECT max(length(raw)) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "kind = 'digest'"), <, 2000);
	check_copies(f);
	/* The same period again: nothing. */
	g_assert_true(digest_tick(&f->env, clock_now() + 60, &ds, &error));
	g_assert_cmpuint(ds.digests, ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'digest'"), ==, 3);
	/* Sent and purged: the bodies go with them. */
	testdb_exec(f->t.db, "UPDATE outbox SET state = 'sent', sent_at = 1");
	g_assert_cmpint(store_outbox_purge_sent(f->t.st, 2, &error), >=, 3);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox_bodies"), ==,
	    0);
}

/* A digest whose time passed while tidings was not running goes out late
 * only within [digests] catch-up (12 h); a later one is not sent, and
 * the next on time covers the time since the last one. */
static void
test_catch_up(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct digest_stats ds;

	subscribe(f, "max@example.net", NULL);
	g_assert_true(digest_tick(&f->env, utc("2026-03-27T08:00:30Z"), &ds,
	    &error));
	g_assert_cmpuint(ds.digests, ==, 1);
	/* Monday 09:00 in Berlin passed 15 hours ago: too late. */
	g_assert_true(digest_tick(&f->env, utc("2026-03-30T22:00:00Z"), &ds,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ds.digests, ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM digests"), ==, 1);
	/* Tuesday's, three hours late, goes, and covers Friday to
	 * Tuesday: Ana's answer of Friday afternoon is in it. */
	g_assert_true(digest_tick(&f->env, utc("2026-03-31T10:00:00Z"), &ds,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ds.digests, ==, 1);
	g_assert_cmpuint(ds.mails, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT period_start FROM digests ORDER BY "
	    "id DESC LIMIT 1"), ==, utc("2026-03-27T08:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT period_end FROM digests ORDER BY "
	    "id DESC LIMIT 1"), ==, utc("2026-03-31T07:00:00Z"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id LEFT JOIN "
	    "outbox_bodies b ON b.id = o.body WHERE o.kind = 'digest' AND "
	    "CAST(coalesce(b.raw, '') || rw.raw AS TEXT) LIKE "
	    "'%billing export%'"), ==, 1);
}

/* The trusted server's word that a mail is signed by example.net. */
#define AUTH "Authentication-Results: mx.example.org; dkim=pass " \
	"header.d=example.net\n"

static void
test_comment(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gboolean claimed;
	guint mails;

	subscribe(f, "max@example.net", NULL);
	g_assert_true(digest_send(&f->env, "platform",
	    utc("2026-03-27T00:00:00Z"), utc("2026-03-30T07:00:00Z"),
	    clock_now(), &claimed, &mails, &error));
	g_assert_true(claimed);
	ingest(f, AUTH "From: Max <max@example.net>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <c1@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:00:00 +0200\n\n"
	    "> The billing export, with its tests.\n\nDoes it cover refunds?\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM comments WHERE "
	    "answer_id IS NOT NULL"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.kind = "
	    "'comment' AND r.address = 'ana@example.org'"), ==, 1);
	/* Someone not on the list comments nothing. */
	ingest(f, "From: eve@example.net\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <c2@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:00:00 +0200\n\nspam\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM comments"), ==, 1);
	/* A reply quoting nothing comments on the digest. */
	ingest(f, AUTH "From: Max <max@example.net>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <c3@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:00:00 +0200\n\nThanks, all!\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM comments WHERE "
	    "digest_id IS NOT NULL"), ==, 1);
}

/* A digest's Message-ID is no secret: a reply to it from a forged From
 * is kept, but it is no comment and nobody is told of it.  A comment
 * notice names the commenter as tidings knows them, never by the name
 * the From carried. */
static void
test_comment_forged(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *notice = NULL;
	gboolean claimed;
	guint mails;

	subscribe(f, "max@example.net", NULL);
	g_assert_true(digest_send(&f->env, "platform",
	    utc("2026-03-27T00:00:00Z"), utc("2026-03-30T07:00:00Z"),
	    clock_now(), &claimed, &mails, &error));
	g_assert_true(claimed);
	ingest(f, "From: Max <max@example.net>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <f1@evil.example>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:00:00 +0200\n\n"
	    "> The billing export, with its tests.\n\nClick this link!\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM comments"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'comment'"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT trusted FROM messages WHERE "
	    "message_id = 'f1@evil.example'"), ==, 0);

	ingest(f, AUTH "From: \"Priya Nair\" <max@example.net>\n"
	    "To: standup@example.org\nSubject: Re: digest\n"
	    "Message-ID: <f2@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:00:00 +0200\n\n"
	    "> The billing export, with its tests.\n\nDoes it cover refunds?\n");
	notice = testdb_text(f->t.db, "SELECT CAST(coalesce(b.raw, rw.raw) AS TEXT) "
	    "FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id "
	    "LEFT JOIN outbox_bodies b ON b.id = o.body WHERE "
	    "o.kind = 'comment'");
	g_assert_nonnull(notice);
	g_assert_null(strstr(notice, "Priya"));
	g_assert_nonnull(strstr(notice, "max@example.net commented"));
	/* A reply to the notice reaches the commenter, at the address
	 * tidings keeps for them. */
	g_assert_nonnull(strstr(notice, "\nReply-To: max@example.net"));
	g_assert_nonnull(strstr(notice, "your reply goes to"));
}

/* A reply to a digest with no text of its own (the whole digest quoted,
 * or nothing) is no comment: nothing is stored, relayed or shown, and its
 * sender is told once for that digest. */
static void
test_comment_empty(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *reason = NULL;
	gboolean claimed;
	guint mails;

	subscribe(f, "max@example.net", NULL);
	g_assert_true(digest_send(&f->env, "platform",
	    utc("2026-03-27T00:00:00Z"), utc("2026-03-30T07:00:00Z"),
	    clock_now(), &claimed, &mails, &error));
	g_assert_true(claimed);
	ingest(f, AUTH "From: Max <max@example.net>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <e1@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:00:00 +0200\n\n"
	    "> Platform, Monday 30 March\n>\n> What did you work on?\n"
	    "> Ana Lima: The billing export, with its tests.\n");
	ingest(f, AUTH "From: Max <max@example.net>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <e2@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:01:00 +0200\n\n"
	    "On Mon, 30 Mar 2026 at 09:00, Platform <standup@example.org> "
	    "wrote:\n> The billing export, with its tests.\n\n-- \nMax\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM comments"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'comment'"), ==, 0);
	reason = testdb_text(f->t.db, "SELECT trust_reason FROM messages "
	    "WHERE message_id = 'e1@example.net'");
	g_assert_cmpstr(reason, ==, "a reply to a digest with no text of its "
	    "own: not a comment");
	/* Told once, for both. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE o.kind = 'reply' "
	    "AND r.address = 'max@example.net' AND o.subject LIKE "
	    "'Nothing to pass on:%'"), ==, 1);
	/* With a word of their own, it is a comment again. */
	ingest(f, AUTH "From: Max <max@example.net>\nTo: standup@example.org\n"
	    "Subject: Re: digest\nMessage-ID: <e3@example.net>\n"
	    "In-Reply-To: <DIGEST>\n"
	    "Date: Mon, 30 Mar 2026 10:02:00 +0200\n\n"
	    "> The billing export, with its tests.\n\nRefunds too?\n");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM comments"), ==, 1);
}

/* Of the Message-IDs a mail answers, the digest of the nearest that is
 * one, however many come before it, in statements of STORE_DIGEST_IDS. */
/* The digest a mail answers is found among its parents; a mail none of
 * whose parents can be a digest's costs the store nothing. */
static void
test_replied(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = store_team_get(f->t.st, "platform", &error);
	static const char answer[] = "From: ana@example.org\n"
	    "Message-ID: <a1@example.org>\n"
	    "In-Reply-To: <other@example.org>\n"
	    "References: <digest-ABC@example.org> <other@example.org>\n"
	    "Subject: Re: digest\n\nNice.\n";
	static const char plain[] = "From: ana@example.org\n"
	    "Message-ID: <a2@example.org>\n"
	    "In-Reply-To: <p1@example.org>\n"
	    "References: <p0@example.org> <p1@example.org>\n"
	    "Subject: Re: lunch\n\nYes.\n";
	g_autoptr(GBytes) raw1 = g_bytes_new_static(answer, sizeof answer - 1);
	g_autoptr(GBytes) raw2 = g_bytes_new_static(plain, sizeof plain - 1);
	g_autoptr(Message) m1 = message_parse(raw1, 0, &error);
	g_autoptr(Message) m2 = message_parse(raw2, 0, &error);
	g_autoptr(DigestSent) d = NULL;
	gboolean claimed;
	gint64 id, before;

	(void)data;
	g_assert_true(store_digest_claim(f->t.st, t->id, 100, 200,
	    "digest-ABC@example.org", 300, &id, &claimed, &error) && claimed);
	g_assert_no_error(error);
	d = digest_replied(f->t.st, m1);
	g_assert_nonnull(d);
	g_assert_cmpint(d->id, ==, id);
	before = store_work_done(f->t.st);
	g_assert_null(digest_replied(f->t.st, m2));
	g_assert_cmpint(store_work_done(f->t.st), ==, before);
}

static void
test_find_first(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = store_team_get(f->t.st, "platform", &error);
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	struct digest_sent *d;
	gboolean claimed;
	gint64 id1, id2;

	g_assert_true(store_digest_claim(f->t.st, t->id, 100, 200, "d1@x",
	    300, &id1, &claimed, &error) && claimed);
	g_assert_true(store_digest_claim(f->t.st, t->id, 200, 300, "d2@x",
	    400, &id2, &claimed, &error) && claimed);
	g_assert_no_error(error);
	/* Nothing to look at, and nothing found. */
	g_assert_null(store_digest_find_first(f->t.st, NULL, 0, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	for (guint i = 0; i < 40; i++)
		g_ptr_array_add(ids, g_strdup_printf("other.%u@x", i));
	g_assert_null(store_digest_find_first(f->t.st,
	    (const char *const *)ids->pdata, ids->len, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	/* Both in the first statement: the nearer wins. */
	g_free(ids->pdata[3]);
	ids->pdata[3] = g_strdup("d2@x");
	g_free(ids->pdata[5]);
	ids->pdata[5] = g_strdup("d1@x");
	d = store_digest_find_first(f->t.st, (const char *const *)ids->pdata,
	    ids->len, &error);
	g_assert_no_error(error);
	g_assert_cmpint(d->id, ==, id2);
	g_assert_cmpstr(d->team, ==, "platform");
	g_assert_cmpstr(d->message_id, ==, "d2@x");
	digest_sent_free(d);
	/* In the first statement the later, in the second the earlier. */
	g_free(ids->pdata[3]);
	ids->pdata[3] = g_strdup("other.3@x");
	g_free(ids->pdata[STORE_DIGEST_IDS + 2]);
	ids->pdata[STORE_DIGEST_IDS + 2] = g_strdup("d2@x");
	d = store_digest_find_first(f->t.st, (const char *const *)ids->pdata,
	    ids->len, &error);
	g_assert_cmpint(d->id, ==, id1);
	digest_sent_free(d);
	/* Only past the first statement. */
	g_free(ids->pdata[5]);
	ids->pdata[5] = g_strdup("other.5@x");
	d = store_digest_find_first(f->t.st, (const char *const *)ids->pdata,
	    ids->len, &error);
	g_assert_no_error(error);
	g_assert_cmpint(d->id, ==, id2);
	digest_sent_free(d);
}

#define ADD(name, fn) \
	g_test_add("/digest-run/" name, struct fixture, NULL, setup, fn, \
	    teardown)

int
main(int argc, char **argv)
{
	g_mime_init();
	g_test_init(&argc, &argv, NULL);
	ADD("send", test_send);
	ADD("comment", test_comment);
	ADD("find-first", test_find_first);
	ADD("replied", test_replied);
	ADD("comment-forged", test_comment_forged);
	ADD("comment-empty", test_comment_empty);
	ADD("catch-up", test_catch_up);
	return g_test_run();
}
