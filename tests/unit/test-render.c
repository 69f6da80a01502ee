/* Unit tests for rendering: every mail is parsed back with the same code
 * that reads incoming mail, and its headers, parts and text checked. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "message.h"
#include "render.h"
#include "template-check.h"

#define DATE 1774872000		/* 2026-03-30 12:00:00 UTC */

static const char *const questions[] = {
	"What did you work on?",
	"What will you work on next?",
	"Is anything in your way?",
};

static struct render_headers
headers(void)
{
	struct render_headers h = {
		.from_name = "Platform check-ins",
		.from = "standup@example.org",
		.to_name = "Ana Lima",
		.to = "ana@example.org",
		.reply_to = "standup+k7q2mzx4@example.org",
		.message_id = "prompt.42.7@example.org",
		.list_id = "Platform <platform.example.org>",
		.marker = "prompt 42",
		.date = DATE,
	};
	return h;
}

static struct render_vars *
prompt_vars(void)
{
	struct render_vars *v = render_vars_new();

	render_vars_set(v, "team", "platform");
	render_vars_set(v, "team_title", "Platform");
	render_vars_set(v, "checkin", "Daily standup");
	render_vars_set(v, "member_name", "Ana");
	render_vars_set(v, "local_date", "Monday 30 March");
	render_vars_set(v, "close_time", "Tuesday 09:00");
	render_vars_set(v, "reply_address", "standup+k7q2mzx4@example.org");
	render_vars_set(v, "help_address", "lead@example.org");
	for (gsize i = 0; i < G_N_ELEMENTS(questions); i++)
		render_vars_add(v, "questions", questions[i]);
	render_vars_set_int(v, "blocker", 3);
	return v;
}

static struct message *
render_parse(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *v,
    char **subject)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) raw = render_mail(r, name, h, v, subject, &error);
	struct message *m;

	g_assert_no_error(error);
	g_assert_nonnull(raw);
	m = message_parse(raw, DATE, &error);
	g_assert_no_error(error);
	return m;
}

static char *
raw_string(const struct message *m)
{
	gsize len;
	const char *data = g_bytes_get_data(m->raw, &len);

	return g_strndup(data, len);
}

/* The header section of M, up to the blank line. */
static char *
raw_headers(const struct message *m)
{
	char *s = raw_string(m);
	char *end = strstr(s, "\n\n");

	g_assert_nonnull(end);
	end[1] = '\0';
	return s;
}

static guint
count_headers(const struct message *m, const char *name)
{
	guint n = 0;

	for (guint i = 0; i < m->headers->len; i++) {
		struct message_header *h = m->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, name) == 0)
			n++;
	}
	return n;
}

static const struct message_part *
part_of_type(const struct message *m, const char *type)
{
	for (guint i = 0; i < m->parts->len; i++) {
		const struct message_part *p = m->parts->pdata[i];
		if (strcmp(p->content_type, type) == 0)
			return p;
	}
	return NULL;
}

/* A directory of override templates, removed by the test's end. */
static char *
override_dir(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("tidings-render-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

static void
write_template(const char *dir, const char *file, const char *text,
    gssize len)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(dir, file, NULL);

	g_file_set_contents(path, text, len, &error);
	g_assert_no_error(error);
}

static void
remove_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_unlink(path);
	}
	g_rmdir(dir);
}

static void
test_prompt_headers(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autofree char *subject = NULL;
	g_autoptr(Message) m = NULL;
	g_autofree char *head = NULL;

	h.in_reply_to = "digest.9@example.org";
	h.references = "digest.1@example.org digest.9@example.org";
	m = render_parse(r, "prompt", &h, v, &subject);
	head = raw_headers(m);
	g_test_message("%s", head);

	g_assert_cmpstr(subject, ==, "Daily standup for Monday 30 March "
	    "(Platform)");
	g_assert_cmpstr(m->subject, ==, subject);
	g_assert_cmpstr(m->from, ==, "standup@example.org");
	g_assert_cmpstr(m->from_name, ==, "Platform check-ins");
	g_assert_cmpuint(m->to->len, ==, 1);
	g_assert_cmpstr(m->to->pdata[0], ==, "ana@example.org");
	g_assert_cmpstr(m->reply_to, ==, "standup+k7q2mzx4@example.org");
	g_assert_cmpstr(m->message_id, ==, "prompt.42.7@example.org");
	g_assert_false(m->message_id_synthesised);
	g_assert_cmpstr(m->in_reply_to, ==, "digest.9@example.org");
	g_assert_cmpuint(m->references->len, ==, 2);
	g_assert_cmpstr(m->references->pdata[0], ==, "digest.1@example.org");
	g_assert_cmpstr(m->references->pdata[1], ==, "digest.9@example.org");
	g_assert_cmpint(m->date, ==, DATE);
	g_assert_false(m->date_from_arrival);
	g_assert_nonnull(strstr(head, "Date: Mon, 30 Mar 2026 12:00:00 +0000"));
	/* A personal question: nothing that tells a member's out-of-office
	 * responder to stay silent; the marker stays. */
	g_assert_null(message_header(m, "List-Id"));
	g_assert_null(message_header(m, "Auto-Submitted"));
	g_assert_null(message_header(m, "Precedence"));
	g_assert_cmpstr(message_header(m, "X-Tidings"), ==, "prompt 42");
	g_assert_cmpstr(message_header(m, "MIME-Version"), ==, "1.0");
	g_assert_nonnull(strstr(head, "Message-Id: <prompt.42.7@example.org>") ?
	    strstr(head, "Message-Id: <prompt.42.7@example.org>") :
	    strstr(head, "Message-ID: <prompt.42.7@example.org>"));
	g_assert_cmpuint(count_headers(m, "Message-Id"), ==, 1);
	g_assert_cmpuint(count_headers(m, "MIME-Version"), ==, 1);
	g_assert_cmpuint(m->problems->len, ==, 0);
}

