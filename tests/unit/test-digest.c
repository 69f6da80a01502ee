/* Unit tests for digests: what digest_build() gathers from a store with a
 * team, its check-in, prompts, answers, comments and availability, and the
 * three formats digest_mail() writes, read back with GMime. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "digest.h"
#include "grid.h"
#include "message.h"
#include "pulse.h"
#include "render.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-checkin.h"
#include "testdb.h"
#include "testtime.h"

/* GMime 3.2 has no autoptr cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)

struct fixture {
	char *dir;
	char *db;		/* the file, or the URI (testdb.h) */
	struct store *st;
	struct render *r;
	gint64 checkin;
	GArray *questions;	/* question ids by position - 1 */
};

static void
sql(struct fixture *f, const char *text)
{
	testdb_exec(f->db, text);
}

static gint64
person_id(struct fixture *f, const char *email)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = store_person_get(f->st, email, &error);

	g_assert_no_error(error);
	return p->id;
}

static void
add_member(struct fixture *f, const char *email, const char *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new(email);

	g_free(p->name);
	p->name = g_strdup(name);
	g_assert_true(store_person_save(f->st, p, &error));
	g_assert_true(store_member_add(f->st, "platform", email, "member",
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

	f->dir = g_dir_make_tmp("tidings-digest-XXXXXX", NULL);
	f->db = testdb_create(f->dir, FALSE);
	f->st = store_open(f->db, &error);
	g_assert_no_error(error);
	f->r = render_new(NULL);
	g_assert_true(store_team_add(f->st, "platform", "Platform",
	    "Europe/Berlin", &error));
	add_member(f, "ana@example.org", "Ana Lima");
	add_member(f, "bob@example.org", "Bob Stone");
	add_member(f, "priya@example.org", "Priya Nair");
	add_member(f, "dan@example.org", "");
	add_member(f, "eve@example.org", "Eve Park");

	c->team = g_strdup("platform");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=DAILY;BYHOUR=16;BYMINUTE=30");
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
	g_assert_true(store_checkin_add(f->st, c, &error));
	g_assert_no_error(error);
	f->checkin = c->id;
	f->questions = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; i < c->questions->len; i++)
		g_array_append_val(f->questions,
		    ((struct question *)c->questions->pdata[i])->id);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	g_autofree char *html = g_build_filename(f->dir, "digest.html", NULL);

	render_free(f->r);
	store_close(f->st);
	testdb_drop(f->db);
	g_remove(html);
	g_rmdir(f->dir);
	g_array_unref(f->questions);
	g_free(f->db);
	g_free(f->dir);
}

/* A prompt of the check-in to EMAIL, due at DUE (ISO), closing a day
 * later, in STATE. */
static gint64
prompt(struct fixture *f, const char *email, const char *due,
    const char *state, const char *reason)
{
	g_autoptr(GError) error = NULL;
	struct prompt p = { 0 };
	gboolean claimed;
	static int n;

	p.checkin_id = f->checkin;
	p.person_id = person_id(f, email);
	p.occurrence = ++n;
	p.due_at = utc(due);
	p.closes_at = p.due_at + 86400;
	g_assert_true(prompt_state_parse(state, &p.state));
	p.skip_reason = (char *)reason;
	p.token = g_strdup_printf("token%d", n);
	p.message_id = g_strdup_printf("prompt%d@example.org", n);
	g_assert_true(store_prompt_claim(f->st, &p, &claimed, &error));
	g_assert_no_error(error);
	g_assert_true(claimed);
	g_free(p.token);
	g_free(p.message_id);
	return p.id;
}

/* A reply from FROM (a whole From: value) with BODY, stored at AT. */
static gint64
reply(struct fixture *f, const char *from, const char *body, gint64 at)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *mid = NULL, *text = NULL, *state = NULL;
	g_autoptr(GBytes) raw = NULL;
	gboolean dup;
	gint64 id;
	static int n;

	g_autoptr(Message) msg = NULL;

	(void)dup;
	(void)state;
	mid = g_strdup_printf("r%d@example.org", ++n);
	/* As replies come: the MTA's envelope headers, the prompt quoted
	 * with the member's private reply address under the answer. */
	text = g_strdup_printf("Delivered-To: standup+k7q2mzx4@example.org\n"
	    "From: %s\nTo: standup+k7q2mzx4@example.org\n"
	    "Subject: Re: Daily\nMessage-ID: <%s>\n"
	    "In-Reply-To: <prompt-k7q2mzx4@example.org>\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n\n%s\n\n"
	    "On Fri, 27 Mar 2026, standup+k7q2mzx4@example.org wrote:\n"
	    "> Reply to standup+k7q2mzx4@example.org (please don't share "
	    "it)\n", from, mid, body);
	raw = g_bytes_new(text, strlen(text));
	msg = message_parse(raw, at, &error);
	g_assert_no_error(error);
	msg->kind = MESSAGE_REPLY;
	msg->reply = g_strdup(body);
	g_assert_true(store_message_add_processed(f->st, msg, "mda", at,
	    "processed", 0, FALSE, &id, &error));
	g_assert_no_error(error);
	return id;
}

