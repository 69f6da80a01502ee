/* Unit tests for digest lists: double opt-in by mail, leaving with the
 * List-Unsubscribe token or a confirmation, forged confirmations, the
 * List-* headers, and bounces that stop delivery and tell the owners. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "conf.h"
#include "ingest.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-checkin.h"
#include "store-subscription.h"
#include "testdb.h"
#include "subscription.h"
#include "digest.h"
#include "store-bounce.h"
#include "verp.h"

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
};

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) owner = person_new("olga@example.org");

	testenv_open(&f->t, "standup@example.org", NULL);
	g_assert_true(store_team_add(f->t.st, "platform", "Platform", "UTC",
	    &error));
	g_assert_true(store_person_save(f->t.st, owner, &error));
	g_assert_true(store_member_add(f->t.st, "platform", "olga@example.org",
	    "owner", &error));
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));
	clock_set(1774000000);
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

/* Ingests a mail FROM, TO, SUBJECT, BODY. */
static void
mail(struct fixture *f, const char *from, const char *to,
    const char *subject, const char *body)
{
	static int n;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("From: %s\nTo: %s\n"
	    "Subject: %s\nMessage-ID: <m%d.%d@example.net>\n"
	    "Date: Fri, 20 Mar 2026 10:00:00 +0000\n\n%s\n", from, to, subject,
	    ++n, (int)getpid(), body);
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	ingest_result_clear(&res);
}

static char *
state_of(struct fixture *f, const char *email)
{
	g_autofree char *sql = g_strdup_printf("SELECT s.state FROM "
	    "subscriptions s JOIN people p ON p.id = s.person_id WHERE "
	    "p.email = '%s'", email);

	return sql_text(f, sql);
}

/* The address the last mail queued to EMAIL asks to reply to. */
static char *
reply_address(struct fixture *f, const char *email)
{
	g_autofree char *sql = g_strdup_printf("SELECT CAST(rw.raw AS TEXT) "
	    "FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id "
	    "JOIN outbox_recipients r ON r.outbox_id = o.id "
	    "WHERE r.address = '%s' ORDER BY o.id DESC LIMIT 1", email);
	g_autofree char *raw = sql_text(f, sql);
	char *line, *end;

	g_assert_nonnull(raw);
	line = strstr(raw, "\nReply-To: ");
	g_assert_nonnull(line);
	line += strlen("\nReply-To: ");
	end = strchr(line, '\n');
	return g_strndup(line, (gsize)(end - line));
}

static void
test_double_opt_in(struct fixture *f, gconstpointer data)
{
	g_autofree char *confirm = NULL, *s = NULL;

	mail(f, "Max <max@example.net>", "standup+platform-subscribe@example.org",
	    "", "");
	s = state_of(f, "max@example.net");
	g_assert_cmpstr(s, ==, "pending");
	confirm = reply_address(f, "max@example.net");
	g_assert_true(g_str_has_prefix(confirm, "standup+platform-confirm-"));

	/* Someone else answering Max's confirmation changes nothing. */
	mail(f, "eve@example.net", confirm, "Re: Confirm", "yes");
	g_free(s);
	s = state_of(f, "max@example.net");
	g_assert_cmpstr(s, ==, "pending");

	mail(f, "max@example.net", confirm, "Re: Confirm", "yes");
	g_free(s);
	s = state_of(f, "max@example.net");
	g_assert_cmpstr(s, ==, "active");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "CAST(raw AS TEXT) LIKE '%Subject: Subscribed: digests of "
	    "Platform%'"), ==, 1);
}

