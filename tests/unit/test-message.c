/* Unit tests for message parsing: headers, bodies, charsets, flowed text,
 * HTML, parts, and hostile or broken input. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "html.h"
#include "message.h"
#include "rawfile.h"
#include "report.h"
#include "utf8.h"
#include "testmail.h"

static struct message *
parse_string(const char *text, gsize len, GError **error)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, len);

	return message_parse(raw, ARRIVAL, error);
}

static gboolean
has_problem(const struct message *m, const char *words)
{
	for (guint i = 0; i < m->problems->len; i++)
		if (strstr(m->problems->pdata[i], words) != NULL)
			return TRUE;
	return FALSE;
}

static void
test_plain_reply(void)
{
	g_autoptr(Message) m = testmail_parse_file("plain-reply.eml");

	g_assert_cmpstr(m->message_id, ==, "CAB+reply.1@mail.example.org");
	g_assert_false(m->message_id_synthesised);
	g_assert_cmpstr(m->in_reply_to, ==, "prompt.42.7@example.org");
	g_assert_cmpuint(m->references->len, ==, 2);
	g_assert_cmpstr(m->references->pdata[0], ==, "digest.1@example.org");
	g_assert_cmpstr(m->references->pdata[1], ==, "prompt.42.7@example.org");
	/* What it answers, nearest first, In-Reply-To once. */
	{
		g_autoptr(GPtrArray) parents = message_parents(m);
		g_assert_cmpuint(parents->len, ==, 2);
		g_assert_cmpstr(parents->pdata[0], ==,
		    "prompt.42.7@example.org");
		g_assert_cmpstr(parents->pdata[1], ==, "digest.1@example.org");
	}
	g_assert_cmpstr(m->from, ==, "ana@example.org");
	g_assert_cmpstr(m->from_name, ==, "Ana Lima");
	g_assert_cmpstr(m->return_path, ==, "ana@example.org");
	g_assert_cmpuint(m->to->len, ==, 1);
	g_assert_cmpstr(m->to->pdata[0], ==, "standup+k7q2mzx4@example.org");
	g_assert_cmpuint(m->cc->len, ==, 2);
	g_assert_cmpstr(m->cc->pdata[1], ==, "platform@example.org");
	g_assert_cmpuint(m->delivered_to->len, ==, 1);
	g_assert_cmpstr(m->subject, ==, "Re: Check-in: What did you work on? ✔");
	/* 12:40:59 -0300 is 15:40:59 UTC. */
	g_assert_cmpint(m->date, ==, 1773070859);
	g_assert_false(m->date_from_arrival);
	g_assert_true(g_str_has_prefix(m->text, "Finished the migration "
	    "script; reviewing José's PR next.\n"));
	g_assert_null(m->html);
	g_assert_cmpuint(m->parts->len, ==, 1);
	g_assert_cmpstr(message_header(m, "x-nothing"), ==, NULL);
	g_assert_cmpstr(message_header(m, "content-type"), ==,
	    "text/plain; charset=UTF-8");
	/* sha256sum tests/data/mail/plain-reply.eml */
	g_assert_cmpstr(m->content_hash, ==, "486e13aef805137f74000e49af905600"
	    "183a1ff24b5b6356e488e4e565cc3167");
	g_assert_cmpuint(m->problems->len, ==, 0);
}

static void
test_alternative_prefers_plain(void)
{
	g_autoptr(Message) m = testmail_parse_file("alternative.eml");

	g_assert_cmpstr(m->text, ==, "Café résumé: the plain part wins.\n");
	g_assert_nonnull(strstr(m->html, "<b>loses</b>"));
	g_assert_false(m->text_from_html);
	/* The HTML beside a text part is not made into text. */
	g_assert_null(m->html_marked);
}

static void
test_html_only(void)
{
	g_autoptr(Message) m = testmail_parse_file("html-only.eml");

	g_assert_true(m->text_from_html);
	/* With the text, from the same parse, the text the quote filter
	 * cuts, as html_to_text() makes it. */
	{
		g_autofree char *marked = html_to_text(m->html,
		    HTML_MARK_QUOTES);
		g_assert_cmpstr(m->html_marked, ==, marked);
	}
	g_test_message("%s", m->text);
	g_assert_nonnull(strstr(m->text, "Shipped the login fix "
	    "<https://example.org/pr/7>."));
	g_assert_nonnull(strstr(m->text, "- one\n- two"));
	g_assert_nonnull(strstr(m->text, "1. first\n2. second"));
	g_assert_nonnull(strstr(m->text, "Line\nbreak"));
	g_assert_null(strstr(m->text, "alert"));
	g_assert_null(strstr(m->text, "color"));
	/* The full text keeps the quote; reply extraction cuts it later. */
	g_assert_nonnull(strstr(m->text, "old question"));
}

static void
test_flowed(void)
{
	g_autoptr(Message) m = testmail_parse_file("flowed.eml");

	g_assert_true(m->flowed);
	g_test_message("%s", m->text);
	g_assert_true(g_str_has_prefix(m->text, "This paragraph was written as "
	    "one long line and wrapped by the mail client at a soft break.\n"
	    ">This line was space-stuffed.\nHard break above.\n"));
	g_assert_nonnull(strstr(m->text, "> quoted and flowed too\n"));
	/* The signature separator is not a soft break. */
	g_assert_nonnull(strstr(m->text, "\n-- \nJonas"));
}