static void
answer(struct fixture *f, gint64 prompt_id, int position, gint64 message,
    const char *text, gint64 at)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(store_answer_add(f->st, prompt_id,
	    g_array_index(f->questions, gint64, position - 1), message, text,
	    TRUE, NULL, at, &error));
	g_assert_no_error(error);
}

/* EMAIL's prompt of DAY (2026-03-DD, due 15:30Z) answered at 16:00Z with
 * the three texts. */
static gint64
answered(struct fixture *f, const char *email, int day, const char *a1,
    const char *a2, const char *a3)
{
	g_autofree char *due = g_strdup_printf("2026-03-%02dT15:30:00Z", day);
	g_autofree char *at_iso = g_strdup_printf("2026-03-%02dT16:00:00Z", day);
	g_autofree char *body = g_strdup_printf("1. %s\n2. %s\n3. %s", a1, a2,
	    a3);
	gint64 p = prompt(f, email, due, "answered", NULL);
	gint64 at = utc(at_iso);
	gint64 m = reply(f, email, body, at);

	answer(f, p, 1, m, a1, at);
	answer(f, p, 2, m, a2, at);
	answer(f, p, 3, m, a3, at);
	return p;
}

static struct digest *
build_day(struct fixture *f, int day)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *a = g_strdup_printf("2026-03-%02dT00:00:00+01:00", day);
	g_autofree char *b = g_strdup_printf("2026-03-%02dT00:00:00+01:00", day + 1);
	struct digest *d = digest_build(f->st, "platform", utc(a), utc(b),
	    &error);

	g_assert_no_error(error);
	g_assert_nonnull(d);
	return d;
}

static struct digest_question *
question_of(const struct digest *d, guint checkin, guint q)
{
	struct digest_checkin *c;

	g_assert_cmpuint(d->checkins->len, >, checkin);
	c = d->checkins->pdata[checkin];
	g_assert_cmpuint(c->questions->len, >, q);
	return c->questions->pdata[q];
}

static struct digest_answer *
answer_of(const struct digest *d, guint q, guint a)
{
	struct digest_question *dq = question_of(d, 0, q);

	g_assert_cmpuint(dq->answers->len, >, a);
	return dq->answers->pdata[a];
}

static void
test_grouped(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;

	answered(f, "priya@example.org", 27, "Search", "Ranking", "none");
	answered(f, "ana@example.org", 27, "Exports", "Imports", "No");
	answered(f, "dan@example.org", 27, "Docs", "More docs", "n/a");
	/* Another day: not in the digest. */
	answered(f, "bob@example.org", 26, "Old", "Old", "Old");
	d = build_day(f, 27);
	g_assert_cmpstr(d->team_title, ==, "Platform");
	g_assert_cmpuint(d->answers, ==, 9);
	g_assert_cmpuint(d->checkins->len, ==, 1);
	g_assert_cmpstr(((struct digest_checkin *)d->checkins->pdata[0])->title,
	    ==, "Daily");
	g_assert_cmpint(question_of(d, 0, 0)->position, ==, 1);
	g_assert_cmpstr(question_of(d, 0, 1)->text, ==, "What is next?");
	g_assert_true(question_of(d, 0, 2)->blocker);
	/* By name; Dan has none, and reads as his address. */
	g_assert_cmpstr(answer_of(d, 0, 0)->name, ==, "Ana Lima");
	g_assert_cmpstr(answer_of(d, 0, 1)->name, ==, "dan@example.org");
	g_assert_cmpstr(answer_of(d, 0, 2)->name, ==, "Priya Nair");
	g_assert_cmpstr(answer_of(d, 1, 2)->text, ==, "Ranking");
	g_assert_false(answer_of(d, 0, 0)->late);
	g_assert_cmpuint(d->blockers->len, ==, 0);
	g_assert_false(digest_empty(d));
}

static void
test_superseded_uncounted(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Digest) d = NULL;
	gint64 p = answered(f, "ana@example.org", 27, "Exports", "Imports",
	    "none");
	gint64 at = utc("2026-03-27T17:00:00Z");
	gint64 m = reply(f, "ana@example.org", "Exports and tests", at);

	answer(f, p, 1, m, "Exports and tests", at);
	g_assert_true(store_answer_add(f->st, p, g_array_index(f->questions,
	    gint64, 1), m, "A stranger's", FALSE, "sent by someone else", at,
	    &error));
	d = build_day(f, 27);
	g_assert_cmpuint(d->answers, ==, 3);
	g_assert_cmpuint(question_of(d, 0, 0)->answers->len, ==, 1);
	g_assert_cmpstr(answer_of(d, 0, 0)->text, ==, "Exports and tests");
	g_assert_cmpstr(answer_of(d, 1, 0)->text, ==, "Imports");
}

static void
test_late(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	/* Due on the 26th, closed on the 27th at 15:30Z, answered after. */
	gint64 p = prompt(f, "bob@example.org", "2026-03-26T15:30:00Z",
	    "answered", NULL);
	gint64 at = utc("2026-03-27T18:00:00Z");
	gint64 m = reply(f, "bob@example.org", "Late work", at);

	answer(f, p, 1, m, "Late work", at);
	answered(f, "ana@example.org", 27, "On time", "x", "none");
	d = build_day(f, 27);
	g_assert_cmpuint(d->answers, ==, 4);
	g_assert_cmpstr(answer_of(d, 0, 1)->name, ==, "Bob Stone");
	g_assert_true(answer_of(d, 0, 1)->late);
	g_assert_false(answer_of(d, 0, 0)->late);
}