/* Reminders are personal questions too; everything else tidings sends
 * keeps its List-Id and Auto-Submitted. */
static void
test_personal_headers(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autoptr(Message) rem = NULL, other = NULL;

	rem = render_parse(r, "reminder", &h, v, NULL);
	g_assert_null(message_header(rem, "List-Id"));
	g_assert_null(message_header(rem, "Auto-Submitted"));
	g_assert_nonnull(message_header(rem, "X-Tidings"));
	other = render_parse(r, "reply-skip", &h, v, NULL);
	g_assert_cmpstr(message_header(other, "List-Id"), ==,
	    "Platform <platform.example.org>");
	g_assert_cmpstr(message_header(other, "Auto-Submitted"), ==,
	    "auto-generated");
}

static void
test_defaults(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = render_vars_new();
	struct render_headers h = headers();
	g_autoptr(Message) m = NULL;

	h.marker = NULL;
	h.auto_submitted = "auto-replied";
	h.from_name = NULL;
	h.to_name = "";
	h.list_id = NULL;
	h.reply_to = NULL;
	m = render_parse(r, "reply-skip", &h, v, NULL);
	/* The marker is never left out: without one, the template's name. */
	g_assert_cmpstr(message_header(m, "X-Tidings"), ==, "reply-skip");
	g_assert_cmpstr(message_header(m, "Auto-Submitted"), ==,
	    "auto-replied");
	g_assert_null(message_header(m, "List-Id"));
	g_assert_null(message_header(m, "Reply-To"));
	g_assert_null(message_header(m, "In-Reply-To"));
	g_assert_null(message_header(m, "References"));
	g_assert_null(m->from_name);
	g_assert_cmpstr(m->from, ==, "standup@example.org");
}

static void
test_prompt_parts(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autoptr(Message) m = render_parse(r, "prompt", &h, v, NULL);
	g_autofree char *raw = raw_string(m);
	const struct message_part *first, *second;

	g_assert_nonnull(strstr(raw, "Content-Type: multipart/alternative"));
	g_assert_cmpuint(m->parts->len, ==, 2);
	first = m->parts->pdata[0];
	second = m->parts->pdata[1];
	g_assert_cmpstr(first->content_type, ==, "text/plain");
	g_assert_cmpstr(second->content_type, ==, "text/html");
	g_assert_nonnull(strstr(raw, "Content-Type: text/plain; charset=utf-8; "
	    "format=flowed"));
	g_assert_nonnull(strstr(raw, "Content-Type: text/html; charset=utf-8"));
	g_assert_true(m->flowed);

	/* Questions numbered on lines of their own, with room to answer. */
	g_test_message("%s", m->text);
	g_assert_true(g_str_has_prefix(m->text, "Hi Ana,\n"));
	g_assert_nonnull(strstr(m->text, "\n1. What did you work on?\n\n"));
	g_assert_nonnull(strstr(m->text, "\n2. What will you work on next?\n"));
	g_assert_nonnull(strstr(m->text, "\n3. Is anything in your way?\n"));
	g_assert_null(strstr(m->text, "\n4. "));
	g_assert_nonnull(strstr(m->text, "under question 3."));
	g_assert_nonnull(strstr(m->text, "\"skip\""));
	g_assert_nonnull(strstr(m->text, "\"pause until DATE\""));
	g_assert_nonnull(strstr(m->text, "lead@example.org"));
	g_assert_nonnull(strstr(m->text, "Tuesday 09:00"));

	/* The HTML has the same questions and nothing remote. */
	g_assert_nonnull(strstr(m->html, "1. What did you work on?</p>"));
	g_assert_nonnull(strstr(m->html, "3. Is anything in your way?</p>"));
	g_assert_null(strstr(m->html, "<link"));
	g_assert_null(strstr(m->html, "<img"));
	g_assert_null(strstr(m->html, "<script"));
	g_assert_null(strstr(m->html, "http"));
}

