/* Writes a deterministic Maildir of N mails for the benchmarks: threads of
 * replies with quoted text, multipart/alternative, base64 and
 * quoted-printable, UTF-8 and Latin-1, and a few calendar invitations.
 * The same N always gives the same bytes.
 *
 *   gen-maildir DIR N
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const people[] = {
	"Ana Lima <ana@example.org>", "Jonas Weber <jonas@example.org>",
	"Priya Nair <priya@example.org>", "Mia Chen <mia@example.org>",
	"=?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <zoe@example.org>",
	"Kofi Mensah <kofi@example.org>", "Sven Berg <sven@example.org>",
	"Lucía Pérez <lucia@example.org>",
};

static const char *const words[] = {
	"migration", "review", "deploy", "blocked", "database", "latency",
	"customer", "release", "tests", "pipeline", "on-call", "design",
	"budget", "roadmap", "incident", "refactor", "metrics", "docs",
	"Köln", "naïve", "façade", "smörgåsbord", "résumé", "jalapeño",
};

static void
sentence(GString *s, GRand *r, int n)
{
	for (int i = 0; i < n; i++) {
		const char *w = words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))];
		g_string_append_printf(s, "%s%s", i ? " " : "", w);
	}
	g_string_append(s, ".");
}

static void
paragraph(GString *s, GRand *r, int lines)
{
	for (int i = 0; i < lines; i++) {
		sentence(s, r, g_rand_int_range(r, 6, 12));
		g_string_append_c(s, '\n');
	}
}

/* Latin-1 bytes of UTF-8 text that fits in Latin-1. */
static char *
latin1(const char *utf8)
{
	return g_convert(utf8, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);
}

static void
quoted_printable(GString *out, const char *text)
{
	int col = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\n') {
			g_string_append_c(out, '\n');
			col = 0;
			continue;
		}
		if (col > 70) {
			g_string_append(out, "=\n");
			col = 0;
		}
		if (*p >= 128 || *p == '=') {
			g_string_append_printf(out, "=%02X", *p);
			col += 3;
		} else {
			g_string_append_c(out, (char)*p);
			col++;
		}
	}
}

static void
base64(GString *out, const char *data, gsize len)
{
	g_autofree char *b = g_base64_encode((const guchar *)data, len);

	for (size_t i = 0, n = strlen(b); i < n; i += 76)
		g_string_append_printf(out, "%.76s\n", b + i);
}

static GString *
make_mail(GRand *r, int i)
{
	GString *m = g_string_new(NULL);
	g_autoptr(GString) body = g_string_new(NULL);
	int thread = i / 5, pos = i % 5;
	int kind = g_rand_int_range(r, 0, 100);
	gint64 t = 1767225600 + (gint64)i * 97;	/* from 2026-01-01 */
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
	g_autofree char *date = g_date_time_format(dt,
	    "%a, %d %b %Y %H:%M:%S +0000");

	g_string_append_printf(m, "Return-Path: <sender%d@example.org>\n"
	    "Delivered-To: standup@example.org\n"
	    "From: %s\nTo: Standup <standup@example.org>\n"
	    "Subject: %sCheck-in %d: %s\nDate: %s\n"
	    "Message-ID: <m%d.t%d@bench.example.org>\n", i,
	    people[g_rand_int_range(r, 0, G_N_ELEMENTS(people))],
	    pos ? "Re: " : "", thread, words[thread % G_N_ELEMENTS(words)],
	    date, i, thread);
	if (pos > 0) {
		g_string_append_printf(m, "In-Reply-To: <m%d.t%d@bench.example."
		    "org>\nReferences:", i - 1, thread);
		for (int k = thread * 5; k < i; k++)
			g_string_append_printf(m, " <m%d.t%d@bench.example.org>",
			    k, thread);
		g_string_append_c(m, '\n');
	}
	g_string_append(m, "MIME-Version: 1.0\n");
	paragraph(body, r, g_rand_int_range(r, 3, 30));
	if (pos > 0) {
		g_string_append_printf(body, "\nOn %s, a teammate wrote:\n", date);
		g_autoptr(GString) q = g_string_new(NULL);
		paragraph(q, r, g_rand_int_range(r, 5, 40));
		g_auto(GStrv) lines = g_strsplit(q->str, "\n", -1);
		for (char **l = lines; *l && **l; l++)
			g_string_append_printf(body, "> %s\n", *l);
		g_string_append(body, "\n-- \nSent from my phone\n");
	}

	if (kind < 45) {	/* UTF-8, quoted-printable */
		g_string_append(m, "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: quoted-printable\n\n");
		quoted_printable(m, body->str);
	} else if (kind < 60) {	/* Latin-1, 8bit */
		g_autofree char *l1 = latin1(body->str);
		g_string_append(m, "Content-Type: text/plain; charset=iso-8859-1\n"
		    "Content-Transfer-Encoding: 8bit\n\n");
		g_string_append(m, l1 != NULL ? l1 : body->str);
	} else {		/* multipart/alternative, base64 HTML */
		g_autofree char *esc = g_markup_escape_text(body->str, -1);
		g_autoptr(GString) html = g_string_new("<html><body><p>");
		g_string_append(html, esc);
		g_string_append(html, "</p></body></html>\n");
		g_string_append_printf(m, "Content-Type: multipart/%s; "
		    "boundary=\"b%d\"\n\n--b%d\n", kind >= 97 ? "mixed" :
		    "alternative", i, i);
		if (kind >= 97)
			g_string_append_printf(m, "Content-Type: multipart/"
			    "alternative; boundary=\"a%d\"\n\n--a%d\n", i, i);
		g_string_append(m, "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: quoted-printable\n\n");
		quoted_printable(m, body->str);
		g_string_append_printf(m, "\n--%c%d\nContent-Type: text/html; "
		    "charset=utf-8\nContent-Transfer-Encoding: base64\n\n",
		    kind >= 97 ? 'a' : 'b', i);
		base64(m, html->str, html->len);
		if (kind >= 97) {
			g_string_append_printf(m, "--a%d--\n\n--b%d\nContent-Type: "
			    "text/calendar; charset=utf-8; method=REQUEST\n\n"
			    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
			    "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:ev%d@bench\r\n"
			    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T150000Z\r\n"
			    "DTEND:20260310T153000Z\r\nSUMMARY:Sync %d\r\n"
			    "END:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i, i);
		}
		g_string_append_printf(m, "--b%d--\n", i);
	}
	return m;
}

int
main(int argc, char **argv)
{
	g_autoptr(GRand) r = NULL;
	g_autofree char *cur = NULL;
	int n;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: gen-maildir DIR N\n");
		return 64;
	}
	r = g_rand_new_with_seed(20261125);
	cur = g_build_filename(argv[1], "cur", NULL);
	g_mkdir_with_parents(cur, 0755);
	for (const char *sub = "new"; sub; sub = strcmp(sub, "new") ? NULL : "tmp") {
		g_autofree char *d = g_build_filename(argv[1], sub, NULL);
		g_mkdir_with_parents(d, 0755);
	}
	for (int i = 0; i < n; i++) {
		g_autoptr(GString) m = make_mail(r, i);
		g_autofree char *name = g_strdup_printf("%010d.bench:2,S", i);
		g_autofree char *path = g_build_filename(cur, name, NULL);
		if (!g_file_set_contents(path, m->str, (gssize)m->len, NULL)) {
			fprintf(stderr, "gen-maildir: cannot write %s\n", path);
			return 73;
		}
	}
	return 0;
}