/* Bob is blocked three days running; Ana and Priya are not; Dan says he
 * is blocked under another question. */
static void
test_blockers(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	struct digest_answer *a;

	answered(f, "bob@example.org", 24, "x", "y", "Nothing");
	answered(f, "bob@example.org", 25, "x", "y",
	    "Waiting for the staging database");
	answered(f, "bob@example.org", 26, "x", "y", "Still the database");
	answered(f, "bob@example.org", 27, "x", "y",
	    "The staging database, still.");
	answered(f, "ana@example.org", 27, "x", "y", "none");
	answered(f, "priya@example.org", 27, "x", "y", "No blockers.");
	answered(f, "dan@example.org", 27, "Blocked on the VPN. Otherwise docs",
	    "y", "-");
	d = build_day(f, 27);
	g_assert_cmpuint(d->blockers->len, ==, 2);
	a = d->blockers->pdata[0];
	g_assert_cmpstr(a->name, ==, "Bob Stone");
	g_assert_cmpint(a->blocked_days, ==, 3);
	g_assert_cmpstr(a->checkin, ==, "Daily");
	a = d->blockers->pdata[1];
	g_assert_cmpstr(a->name, ==, "dan@example.org");
	g_assert_cmpint(a->blocked_days, ==, 1);
	/* Still in their check-in too, and first in the text. */
	g_assert_cmpint(answer_of(d, 2, 0)->blocked_days, ==, 0);
	text = digest_text(f->r, d, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "BLOCKERS"));
	g_assert_nonnull(strstr(text, "Bob Stone, blocked for 3 days (Daily)"));
	g_assert_true(strstr(text, "BLOCKERS") < strstr(text, "Daily\n====="));
}

static void
test_blocker_phrases(void)
{
	static const char *const none[] = { "none", "None.", "No blockers.",
	    "no", "NOPE!", "nothing", "n/a", "N/A", "-", "—", "", "not really",
	    "All good", "all good, thanks!", "Nothing so far", "none :)",
	    "No blockers at the moment", "Nothing is blocking me right now.",
	    "nah", "None, thanks for asking.", "I'm not blocked",
	    "no blocker today" };
	static const char *const blocked[] = { "Waiting for review from Ops",
	    "the VPN", "Yes: the build is red", "No, but waiting on keys",
	    "None. Waiting on legal though", "CI is broken",
	    "nothing, except the flaky tests" };

	for (size_t i = 0; i < G_N_ELEMENTS(none); i++)
		if (digest_is_blocker(TRUE, none[i]))
			g_error("\"%s\" read as a blocker", none[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(blocked); i++)
		if (!digest_is_blocker(TRUE, blocked[i]))
			g_error("\"%s\" not read as a blocker", blocked[i]);
	g_assert_true(digest_is_blocker(FALSE, "Blocked by the VPN"));
	g_assert_true(digest_is_blocker(FALSE, "Docs. Waiting on review."));
	g_assert_true(digest_is_blocker(FALSE, "I'm blocked on keys"));
	g_assert_false(digest_is_blocker(FALSE, "Unblocked the release"));
	g_assert_false(digest_is_blocker(FALSE, "Reviewed the blocker list"));
	g_assert_false(digest_is_blocker(FALSE, "The VPN"));
}

static void
test_missing_skipped_away(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autofree char *text = NULL, *insert = NULL;
	g_autoptr(GError) error = NULL;
	struct digest_checkin *c;

	answered(f, "ana@example.org", 27, "x", "y", "none");
	prompt(f, "bob@example.org", "2026-03-27T15:30:00Z", "missed", NULL);
	prompt(f, "eve@example.org", "2026-03-27T15:30:00Z", "sent", NULL);
	prompt(f, "dan@example.org", "2026-03-27T15:30:00Z", "skipped",
	    "skipped by mail");
	prompt(f, "priya@example.org", "2026-03-27T15:30:00Z", "skipped",
	    "away: holiday");
	insert = g_strdup_printf("INSERT INTO availability (person_id, kind, "
	    "starts_at, ends_at, summary, source, created_at) VALUES "
	    "(%" G_GINT64_FORMAT ", 'away', %" G_GINT64_FORMAT ", %"
	    G_GINT64_FORMAT ", 'conference', 'cli', 0), "
	    "(%" G_GINT64_FORMAT ", 'away', 0, %" G_GINT64_FORMAT
	    ", 'over', 'cli', 0)", person_id(f, "eve@example.org"),
	    utc("2026-03-26T00:00:00Z"), utc("2026-04-02T22:00:00Z"),
	    person_id(f, "bob@example.org"), utc("2026-03-20T00:00:00Z"));
	sql(f, insert);
	d = build_day(f, 27);
	c = d->checkins->pdata[0];
	/* Eve is away: listed so, not as not answering. */
	g_assert_cmpuint(c->missing->len, ==, 1);
	g_assert_cmpstr(c->missing->pdata[0], ==, "Bob Stone");
	g_assert_cmpuint(c->skipped->len, ==, 1);
	g_assert_cmpstr(c->skipped->pdata[0], ==, "dan@example.org");
	g_assert_cmpuint(d->away->len, ==, 2);
	g_assert_cmpstr(d->away->pdata[0], ==, "Eve Park (until 3 April)");
	g_assert_cmpstr(d->away->pdata[1], ==, "Priya Nair (holiday)");
	text = digest_text(f->r, d, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "Not answered: Bob Stone."));
	g_assert_null(strstr(text, "Eve Park."));
	g_assert_nonnull(strstr(text, "Skipped: dan@example.org."));
	g_assert_nonnull(strstr(text, "Away: Eve Park (until 3 April), "
	    "Priya Nair (holiday)."));
}