static void
test_no_blocker(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	render_vars_set_int(v, "blocker", 0);
	render_vars_set(v, "member_name", "");
	text = render_text(r, "prompt", v, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(text, "Hi,\n"));
	g_assert_null(strstr(text, "under question"));
	g_assert_nonnull(strstr(text, "\n\n1. What did you work on?\n"));
}

static void
test_reminder(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autofree char *subject = NULL;
	g_autoptr(Message) m = render_parse(r, "reminder", &h, v, &subject);

	g_assert_true(g_str_has_prefix(subject, "Reminder: "));
	g_assert_nonnull(strstr(m->text, "until Tuesday 09:00"));
	g_assert_nonnull(strstr(m->text, "\n2. What will you work on next?\n"));
	g_assert_nonnull(m->html);
}

static void
test_flowed_round_trip(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	const char *long_q = "What did you ship this week, what did you "
	    "learn along the way, and what would you do differently next "
	    "time around?";
	g_autoptr(Message) m = NULL;
	const struct message_part *plain;

	render_vars_add(v, "questions", long_q);
	m = render_parse(r, "prompt", &h, v, NULL);
	plain = part_of_type(m, "text/plain");
	g_assert_nonnull(plain);
	/* On the wire: broken into lines of at most 72 characters, each
	 * soft break a trailing space. */
	g_auto(GStrv) lines = g_strsplit(plain->text, "\n", -1);
	gboolean soft = FALSE;
	for (char **l = lines; *l != NULL; l++) {
		g_assert_cmpuint(g_utf8_strlen(*l, -1), <=, 73);
		if (g_str_has_prefix(*l, "4. What did you ship"))
			soft = g_str_has_suffix(*l, " ");
	}
	g_assert_true(soft);
	g_assert_null(strstr(plain->text, long_q));
	/* Read back: one line again. */
	g_autofree char *numbered = g_strdup_printf("\n4. %s\n", long_q);
	g_assert_nonnull(strstr(m->text, numbered));
}

static void
test_flowed_stuffing_and_urls(void)
{
	g_autofree char *dir = override_dir();
	g_autoptr(Render) r = render_new(dir);
	g_autoptr(RenderVars) v = render_vars_new();
	struct render_headers h = headers();
	const char *url = "https://example.org/a/very/long/path/that/goes/on/"
	    "and/on/past/the/edge/of/any/line?with=query&and=more";
	g_autoptr(Message) m = NULL;
	const struct message_part *plain;

	write_template(dir, "shapes.txt", "Subject: shapes\n\n"
	    "From here on\n"
	    ">not a quote\n"
	    " indented\n"
	    "trailing spaces   \n"
	    "{url}\n"
	    "see {url} for more\n", -1);
	render_vars_set(v, "url", url);
	m = render_parse(r, "shapes", &h, v, NULL);
	plain = part_of_type(m, "text/plain");
	g_test_message("%s", plain->text);
	g_assert_true(g_str_has_prefix(plain->text, " From here on\n"
	    " >not a quote\n"
	    "  indented\n"
	    "trailing spaces\n"));
	/* A URL is never broken, even past the width. */
	g_autofree char *alone = g_strdup_printf("\n%s\n", url);
	g_assert_nonnull(strstr(plain->text, alone));
	g_autofree char *after = g_strdup_printf("see \n%s \nfor more\n", url);
	g_assert_nonnull(strstr(plain->text, after));
	/* Read back, every line as written (bar the trailing spaces). */
	g_autofree char *expected = g_strdup_printf("From here on\n"
	    ">not a quote\n"
	    " indented\n"
	    "trailing spaces\n"
	    "%s\n"
	    "see %s for more\n", url, url);
	g_assert_cmpstr(m->text, ==, expected);
	remove_dir(dir);
}

