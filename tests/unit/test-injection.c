/* Header injection: hostile values (CR/LF, NUL, RFC 2047 encoded words
 * that decode to line breaks, 8-bit bytes) in member names, team titles,
 * display names and subjects of incoming mail, answers and command lines,
 * fed through the real paths (the store, ingest, the scheduler, digests).
 * Every mail queued in the outbox is then parsed with GMime: its header
 * set and its recipients must be exactly what they should be. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "checkin.h"
#include "context.h"
#include "db.h"
#include "clock.h"
#include "conf.h"
#include "digest-run.h"
#include "ingest.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "testdb.h"
#include "subscription.h"
#include "testtime.h"

#define ADDRESS "standup@example.org"

/* Encoded words that decode to "a\r\nBcc: evil@example.net": as people
 * write it, and as RFC 2047 allows it in a display name. */
#define ENCODED "=?utf-8?q?a=0D=0ABcc:_evil@example.net?="
#define ENCODED_NAME "=?utf-8?q?a=0D=0ABcc=3A_evil=40example.net?="

static const char *const hostile[] = {
	"Ana\r\nBcc: evil@example.net",
	"Ana\nCc: evil@example.net\n\nbody",
	ENCODED,
	"Ana \xff\xfe\r\n To: evil@example.net",
	"=?utf-8?b?QW5hDQpCY2M6IGV2aWxAZXhhbXBsZS5uZXQ=?=",
};

/* The headers tidings' mail may have: anything else was injected. */
static const char *const allowed[] = {
	"From", "To", "Reply-To", "Subject", "Date", "Message-ID",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "Auto-Submitted", "X-Tidings", "List-Id",
	"List-Unsubscribe", "List-Subscribe", "List-Archive", "List-Help",
	"List-Post", "Precedence", "X-Auto-Response-Suppress", NULL,
};

struct fixture {
	struct testenv t;
	struct tidings_ctx env;
};

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	testenv_open(&f->t, ADDRESS, "trusted-authserv-ids = mx.example.org\n"
	    "[limits]\nreplies-per-sender = 100\nreplies-per-hour = 1000\n");
	g_assert_true(tidings_ctx_init(&f->env, f->t.st, f->t.conf, &error));
	clock_set(utc("2026-03-27T16:00:00Z"));
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	tidings_ctx_clear(&f->env);
	testenv_close(&f->t);
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
	ingest_result_clear(&res);
}

/* The only mailbox of header list TYPE of M, or NULL when there is not
 * exactly one. */
static const char *
only_address(GMimeMessage *m, GMimeAddressType type)
{
	InternetAddressList *l = g_mime_message_get_addresses(m, type);
	InternetAddress *a;

	if (l == NULL || internet_address_list_length(l) != 1)
		return NULL;
	a = internet_address_list_get_address(l, 0);
	return INTERNET_ADDRESS_IS_MAILBOX(a) ?
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)) :
	    NULL;
}

