/* Writes a deterministic Maildir of N mails for the benchmarks.  The
 * same N (and shape) always gives the same bytes.
 *
 * The default shape: threads of five replies with quoted text,
 * multipart/alternative, base64 and quoted-printable, UTF-8 and Latin-1,
 * and a few calendar invitations.
 *
 * --real: mail shaped like a mailbox of years.  About 45% list posts
 * (List-Id and the rest of RFC 2369, Precedence: list), 20% HTML-only
 * mail (newsletters), a third text and HTML alternatives, the rest
 * plain text; text in UTF-8, ISO-8859-1, windows-1252, ISO-2022-JP and
 * KOI8-R, as quoted-printable, base64, 8bit or 7bit; the headers real
 * mail carries (Received chains, DKIM and ARC signatures,
 * Authentication-Results); threads of one to a few hundred mails, with
 * References as mail programs cut them; and, in about one mail in a
 * hundred, an attachment of 100 KiB to 5 MiB.
 *
 *   gen-maildir [--real] DIR N
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

/* --- the real shape -------------------------------------------------- */

/* Words of each script, for text in its charsets. */
static const char *const words_ja[] = {
	"会議", "レビュー", "デプロイ", "データベース", "顧客", "リリース",
	"テスト", "設計", "予算", "障害", "ドキュメント", "確認します",
	"よろしくお願いします", "明日", "進捗", "東京",
};
static const char *const words_ru[] = {
	"миграция", "обзор", "развёртывание", "база", "данных", "клиент",
	"релиз", "тесты", "дизайн", "бюджет", "инцидент", "документация",
	"спасибо", "завтра", "Москва", "задержка",
};
static const char *const words_cp1252[] = {
	"\u201cdeploy\u201d", "it\u2019s", "review", "budget \u20ac12", "\u2013",
	"caf\u00e9", "na\u00efve", "release", "customer", "tests", "on-call",
	"\u2026", "roadmap", "incident", "metrics", "docs",
};

/* A charset and the words written in it. */
struct script {
	const char *charset;
	const char *const *words;
	guint n;
};

static const struct script scripts[] = {
	{ "utf-8", words, G_N_ELEMENTS(words) },
	{ "iso-8859-1", words, G_N_ELEMENTS(words) },
	{ "windows-1252", words_cp1252, G_N_ELEMENTS(words_cp1252) },
	{ "iso-2022-jp", words_ja, G_N_ELEMENTS(words_ja) },
	{ "koi8-r", words_ru, G_N_ELEMENTS(words_ru) },
};

static const struct script *
pick_script(GRand *r)
{
	int k = g_rand_int_range(r, 0, 100);

	return &scripts[k < 50 ? 0 : k < 65 ? 1 : k < 80 ? 2 : k < 90 ? 3 : 4];
}

static void
text_in(GString *s, GRand *r, const struct script *sc, int lines)
{
	for (int i = 0; i < lines; i++) {
		int n = g_rand_int_range(r, 5, 13);
		for (int k = 0; k < n; k++)
			g_string_append_printf(s, "%s%s", k ? " " : "",
			    sc->words[g_rand_int_range(r, 0, (gint32)sc->n)]);
		g_string_append(s, ".\n");
	}
}

/* The lists mail comes from. */
static const char *const lists[] = {
	"dev", "announce", "users", "security", "infra", "design-review",
};

/* One thread: its first mail and the ids of the last ones. */
struct thread {
	char *subject;
	const char *list;	/* NULL: no list */
	GPtrArray *ids;		/* of char *, oldest first */
	guint replies;
};

static void
thread_free(struct thread *t)
{
	g_free(t->subject);
	g_ptr_array_unref(t->ids);
	g_free(t);
}

static void
random_b64(GString *out, GRand *r, gsize len, gsize line)
{
	guint8 *b = g_malloc(len);
	g_autofree char *enc = NULL;

	for (gsize i = 0; i < len; i++)
		b[i] = (guint8)g_rand_int(r);
	enc = g_base64_encode(b, len);
	g_free(b);
	for (size_t i = 0, n = strlen(enc); i < n; i += line)
		g_string_append_printf(out, "%.*s\n", (int)line, enc + i);
}