static void
test_subject_and_unsubscribe(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Subscription) sub = NULL;
	g_autofree char *confirm = NULL, *s = NULL, *leave = NULL;
	g_auto(GStrv) headers = NULL;

	/* "subscribe" as the subject of a mail to the team's address. */
	mail(f, "kim@example.net", "standup+platform@example.org", "subscribe",
	    "");
	confirm = reply_address(f, "kim@example.net");
	mail(f, "kim@example.net", confirm, "Re: Confirm", "");
	s = state_of(f, "kim@example.net");
	g_assert_cmpstr(s, ==, "active");

	sub = store_subscription_get(f->t.st, "platform", "kim@example.net",
	    &error);
	g_assert_no_error(error);
	headers = subscription_list_headers(&f->env, sub, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(headers[0], ==, "List-Unsubscribe");
	leave = g_strdup_printf("<mailto:standup+platform-unsubscribe-%s@"
	    "example.org?subject=unsubscribe>", sub->token);
	g_assert_cmpstr(headers[1], ==, leave);
	g_assert_true(g_strv_contains((const char *const *)headers,
	    "Precedence"));
	g_assert_true(g_strv_contains((const char *const *)headers,
	    "List-Post"));
	/* Without [http] base-url there is no archive to lead to. */
	g_assert_false(g_strv_contains((const char *const *)headers,
	    "List-Archive"));

	/* A plain "unsubscribe" asks to confirm... */
	mail(f, "kim@example.net", "standup+platform-unsubscribe@example.org",
	    "", "");
	g_free(s);
	s = state_of(f, "kim@example.net");
	g_assert_cmpstr(s, ==, "active");
	g_free(confirm);
	confirm = reply_address(f, "kim@example.net");
	g_assert_true(strstr(confirm, sub->token) != NULL);
	/* ... and the address with the token ends it, from any address. */
	mail(f, "Kim at home <kim@home.example>", confirm, "Re: Confirm", "");
	g_free(s);
	s = state_of(f, "kim@example.net");
	g_assert_cmpstr(s, ==, "unsubscribed");
	/* A made-up token does nothing. */
	mail(f, "eve@example.net", "standup+platform-unsubscribe-"
	    "aaaaaaaaaaaaaaaa@example.org", "", "");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions WHERE "
	    "state = 'unsubscribed'"), ==, 1);
}

/* A token works only for the action, person and team it was made for. */
static void
test_tokens_bound(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Subscription) kim = NULL, web = NULL;
	g_autofree char *confirm = NULL, *token = NULL, *addr = NULL;

	g_assert_true(store_team_add(f->t.st, "web", "Web", "UTC", &error));
	g_assert_true(subscription_request(&f->env, "web", "kim@example.net",
	    NULL, TRUE, clock_now(), &web, &error));
	mail(f, "kim@example.net", "standup+platform-subscribe@example.org",
	    "", "");
	confirm = reply_address(f, "kim@example.net");
	token = g_strndup(confirm + strlen("standup+platform-confirm-"), 16);

	/* The subscribe token of platform, used to leave: nothing. */
	addr = g_strdup_printf("standup+platform-unsubscribe-%s@example.org",
	    token);
	mail(f, "kim@example.net", addr, "", "");
	/* Kim's unsubscribe token of web, used to confirm platform or to
	 * leave platform: nothing. */
	g_free(addr);
	addr = g_strdup_printf("standup+platform-confirm-%s@example.org",
	    web->token);
	mail(f, "kim@example.net", addr, "", "");
	g_free(addr);
	addr = g_strdup_printf("standup+platform-unsubscribe-%s@example.org",
	    web->token);
	mail(f, "kim@example.net", addr, "", "");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions s JOIN "
	    "teams t ON t.id = s.team_id WHERE t.name = 'platform' AND "
	    "s.state = 'pending'"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions s JOIN "
	    "teams t ON t.id = s.team_id WHERE t.name = 'web' AND "
	    "s.state = 'active'"), ==, 1);

	/* A row whose token was not signed for it (here: moved to another
	 * person) does not work, though the database finds it. */
	kim = store_subscription_get(f->t.st, "web", "kim@example.net", &error);
	g_assert_no_error(error);
	g_assert_true(subscription_request(&f->env, "web", "max@example.net",
	    NULL, TRUE, clock_now(), NULL, &error));
	g_assert_no_error(error);
	{
		g_autofree char *sql = g_strdup_printf("UPDATE subscriptions "
		    "SET token = 'x' WHERE id = %" G_GINT64_FORMAT "; UPDATE "
		    "subscriptions SET token = '%s' WHERE person_id = (SELECT id "
		    "FROM people WHERE email = 'max@example.net')", kim->id,
		    kim->token);
		testdb_exec(f->t.db, sql);
	}
	g_free(addr);
	addr = g_strdup_printf("standup+web-unsubscribe-%s@example.org",
	    kim->token);
	mail(f, "kim@example.net", addr, "", "");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions WHERE "
	    "state = 'unsubscribed'"), ==, 0);

	/* Confirmed with its own token, it works. */
	mail(f, "kim@example.net", confirm, "", "");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions s JOIN "
	    "teams t ON t.id = s.team_id WHERE t.name = 'platform' AND "
	    "s.state = 'active'"), ==, 1);
}