static void
test_comments(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL, *insert = NULL;
	struct digest_answer *a;
	struct digest_checkin *e;

	answered(f, "bob@example.org", 26, "Yesterday's work", "y", "none");
	answered(f, "ana@example.org", 27, "Exports", "y", "none");
	sql(f, "INSERT INTO digests (team_id, period_start, period_end, "
	    "message_id, created_at) VALUES (1, 0, 1, 'd1@example.org', 0)");
	insert = g_strdup_printf("INSERT INTO comments (answer_id, digest_id, "
	    "message, person_id, text, created_at) VALUES "
	    "((SELECT a.id FROM answers a JOIN questions q ON q.id = "
	    "a.question_id WHERE a.text = 'Exports'), NULL, 1, %" G_GINT64_FORMAT
	    ", 'Nice, ship it!', %" G_GINT64_FORMAT "), "
	    "((SELECT id FROM answers WHERE text = 'Yesterday''s work'), NULL, "
	    "1, %" G_GINT64_FORMAT ", 'What about the tests?', %"
	    G_GINT64_FORMAT "), "
	    "(NULL, 1, 1, NULL, 'Thanks for the digest', %" G_GINT64_FORMAT "),"
	    "(NULL, 1, 1, NULL, 'Too old', %" G_GINT64_FORMAT ")",
	    person_id(f, "priya@example.org"), utc("2026-03-27T18:00:00Z"),
	    person_id(f, "ana@example.org"), utc("2026-03-27T09:00:00Z"),
	    utc("2026-03-27T10:00:00Z"), utc("2026-03-20T10:00:00Z"));
	sql(f, insert);
	sql(f, "UPDATE messages SET sender = 'bob@example.org' WHERE id = 1");
	d = build_day(f, 27);
	a = answer_of(d, 0, 0);
	g_assert_cmpuint(a->comments->len, ==, 1);
	g_assert_cmpstr(((struct digest_comment *)a->comments->pdata[0])->author,
	    ==, "Priya Nair");
	g_assert_cmpuint(d->earlier->len, ==, 1);
	e = d->earlier->pdata[0];
	a = ((struct digest_question *)e->questions->pdata[0])->answers->pdata[0];
	g_assert_cmpstr(a->text, ==, "Yesterday's work");
	g_assert_cmpuint(a->comments->len, ==, 1);
	g_assert_cmpuint(d->comments->len, ==, 1);
	/* The sender's address stands for an unknown author. */
	g_assert_cmpstr(((struct digest_comment *)d->comments->pdata[0])->author,
	    ==, "bob@example.org");
	text = digest_text(f->r, d, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "Exports\n\n    Priya Nair, 27 March:\n"
	    "    Nice, ship it!\n"));
	g_assert_nonnull(strstr(text, "COMMENTS ON EARLIER ANSWERS"));
	g_assert_nonnull(strstr(text, "Thanks for the digest"));
}

/* --- mails ---------------------------------------------------------------- */

static const char *const hostile[] = {
	"<script>alert(1)</script>",
	"<img src=http://x/y.png>",
	"<style>body{display:none}</style>",
	"[a](javascript:alert(1)) and [b](data:text/html;base64,PHNjcmlwdD4=)",
	"![t](http://t/x.png) and <iframe src=\"http://evil/\"></iframe>",
};

static GMimeMessage *
mail(struct fixture *f, const struct digest *d, enum digest_format fmt,
    char **subject)
{
	g_autoptr(GError) error = NULL;
	struct render_headers h = {
		.from_name = "Platform digest",
		.from = "standup@example.org",
		.to = "lead@example.org",
		.message_id = "digest-platform-20260327@example.org",
		.list_id = "Platform <platform.example.org>",
		.date = utc("2026-03-28T08:00:00Z"),
	};
	g_autoptr(GBytes) raw = digest_mail(f->r, f->st, d, fmt, &h, subject,
	    &error);
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	g_assert_no_error(error);
	g_assert_nonnull(raw);
	stream = g_mime_stream_mem_new_with_buffer(g_bytes_get_data(raw, NULL),
	    g_bytes_get_size(raw));
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	g_assert_nonnull(msg);
	return msg;
}