/* The trace and authentication headers a mail collects on its way. */
static void
transport_headers(GString *m, GRand *r, const char *date, int i)
{
	int hops = g_rand_int_range(r, 3, 8);

	for (int h = 0; h < hops; h++)
		g_string_append_printf(m, "Received: from mx%d.relay%d.example.net "
		    "(mx%d.relay%d.example.net [192.0.2.%d])\n\tby mail%d.example.org "
		    "(Postfix) with ESMTPS id %08X%04X\n\tfor <standup@example.org>; "
		    "%s\n", h, i % 97, h, i % 97, (h * 37 + i) % 250 + 1, h,
		    g_rand_int(r), (guint)i & 0xffff, date);
	g_string_append_printf(m, "Authentication-Results: mx.example.org;\n"
	    "\tdkim=pass header.d=example.org header.s=s%d header.b=%08X;\n"
	    "\tspf=pass (example.org: domain of sender%d@example.org designates "
	    "192.0.2.%d as permitted sender) smtp.mailfrom=example.org;\n"
	    "\tdmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org\n",
	    i % 4, g_rand_int(r), i, i % 250 + 1);
	g_string_append_printf(m, "DKIM-Signature: v=1; a=rsa-sha256; "
	    "c=relaxed/relaxed; d=example.org; s=s%d;\n\tt=%d; h=from:to:subject:"
	    "date:message-id:references:in-reply-to;\n\tbh=", i % 4,
	    1767225600 + i);
	random_b64(m, r, 32, 200);
	g_string_truncate(m, m->len - 1);
	g_string_append(m, ";\n\tb=");
	{
		g_autoptr(GString) sig = g_string_new(NULL);
		random_b64(sig, r, 256, 70);
		g_strdelimit(sig->str, "\n", ' ');
		g_string_append(m, sig->str);
	}
	g_string_append_c(m, '\n');
	if (g_rand_int_range(r, 0, 3) == 0) {
		g_string_append_printf(m, "ARC-Seal: i=1; a=rsa-sha256; t=%d; "
		    "cv=none; d=example.net; s=arc;\n\tb=", 1767225600 + i);
		g_autoptr(GString) sig = g_string_new(NULL);
		random_b64(sig, r, 256, 70);
		g_strdelimit(sig->str, "\n", ' ');
		g_string_append(m, sig->str);
		g_string_append_printf(m, "\nARC-Authentication-Results: i=1; "
		    "mx.example.net; dkim=pass header.d=example.org; spf=pass\n");
	}
	g_string_append_printf(m, "X-Spam-Status: No, score=-%d.%d required="
	    "5.0 tests=DKIM_SIGNED,DKIM_VALID,SPF_PASS autolearn=ham\n",
	    g_rand_int_range(r, 0, 5), g_rand_int_range(r, 0, 10));
}

static void
list_headers(GString *m, const char *list)
{
	g_string_append_printf(m, "List-Id: The %s list <%s.lists.example.org>\n"
	    "List-Unsubscribe: <mailto:%s-leave@lists.example.org>,\n"
	    " <https://lists.example.org/unsubscribe/%s>\n"
	    "List-Post: <mailto:%s@lists.example.org>\n"
	    "List-Archive: <https://lists.example.org/archive/%s>\n"
	    "List-Help: <mailto:%s-request@lists.example.org?subject=help>\n"
	    "Precedence: list\nX-Mailman-Version: 3.3.8\n"
	    "Sender: \"%s\" <%s-bounces@lists.example.org>\n", list, list, list,
	    list, list, list, list, list, list);
}

/* TEXT (UTF-8) in the charset of SC and a transfer encoding, as the body
 * of a text part of TYPE with its headers. */