static void
test_non_ascii_names(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autoptr(Message) m = NULL;
	g_autofree char *head = NULL;

	h.from_name = "Équipe Plateforme";
	h.to_name = "José Müller";
	render_vars_set(v, "team_title", "Équipe ✔");
	render_vars_set(v, "member_name", "José");
	m = render_parse(r, "prompt", &h, v, NULL);
	head = raw_headers(m);
	g_test_message("%s", head);
	/* RFC 2047 in the header section: 7-bit only. */
	for (const char *p = head; *p != '\0'; p++)
		g_assert_cmpuint((guchar)*p, <, 0x80);
	g_assert_nonnull(strstr(head, "=?"));
	g_assert_cmpstr(m->from_name, ==, "Équipe Plateforme");
	g_assert_cmpstr(m->subject, ==, "Daily standup for Monday 30 March "
	    "(Équipe ✔)");
	const struct message_header *to = NULL;
	for (guint i = 0; i < m->headers->len; i++) {
		const struct message_header *x = m->headers->pdata[i];
		if (g_ascii_strcasecmp(x->name, "To") == 0)
			to = x;
	}
	g_assert_nonnull(to);
	g_assert_nonnull(strstr(to->value, "José Müller"));
	g_assert_true(g_str_has_prefix(m->text, "Hi José,\n"));
}

static void
test_html_escaping(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autoptr(Message) m = NULL;

	render_vars_add(v, "questions", "<script>alert(1)</script> & co?");
	render_vars_set(v, "member_name", "<b onclick=\"x()\">Ana</b>");
	render_vars_set(v, "checkin", "Stand'up");
	m = render_parse(r, "prompt", &h, v, NULL);
	g_test_message("%s", m->html);
	g_assert_null(strstr(m->html, "<script"));
	g_assert_null(strstr(m->html, "<b "));
	g_assert_nonnull(strstr(m->html,
	    "4. &lt;script&gt;alert(1)&lt;/script&gt; &amp; co?"));
	g_assert_nonnull(strstr(m->html,
	    "Hi &lt;b onclick=&quot;x()&quot;&gt;Ana&lt;/b&gt;,"));
	g_assert_nonnull(strstr(m->html, "Stand&apos;up") ?
	    strstr(m->html, "Stand&apos;up") : strstr(m->html, "Stand&#39;up"));
	/* The text part is plain text: no escaping there. */
	g_assert_nonnull(strstr(m->text,
	    "4. <script>alert(1)</script> & co?\n"));
}

static void
test_header_injection(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autofree char *subject = NULL;
	g_autoptr(Message) m = NULL;
	g_autofree char *head = NULL;
	static const char *const expected[] = { "From", "To", "Reply-To",
	    "Subject", "Date", "Message-Id", "List-Id", "Auto-Submitted",
	    "X-Tidings", "MIME-Version", "Content-Type" };

	h.to_name = "Ana\r\nBcc: x@y.example";
	h.from_name = "Team\nCc: z@y.example\x01\x1b[1m";
	h.marker = "prompt 42\r\nX-Injected: 1";
	h.list_id = "Platform <platform.example.org>\nBcc: w@y.example";
	h.auto_submitted = "auto-generated\rBcc: v@y.example";
	render_vars_set(v, "team_title", "Platform\r\nBcc: evil@y.example\r\n"
	    "\r\nbody");
	render_vars_set(v, "checkin", "Stand\x7fup\x00ignored");
	m = render_parse(r, "prompt", &h, v, &subject);
	head = raw_headers(m);
	g_test_message("%s", head);

	/* Nothing but the headers tidings writes. */
	for (guint i = 0; i < m->headers->len; i++) {
		const struct message_header *x = m->headers->pdata[i];
		gboolean known = FALSE;
		for (gsize j = 0; j < G_N_ELEMENTS(expected); j++)
			known |= g_ascii_strcasecmp(x->name, expected[j]) == 0;
		g_assert_true(known);
		g_assert_null(strchr(x->value, '\r'));
	}
	g_assert_cmpuint(count_headers(m, "Subject"), ==, 1);
	g_assert_cmpuint(count_headers(m, "To"), ==, 1);
	g_assert_null(strstr(head, "\nBcc:"));
	g_assert_null(strstr(head, "\nCc:"));
	g_assert_null(strstr(head, "\nX-Injected"));
	g_assert_null(strchr(head, '\r'));
	g_assert_null(strchr(head, '\x1b'));
	g_assert_null(strchr(head, '\x7f'));
	g_assert_cmpuint(m->to->len, ==, 1);
	g_assert_cmpstr(m->to->pdata[0], ==, "ana@example.org");
	g_assert_cmpstr(subject, ==, "Standup for Monday 30 March (Platform "
	    "Bcc: evil@y.example body)");
	g_assert_cmpstr(m->subject, ==, subject);
	g_assert_cmpstr(message_header(m, "X-Tidings"), ==,
	    "prompt 42 X-Injected: 1");
	g_assert_true(g_str_has_prefix(m->text, "Hi Ana,\n"));
}

/* Titles typed on a command line that look like RFC 2047 encoded words
 * (which decode to a line break and a Bcc) reach the reader as typed: in
 * the Subject, the display names and List-Id's phrase. */