static gboolean
is_type(GMimeObject *o, const char *type, const char *subtype)
{
	return g_mime_content_type_is_type(g_mime_object_get_content_type(o),
	    type, subtype);
}

static char *
text_of(GMimeObject *o)
{
	g_assert_true(GMIME_IS_TEXT_PART(o));
	return g_mime_text_part_get_text(GMIME_TEXT_PART(o));
}

static void
fill_hostile(struct fixture *f)
{
	gint64 p = prompt(f, "ana@example.org", "2026-03-27T15:30:00Z",
	    "answered", NULL);
	gint64 at = utc("2026-03-27T16:00:00Z");
	gint64 m = reply(f, "ana@example.org", "hostile", at);
	g_autofree char *all = g_strjoinv("\n\n", (char **)hostile);

	answer(f, p, 1, m, all, at);
	sql(f, "UPDATE people SET name = 'Mallory\r\n"
	    "Bcc: victim@example.org\nX-Evil: 1' "
	    "WHERE email = 'bob@example.org'");
	answered(f, "bob@example.org", 27, "<b>bold</b> & co", "y",
	    "none");
}

static void
assert_no_added_header(GMimeMessage *msg)
{
	GMimeObject *o = GMIME_OBJECT(msg);

	g_assert_null(g_mime_object_get_header(o, "Bcc"));
	g_assert_null(g_mime_object_get_header(o, "X-Evil"));
	g_assert_null(g_mime_message_get_bcc(msg) != NULL &&
	    internet_address_list_length(g_mime_message_get_bcc(msg)) > 0 ?
	    "bcc" : NULL);
}

static void
test_alternative(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autofree char *subject = NULL, *text = NULL, *html = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	GMimeObject *body, *tp, *hp;

	fill_hostile(f);
	d = build_day(f, 27);
	msg = mail(f, d, DIGEST_ALTERNATIVE, &subject);
	g_assert_cmpstr(subject, ==, "Platform digest for Friday 27 March: "
	    "4 answers from 2 people");
	assert_no_added_header(msg);
	g_assert_cmpstr(g_mime_object_get_header(GMIME_OBJECT(msg), "List-Id"),
	    ==, "Platform <platform.example.org>");
	body = g_mime_message_get_mime_part(msg);
	g_assert_true(is_type(body, "multipart", "alternative"));
	tp = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	hp = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	g_assert_true(is_type(tp, "text", "plain"));
	g_assert_cmpstr(g_mime_object_get_content_type_parameter(tp, "format"),
	    ==, "flowed");
	g_assert_true(is_type(hp, "text", "html"));
	text = text_of(tp);
	html = text_of(hp);
	/* The text has the answers as written. */
	g_assert_nonnull(strstr(text, "<script>alert(1)</script>"));
	g_assert_nonnull(strstr(text, "Mallory Bcc: victim@example.org "
	    "X-Evil: 1:"));
	/* The HTML has them as text. */
	g_assert_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	g_assert_nonnull(strstr(html, "&lt;img src=http://x/y.png&gt;"));
	g_assert_nonnull(strstr(html, "&lt;style&gt;"));
	g_assert_nonnull(strstr(html, "&lt;iframe"));
	g_assert_nonnull(strstr(html, "&lt;b&gt;bold&lt;/b&gt; &amp; co"));
	g_assert_nonnull(strstr(html, "t (image: http://t/x.png)"));
	g_assert_nonnull(strstr(html, "a (javascript:alert(1))"));
	g_assert_nonnull(strstr(html, "Mallory Bcc: victim@example.org"));
	g_assert_nonnull(strstr(html, "color-scheme"));
	g_assert_null(strstr(html, "<script"));
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "<style"));
	g_assert_null(strstr(html, "<iframe"));
	g_assert_null(strstr(html, "<b>"));
	g_assert_null(strstr(html, "href=\"javascript"));
	g_assert_null(strstr(html, "href=\"data"));
	g_assert_null(strstr(html, "src=\""));
	if (g_getenv("DIGEST_HTML_OUT") != NULL)
		g_assert_true(g_file_set_contents(g_getenv("DIGEST_HTML_OUT"),
		    html, -1, NULL));
}

static void
test_links(void)
{
	g_autofree char *a = render_text_html("See <https://example.org/x> "
	    "and [the doc](https://example.org/doc).\nNext line");
	g_autofree char *b = render_text_html("[x](vbscript:msgbox) "
	    "[y](/relative) <mailto:a@example.org>");

	g_assert_nonnull(strstr(a, "<a href=\"https://example.org/x\">"
	    "https://example.org/x</a>"));
	g_assert_nonnull(strstr(a, "the doc</a> (https://example.org/doc)"));
	g_assert_nonnull(strstr(a, "<br />"));
	g_assert_null(strstr(b, "vbscript:msgbox\""));
	g_assert_null(strstr(b, "href=\"/relative"));
	g_assert_nonnull(strstr(b, "x (vbscript:msgbox)"));
	g_assert_nonnull(strstr(b, "href=\"mailto:a@example.org\""));
}