static void
test_missing_id_and_date(void)
{
	g_autoptr(Message) a = testmail_parse_file("no-id-no-date.eml");
	g_autoptr(Message) b = testmail_parse_file("no-id-no-date.eml");

	g_assert_true(a->message_id_synthesised);
	/* The same mail always gets the same id. */
	g_assert_cmpstr(a->message_id, ==, b->message_id);
	g_assert_true(g_str_has_suffix(a->message_id, "@synthesised.tidings"));
	g_assert_true(a->date_from_arrival);
	g_assert_cmpint(a->date, ==, ARRIVAL);
	g_assert_true(has_problem(a, "no Message-ID"));
	g_assert_true(has_problem(a, "no usable Date"));
}

static void
test_absurd_dates(void)
{
	g_autoptr(Message) old = testmail_parse_file("date-1970.eml");
	g_autoptr(Message) future = testmail_parse_file("date-2100.eml");

	g_assert_true(old->date_from_arrival);
	g_assert_cmpint(old->date, ==, ARRIVAL);
	g_assert_true(future->date_from_arrival);
	g_assert_cmpint(future->date, ==, ARRIVAL);
	g_assert_true(has_problem(future, "absurd"));
}

static void
test_charsets(void)
{
	g_autoptr(Message) lying = testmail_parse_file("lying-charset.eml");
	g_autoptr(Message) unknown = testmail_parse_file("unknown-charset.eml");
	g_autoptr(Message) latin1 = testmail_parse_file("latin1.eml");

	g_assert_cmpstr(lying->subject, ==, "Grüße");
	g_assert_true(g_utf8_validate(lying->text, -1, NULL));
	g_assert_true(g_str_has_prefix(lying->text, "Grüße aus Köln"));
	g_assert_true(has_problem(lying, "guessed"));
	g_assert_true(g_utf8_validate(unknown->text, -1, NULL));
	g_assert_nonnull(strstr(unknown->text, "plain ascii"));
	g_assert_cmpstr(latin1->text, ==, "Grüße aus Köln\n");
}

/* Converters are kept between mails, per charset: one a conversion left
 * mid-way (ISO-2022-JP switched to JIS X 0208, then a byte that is not
 * JIS) starts the next text from its first state, and more charsets than
 * are kept at once each convert as their own. */
static void
test_charsets_kept(void)
{
	static const char *const charsets[] = {
		"iso-8859-1", "iso-8859-2", "iso-8859-3", "iso-8859-4",
		"iso-8859-5", "iso-8859-7", "iso-8859-9", "iso-8859-15",
		"koi8-r", "windows-1250", "iso-8859-1",
	};
	g_autoptr(GString) mail = g_string_new("From: a@example.org\n"
	    "Message-ID: <kept@example.org>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain; charset=iso-2022-jp\n\n"
	    "\033$B2q5D\377\n"
	    "--b\nContent-Type: text/plain; charset=iso-2022-jp\n\n"
	    "hello \033$B2q5D\033(B\n");
	g_autoptr(Message) m = NULL;
	g_autoptr(GError) error = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(charsets); i++)
		g_string_append_printf(mail, "--b\nContent-Type: text/plain; "
		    "charset=%s\n\npart %zu%s\n", charsets[i], i,
		    i + 1 == G_N_ELEMENTS(charsets) ? " caf\351" : "");
	g_string_append(mail, "--b--\n");
	for (int round = 0; round < 2; round++) {
		g_clear_pointer(&m, message_free);
		m = parse_string(mail->str, mail->len, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(m->parts->len, ==, 2 + G_N_ELEMENTS(charsets));
		g_assert_true(has_problem(m, "does not fit its charset "
		    "iso-2022-jp"));
		g_assert_cmpstr(((struct message_part *)m->parts->pdata[1])->text,
		    ==, "hello 会議");
		for (size_t i = 0; i < G_N_ELEMENTS(charsets); i++) {
			struct message_part *p = m->parts->pdata[2 + i];
			g_autofree char *want = g_strdup_printf("part %zu%s", i,
			    i + 1 == G_N_ELEMENTS(charsets) ? " café" : "");
			g_assert_cmpstr(p->text, ==, want);
		}
	}
}

static void
test_nul_byte(void)
{
	g_autoptr(Message) m = testmail_parse_file("nul-byte.eml");

	g_assert_true(g_utf8_validate(m->text, -1, NULL));
	g_assert_true(has_problem(m, "NUL bytes removed"));
	g_assert_nonnull(strstr(m->text, "before"));
	g_assert_nonnull(strstr(m->text, "after"));
}

static void
test_calendar_and_attachment(void)
{
	g_autoptr(Message) m = testmail_parse_file("calendar.eml");
	g_autoptr(GPtrArray) cals = message_parts_of_type(m, "text/calendar");

	g_assert_cmpstr(m->text, ==, "You are invited.");
	g_assert_cmpuint(cals->len, ==, 1);
	struct message_part *cal = cals->pdata[0];
	g_assert_cmpstr(cal->method, ==, "REQUEST");
	g_assert_nonnull(strstr(cal->text, "BEGIN:VCALENDAR"));
	g_autoptr(GPtrArray) pdfs = message_parts_of_type(m, "application/pdf");
	g_assert_cmpuint(pdfs->len, ==, 1);
	struct message_part *pdf = pdfs->pdata[0];
	g_assert_cmpstr(pdf->filename, ==, "Agenda ü.pdf");
	g_assert_true(pdf->attachment);
	/* Measured, not kept: nothing reads a document. */
	g_assert_null(pdf->data);
	g_assert_cmpuint(pdf->size, ==, 9);
	g_assert_null(pdf->text);
}

static void
test_truncated(void)
{
	g_autoptr(Message) m = testmail_parse_file("truncated.eml");

	g_assert_nonnull(strstr(m->text, "The text is here"));
	g_assert_cmpuint(m->parts->len, >=, 1);
	g_assert_true(has_problem(m, "MIME structure is truncated"));
}