static void
test_encoded_lookalikes(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autofree char *subject = NULL;
	g_autoptr(Message) m = NULL;
	GMimeMessage *gm;
	GMimeParser *parser;
	GMimeStream *stream;
	const char *title = "=?utf-8?q?a=0D=0ABcc:_x@evil.example?=";
	const char *name = "=?utf-8?q?Ana=0D=0ABcc=3A_y=40evil.example?= Lima";
	g_autofree char *lid = g_strdup_printf("%s <platform.example.org>",
	    title);
	g_autofree char *want = NULL, *head = NULL;
	GMimeHeaderList *list;

	render_vars_set(v, "checkin", "Daily =?utf-8?b?QQ==?=");
	render_vars_set(v, "team_title", title);
	h.from_name = title;
	h.to_name = name;
	h.list_id = lid;
	m = render_parse(r, "prompt", &h, v, &subject);
	head = raw_headers(m);
	g_test_message("%s", head);
	want = g_strdup_printf("Daily =?utf-8?b?QQ==?= for Monday 30 March "
	    "(%s)", title);
	g_assert_cmpstr(subject, ==, want);
	g_assert_cmpstr(m->subject, ==, want);
	g_assert_cmpstr(m->from_name, ==, title);
	g_assert_cmpstr(m->from, ==, "standup@example.org");
	g_assert_cmpuint(m->to->len, ==, 1);
	g_assert_cmpstr(m->to->pdata[0], ==, "ana@example.org");
	g_assert_cmpuint(count_headers(m, "Bcc"), ==, 0);
	g_assert_cmpuint(count_headers(m, "Subject"), ==, 1);

	/* GMime, as a mail program would, reads the same. */
	stream = g_mime_stream_mem_new_with_buffer(g_bytes_get_data(m->raw,
	    NULL), g_bytes_get_size(m->raw));
	parser = g_mime_parser_new_with_stream(stream);
	gm = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	g_assert_nonnull(gm);
	g_assert_cmpstr(g_mime_message_get_subject(gm), ==, want);
	g_assert_cmpstr(internet_address_get_name(
	    internet_address_list_get_address(g_mime_message_get_to(gm), 0)),
	    ==, name);
	list = g_mime_object_get_header_list(GMIME_OBJECT(gm));
	g_assert_false(g_mime_header_list_contains(list, "Bcc"));
	g_object_unref(gm);
	/* List-Id's phrase, on a mail that carries one (a prompt does not):
	 * unfolded, then decoded. */
	{
		g_autoptr(Message) o = render_parse(r, "reply-skip", &h, v,
		    NULL);
		GMimeHeader *x;
		g_auto(GStrv) lines = NULL;
		g_autofree char *unfolded = NULL, *decoded = NULL;

		stream = g_mime_stream_mem_new_with_buffer(g_bytes_get_data(
		    o->raw, NULL), g_bytes_get_size(o->raw));
		parser = g_mime_parser_new_with_stream(stream);
		gm = g_mime_parser_construct_message(parser, NULL);
		g_object_unref(parser);
		g_object_unref(stream);
		g_assert_nonnull(gm);
		list = g_mime_object_get_header_list(GMIME_OBJECT(gm));
		x = g_mime_header_list_get_header(list, "List-Id");
		lines = g_strsplit(x != NULL ? g_mime_header_get_raw_value(x) :
		    "", "\n", -1);
		unfolded = g_strjoinv("", lines);
		decoded = g_mime_utils_header_decode_text(NULL, unfolded);
		g_assert_cmpstr(g_strstrip(decoded), ==, lid);
		g_assert_false(g_mime_header_list_contains(list, "Bcc"));
		g_object_unref(gm);
	}
}

static void
test_bad_addresses(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	static const char *const bad[] = { "ana@example.org, eve@example.org",
	    "Ana <ana@example.org>", "ana@example.org\r\nBcc: eve@x.org",
	    "ana @example.org", "ana", "@example.org", "ana@", "\"a b\"@x.org",
	    "ana@x.org>", "", NULL };

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		for (int field = 0; field < 3; field++) {
			g_autoptr(GError) error = NULL;
			struct render_headers h = headers();
			if (field == 0)
				h.to = bad[i];
			else if (field == 1)
				h.from = bad[i];
			else if (bad[i] != NULL)
				h.reply_to = bad[i];
			else
				continue;
			g_autoptr(GBytes) raw = render_mail(r, "prompt", &h, v,
			    NULL, &error);
			g_assert_null(raw);
			g_assert_error(error, RENDER_ERROR,
			    RENDER_ERROR_ADDRESS);
		}
	}
	const char *bad_ids[] = { "a b@x.org", "<a@x.org>", "a@x.org>\r\nX: y",
	    "noat", "", NULL };
	for (gsize i = 0; i < G_N_ELEMENTS(bad_ids); i++) {
		g_autoptr(GError) error = NULL;
		struct render_headers h = headers();
		h.message_id = bad_ids[i];
		g_autoptr(GBytes) raw = render_mail(r, "prompt", &h, v, NULL,
		    &error);
		g_assert_null(raw);
		g_assert_error(error, RENDER_ERROR, RENDER_ERROR_ADDRESS);
	}
}