static void
text_part(GString *m, GRand *r, const char *type, const struct script *sc,
    const char *text)
{
	g_autofree char *conv = NULL;
	gsize len = strlen(text);
	int enc = g_rand_int_range(r, 0, 3);	/* 0 qp, 1 base64, 2 8bit */

	if (strcmp(sc->charset, "utf-8") != 0) {
		conv = g_convert(text, -1, sc->charset, "UTF-8", NULL, &len,
		    NULL);
		if (conv == NULL) {	/* cannot happen with these words */
			conv = g_strdup(text);
			len = strlen(text);
		}
	} else
		conv = g_strdup(text);
	/* ISO-2022-JP is 7-bit, as Japanese mail programs send it. */
	if (strcmp(sc->charset, "iso-2022-jp") == 0)
		enc = g_rand_int_range(r, 0, 4) == 0 ? 1 : 3;
	g_string_append_printf(m, "Content-Type: %s; charset=\"%s\"\n"
	    "Content-Transfer-Encoding: %s\n\n", type, sc->charset,
	    enc == 0 ? "quoted-printable" : enc == 1 ? "base64" : enc == 2 ?
	    "8bit" : "7bit");
	if (enc == 0)
		quoted_printable(m, conv);
	else if (enc == 1)
		base64(m, conv, len);
	else
		g_string_append_len(m, conv, (gssize)len);
	if (m->str[m->len - 1] != '\n')
		g_string_append_c(m, '\n');
}