/* A multipart whose boundary never comes keeps its body as text. */
static void
test_missing_boundary(void)
{
	static const char mail[] = "From: a@example.org\nSubject: b\n"
	    "Message-ID: <mb@x>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"zzz\"\n\n"
	    "The body without any boundary.\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(Message) m = parse_string(mail, sizeof mail - 1, &error);

	g_assert_no_error(error);
	g_assert_nonnull(strstr(m->text, "The body without any boundary."));
	g_assert_true(has_problem(m, "without a readable boundary"));
}

static gboolean
utf8_reference(const char *s, gsize len)
{
	return memchr(s, '\0', len) == NULL &&
	    g_utf8_validate_len(s, len, NULL);
}

/* utf8_clean() agrees with GLib (and memchr for NUL) on every sequence of
 * up to two bytes, on every lead and second byte with telling third and
 * fourth bytes, wherever in an ASCII run they fall, and on random bytes. */
static void
test_utf8_clean(void)
{
	static const guchar tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
	    0x9f, 0xa0, 0xbf, 0xc0, 0xf5, 0xff };
	char buf[32];
	g_autoptr(GRand) rand = g_rand_new_with_seed(3676);

	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			buf[0] = (char)a;
			buf[1] = (char)b;
			g_assert_cmpint(utf8_clean(buf, 1), ==,
			    utf8_reference(buf, 1));
			g_assert_cmpint(utf8_clean(buf, 2), ==,
			    utf8_reference(buf, 2));
		}
	for (int a = 0xc0; a < 256; a++)
		for (int b = 0; b < 256; b++)
			for (size_t c = 0; c < sizeof tails; c++)
				for (size_t d = 0; d < sizeof tails; d++)
					for (int at = 0; at < 16; at += 5) {
						gsize len = (gsize)at + 4 + (at % 3);
						memset(buf, 'a', sizeof buf);
						buf[at] = (char)a;
						buf[at + 1] = (char)b;
						buf[at + 2] = (char)tails[c];
						buf[at + 3] = (char)tails[d];
						for (gsize n = (gsize)at + 1; n <= len; n++)
							g_assert_cmpint(utf8_clean(buf, n), ==,
							    utf8_reference(buf, n));
					}
	for (int i = 0; i < 200000; i++) {
		gsize len = (gsize)g_rand_int_range(rand, 0, sizeof buf);
		for (gsize k = 0; k < len; k++) {
			guint32 r = g_rand_int(rand);
			/* Mostly ASCII, some of everything else. */
			buf[k] = (char)(r % 4 != 0 ? 0x20 + (r >> 8) % 0x5f :
			    (r >> 8) & 0xff);
		}
		g_assert_cmpint(utf8_clean(buf, len), ==,
		    utf8_reference(buf, len));
	}
	g_assert_true(utf8_clean("Grüße aus Köln, 東京 😀", strlen(
	    "Grüße aus Köln, 東京 😀")));
}

/* What GMime's parser finds wrong with the structure is said, whether
 * or not the mail looked suspect enough to be parsed again with its
 * warnings on; well-formed mail says nothing. */
static void
test_structure_problems(void)
{
	static const char head[] = "From: a@example.org\nSubject: s\n"
	    "Message-ID: <s@x>\nDate: Thu, 01 Jan 2026 00:00:00 +0000\n";
	static const char *const cases[][2] = {
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
		    "Content-Type: text/plain\n\nhi\n--B--\n", NULL },
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\r\n"
		    "Content-Type: text/plain\r\n\r\nhi\r\n--B--  \r\n", NULL },
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n\n"
		    "--B\nContent-Type: text/plain\n\nhi\n--B--\n", NULL },
		{ "Content-Type: multipart/mixed; boundary=\"B-x\"\n\n--B-x\n"
		    "Content-Type: text/plain\n\nx--B-x\n--B\n--B-x--", NULL },
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
		    "Content-Type: text/plain\n\nhi\n", "truncated" },
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
		    "Content-Type: text/plain\n\nhi\n--B--x\n", "truncated" },
		/* The inner closing line comes before the inner part. */
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
		    "Content-Type: text/plain\n\n--C--\n--B\nContent-Type: "
		    "multipart/alternative; boundary=\"C\"\n\n--C\n"
		    "Content-Type: text/plain\n\nhi\n", "truncated" },
		{ "Content-Type: multipart/mixed\n\n--B\nContent-Type: "
		    "text/plain\n\nhi\n--B--\n", "no boundary parameter" },
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
		    "Content-Type: text/plain\n\nhi\n--B\n--B--\n",
		    "neither headers nor content" },
		{ "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
		    "--B\nContent-Type: text/plain\n\nhi\n--B--\n",
		    "neither headers nor content" },
		{ "Content-Type: message/rfc822\n\nFrom: c@example.org\nSubj",
		    "malformed" },
		{ "X-Last: headers to the end", "truncated" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *mail = g_strconcat(head, cases[i][0], NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(Message) m = parse_string(mail, strlen(mail), &error);

		g_test_message("case %zu", i);
		g_assert_no_error(error);
		if (cases[i][1] != NULL)
			g_assert_true(has_problem(m, cases[i][1]));
		else
			g_assert_cmpuint(m->problems->len, ==, 0);
	}
}

/* 60 nested multiparts parse, and nesting past the limit is cut with a
 * note, never a crash. */