static void
test_references(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = render_vars_new();
	struct render_headers h = headers();
	g_autoptr(Message) m = NULL;

	h.in_reply_to = "reply.3@mail.example.org";
	h.references = "  prompt.42.7@example.org\tbad id>@x <evil\r\n "
	    "noat ";
	m = render_parse(r, "reply-skip", &h, v, NULL);
	g_assert_cmpstr(m->in_reply_to, ==, "reply.3@mail.example.org");
	g_assert_cmpuint(m->references->len, ==, 2);
	g_assert_cmpstr(m->references->pdata[0], ==, "prompt.42.7@example.org");
	g_assert_cmpstr(m->references->pdata[1], ==,
	    "reply.3@mail.example.org");
}

static void
test_override_wins(void)
{
	g_autofree char *dir = override_dir();
	g_autoptr(Render) r = render_new(dir);
	g_autoptr(Render) builtin = render_new(NULL);
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autofree char *subject = NULL;
	g_autoptr(Message) m = NULL;

	write_template(dir, "prompt.txt", "Subject: Our own {checkin}\r\n\r\n"
	    "Hello {member_name}!\r\n"
	    "{for n in questions_numbers}{n}. {questions[n - 1]}\r\n{end}", -1);
	g_assert_true(render_has(r, "prompt"));
	m = render_parse(r, "prompt", &h, v, &subject);
	g_assert_cmpstr(subject, ==, "Our own Daily standup");
	g_assert_cmpstr(m->text, ==, "Hello Ana!\n"
	    "1. What did you work on?\n"
	    "2. What will you work on next?\n"
	    "3. Is anything in your way?\n");
	/* The compiled-in HTML does not go with an overridden text. */
	g_assert_cmpuint(m->parts->len, ==, 1);
	g_assert_null(m->html);

	/* Templates not overridden still come from the compiled-in set. */
	g_assert_true(render_has(r, "reminder"));
	g_autoptr(GError) error = NULL;
	g_autofree char *text = render_text(r, "reply-skip", v, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "skipping Daily standup"));

	/* With an HTML override next to it, an alternative again. */
	write_template(dir, "prompt.html", "<p>{member_name}</p>\n", -1);
	g_clear_pointer(&m, message_free);
	m = render_parse(r, "prompt", &h, v, NULL);
	g_assert_cmpuint(m->parts->len, ==, 2);
	g_assert_cmpstr(m->html, ==, "<p>Ana</p>\n");
	g_assert_true(render_has(builtin, "prompt"));
	remove_dir(dir);
}

static void
assert_template_error(struct render *r, const char *name,
    const char *words)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderVars) v = prompt_vars();
	struct render_headers h = headers();
	g_autoptr(GBytes) raw = render_mail(r, name, &h, v, NULL, &error);
	g_autofree char *text = NULL;

	g_assert_null(raw);
	g_assert_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, words));
	g_clear_error(&error);
	text = render_text(r, name, v, &error);
	g_assert_null(text);
	g_assert_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE);
}

static void
test_broken_templates(void)
{
	g_autofree char *dir = override_dir();
	g_autoptr(Render) r = render_new(dir);
	g_autofree char *at_line = NULL;

	write_template(dir, "syntax.txt", "Subject: fine\n\nline 3\n"
	    "line 4 {if member_name\nline 5\n", -1);
	write_template(dir, "nosubject.txt", "Hello {member_name}\n", -1);
	write_template(dir, "noblank.txt", "Subject: x\nHello\n", -1);
	write_template(dir, "badsubject.txt", "Subject: {team +}\n\nx\n", -1);
	write_template(dir, "nul.txt", "Subject: x\n\na\0b\n", 14);
	write_template(dir, "latin1.txt", "Subject: x\n\ncaf\xe9\n", -1);
	write_template(dir, "types.txt", "Subject: x\n\n{blocker + team}\n",
	    -1);

	at_line = g_strdup_printf("%s/syntax.txt:4:8: a '{'", dir);
	assert_template_error(r, "syntax", at_line);
	assert_template_error(r, "nosubject", "nosubject.txt:1:");
	assert_template_error(r, "noblank", "noblank.txt:1:");
	assert_template_error(r, "badsubject", "badsubject.txt:1:");
	assert_template_error(r, "nul", "nul.txt");
	assert_template_error(r, "latin1", "latin1.txt");
	assert_template_error(r, "types", "types.txt");

	/* A broken HTML part fails the mail too, and is named. */
	write_template(dir, "htmlbad.txt", "Subject: x\n\nfine\n", -1);
	write_template(dir, "htmlbad.html", "<p>\n{for x in}</p>\n", -1);
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(RenderVars) v = prompt_vars();
		struct render_headers h = headers();
		g_autoptr(GBytes) raw = render_mail(r, "htmlbad", &h, v, NULL,
		    &error);
		g_assert_null(raw);
		g_assert_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE);
		g_assert_nonnull(strstr(error->message, "htmlbad.html:2:"));
	}
	remove_dir(dir);
}