/* A long line of an answer is wrapped at 72 in the text part. */
static void
test_wrap(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(GString) long_line = g_string_new(NULL);
	g_autofree char *text = NULL;
	GMimeObject *body;

	for (int i = 0; i < 40; i++)
		g_string_append_printf(long_line, "word%d ", i);
	answered(f, "ana@example.org", 27, long_line->str, "y", "none");
	d = build_day(f, 27);
	msg = mail(f, d, DIGEST_ALTERNATIVE, NULL);
	body = g_mime_message_get_mime_part(msg);
	text = text_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0));
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	gboolean soft = FALSE;
	for (char **l = lines; *l != NULL; l++) {
		g_assert_cmpint(g_utf8_strlen(*l, -1), <=, 72);
		if (g_str_has_prefix(*l, "word0 "))
			soft = g_str_has_suffix(*l, " ");
	}
	/* A soft break, so that flowed readers join the line again. */
	g_assert_true(soft);
	g_assert_nonnull(strstr(text, "word39"));
}

/* A member who paused after being asked is listed as paused, not as not
 * answering; one who paused long before is not paused now. */
static void
test_paused_not_missing(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autofree char *text = NULL, *update = NULL;
	g_autoptr(GError) error = NULL;
	struct digest_checkin *c;

	answered(f, "ana@example.org", 27, "x", "y", "none");
	prompt(f, "bob@example.org", "2026-03-27T15:30:00Z", "sent", NULL);
	prompt(f, "eve@example.org", "2026-03-27T15:30:00Z", "missed", NULL);
	update = g_strdup_printf("UPDATE people SET paused_until = %"
	    G_GINT64_FORMAT " WHERE email = 'bob@example.org'; "
	    "UPDATE people SET paused_until = %" G_GINT64_FORMAT
	    " WHERE email = 'eve@example.org'", utc("2026-04-10T00:00:00Z"),
	    utc("2026-03-20T00:00:00Z"));
	sql(f, update);
	d = build_day(f, 27);
	c = d->checkins->pdata[0];
	g_assert_cmpuint(c->missing->len, ==, 1);
	g_assert_cmpstr(c->missing->pdata[0], ==, "Eve Park");
	g_assert_cmpuint(d->away->len, ==, 1);
	g_assert_cmpstr(d->away->pdata[0], ==, "Bob Stone (paused until "
	    "10 April)");
	text = digest_text(f->r, d, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "Not answered: Eve Park."));
	g_assert_nonnull(strstr(text, "Away: Bob Stone (paused until "
	    "10 April)."));
}

/* One reply: "The reply follows", not "The 1 replies follow". */
static void
test_mime_one(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *summary = NULL;
	GMimeObject *body;

	answered(f, "ana@example.org", 27, "Exports", "y", "none");
	d = build_day(f, 27);
	msg = mail(f, d, DIGEST_MIME, NULL);
	body = g_mime_message_get_mime_part(msg);
	summary = text_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0));
	g_assert_nonnull(strstr(summary, "The reply follows, as it was sent."));
	g_assert_null(strstr(summary, "replies"));
}

static void
test_mime(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *summary = NULL;
	GMimeObject *body, *digest, *first;
	GMimeMessage *inner;

	answered(f, "ana@example.org", 27, "Exports", "y", "none");
	answered(f, "bob@example.org", 27, "Imports", "y",
	    "Waiting on keys");
	fill_hostile(f);
	d = build_day(f, 27);
	msg = mail(f, d, DIGEST_MIME, NULL);
	assert_no_added_header(msg);
	body = g_mime_message_get_mime_part(msg);
	g_assert_true(is_type(body, "multipart", "mixed"));
	g_assert_cmpint(g_mime_multipart_get_count(GMIME_MULTIPART(body)), ==, 2);
	first = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	g_assert_true(is_type(first, "text", "plain"));
	summary = text_of(first);
	g_assert_nonnull(strstr(summary, "blocked for 1 day (Daily)"));
	g_assert_nonnull(strstr(summary, "The 4 replies follow"));
	digest = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	g_assert_true(is_type(digest, "multipart", "digest"));
	/* One part per reply (Bob's is the same message for his answers),
	 * each the mail as it came. */
	g_assert_cmpint(g_mime_multipart_get_count(GMIME_MULTIPART(digest)), ==,
	    4);
	for (int i = 0; i < 4; i++) {
		GMimeObject *p = g_mime_multipart_get_part(
		    GMIME_MULTIPART(digest), i);
		g_assert_true(is_type(p, "message", "rfc822"));
		inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(p));
		g_assert_nonnull(inner);
		g_assert_cmpstr(g_mime_message_get_subject(inner), ==,
		    "Re: Daily");
		/* Made anew from what tidings keeps: no envelope header, no
		 * reply address, no quoted prompt. */
		g_autofree char *whole = g_mime_object_to_string(
		    GMIME_OBJECT(inner), NULL);
		g_assert_null(strstr(whole, "Delivered-To"));
		g_assert_null(strstr(whole, "k7q2mzx4"));
		g_assert_null(strstr(whole, "wrote:"));
		g_assert_null(strstr(whole, "> Reply to"));
		g_autofree char *said = text_of(
		    g_mime_message_get_mime_part(inner));
		g_assert_true(i > 0 || g_str_has_prefix(said,
		    "1. Exports\n2. y\n3. none"));
		g_assert_null(strstr(said, "wrote:"));
		g_assert_nonnull(internet_address_list_get_address(
		    g_mime_message_get_from(inner), 0));
	}
}