static void
test_deep_nesting(void)
{
	for (int levels = 60; levels <= 200; levels += 140) {
		GString *s = g_string_new("From: a@example.org\nSubject: deep\n"
		    "Message-ID: <deep@x>\nMIME-Version: 1.0\n");
		g_autoptr(GError) error = NULL;

		for (int i = 0; i < levels; i++)
			g_string_append_printf(s, "Content-Type: multipart/mixed; "
			    "boundary=\"b%d\"\n\n--b%d\n", i, i);
		g_string_append(s, "Content-Type: text/plain\n\ndeep text\n");
		for (int i = levels - 1; i >= 0; i--)
			g_string_append_printf(s, "--b%d--\n", i);
		g_autoptr(Message) m = parse_string(s->str, s->len, &error);
		g_assert_no_error(error);
		if (levels == 60) {
			g_assert_cmpstr(m->text, ==, "deep text");
			g_assert_true(has_problem(m, "nested 60 levels deep") ||
			    has_problem(m, "nested 61 levels deep"));
		} else
			g_assert_true(has_problem(m, "nested deeper than"));
		g_string_free(s, TRUE);
	}
}

/* An HTML-only mail of 60,000 nested divisions: its text, read without a
 * parser, and a problem saying so. */
static void
test_deep_html(void)
{
	GString *s = g_string_new("From: a@example.org\nSubject: deep\n"
	    "Message-ID: <deep-html@x>\nContent-Type: text/html\n\n");
	g_autoptr(GError) error = NULL;

	for (int i = 0; i < 60000; i++)
		g_string_append(s, "<div>");
	g_string_append(s, "deep &amp; hostile");
	for (int i = 0; i < 60000; i++)
		g_string_append(s, "</div>");
	g_autoptr(Message) m = parse_string(s->str, s->len, &error);
	g_assert_no_error(error);
	g_assert_true(m->text_from_html);
	g_assert_cmpstr(m->text, ==, "deep & hostile\n");
	g_assert_true(has_problem(m, "nested too deep"));
	g_string_free(s, TRUE);
}

/* Parts and addresses past their bounds are left out, the rest read. */
static void
test_many_parts(void)
{
	GString *s = g_string_new("From: a@example.org\nSubject: parts\n"
	    "Message-ID: <parts@x>\nMIME-Version: 1.0\nTo: ");
	g_autoptr(GError) error = NULL;

	for (int i = 0; i < 1500; i++)
		g_string_append_printf(s, "%su%d@example.org", i > 0 ? ", " : "",
		    i);
	g_string_append(s, "\nContent-Type: multipart/mixed; boundary=b\n\n");
	for (int i = 0; i < 1500; i++)
		g_string_append_printf(s, "--b\nContent-Type: text/plain\n\n"
		    "part %d\n", i);
	g_string_append(s, "--b--\n");
	g_autoptr(Message) m = parse_string(s->str, s->len, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(m->text, ==, "part 0");
	g_assert_cmpuint(m->parts->len, ==, 1000);
	g_assert_cmpuint(m->to->len, ==, 1000);
	g_assert_true(has_problem(m, "parts after the first 1000"));
	g_assert_true(has_problem(m, "To: addresses after the first 1000"));
	g_string_free(s, TRUE);
}

static void
test_unparseable(void)
{
	static const char *const inputs[] = { "", "\n\n\n" };

	for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(Message) m = parse_string(inputs[i], strlen(inputs[i]),
		    &error);
		g_assert_null(m);
		g_assert_error(error, MESSAGE_ERROR, MESSAGE_ERROR_UNPARSEABLE);
	}
	/* Random bytes are odd mail, but they must not crash the parser. */
	GRand *r = g_rand_new_with_seed(42);
	for (int round = 0; round < 200; round++) {
		gsize len = g_rand_int_range(r, 1, 4096);
		g_autofree guint8 *junk = g_malloc(len);
		for (gsize i = 0; i < len; i++)
			junk[i] = (guint8)g_rand_int_range(r, 0, 256);
		g_autoptr(GError) error = NULL;
		g_autoptr(Message) m = parse_string((char *)junk, len, &error);
		g_assert_true(m != NULL || error != NULL);
		if (m != NULL)
			g_assert_true(g_utf8_validate(m->text, -1, NULL));
	}
	g_rand_free(r);
}

/* Blanks before the first header are read as Python's email package
 * reads them: a line of spaces or tabs is skipped, an empty first line
 * ends the headers before any and all of the rest is the body. */