static void
test_missing_template(void)
{
	g_autofree char *dir = override_dir();
	g_autoptr(Render) r = render_new(dir);
	g_autoptr(Render) builtin = render_new(NULL);

	assert_template_error(r, "nothere", "nothere.txt");
	assert_template_error(builtin, "nothere", "nothere.txt");
	assert_template_error(builtin, "../templates/prompt", "not a template");
	assert_template_error(builtin, "", "not a template");
	g_assert_false(render_has(r, "nothere"));
	g_assert_false(render_has(r, "../prompt"));
	g_assert_false(render_has(r, "prompt/"));
	g_assert_false(render_has(r, NULL));
	g_assert_true(render_has(r, "prompt"));
	remove_dir(dir);
}

static void
test_missing_vars_empty(void)
{
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) v = render_vars_new();
	struct render_headers h = headers();
	g_autofree char *subject = NULL;
	g_autoptr(Message) m = render_parse(r, "reply-skip", &h, v, &subject);

	g_assert_cmpstr(subject, ==, "Skipped: check-in");
	g_assert_true(g_str_has_prefix(m->text, "Hi,\n"));
	g_assert_nonnull(strstr(m->text, "skipping this check-in"));

	/* A prompt with nothing set still renders: an empty list, no
	 * questions. */
	g_autoptr(GError) error = NULL;
	g_autofree char *text = render_text(r, "prompt", v, &error);
	g_assert_no_error(error);
	g_assert_null(strstr(text, "1. "));
}

static void
test_list_helpers(void)
{
	g_autofree char *dir = override_dir();
	g_autoptr(Render) r = render_new(dir);
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	write_template(dir, "list.txt", "Subject: x\n\n{items_count}:"
	    "{for n in items_numbers} {n}={items[n - 1]}{end};"
	    "{for i in empty}never{end}{empty_count}\n", -1);
	render_vars_add(v, "items", "a");
	render_vars_add(v, "items", "b\r\nc");
	render_vars_add(v, "empty", NULL);
	text = render_text(r, "list", v, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(text, ==, "2: 1=a 2=b\nc;0\n");
	remove_dir(dir);
}

/* Every compiled-in template renders, with all its variables and with
 * none. */
static void
test_all_templates(void)
{
	static const char *const names[] = { "prompt", "reminder",
	    "reply-skip", "reply-pause", "reply-resume", "reply-help",
	    "reply-error", "reply-late", "reply-unknown",
	    "reply-confirm-answer", "reply-uncounted", "reply-confirmed" };
	g_autoptr(Render) r = render_new(NULL);
	g_autoptr(RenderVars) full = prompt_vars();
	g_autoptr(RenderVars) none = render_vars_new();
	struct render_headers h = headers();

	render_vars_set(full, "until", "Monday 13 April");
	render_vars_set(full, "address", "standup@example.org");
	render_vars_set(full, "line", "pause untill friday");
	render_vars_set(full, "reason", "\"untill\" is not a word I know");
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *s1 = NULL, *s2 = NULL;
		g_assert_true(render_has(r, names[i]));
		g_autoptr(Message) m1 = render_parse(r, names[i], &h, full, &s1);
		g_autoptr(Message) m2 = render_parse(r, names[i], &h, none, &s2);
		g_test_message("%s: %s\n%s", names[i], s1, m1->text);
		g_assert_cmpstr(s1, !=, "");
		g_assert_cmpstr(s2, !=, "");
		g_assert_true(g_str_has_prefix(m1->text, "Hi Ana,\n"));
		g_assert_true(g_str_has_suffix(m1->text, "\n"));
		g_assert_false(g_str_has_suffix(m1->text, "\n\n"));
	}
}

/* Only the documented forms reach CTPL, whose lexer frees memory twice
 * on some malformed tags; each other form is refused where it is. */