static void
test_errors(struct fixture *f, gconstpointer data)
{
	/* No such team, and a mail to a list that says nothing. */
	mail(f, "kim@example.net", "standup+nosuch-subscribe@example.org", "",
	    "");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "CAST(raw AS TEXT) LIKE '%there is no team nosuch%'"), ==, 1);
	mail(f, "kim@example.net", "standup+platform@example.org", "Hello",
	    "Nice list");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "CAST(raw AS TEXT) LIKE '%Subject: Sorry, that command wasn''t "
	    "clear%'"), ==, 2);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions"), ==, 0);
}

/* Queues a mail to EMAIL and records it sent as the outbox does, with
 * its bounce address; returns that address.  Caller frees. */
static char *
sent_to(struct fixture *f, const char *email)
{
	static int n;
	g_autoptr(GError) error = NULL;
	g_autofree char *key = g_strdup_printf("test:%d", ++n);
	g_autofree char *token = NULL;
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: hi\n\nhi\n", 16);
	const char *rcpt[] = { email, NULL };
	struct outbox_mail m = {
		.dedupe_key = key,
		.kind = "digest",
		.sender = f->env.address,
		.recipients = rcpt,
		.raw = raw,
	};
	GBytes *secret = tidings_ctx_secret(&f->env, &error);
	gint64 id;

	g_assert_nonnull(secret);
	g_assert_true(store_outbox_add(f->t.st, &m, clock_now(), NULL,
	    &error));
	g_assert_no_error(error);
	id = sql_int(f, "SELECT max(id) FROM outbox");
	token = verp_token(secret, key, email);
	g_assert_true(store_outbox_rcpt_set(f->t.st, id, email, "sent", 250,
	    NULL, token, clock_now(), &error));
	g_assert_no_error(error);
	return verp_address(f->env.address, f->env.domain, token);
}

/* Ingests a delivery status notification to TO saying that mail to RCPT
 * failed with STATUS. */
static void
bounce_to(struct fixture *f, const char *to, const char *rcpt,
    const char *status)
{
	static int n;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf(
	    "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\n"
	    "To: %s\nSubject: Undelivered Mail\n"
	    "Message-ID: <b%d@mx.example.org>\nAuto-Submitted: auto-replied\n"
	    "Date: Fri, 20 Mar 2026 10:00:00 +0000\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nFailed.\n"
	    "--B\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example.org\n\n"
	    "Final-Recipient: rfc822; %s\nAction: failed\nStatus: %s\n"
	    "Diagnostic-Code: smtp; %s %s\n\n--B--\n", to, ++n, rcpt,
	    status, status[0] == '5' ? "550" : "552", status[0] == '5' ?
	    status : "mailbox full");
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpint(res.kind, ==, MESSAGE_BOUNCE);
	ingest_result_clear(&res);
}

/* Ingests a notice to TO cut off before it names any recipient; it must
 * be of KIND. */
static void
bare_to(struct fixture *f, const char *to, enum message_kind kind)
{
	static int n;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf(
	    "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\n"
	    "To: %s\nSubject: Undelivered Mail Returned to Sender\n"
	    "Message-ID: <bare%d@mx.example.org>\n"
	    "Date: Fri, 20 Mar 2026 10:00:00 +0000\n\n"
	    "This is the mail system at host mx.example.org.\n\n"
	    "I'm sorry to have to inform you that your message could not\n"
	    "be delivered to one or more recipients.\n", to, ++n);
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct ingest_result res;

	g_assert_true(ingest_mail(f->t.st, f->t.conf, raw, "mda", TRUE, &res,
	    &error));
	g_assert_no_error(error);
	g_assert_cmpint(res.kind, ==, kind);
	ingest_result_clear(&res);
}

/* A bounce of a mail just sent to RCPT, back at its bounce address. */
static void
bounce(struct fixture *f, const char *rcpt, const char *status)
{
	g_autofree char *verp = sent_to(f, rcpt);

	bounce_to(f, verp, rcpt, status);
}