static void
test_leading_blanks(void)
{
	static const char spaces[] = "   \nFrom: Ana <ana@example.org>\n"
	    "Subject: hi\nMessage-ID: <b1@example.org>\n\nbody\n";
	static const char tabs[] = "\t\r\n \r\nFrom: ana@example.org\r\n"
	    "Subject: hi\r\n\r\nbody\r\n";
	static const char empty[] = "\nFrom: ana@example.org\nSubject: hi\n"
	    "\nbody\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(Message) a = parse_string(spaces, strlen(spaces), &error);
	g_autoptr(Message) b = NULL, c = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(a->from, ==, "ana@example.org");
	g_assert_cmpstr(a->subject, ==, "hi");
	g_assert_cmpstr(a->message_id, ==, "b1@example.org");
	g_assert_cmpstr(a->text, ==, "body\n");
	b = parse_string(tabs, strlen(tabs), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(b->from, ==, "ana@example.org");
	g_assert_cmpstr(b->subject, ==, "hi");
	c = parse_string(empty, strlen(empty), &error);
	g_assert_no_error(error);
	g_assert_null(c->from);
	g_assert_cmpstr(c->subject, ==, "");
	g_assert_nonnull(strstr(c->text, "From: ana@example.org\nSubject: hi"
	    "\n\nbody"));
	g_assert_cmpuint(c->problems->len, >, 0);
}

static void
test_large(void)
{
	gsize size = 30 * 1024 * 1024;
	GString *s = g_string_sized_new(size + 1024);
	g_autoptr(GError) error = NULL;

	g_string_append(s, "From: big@example.org\nSubject: big\n"
	    "Message-ID: <big@x>\nMIME-Version: 1.0\nContent-Type: text/plain\n\n");
	while (s->len < size)
		g_string_append(s, "0123456789 abcdefghijklmnopqrstuvwxyz "
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\n");
	g_autoptr(Message) m = parse_string(s->str, s->len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(m->text), >, size - 1024);
	g_string_free(s, TRUE);
}

/* Inputs the fuzzer once crashed on: they parse, and every text the
 * filters hand on is UTF-8. */
static void
test_fuzz_regressions(void)
{
	g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "..", "fuzz",
	    "regress", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		g_autoptr(GError) error = NULL;
		struct filter_ctx ctx = { .address = "standup@example.org" };
		gsize len;

		g_test_message("%s", name);
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		g_autoptr(Message) m = parse_string(data, len, &error);
		if (m == NULL)
			continue;
		g_assert_true(g_utf8_validate(m->text, -1, NULL));
		g_assert_true(g_utf8_validate(m->subject, -1, NULL));
		filters_run(m, &ctx);
		g_clear_error(&ctx.error);
		g_assert_true(m->reply == NULL ||
		    g_utf8_validate(m->reply, -1, NULL));
		n++;
	}
	g_assert_cmpuint(n, >, 0);
}

/* Appends to OUT the content of every leaf of OBJ, in the order the
 * parser walks them, as GMime's own stream filters decode it; NULL for an
 * attached message, which is read otherwise. */
static void
gmime_leaves(GMimeObject *obj, GPtrArray *out)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			gmime_leaves(g_mime_multipart_get_part(mp, i), out);
	} else if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));
		GMimeStream *mem = g_mime_stream_mem_new();
		GByteArray *ba;

		if (dw != NULL)
			g_mime_data_wrapper_write_to_stream(dw, mem);
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		g_ptr_array_add(out, g_bytes_new(ba->data, ba->len));
		g_object_unref(mem);
	} else
		g_ptr_array_add(out, NULL);
}

/* Every part's content equals what GMime's stream filters make of it:
 * the parser decodes base64 and quoted-printable itself; the size of a
 * part that is not kept, too. */
static void
check_decoded_as_gmime(const char *name, const char *data, gsize len)
{
	g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)g_bytes_unref);
	g_autoptr(GError) error = NULL;
	g_autoptr(Message) m = parse_string(data, len, &error);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *gm = g_mime_parser_construct_message(parser, NULL);

	g_test_message("%s", name);
	g_object_unref(parser);
	g_object_unref(stream);
	if (m == NULL || gm == NULL) {
		g_clear_object(&gm);
		return;
	}
	if (g_mime_message_get_mime_part(gm) != NULL)
		gmime_leaves(g_mime_message_get_mime_part(gm), want);
	g_object_unref(gm);
	/* A multipart without a readable boundary is read otherwise. */
	if (want->len != m->parts->len)
		return;
	for (guint i = 0; i < want->len; i++) {
		struct message_part *p = m->parts->pdata[i];
		gsize n;
		const char *got;

		if (want->pdata[i] == NULL)
			continue;
		/* A part nothing reads is measured, to the byte. */
		g_assert_cmpuint(p->size, ==, g_bytes_get_size(want->pdata[i]));
		if (p->data == NULL) {
			g_assert_false(g_str_has_prefix(p->content_type, "text/"));
			continue;
		}
		got = g_bytes_get_data(p->data, &n);
		g_assert_true(g_bytes_equal(p->data, want->pdata[i]));
		/* Past its end, a NUL: text may be read in place. */
		g_assert_true(got != NULL && got[n] == '\0');
		if (p->text_in_data)
			g_assert_cmpstr(p->text, ==, got);
	}
}

/* Quoted-printable, odd and random, decodes as GMime decodes it: soft
 * breaks of either kind, hex in either case, escapes that are none, and
 * what is left dangling at the end of a part. */
static void
test_qp_as_gmime(void)
{
	static const char *const odd[] = {
		"K=c3=b6ln =C3=A9t=c3=A9 soft=\nbreak soft=\r\nbreak",
		"=ZZ =4 =4G == ===41 = \n=\rX =\r =", "ends with =", "ends =4",
		"ends =\r", "=0A=0D=00 nul", "",
	};
	static const char alphabet[] = "==\r\n\n aF09gZ\xc3\xa9";
	g_autoptr(GRand) rand = g_rand_new_with_seed(2045);

	for (int i = 0; i < 400; i++) {
		g_autoptr(GString) body = g_string_new(NULL);
		g_autofree char *mail = NULL;

		if (i < (int)G_N_ELEMENTS(odd))
			g_string_append(body, odd[i]);
		else
			for (int k = g_rand_int_range(rand, 0, 60); k > 0; k--)
				g_string_append_c(body, alphabet[g_rand_int_range(
				    rand, 0, sizeof alphabet - 1)]);
		mail = g_strdup_printf("From: a@example.org\nSubject: qp\n"
		    "Message-ID: <qp%d@example.org>\nMIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
		    "Content-Type: application/octet-stream\n"
		    "Content-Transfer-Encoding: quoted-printable\n\n%s\n--b--\n",
		    i, body->str);
		check_decoded_as_gmime("qp", mail, strlen(mail));
	}
}

/* What GMime's decoder makes of BODY, base64, given it whole, as tidings
 * decodes a part it keeps: the size a part not kept is measured at. */
static gsize
base64_decoded_size(const char *body, gsize len)
{
	GMimeEncoding state;
	g_autofree char *out = NULL;

	g_mime_encoding_init_decode(&state, GMIME_CONTENT_ENCODING_BASE64);
	out = g_malloc(g_mime_encoding_outlen(&state, len) + 1);
	return g_mime_encoding_flush(&state, body, len, out);
}