static void
test_template_syntax(void)
{
	static const char *const good[] = {
		"plain text, no tags",
		"Hi{if member_name != \"\"} {member_name}{end},",
		"{for n in questions_numbers}{n}. {questions[n - 1]}\n{end}",
		"{if a > 0}{if b < (c + 2) * 3}x{else}y{end}{else}z{end}",
		"{if x == \"a \\\"quoted\\\" }\"}ok{end}",
		"{ name }{-n}{1.5}{a && b || c}{a <= b}{a >= b}{a % 2}",
		"escaped \\{ \\} \\\\ and a lone ` or ~",
		"{if(a)}b{end}",
		"",
	};
	static const struct {
		const char *text, *where, *words;
	} bad[] = {
		/* The input that crashed CTPL, and its kin. */
		{ "{if e}{\n", "t:1:7:", "not closed" },
		{ "{if e[rrors_cou >=}x{end}", "t:1:", "" },
		{ "a {b\nc}", "t:1:3:", "not closed" },
		{ "x }", "t:1:3:", "closes no tag" },
		{ "{end}", "t:1:1:", "no block" },
		{ "{if a}{else}{else}{end}", "t:1:13:", "{else}" },
		{ "{for x in y}{else}{end}", "t:1:13:", "{else}" },
		{ "line\n{if a}\n", "t:2:1:", "an {if} that no {end}" },
		{ "{for x in}{end}", "t:1:", "list" },
		{ "{for x y}{end}", "t:1:8:", "\"in\"" },
		{ "{}", "t:1:1:", "empty" },
		{ "{if}{end}", "t:1:", "missing" },
		{ "{a +}", "t:1:", "missing" },
		{ "{a b}", "t:1:4:", "operator" },
		{ "{(a}", "t:1:2:", "'('" },
		{ "{q[1}", "t:1:3:", "'['" },
		{ "{if \"open}x{end}", "t:1:1:", "not closed" },
		{ "{if in}{end}", "t:1:5:", "not names" },
		{ "{1.}", "t:1:4:", "'.'" },
		{ "end \\", "t:1:5:", "'\\'" },
	};
	g_autoptr(GString) deep = g_string_new(NULL);
	g_autoptr(GError) error = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_test_message("good: %s", good[i]);
		g_assert_true(template_check(good[i], "t", 1, 1, &error));
		g_assert_no_error(error);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("bad: %s", bad[i].text);
		g_assert_false(template_check(bad[i].text, "t", 1, 1, &error));
		g_assert_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE);
		g_test_message("  %s", error->message);
		g_assert_true(g_str_has_prefix(error->message, bad[i].where));
		g_assert_nonnull(strstr(error->message, bad[i].words));
		g_clear_error(&error);
	}
	/* Positions count from where the text starts in its file. */
	g_assert_false(template_check("x {", "f.txt", 3, 9, &error));
	g_assert_nonnull(strstr(error->message, "f.txt:3:11:"));
	g_clear_error(&error);
	/* Nesting is bounded, not a matter of the stack. */
	for (int i = 0; i < 100; i++)
		g_string_append(deep, "{if a}");
	g_assert_false(template_check(deep->str, "t", 1, 1, &error));
	g_assert_nonnull(strstr(error->message, "too deep"));
	g_clear_error(&error);
	g_string_truncate(deep, 0);
	g_string_append(deep, "{");
	for (int i = 0; i < 100; i++)
		g_string_append(deep, "(");
	g_string_append(deep, "a}");
	g_assert_false(template_check(deep->str, "t", 1, 1, &error));
	g_assert_nonnull(strstr(error->message, "too deep"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/render/prompt/headers", test_prompt_headers);
	g_test_add_func("/render/prompt/personal", test_personal_headers);
	g_test_add_func("/render/prompt/parts", test_prompt_parts);
	g_test_add_func("/render/prompt/no-blocker", test_no_blocker);
	g_test_add_func("/render/reminder", test_reminder);
	g_test_add_func("/render/defaults", test_defaults);
	g_test_add_func("/render/references", test_references);
	g_test_add_func("/render/flowed/round-trip", test_flowed_round_trip);
	g_test_add_func("/render/flowed/stuffing-urls",
	    test_flowed_stuffing_and_urls);
	g_test_add_func("/render/non-ascii-names", test_non_ascii_names);
	g_test_add_func("/render/html-escaping", test_html_escaping);
	g_test_add_func("/render/header-injection", test_header_injection);
	g_test_add_func("/render/bad-addresses", test_bad_addresses);
	g_test_add_func("/render/override-wins", test_override_wins);
	g_test_add_func("/render/broken-templates", test_broken_templates);
	g_test_add_func("/render/encoded-lookalikes", test_encoded_lookalikes);
	g_test_add_func("/render/missing-template", test_missing_template);
	g_test_add_func("/render/missing-vars-empty", test_missing_vars_empty);
	g_test_add_func("/render/list-helpers", test_list_helpers);
	g_test_add_func("/render/all-templates", test_all_templates);
	g_test_add_func("/render/template-syntax", test_template_syntax);
	return g_test_run();
}