/* HTML of TEXT: a mail program's alternative, or a newsletter. */
static char *
html_of(GRand *r, const char *text, gboolean newsletter)
{
	g_autofree char *esc = g_markup_escape_text(text, -1);
	g_auto(GStrv) paras = g_strsplit(esc, "\n", -1);
	GString *h = g_string_new("<!DOCTYPE html><html><head><meta "
	    "http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">");

	if (newsletter) {
		g_string_append(h, "<style>body{margin:0;padding:0}"
		    ".wrap{width:100%;background:#f4f4f4}.col{max-width:600px}"
		    "a{color:#1a73e8}@media (max-width:600px){.col{width:100%}}"
		    "</style></head><body><table class=\"wrap\" role=\"presentation\" "
		    "cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\">"
		    "<table class=\"col\" cellpadding=\"0\" cellspacing=\"0\">");
		for (char **p = paras; *p != NULL; p++) {
			if (**p == '\0')
				continue;
			g_string_append_printf(h, "<tr><td style=\"padding:12px 24px;"
			    "font-family:Helvetica,Arial,sans-serif;font-size:15px;"
			    "line-height:22px;color:#333333\"><p style=\"margin:0\">%s "
			    "<a href=\"https://news.example.com/r/%08x?utm_source="
			    "newsletter&amp;utm_medium=email\">Read more</a></p></td>"
			    "</tr>", *p, g_rand_int(r));
		}
		g_string_append(h, "<tr><td style=\"font-size:11px;color:#999\">"
		    "You receive this because you subscribed. <a href=\"https://"
		    "news.example.com/unsubscribe\">Unsubscribe</a></td></tr>"
		    "</table></td></tr></table><img src=\"https://news.example.com/"
		    "open.gif\" width=\"1\" height=\"1\" alt=\"\"></body></html>\n");
	} else {
		g_string_append(h, "</head><body><div dir=\"ltr\">");
		for (char **p = paras; *p != NULL; p++)
			g_string_append_printf(h, "<div>%s</div>", **p ? *p : "<br>");
		g_string_append(h, "</div></body></html>\n");
	}
	return g_string_free(h, FALSE);
}

static GString *
make_real_mail(GRand *r, int i, GPtrArray *threads, GPtrArray *longest)
{
	GString *m = g_string_new(NULL);
	g_autoptr(GString) body = g_string_new(NULL);
	g_autofree char *mid = g_strdup_printf("r%d.%08x@mail%d.example.org",
	    i, g_rand_int(r), i % 7);
	gint64 t = 1577836800 + (gint64)i * 613;	/* from 2020-01-01 */
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
	g_autofree char *date = g_date_time_format(dt,
	    "%a, %d %b %Y %H:%M:%S +0000");
	const struct script *sc = pick_script(r);
	int shape = g_rand_int_range(r, 0, 100);	/* html, alt, plain */
	gboolean newsletter = shape < 20;
	gboolean attach = g_rand_int_range(r, 0, 100) == 0;
	struct thread *th = NULL;
	int kind;

	/* A new thread, or a reply to one of the recent ones, the latest
	 * most often; or to one of the long discussions, which grow to a few
	 * hundred mails before they end. */
	kind = g_rand_int_range(r, 0, 100);
	if (!newsletter && kind < 25 && longest->len > 0) {
		guint k = (guint)g_rand_int_range(r, 0, (gint32)longest->len);
		th = longest->pdata[k];
		if (th->replies >= 300)
			g_ptr_array_remove_index(longest, k);
	} else if (!newsletter && threads->len > 0 && kind >= 33) {
		guint back = (guint)g_rand_int_range(r, 0, 40);
		back = back * back / 40;
		if (back < threads->len)
			th = threads->pdata[threads->len - 1 - back];
	}
	if (th == NULL && !newsletter) {
		th = g_new0(struct thread, 1);
		kind = g_rand_int_range(r, 0, 100);
		th->list = kind < 45 ? lists[kind % G_N_ELEMENTS(lists)] : NULL;
		th->subject = g_strdup_printf("%s%s %s %s",
		    th->list != NULL ? "[" : "", th->list != NULL ? th->list : "",
		    words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))],
		    words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))]);
		if (th->list != NULL) {
			char *s = g_strdup_printf("%.*s] %s",
			    (int)strlen(th->list) + 1, th->subject,
			    th->subject + strlen(th->list) + 2);
			g_free(th->subject);
			th->subject = s;
		}
		th->ids = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(threads, th);
		if (longest->len < 3)
			g_ptr_array_add(longest, th);
		if (threads->len > 400) {
			g_ptr_array_remove(longest, threads->pdata[0]);
			g_ptr_array_remove_index(threads, 0);
		}
	}

	g_string_append_printf(m, "Return-Path: <%s-bounces+standup=example.org@"
	    "lists.example.org>\nDelivered-To: standup@example.org\n",
	    th != NULL && th->list != NULL ? th->list : "sender");
	transport_headers(m, r, date, i);
	if (newsletter)
		g_string_append_printf(m, "From: Weekly News <news@news.example."
		    "com>\nTo: standup@example.org\nSubject: Issue %d: %s and "
		    "more\nList-Id: <weekly.news.example.com>\nList-Unsubscribe: "
		    "<https://news.example.com/unsubscribe?u=%x>\nList-Unsubscribe-"
		    "Post: List-Unsubscribe=One-Click\nPrecedence: bulk\n", i,
		    words[i % G_N_ELEMENTS(words)], g_rand_int(r));
	else {
		g_string_append_printf(m, "From: %s\n", people[g_rand_int_range(r,
		    0, G_N_ELEMENTS(people))]);
		if (th->list != NULL) {
			g_string_append_printf(m, "To: %s@lists.example.org\n",
			    th->list);
			list_headers(m, th->list);
		} else
			g_string_append(m, "To: Standup <standup@example.org>\n"
			    "Cc: Ana Lima <ana@example.org>, jonas@example.org\n");
		g_string_append_printf(m, "Subject: %s%s\n", th->ids->len > 0 ?
		    "Re: " : "", th->subject);
	}
	g_string_append_printf(m, "Date: %s\nMessage-ID: <%s>\n", date, mid);
	if (th != NULL && th->ids->len > 0) {
		guint n = th->ids->len;
		/* The root, then the last ones: as mail programs cut it. */
		g_string_append_printf(m, "In-Reply-To: <%s>\nReferences: <%s>",
		    (char *)th->ids->pdata[n - 1], (char *)th->ids->pdata[0]);
		for (guint k = n > 20 ? n - 20 : 1; k < n; k++)
			g_string_append_printf(m, "\n <%s>",
			    (char *)th->ids->pdata[k]);
		g_string_append_c(m, '\n');
	}
	g_string_append(m, "MIME-Version: 1.0\nContent-Language: en-US\n");

	text_in(body, r, sc, g_rand_int_range(r, 3, newsletter ? 60 : 25));
	if (th != NULL && th->ids->len > 0) {
		g_autoptr(GString) q = g_string_new(NULL);
		g_string_append_printf(body, "\nOn %s, someone wrote:\n", date);
		text_in(q, r, sc, g_rand_int_range(r, 4, 60));
		g_auto(GStrv) lines = g_strsplit(q->str, "\n", -1);
		for (char **l = lines; *l && **l; l++)
			g_string_append_printf(body, "> %s\n", *l);
	}
	if (th != NULL && th->list != NULL)
		g_string_append_printf(body, "_______________________________________"
		    "________\n%s mailing list\n%s@lists.example.org\nhttps://lists."
		    "example.org/listinfo/%s\n", th->list, th->list, th->list);
	if (th != NULL) {
		th->replies++;
		g_ptr_array_add(th->ids, g_strdup(mid));
		if (th->ids->len > 300)	/* older ones are no longer cited */
			g_ptr_array_remove_index(th->ids, 1);
	}

	if (attach)
		g_string_append_printf(m, "Content-Type: multipart/mixed; "
		    "boundary=\"=_mixed_%d\"\n\nThis is a multi-part message in MIME "
		    "format.\n\n--=_mixed_%d\n", i, i);
	if (newsletter) {
		g_autofree char *html = html_of(r, body->str, TRUE);
		text_part(m, r, "text/html", sc, html);
	} else if (shape < 55) {
		g_autofree char *html = html_of(r, body->str, FALSE);
		g_string_append_printf(m, "Content-Type: multipart/alternative; "
		    "boundary=\"=_alt_%d\"\n\n--=_alt_%d\n", i, i);
		text_part(m, r, "text/plain", sc, body->str);
		g_string_append_printf(m, "--=_alt_%d\n", i);
		text_part(m, r, "text/html", sc, html);
		g_string_append_printf(m, "--=_alt_%d--\n", i);
	} else
		text_part(m, r, "text/plain", sc, body->str);
	if (attach) {
		/* 100 KiB to 5 MiB, as many small ones as large. */
		gsize size = MIN((gsize)102400 << g_rand_int_range(r, 0, 6),
		    (gsize)5 << 20);
		size = MIN(size + (gsize)g_rand_int_range(r, 0, (gint32)size),
		    (gsize)5 << 20);
		static const char *const types[][2] = {
			{ "application/pdf", "report.pdf" },
			{ "image/jpeg", "photo.jpg" },
			{ "application/zip", "logs.zip" },
		};
		int k = g_rand_int_range(r, 0, G_N_ELEMENTS(types));
		g_string_append_printf(m, "\n--=_mixed_%d\nContent-Type: %s; "
		    "name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\n"
		    "Content-Transfer-Encoding: base64\n\n", i, types[k][0],
		    types[k][1], types[k][1]);
		random_b64(m, r, size, 76);
		g_string_append_printf(m, "--=_mixed_%d--\n", i);
	}
	return m;
}

int
main(int argc, char **argv)
{
	g_autoptr(GRand) r = NULL;
	g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)thread_free);
	g_autoptr(GPtrArray) longest = g_ptr_array_new();	/* in threads */
	g_autofree char *cur = NULL;
	gboolean real = argc == 4 && strcmp(argv[1], "--real") == 0;
	int n;

	if (real) {
		argv++;
		argc--;
	}
	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: gen-maildir [--real] DIR N\n");
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
		g_autoptr(GString) m = real ? make_real_mail(r, i, threads,
		    longest) : make_mail(r, i);
		g_autofree char *name = g_strdup_printf("%010d.bench:2,S", i);
		g_autofree char *path = g_build_filename(cur, name, NULL);
		if (!g_file_set_contents(path, m->str, (gssize)m->len, NULL)) {
			fprintf(stderr, "gen-maildir: cannot write %s\n", path);
			return 73;
		}
	}
	return 0;
}