/* Base64 not kept, odd and random, is measured as GMime decodes it whole:
 * '=' in the middle and at the end, missing padding, characters outside
 * the alphabet, line ends of both kinds, and bodies past the piece that
 * part sizes are counted in. */
static void
test_base64_measured(void)
{
	static const char *const odd[] = {
		"QQ==", "QUI=", "QUJD", "QQ", "QUI", "Q", "=", "==", "====",
		"QQ==QUJD", "QUJD=", "QUJD==", "QU=D", "=QUJ", "QUJDQQ=\r\n=",
		"QUJD\r\nQQ=A", "!!QU~JD??", "Q U J D\r\n", "\xc3\xa9QUJD", "",
	};
	static const char alphabet[] = "AZaz09+/==\r\n !~-\xc3";
	g_autoptr(GRand) rand = g_rand_new_with_seed(4648);

	for (int i = 0; i < 600; i++) {
		g_autoptr(GString) body = g_string_new(NULL);
		g_autofree char *mail = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(Message) m = NULL;
		struct message_part *p;

		if (i < (int)G_N_ELEMENTS(odd))
			g_string_append(body, odd[i]);
		else if (i < 580)
			for (int k = g_rand_int_range(rand, 0, 60); k > 0; k--)
				g_string_append_c(body, alphabet[g_rand_int_range(
				    rand, 0, sizeof alphabet - 1)]);
		else {
			/* Past 16 KiB, padded or not at the end. */
			gsize n = (gsize)g_rand_int_range(rand, 12000, 40000);
			g_autofree guchar *bytes = g_malloc(n);
			g_autofree char *b64 = NULL;

			for (gsize k = 0; k < n; k++)
				bytes[k] = (guchar)g_rand_int(rand);
			b64 = g_base64_encode(bytes, n);
			for (gsize k = 0, len = strlen(b64); k < len; k += 76) {
				g_string_append_len(body, b64 + k,
				    MIN(76, len - k));
				g_string_append(body, i % 2 ? "\r\n" : "\n");
			}
			g_string_truncate(body, body->len - (i % 2 ? 2 : 1));
			if (i % 3 == 0)	/* padding dropped */
				while (body->str[body->len - 1] == '=')
					g_string_truncate(body, body->len - 1);
		}
		mail = g_strdup_printf("From: a@example.org\nSubject: b64\n"
		    "Message-ID: <b64-%d@example.org>\nMIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
		    "Content-Type: application/octet-stream\n"
		    "Content-Transfer-Encoding: base64\n\n%s\n--b--\n",
		    i, body->str);
		m = parse_string(mail, strlen(mail), &error);
		g_assert_no_error(error);
		g_assert_cmpuint(m->parts->len, ==, 1);
		p = m->parts->pdata[0];
		g_assert_null(p->data);
		if (p->size != base64_decoded_size(body->str, body->len))
			g_test_message("body \"%s\"", i < 580 ? body->str :
			    "(long)");
		g_assert_cmpuint(p->size, ==, base64_decoded_size(body->str,
		    body->len));
	}
}

static void
test_decoding(void)
{
	static const char mail[] =
	    "From: a@example.org\r\nTo: b@example.org\r\n"
	    "Subject: parts\r\nMessage-ID: <parts@example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "K=C3=B6ln and a soft=\r\n break, =3D signs, a bad =ZZ escape\r\n"
	    "trailing =20\r\n"
	    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "S/ZsbiwgY2Fm6Q==\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "AAECA/8=\r\n!!not base64!!\r\nBAU=\r\n"
	    "--b\r\nContent-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: x-uuencode\r\n\r\n"
	    "begin 644 a.txt\r\n#86)C\r\n`\r\nend\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "plain 8bit: \xc3\xa9t\xc3\xa9\r\n"
	    "--b--\r\n";
	g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "..", "data",
	    "mail", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(Message) m = parse_string(mail, sizeof mail - 1, &error);
	const char *name;

	g_assert_nonnull(m);
	g_assert_cmpuint(m->parts->len, ==, 5);
	g_assert_true(((struct message_part *)m->parts->pdata[0])->text_in_data);
	g_assert_cmpstr(((struct message_part *)m->parts->pdata[1])->text, ==,
	    "K\xc3\xb6ln, caf\xc3\xa9");
	check_decoded_as_gmime("parts", mail, sizeof mail - 1);
	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len;

		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		check_decoded_as_gmime(name, data, len);
	}
}

/* Parts nothing reads (a document, an image) are measured, not kept: a
 * base64 one larger than the pieces it is decoded in, with junk between
 * its lines, a quoted-printable one and one as it stands; a calendar of
 * any type is kept. */