static void
test_plain(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *subject = NULL, *text = NULL;
	GMimeObject *body;

	answered(f, "ana@example.org", 27, "Exports\n------------------------------\n"
	    "Date: x\nFrom: fake", "y", "none");
	answered(f, "priya@example.org", 27, "Search", "y", "Waiting on keys");
	fill_hostile(f);
	d = build_day(f, 27);
	msg = mail(f, d, DIGEST_PLAIN, &subject);
	assert_no_added_header(msg);
	g_assert_cmpstr(subject, ==, "Platform Digest, Vol 2026, Issue 86");
	body = g_mime_message_get_mime_part(msg);
	g_assert_true(is_type(body, "text", "plain"));
	text = text_of(body);
	g_assert_true(g_str_has_prefix(text, "Platform Digest      "
	    "Fri, 27 Mar 2026      Volume 2026 : Issue 86\n\n"
	    "Today's Topics:\n\n"));
	g_assert_nonnull(strstr(text, "1. Blockers and absences\n"));
	g_assert_nonnull(strstr(text, "2. Daily: What did you work on? "
	    "(4 messages)\n"));
	g_assert_nonnull(strstr(text, "\n------------------------------------"
	    "----------------------------------\n\nDate: "));
	g_assert_nonnull(strstr(text, "\n\n------------------------------\n\n"
	    "Date: Fri, 27 Mar 2026 17:00:00 +0100\n"
	    "From: Ana Lima <ana@example.org>\n"
	    "Subject: Daily: What did you work on?\n\nExports\n"));
	/* A separator inside an answer cannot end its message. */
	g_assert_nonnull(strstr(text, "Exports\n  ------------------------------"
	    "\nDate: x\n"));
	g_assert_nonnull(strstr(text, "From: Mallory Bcc: victim@example.org "
	    "X-Evil: 1 <bob@example.org>\n"));
	g_assert_null(strstr(text, "\nBcc:"));
	g_assert_true(g_str_has_suffix(text, "\n------------------------------"
	    "\n\nEnd of Platform Digest\n**********************\n"));
}

static void
test_empty(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	answered(f, "ana@example.org", 26, "x", "y", "none");
	d = build_day(f, 27);
	g_assert_true(digest_empty(d));
	text = digest_text(f->r, d, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(text, "No updates from Platform for "
	    "Friday 27 March"));
	for (int fmt = DIGEST_ALTERNATIVE; fmt <= DIGEST_PLAIN; fmt++) {
		g_autofree char *subject = NULL;
		g_autoptr(GMimeMessage) msg = mail(f, d, fmt, &subject);
		GMimeObject *body = g_mime_message_get_mime_part(msg);
		if (fmt == DIGEST_PLAIN)
			g_assert_cmpstr(subject, ==, "Platform Digest, Vol 2026, "
			    "Issue 86");
		else
			g_assert_cmpstr(subject, ==, "Platform digest for Friday "
			    "27 March: no updates");
		g_assert_true(fmt == DIGEST_ALTERNATIVE ? is_type(body,
		    "multipart", "alternative") : is_type(body, "text",
		    "plain"));
	}
}

static void
test_formats(void)
{
	enum digest_format f;

	g_assert_true(digest_format_parse("mime", &f));
	g_assert_cmpint(f, ==, DIGEST_MIME);
	g_assert_true(digest_format_parse("plain", &f));
	g_assert_cmpint(f, ==, DIGEST_PLAIN);
	g_assert_true(digest_format_parse("alternative", &f));
	g_assert_cmpint(f, ==, DIGEST_ALTERNATIVE);
	g_assert_false(digest_format_parse("html", &f));
	g_assert_cmpstr(digest_format_name(DIGEST_PLAIN), ==, "plain");
}

static void
test_unknown_team(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct digest *d = digest_build(f->st, "nope", 0, 1, &error);

	g_assert_null(d);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
}

/* The pulse: the answer rate of the period against the one before, a
 * streak worth naming, and the answer rate of each week as bar
 * characters (text) and table cells (HTML).  Worked out by hand: on
 * Friday 27 March Ana answered, Bob did not, Priya skipped (not counted):
 * 1 of 2; on Thursday Ana and Bob answered, Priya did not: 2 of 3, 67%.
 * Ana answered every workday from 16 March: 10 in a row.  Week of 16
 * March 5 of 5 (100%), of 23 March 6 of 8 (75%). */