/* Checks one queued mail: RAW, whose envelope recipients are RCPTS. */
static void
check_mail(gint64 id, const char *raw, gsize len, GPtrArray *rcpts)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	GMimeHeaderList *headers;
	const char *end = g_strstr_len(raw, (gssize)len, "\n\n");
	g_autofree char *block = g_strndup(raw, end != NULL ?
	    (gsize)(end - raw) : len);
	g_auto(GStrv) lines = g_strsplit(block, "\n", -1);
	int to = 0, from = 0;

	g_object_unref(parser);
	g_object_unref(stream);
	g_test_message("outbox %" G_GINT64_FORMAT, id);
	g_assert_nonnull(m);
	g_assert_null(memchr(raw, '\0', len));
	/* Every header line is a header, a folded continuation, or the
	 * end; and 7-bit: 8-bit text goes encoded. */
	for (char **l = lines; *l != NULL; l++) {
		for (const char *p = *l; *p != '\0'; p++)
			g_assert_true((guchar)*p < 0x80 && *p != '\r');
		g_assert_true(**l == ' ' || **l == '\t' || strchr(*l, ':'));
	}
	headers = g_mime_object_get_header_list(GMIME_OBJECT(m));
	for (int i = 0; i < g_mime_header_list_get_count(headers); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *name = g_mime_header_get_name(h);
		gboolean known = FALSE;

		for (const char *const *a = allowed; *a != NULL; a++)
			known |= g_ascii_strcasecmp(*a, name) == 0;
		if (!known)
			g_test_message("unexpected header %s", name);
		g_assert_true(known);
		to += g_ascii_strcasecmp(name, "To") == 0;
		from += g_ascii_strcasecmp(name, "From") == 0;
	}
	g_assert_cmpint(to, ==, 1);
	g_assert_cmpint(from, ==, 1);
	g_assert_cmpstr(only_address(m, GMIME_ADDRESS_TYPE_FROM), ==, ADDRESS);
	g_assert_cmpuint(rcpts->len, ==, 1);
	g_assert_cmpstr(only_address(m, GMIME_ADDRESS_TYPE_TO), ==,
	    rcpts->pdata[0]);
	g_assert_null(only_address(m, GMIME_ADDRESS_TYPE_CC));
	g_assert_null(only_address(m, GMIME_ADDRESS_TYPE_BCC));
	g_object_unref(m);
}

/* Checks every mail of the outbox; returns how many there are. */
static guint
check_outbox(struct fixture *f)
{
	struct db *db = testdb_connect(f->t.db);
	struct db_stmt *stmt, *rs;
	guint n = 0;

	g_assert_cmpint(db_prepare(db, "SELECT id, raw FROM outbox "
	    "JOIN outbox_raw ON outbox_id = id "
	    "ORDER BY id", &stmt), ==, DB_OK);
	g_assert_cmpint(db_prepare(db, "SELECT address FROM "
	    "outbox_recipients WHERE outbox_id = ?", &rs), ==, DB_OK);
	while (db_step(stmt) == DB_ROW) {
		g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(
		    g_free);
		gint64 id = db_column_int64(stmt, 0);

		db_reset(rs);
		db_bind_int64(rs, 1, id);
		while (db_step(rs) == DB_ROW)
			g_ptr_array_add(rcpts, g_strdup(db_column_text(rs, 0)));
		check_mail(id, db_column_blob(stmt, 1),
		    (gsize)db_column_bytes(stmt, 1), rcpts);
		n++;
	}
	db_finalize(rs);
	db_finalize(stmt);
	db_close(db);
	return n;
}

/* Members named with hostile names, in a team with a hostile title, are
 * asked; they answer with hostile answers; a subscriber gets the digest. */