static void
test_bounces(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *s = NULL;

	g_assert_true(subscription_request(&f->env, "platform",
	    "lena@example.net", NULL, TRUE, clock_now(), NULL, &error));
	g_assert_no_error(error);
	/* Soft bounces count a quarter: four of them are one hard. */
	for (int i = 0; i < 4; i++)
		bounce(f, "lena@example.net", "4.2.2");
	g_assert_cmpint(sql_int(f, "SELECT bounce_score * 100 FROM "
	    "subscriptions"), ==, 100);
	bounce(f, "lena@example.net", "5.1.1");
	s = state_of(f, "lena@example.net");
	g_assert_cmpstr(s, ==, "active");
	bounce(f, "lena@example.net", "5.1.1");
	g_free(s);
	s = state_of(f, "lena@example.net");
	g_assert_cmpstr(s, ==, "disabled");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM bounces"), ==, 6);
	/* The owner is told, once. */
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'olga@example.org' AND CAST(rw.raw AS TEXT) LIKE "
	    "'%lena@example.net%stopped%'"), ==, 1);
	bounce(f, "lena@example.net", "5.1.1");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'olga@example.org'"), ==, 1);
}

/* A notice that did not come back to the bounce address of a mail sent
 * to the address it names is kept and counts for nothing: to tidings'
 * own address, to a made-up token, to the address of a mail to someone
 * else, to that of a mail never sent, or a second notice of one mail. */
static void
test_forged_bounces(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *other = NULL, *once = NULL, *unsent = NULL;
	g_autofree char *bare = NULL;
	g_autofree char *token = NULL;
	const char *rcpt[] = { "lena@example.net", NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nx\n", 14);
	struct outbox_mail m = {
		.dedupe_key = "never-sent",
		.sender = f->env.address,
		.recipients = rcpt,
		.raw = raw,
	};

	g_assert_true(subscription_request(&f->env, "platform",
	    "lena@example.net", NULL, TRUE, clock_now(), NULL, &error));
	g_assert_no_error(error);
	for (int i = 0; i < 4; i++)
		bounce_to(f, "standup@example.org", "lena@example.net",
		    "5.1.1");
	bounce_to(f, "standup+bounce-abcdefghijklmnop@example.org",
	    "lena@example.net", "5.1.1");
	other = sent_to(f, "max@example.net");
	bounce_to(f, other, "lena@example.net", "5.1.1");
	g_assert_true(store_outbox_add(f->t.st, &m, clock_now(), NULL,
	    &error));
	token = verp_token(tidings_ctx_secret(&f->env, NULL), "never-sent",
	    "lena@example.net");
	unsent = verp_address(f->env.address, f->env.domain, token);
	bounce_to(f, unsent, "lena@example.net", "5.1.1");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM bounces"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT bounce_score * 100 FROM "
	    "subscriptions"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM messages WHERE "
	    "kind = 'bounce' AND trust_reason LIKE 'a bounce%'"), ==, 7);
	/* The real one counts, once. */
	once = sent_to(f, "lena@example.net");
	bounce_to(f, once, "lena@example.net", "5.1.1");
	bounce_to(f, once, "lena@example.net", "5.1.1");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM bounces"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT bounce_score * 100 FROM "
	    "subscriptions"), ==, 100);
	/* A notice that names nobody counts for the recipient its bounce
	 * address names, as a soft failure; to tidings' own address it is
	 * no bounce at all. */
	bare = sent_to(f, "lena@example.net");
	bare_to(f, "standup@example.org", MESSAGE_AUTOREPLY);
	bare_to(f, bare, MESSAGE_BOUNCE);
	g_assert_cmpint(sql_int(f, "SELECT bounce_score * 100 FROM "
	    "subscriptions"), ==, 125);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM bounces WHERE "
	    "hard = 0"), ==, 1);
}

/* A member whose mail bounces past the threshold is dead: not prompted,
 * the owners told once, the digest says so; --mail-ok's store call
 * brings them back. */