static void
test_pulse(struct fixture *f, gconstpointer data)
{
	static const int days[] = { 16, 17, 18, 19, 20, 23, 24, 25, 26, 27 };
	g_autoptr(Digest) d = NULL;
	g_autofree char *subject = NULL, *text = NULL, *html = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(Team) team = NULL;
	g_autoptr(GError) error = NULL;
	GMimeObject *body;

	/* Friday is the team's around day: the digest shows the week. */
	team = store_team_get(f->st, "platform", &error);
	g_assert_no_error(error);
	team->around_day = 4;
	g_assert_true(store_team_set(f->st, team, &error));
	for (size_t i = 0; i < G_N_ELEMENTS(days); i++)
		answered(f, "ana@example.org", days[i], "Work", "More",
		    "None");
	answered(f, "bob@example.org", 26, "Work", "More", "None");
	prompt(f, "bob@example.org", "2026-03-27T15:30:00Z", "missed", NULL);
	prompt(f, "priya@example.org", "2026-03-26T15:30:00Z", "missed", NULL);
	prompt(f, "priya@example.org", "2026-03-27T15:30:00Z", "skipped",
	    "skipped by mail");
	d = build_day(f, 27);
	g_assert_nonnull(d->pulse);
	g_assert_cmpuint(d->pulse->asked, ==, 2);
	g_assert_cmpuint(d->pulse->answered, ==, 1);
	g_assert_cmpuint(d->pulse->last_asked, ==, 3);
	g_assert_cmpuint(d->pulse->last_answered, ==, 2);
	g_assert_cmpstr(d->pulse->streak_name, ==, "Ana Lima");
	g_assert_cmpuint(d->pulse->streak, ==, 10);

	msg = mail(f, d, DIGEST_ALTERNATIVE, &subject);
	body = g_mime_message_get_mime_part(msg);
	text = text_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0));
	html = text_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 1));
	g_assert_nonnull(strstr(text, "PULSE\n=====\n\nAnswered: 1 of 2 "
	    "prompts (50%), against 67% the period before.\n"));
	g_assert_nonnull(strstr(text, "Ana Lima has answered 10 check-ins in "
	    "a row.\n"));
	g_assert_nonnull(strstr(text, "Answers per week since 16 Mar: "
	    "\u2588\u2586\n"));
	g_assert_nonnull(strstr(html, ">Pulse</h2>"));
	g_assert_nonnull(strstr(html, "Answered: 1 of 2 prompts (50%), "
	    "against 67% the period before."));
	/* 75% of the 200 pixels of a full bar, in a cell. */
	g_assert_nonnull(strstr(html, "<td width=\"150\" height=\"12\" "
	    "bgcolor=\"#3b7dd8\""));
	g_assert_nonnull(strstr(html, ">16 Mar</td>"));
	g_assert_nonnull(strstr(html, ">75%</td>"));
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "src="));
	/* Who is around from Friday 27 March: five members, a band each,
	 * in the team's zone; 09:00-17:00 UTC is 10:00-18:00 in Berlin
	 * (UTC+1 until Sunday, UTC+2 after).  Cells of three hours from
	 * Friday 00:00: 12:00 and 15:00 on Friday, and from Monday, when
	 * the cells start at 01:00, 13:00 and 16:00. */
	g_assert_nonnull(d->around_html);
	/* Seven days of Berlin, one of them 23 hours long. */
	g_assert_cmpuint(d->around_html->n, ==, 167);
	g_assert_nonnull(strstr(text, "WHO IS AROUND THIS WEEK\n"));
	g_assert_nonnull(strstr(text, "Fri 27 Mar to Thu 2 Apr 2026 in "
	    "Europe/Berlin, 3 hours a cell\n"));
	g_assert_nonnull(strstr(text, "\nAna Lima     ....##......................"
	    "##......##......##......##.\n"));
	g_assert_nonnull(strstr(html, ">Who is around this week</h2>"));
	g_assert_nonnull(strstr(html, ">In Europe/Berlin, an hour a cell</td>"));
	g_assert_nonnull(strstr(html, ">Sat</td>"));
	if (g_getenv("PULSE_HTML_OUT") != NULL)
		g_assert_true(g_file_set_contents(g_getenv("PULSE_HTML_OUT"),
		    html, -1, NULL));
}

/* A team nobody was asked in has no pulse to tell. */
static void
test_pulse_none(struct fixture *f, gconstpointer data)
{
	g_autoptr(Digest) d = build_day(f, 27);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	g_assert_false(pulse_any(d->pulse));
	/* No around day set: no week. */
	g_assert_null(d->around_html);
	text = digest_text(f->r, d, &error);
	g_assert_no_error(error);
	g_assert_null(strstr(text, "PULSE"));
}

#define ADD(name, fn) \
	g_test_add("/digest/" name, struct fixture, NULL, setup, fn, teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	ADD("grouped", test_grouped);
	ADD("superseded-uncounted", test_superseded_uncounted);
	ADD("late", test_late);
	ADD("blockers", test_blockers);
	g_test_add_func("/digest/blocker-phrases", test_blocker_phrases);
	ADD("missing-skipped-away", test_missing_skipped_away);
	ADD("comments", test_comments);
	ADD("alternative", test_alternative);
	g_test_add_func("/digest/links", test_links);
	ADD("wrap", test_wrap);
	ADD("mime", test_mime);
	ADD("mime-one", test_mime_one);
	ADD("paused-not-missing", test_paused_not_missing);
	ADD("plain", test_plain);
	ADD("empty", test_empty);
	g_test_add_func("/digest/formats", test_formats);
	ADD("unknown-team", test_unknown_team);
	ADD("pulse", test_pulse);
	ADD("pulse-none", test_pulse_none);
	return g_test_run();
}