static void
test_prompts_and_digest(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	struct question *q = g_new0(struct question, 1);
	struct checkin_stats stats;
	gboolean claimed;
	guint mails;

	g_assert_true(store_team_add(f->t.st, "platform",
	    "Platform\r\nBcc: evil@example.net", "UTC", &error));
	for (guint i = 0; i < G_N_ELEMENTS(hostile); i++) {
		g_autofree char *email = g_strdup_printf("m%u@example.org", i);
		g_autoptr(Person) p = person_new(email);
		g_free(p->name);
		p->name = g_strdup(hostile[i]);
		g_assert_true(store_person_save(f->t.st, p, &error));
		g_assert_true(store_member_add(f->t.st, "platform", email,
		    "member", &error));
		g_assert_no_error(error);
	}
	c->team = g_strdup("platform");
	c->title = g_strdup("Daily\r\nBcc: evil@example.net");
	c->rrule = g_strdup("FREQ=DAILY;BYHOUR=16;BYMINUTE=0");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = utc("2026-03-01T00:00:00Z");
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	q->text = g_strdup("What\r\nBcc: evil@example.net?");
	g_ptr_array_add(c->questions, q);
	g_assert_true(store_checkin_add(f->t.st, c, &error));
	g_assert_no_error(error);
	g_assert_true(checkin_tick(&f->env, clock_now(), &stats, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(stats.prompted, ==, G_N_ELEMENTS(hostile));

	/* Each answers to their reply address with a hostile answer. */
	for (guint i = 0; i < G_N_ELEMENTS(hostile); i++) {
		g_autofree char *email = g_strdup_printf("m%u@example.org", i);
		g_autoptr(Person) p = store_person_get(f->t.st, email, &error);
		g_autoptr(GPtrArray) open = store_prompt_open(f->t.st, p->id,
		    clock_now(), &error);
		const struct prompt *pr = open->pdata[0];
		g_autofree char *text = g_strdup_printf("From: " ENCODED_NAME
		    " <%s>\nTo: standup+%s@example.org\nSubject: Re: "
		    ENCODED "\nMessage-ID: <a%u@example.org>\nIn-Reply-To: "
		    "<%s>\nDate: Fri, 27 Mar 2026 17:00:00 +0100\n"
		    "MIME-Version: 1.0\nContent-Type: text/plain; "
		    "charset=utf-8\n\nDone\r\nBcc: evil@example.net\n"
		    ENCODED " \xc3\xa9t\xc3\xa9\n", email, pr->token, i,
		    pr->message_id);
		ingest(f, text);
	}
	g_assert_true(subscription_request(&f->env, "platform",
	    "sub@example.org", NULL, TRUE, clock_now(), NULL, &error));
	g_assert_no_error(error);
	g_assert_true(digest_send(&f->env, "platform",
	    utc("2026-03-27T00:00:00Z"), utc("2026-03-28T00:00:00Z"),
	    utc("2026-03-28T00:00:00Z"), &claimed, &mails, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(mails, ==, 1);
	/* Prompts, the welcome and the digest, all clean. */
	g_assert_cmpuint(check_outbox(f), ==, G_N_ELEMENTS(hostile) + 2);
}

/* Commands from hostile display names and subjects, answered. */
static void
test_command_replies(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new("bob@example.org");
	static const char *const mails[] = {
		/* help, and an unknown command from a name with a raw line
		 * break (which ends the From header) */
		"From: " ENCODED_NAME " <bob@example.org>\nTo: "
		"standup+help@example.org\nSubject: " ENCODED "\n\nx\n",
		"From: \"Bob\r\nBcc: evil@example.net\" <bob@example.org>\n"
		"To: standup+snooze@example.org\nSubject: x\n\nx\n",
		/* a pause whose date is a header, quoted in reply-error */
		"Authentication-Results: mx.example.org; dmarc=pass "
		"header.from=example.org\n"
		"From: Bob <bob@example.org>\nTo: standup+pause@example.org\n"
		"Subject: pause\n\npause until " ENCODED "\r\nBcc: "
		"evil@example.net\n",
		/* a list mail that says nothing: its subject is quoted */
		"From: " ENCODED_NAME " <kim@example.net>\nTo: "
		"standup+platform@example.org\nSubject: =?utf-8?q?Hi=0D=0A"
		"Bcc:_evil@example.net?= \xc3\xa9\n\nx\n",
		/* a subscription from a hostile name */
		"From: =?utf-8?q?Kim=0ATo=3A_evil=40example.net?= "
		"<kim@example.net>\nTo: standup+platform-subscribe@"
		"example.org\nSubject: subscribe\n\nx\n",
	};

	g_assert_true(store_team_add(f->t.st, "platform", "Platform", "UTC",
	    &error));
	g_free(p->name);
	p->name = g_strdup(ENCODED);
	g_assert_true(store_person_save(f->t.st, p, &error));
	g_assert_true(store_member_add(f->t.st, "platform", "bob@example.org",
	    "member", &error));
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(mails); i++) {
		g_autofree char *text = g_strdup_printf("Message-ID: "
		    "<c%u@example.net>\n%s", i, mails[i]);
		ingest(f, text);
	}
	/* All answered but the second, whose From the line break broke. */
	g_assert_cmpuint(check_outbox(f), ==, G_N_ELEMENTS(mails) - 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add("/injection/prompts-and-digest", struct fixture, NULL,
	    setup, test_prompts_and_digest, teardown);
	g_test_add("/injection/command-replies", struct fixture, NULL, setup,
	    test_command_replies, teardown);
	return g_test_run();
}