static void
test_member_bounces(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) gone = person_new("gone@example.net");
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	g_autoptr(Digest) d = NULL;
	g_autofree char *reason = NULL, *text = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	struct checkin_stats stats;
	struct question *q = g_new0(struct question, 1);

	g_assert_true(store_person_save(f->t.st, gone, &error));
	g_assert_true(store_member_add(f->t.st, "platform",
	    "gone@example.net", "member", &error));
	g_assert_no_error(error);
	bounce(f, "gone@example.net", "5.1.1");
	bounce(f, "gone@example.net", "4.2.2");
	g_assert_cmpint(sql_int(f, "SELECT bounce_score * 100 FROM people "
	    "WHERE email = 'gone@example.net'"), ==, 125);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM people WHERE "
	    "mail_dead_at IS NOT NULL"), ==, 0);
	bounce(f, "gone@example.net", "5.1.1");
	bounce(f, "gone@example.net", "5.1.1");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM people WHERE "
	    "mail_dead_at IS NOT NULL AND email = 'gone@example.net'"), ==, 1);
	/* The owner is told once, not at every bounce after. */
	bounce(f, "gone@example.net", "5.1.1");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'olga@example.org' AND CAST(rw.raw AS TEXT) LIKE "
	    "'%Subject: Mail to gone@example.net bounces (Platform)%'"), ==, 1);
	dead = store_team_mail_dead(f->t.st, 1, &error);
	g_assert_nonnull(dead);
	g_assert_cmpuint(dead->len, ==, 1);

	/* Not prompted: the prompt is skipped, saying why. */
	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=DAILY;BYHOUR=9;BYMINUTE=0");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = 1774000000 - 86400;
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	q->text = g_strdup("What did you do?");
	g_ptr_array_add(c->questions, q);
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	/* Monday 23 March, 09:05 UTC. */
	g_assert_true(checkin_tick(&f->env, 1774256700, &stats, &error));
	g_assert_no_error(error);
	reason = sql_text(f, "SELECT p.skip_reason FROM prompts p JOIN people "
	    "x ON x.id = p.person_id WHERE x.email = 'gone@example.net'");
	g_assert_nonnull(reason);
	g_assert_true(g_str_has_prefix(reason, "mail bounces since"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'gone@example.net' AND o.kind = 'prompt'"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'olga@example.org' AND o.kind = 'prompt'"), >=, 1);

	/* The digest says why they were not asked. */
	d = digest_build(f->t.st, "platform", 1774000000, 1774343100,
	    &error);
	g_assert_nonnull(d);
	text = digest_text(f->env.render, d, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "Not asked: mail to gone@example.net "
	    "bounces since"));

	/* Working again: prompted again. */
	g_assert_true(store_person_mail_ok(f->t.st, "gone@example.net",
	    &error));
	g_assert_true(checkin_tick(&f->env, 1774343100, &stats, &error));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'gone@example.net' AND o.kind = 'prompt'"), ==, 1);
}

#define ADD(name, fn) \
	g_test_add("/list/" name, struct fixture, NULL, setup, fn, teardown)

/* When and how the copies come, by mail: lines of a subscribe request,
 * held until it is confirmed; lines to the subscriber's own settings
 * address, whose token is the authority; never a stranger's word. */