static void
test_measured(void)
{
	g_autoptr(GString) mail = g_string_new(
	    "From: a@example.org\r\nTo: b@example.org\r\n"
	    "Subject: measured\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
	    "--b\r\nContent-Type: application/pdf; name=big.pdf\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	g_autoptr(GRand) rand = g_rand_new_with_seed(7);
	g_autofree guchar *bytes = g_malloc(50001);
	g_autofree char *b64 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Message) m = NULL;
	struct message_part *p;

	for (guint i = 0; i < 50001; i++)
		bytes[i] = (guchar)g_rand_int_range(rand, 0, 256);
	b64 = g_base64_encode(bytes, 50001);
	for (gsize i = 0, len = strlen(b64); i < len; i += 76) {
		g_string_append_len(mail, b64 + i, MIN(76, len - i));
		g_string_append(mail, i % 7600 == 0 ? " ~!~\r\n" : "\r\n");
	}
	g_string_append(mail, "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "=00=01 soft=\r\nbreak=FF\r\n"
	    "--b\r\nContent-Type: image/x-test\r\n\r\nseven bits\r\n"
	    "--b\r\nContent-Type: application/octet-stream; name=a.ics\r\n"
	    "Content-Disposition: attachment; filename=a.ics\r\n\r\n"
	    "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
	    "--b--\r\n");
	m = parse_string(mail->str, mail->len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(m->parts->len, ==, 5);
	p = m->parts->pdata[1];
	g_assert_null(p->data);
	g_assert_cmpuint(p->size, ==, 50001);
	p = m->parts->pdata[2];
	g_assert_null(p->data);
	g_assert_cmpuint(p->size, ==, 13);	/* 2 + " soft" + "break" + 1 */
	p = m->parts->pdata[3];
	g_assert_null(p->data);
	g_assert_cmpuint(p->size, ==, 10);
	p = m->parts->pdata[4];
	g_assert_true(message_part_is_calendar(p));
	g_assert_nonnull(p->data);
	g_assert_cmpuint(p->size, ==, g_bytes_get_size(p->data));
	check_decoded_as_gmime("measured", mail->str, mail->len);
}

/* What 'tidings parse --json' prints of MSG, after the filters, and what
 * was odd about it. */
static char *
parsed_json(struct message *msg)
{
	struct filter_ctx fctx = { 0 };
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *json = NULL, *problems = NULL;
	enum verdict v = filters_run(msg, &fctx);

	g_clear_error(&fctx.error);
	json_builder_begin_object(b);
	report_message_json(b, msg);
	json_builder_set_member_name(b, "verdict");
	json_builder_add_string_value(b, filter_verdict_name(v));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json = json_generator_to_data(gen, NULL);
	g_ptr_array_add(msg->problems, NULL);
	problems = g_strjoinv("\n", (char **)msg->problems->pdata);
	g_ptr_array_remove_index(msg->problems, msg->problems->len - 1);
	return g_strconcat(json, "\n", problems, NULL);
}

/* The mail DATA (LEN), NAME, written to a file and read from there, is
 * the same as read in memory: the same hash, the same message, or the
 * same error. */
static void
check_file_same(const char *name, const char *data, gsize len)
{
	g_autoptr(GError) err = NULL, err_file = NULL;
	g_autoptr(GBytes) raw = g_bytes_new(data, len);
	g_autoptr(RawFile) rf = NULL;
	g_autoptr(Message) m = NULL, mf = NULL;
	g_autofree char *path = NULL, *hash = NULL, *hash_file = NULL;
	g_autofree char *json = NULL, *json_file = NULL;
	int fd = g_file_open_tmp("tidings-rawfile-XXXXXX", &path, &err);

	g_assert_cmpint(fd, >=, 0);
	g_assert_true(g_file_set_contents(path, data, (gssize)len, &err));
	close(fd);
	rf = rawfile_open(path, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(rf->size, ==, len);
	hash = message_hash(raw);
	hash_file = message_hash_file(rf, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(hash_file, ==, hash);
	m = message_parse_hashed(raw, g_strdup(hash), ARRIVAL, &err);
	mf = message_parse_file(rf, g_strdup(hash), ARRIVAL, &err_file);
	g_unlink(path);
	if (m == NULL) {
		if (mf != NULL || err_file == NULL ||
		    g_strcmp0(err->message, err_file->message) != 0)
			g_test_message("%s: read from its file: %s", name,
			    mf != NULL ? "parsed" : err_file->message);
		g_assert_null(mf);
		g_assert_error(err_file, err->domain, err->code);
		g_assert_cmpstr(err_file->message, ==, err->message);
		return;
	}
	g_assert_nonnull(mf);
	g_assert_cmpuint(message_raw_size(mf), ==, len);
	json = parsed_json(m);
	json_file = parsed_json(mf);
	if (strcmp(json, json_file) != 0)
		g_test_message("%s: in memory\n%s\nfrom its file\n%s", name,
		    json, json_file);
	g_assert_cmpstr(json_file, ==, json);
}

/* Every mail of DIR, and of its directories, is read alike from its file
 * and in memory; how many were. */
static guint
check_dir_same(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len;

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			n += check_dir_same(path);
			continue;
		}
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		check_file_same(path, data, len);
		n++;
	}
	return n;
}

/* A mail read from its file, as a large mail is imported, is read as it
 * is in memory: the mail of the tests, and of the shared corpora when
 * they are there; a large mail with an attachment of megabytes, whose
 * attachment is measured; mail GMime finds wrong; mail that is no mail. */
static void
test_file_same(void)
{
	g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "..", "data",
	    NULL);
	const char *shared = g_getenv("SHARED_DIR");
	g_autofree char *corpus = shared != NULL ? g_build_filename(shared,
	    "corpus", NULL) : NULL;
	g_autoptr(GString) big = g_string_new("From: a@example.org\r\n"
	    "To: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "see attached, caf=E9\r\n"
	    "--b\r\nContent-Type: application/pdf; name=big.pdf\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	g_autoptr(GString) blanks = g_string_new(NULL);
	g_autoptr(GRand) rand = g_rand_new_with_seed(11);
	gsize n = 3 * 1024 * 1024 + 5;
	g_autofree guchar *bytes = g_malloc(n);
	g_autofree char *b64 = NULL;
	static const char *const odd[] = {
		"",
		"\n\n\n",
		" \t\n\r\n",
		"From: a@example.org\nSubject: headers to the end",
		"  \n\t\nFrom: a@example.org\n\nblanks first\n",
		"\n\nno headers, a body\n",
		"From: a@example.org\nContent-Type: multipart/mixed; "
		    "boundary=z\n\n--z\nContent-Type: text/plain\n\nopen\n",
		"From: a@example.org\nContent-Type: multipart/mixed; "
		    "boundary=z\n\n--z\n--z\n\nnone\n--z--\n",
		"not a mail at all",
	};

	g_assert_cmpuint(check_dir_same(dir), >, 40);
	if (corpus != NULL && g_file_test(corpus, G_FILE_TEST_IS_DIR))
		g_assert_cmpuint(check_dir_same(corpus), >, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(odd); i++)
		check_file_same(odd[i], odd[i], strlen(odd[i]));
	for (gsize i = 0; i < n; i++)
		bytes[i] = (guchar)g_rand_int_range(rand, 0, 256);
	b64 = g_base64_encode(bytes, n);
	for (gsize i = 0, len = strlen(b64); i < len; i += 76) {
		g_string_append_len(big, b64 + i, MIN(76, len - i));
		g_string_append(big, "\r\n");
	}
	g_string_append(big, "--b--\r\n");
	check_file_same("big", big->str, big->len);
	/* Blank lines for longer than the piece read first. */
	while (blanks->len < 200 * 1024)
		g_string_append(blanks, "   \n");
	g_string_append(blanks, "From: a@example.org\n\nlate\n");
	check_file_same("blanks", blanks->str, blanks->len);
}

/* A large mail read from its file holds none of its attachment, and its
 * file but one descriptor, the file's own; a file that no longer reads
 * as it did is an error, not part of a mail. */
static void
test_file_read(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) mail = g_string_new("From: a@example.org\n"
	    "Message-ID: <f@x>\nContent-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain\n\nhello\n"
	    "--b\nContent-Type: image/png\n\n");
	g_autoptr(RawFile) rf = NULL;
	g_autoptr(Message) m = NULL;
	g_autofree char *path = NULL, *hash = NULL;
	g_autofree char *buf = g_malloc(16);
	struct message_part *p;
	int fd = g_file_open_tmp("tidings-rawfile-XXXXXX", &path, &err);

	while (mail->len < 2 * 1024 * 1024)
		g_string_append(mail, "0123456789abcdef0123456789abcdef\n");
	g_string_append(mail, "--b--\n");
	g_assert_true(g_file_set_contents(path, mail->str, (gssize)mail->len,
	    &err));
	close(fd);
	rf = rawfile_open(path, &err);
	g_assert_no_error(err);
	hash = message_hash_file(rf, &err);
	m = message_parse_file(rf, g_steal_pointer(&hash), ARRIVAL, &err);
	g_assert_no_error(err);
	g_assert_null(m->raw);
	g_assert_true(m->raw_file == rf);
	g_assert_cmpstr(m->message_id, ==, "f@x");
	g_assert_cmpstr(m->text, ==, "hello");
	g_assert_cmpuint(m->parts->len, ==, 2);
	p = m->parts->pdata[1];
	g_assert_null(p->data);
	g_assert_cmpuint(p->size, ==, mail->len - strlen("--b--\n") -
	    (strstr(mail->str, "0123") - mail->str) - 1);
	g_assert_cmpmem(message_raw_at(m, 0, 5, buf, &err), 5, "From:", 5);
	/* Renamed meanwhile: it reads all the same. */
	g_autofree char *moved = g_strconcat(path, ":2,S", NULL);
	g_assert_cmpint(g_rename(path, moved), ==, 0);
	g_assert_nonnull(message_raw_at(m, mail->len - 6, 6, buf, &err));
	g_assert_cmpmem(buf, 6, "--b--\n", 6);
	/* Cut short: reading past where it now ends fails. */
	g_assert_cmpint(truncate(moved, 100), ==, 0);
	g_assert_null(message_raw_at(m, mail->len - 6, 6, buf, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_IO);
	g_assert_nonnull(strstr(err->message, "it shrank"));
	g_clear_error(&err);
	g_assert_null(message_hash_file(rf, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_IO);
	g_clear_error(&err);
	g_unlink(moved);
	/* Gone before it is opened. */
	g_assert_null(rawfile_open(moved, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/message/file-same", test_file_same);
	g_test_add_func("/message/file-read", test_file_read);
	g_test_add_func("/message/measured", test_measured);
	g_test_add_func("/message/plain-reply", test_plain_reply);
	g_test_add_func("/message/alternative", test_alternative_prefers_plain);
	g_test_add_func("/message/html-only", test_html_only);
	g_test_add_func("/message/flowed", test_flowed);
	g_test_add_func("/message/missing-id-and-date", test_missing_id_and_date);
	g_test_add_func("/message/absurd-dates", test_absurd_dates);
	g_test_add_func("/message/charsets", test_charsets);
	g_test_add_func("/message/charsets-kept", test_charsets_kept);
	g_test_add_func("/message/nul-byte", test_nul_byte);
	g_test_add_func("/message/calendar-and-attachment",
	    test_calendar_and_attachment);
	g_test_add_func("/message/truncated", test_truncated);
	g_test_add_func("/message/utf8-clean", test_utf8_clean);
	g_test_add_func("/message/qp-as-gmime", test_qp_as_gmime);
	g_test_add_func("/message/base64-measured", test_base64_measured);
	g_test_add_func("/message/structure-problems",
	    test_structure_problems);
	g_test_add_func("/message/missing-boundary", test_missing_boundary);
	g_test_add_func("/message/deep-nesting", test_deep_nesting);
	g_test_add_func("/message/deep-html", test_deep_html);
	g_test_add_func("/message/many-parts", test_many_parts);
	g_test_add_func("/message/unparseable", test_unparseable);
	g_test_add_func("/message/large", test_large);
	g_test_add_func("/message/leading-blanks", test_leading_blanks);
	g_test_add_func("/message/fuzz-regressions", test_fuzz_regressions);
	g_test_add_func("/message/decoding", test_decoding);
	return g_test_run();
}