static void
test_settings_by_mail(struct fixture *f, gconstpointer data)
{
	g_autofree char *confirm = NULL, *welcome = NULL, *settings = NULL;
	g_autofree char *raw = NULL, *forged = NULL;
	const char *at;

	mail(f, "Max <max@example.net>", "standup+platform-subscribe@example.org",
	    "subscribe", "Hello,\nzone Asia/Kolkata\nat 08:30\nformat plain\n"
	    "Thanks, Max");
	g_assert_cmpint(sql_int(f, "SELECT at_minute FROM subscriptions"), ==,
	    8 * 60 + 30);
	confirm = reply_address(f, "max@example.net");
	mail(f, "max@example.net", confirm, "Re: Confirm", "yes");
	welcome = sql_text(f, "SELECT CAST(raw AS TEXT) FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id WHERE "
	    "CAST(raw AS TEXT) LIKE '%Subject: Subscribed%'");
	g_assert_nonnull(strstr(welcome, "leaves at 08:30 in Asia/Kolkata"));
	at = strstr(welcome, "standup+platform-settings-");
	g_assert_nonnull(at);
	settings = g_strndup(at, strcspn(at, " \n"));
	g_assert_true(g_str_has_suffix(settings, "@example.org"));
	raw = sql_text(f, "SELECT zone || ' ' || format FROM subscriptions");
	g_assert_cmpstr(raw, ==, "Asia/Kolkata plain");

	/* The settings address changes them, from any sender address (as
	 * the unsubscribe address does), and says how they now stand. */
	mail(f, "max.other@example.net", settings, "settings",
	    "at 07:15\nformat mime");
	g_assert_cmpint(sql_int(f, "SELECT at_minute FROM subscriptions"), ==,
	    7 * 60 + 15);
	g_free(raw);
	raw = sql_text(f, "SELECT CAST(rw.raw AS TEXT) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'max@example.net' ORDER BY o.id DESC LIMIT 1");
	g_assert_nonnull(strstr(raw, "leaves at 07:15 in Asia/Kolkata"));
	g_assert_nonnull(strstr(raw, "as mime"));

	/* A line it cannot read changes nothing, and says which. */
	mail(f, "max@example.net", settings, "settings", "zone Mars/Olympus\n"
	    "at 06:00");
	g_assert_cmpint(sql_int(f, "SELECT at_minute FROM subscriptions"), ==,
	    7 * 60 + 15);
	g_free(raw);
	raw = sql_text(f, "SELECT CAST(rw.raw AS TEXT) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'max@example.net' ORDER BY o.id DESC LIMIT 1");
	g_assert_nonnull(strstr(raw, "not changed"));
	{
		/* format=flowed: soft line breaks are spaces. */
		g_auto(GStrv) soft = g_strsplit(raw, " \n", -1);
		g_autofree char *text = g_strjoinv(" ", soft);
		g_assert_nonnull(strstr(text, "\"zone Mars/Olympus\""));
	}

	/* A made-up token, and a stranger's subscribe with settings for
	 * Max's address, change nothing; Max is told where his settings
	 * address is, at his own address. */
	forged = g_strdup("standup+platform-settings-aaaaaaaaaaaaaaaa"
	    "@example.org");
	mail(f, "eve@example.net", forged, "settings", "at 03:00");
	mail(f, "max@example.net", "standup+platform-subscribe@example.org",
	    "subscribe", "at 03:00");
	g_assert_cmpint(sql_int(f, "SELECT at_minute FROM subscriptions"), ==,
	    7 * 60 + 15);
	g_free(raw);
	raw = sql_text(f, "SELECT CAST(rw.raw AS TEXT) FROM outbox o "
	    "JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN "
	    "outbox_recipients r ON r.outbox_id = o.id WHERE r.address = "
	    "'max@example.net' ORDER BY o.id DESC LIMIT 1");
	g_assert_nonnull(strstr(raw, "how to change them"));

	/* "default" takes back an hour of their own. */
	mail(f, "max@example.net", settings, "settings", "at default\nzone "
	    "default");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM subscriptions WHERE "
	    "at_minute IS NULL AND zone IS NULL"), ==, 1);
}

/* An out-of-office reply goes to the envelope sender: one that came back
 * to the bounce address of a mail sent to its From is that mailbox's
 * responder and marks the member away, with no server's word needed;
 * one in her name to the bounce address of another's mail changes
 * nothing. */
static void
test_ooo_to_bounce_address(struct fixture *f, gconstpointer data)
{
	g_autofree char *hers = sent_to(f, "olga@example.org");
	g_autofree char *his = sent_to(f, "max@example.net");
	g_autofree char *reason = NULL;

	mail(f, "Olga Berg <olga@example.org>", his, "Automatic reply: Daily",
	    "I am on leave and back on Monday 30 March.");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability"), ==,
	    0);
	reason = sql_text(f, "SELECT trust_reason FROM messages ORDER BY id "
	    "DESC LIMIT 1");
	g_assert_nonnull(strstr(reason, "not to its sender"));
	mail(f, "Olga Berg <olga@example.org>", hers, "Automatic reply: Daily",
	    "I am on leave and back on Monday 30 March.");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM availability WHERE "
	    "kind = 'away' AND source = 'autoreply'"), ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("double-opt-in", test_double_opt_in);
	ADD("subject-and-unsubscribe", test_subject_and_unsubscribe);
	ADD("errors", test_errors);
	ADD("tokens-bound", test_tokens_bound);
	ADD("bounces", test_bounces);
	ADD("forged-bounces", test_forged_bounces);
	ADD("member-bounces", test_member_bounces);
	ADD("settings-by-mail", test_settings_by_mail);
	ADD("ooo-to-bounce-address", test_ooo_to_bounce_address);
	return g_test_run();
}
