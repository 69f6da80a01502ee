/* /a/TEAM/: the team's archive, where it reads back its check-ins.
 *
 *   /a/TEAM/            the digests by period, newest first, and a search
 *   /a/TEAM/d/ID        one digest: answers per check-in and question,
 *                       blockers first, with their comments
 *   /a/TEAM/m/ID        one answer or comment with its thread
 *   /a/TEAM/search?q=   full-text search over the team's mail
 *
 * No page without access: the key of a subscriber's link (?key=, sent
 * with the welcome mail, revocable with tidings feed-url --reader EMAIL
 * --new), or [http] archive-user and archive-password-file by HTTP basic
 * auth.  Without either the answer is the plain 404 (or 401 asking for
 * the password when basic auth is set).  Every value is escaped; the
 * pages need no script and load nothing from anywhere. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "digest.h"
#include "grid.h"
#include "http.h"
#include "log.h"
#include "pulse.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-subscription.h"
#include "store-http.h"

#define SEARCH_LIMIT 50

/* What a page needs besides the request. */
struct archive {
	struct http_request *r;
	struct team *team;
	const char *title;
	char *keyq;		/* "?key=K" to append to links, or "" */
	GTimeZone *tz;
};

/* --- access ------------------------------------------------------------ */

/* Whether the request carries the user and password of [http]. */
static gboolean
basic_ok(struct http_request *r, gboolean *asked)
{
	const struct conf *conf = r->env->conf;
	const char *user = conf_get(conf, "http", "archive-user");
	const char *auth = http_header(r, "Authorization");
	g_autofree char *want = NULL, *got = NULL, *password = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	gboolean same;

	*asked = user != NULL;
	if (user == NULL || auth == NULL ||
	    g_ascii_strncasecmp(auth, "Basic ", 6) != 0)
		return FALSE;
	password = conf_read_secret(conf, "http", "archive-password-file",
	    &len, &error);
	if (password == NULL) {
		log_warnx("http: archive: %s", error != NULL ? error->message :
		    "no archive-password-file in [http]");
		return FALSE;
	}
	want = g_strdup_printf("%s:%s", user, password);
	got = (char *)g_base64_decode(auth + 6, &len);
	if (got == NULL)
		return FALSE;
	got = g_realloc(got, len + 1);
	got[len] = '\0';
	/* In constant time for the length of what is wanted. */
	same = strlen(got) == strlen(want);
	for (gsize i = 0, n = strlen(want); i < n; i++)
		same &= got[i < len ? i : 0] == want[i];
	memset(want, 0, strlen(want));
	memset(password, 0, strlen(password));
	return same;
}

/* The subscriber whose archive link carries KEY, or NULL. */
static gboolean
key_ok(struct http_request *r, const char *team, const char *key)
{
	g_autoptr(GPtrArray) subs = NULL;

	if (key == NULL || (subs = store_subscription_list(r->env->st, team,
	    TRUE, NULL)) == NULL)
		return FALSE;
	for (guint i = 0; i < subs->len; i++) {
		const struct subscription *s = subs->pdata[i];
		if (http_key_check(r->env, "archive", team, s->email, key))
			return TRUE;
	}
	return FALSE;
}

/* --- pieces ------------------------------------------------------------ */

static char *
date_of(struct archive *a, gint64 t, const char *fmt)
{
	g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) l = g_date_time_to_timezone(u, a->tz);

	return g_date_time_format(l, fmt);
}

static void
text_block(GString *s, const char *text)
{
	g_autofree char *e = http_escape(text);

	g_string_append_printf(s, "<div class=\"text\">%s</div>\n", e);
}

static void
search_form(GString *s, struct archive *a, const char *up, const char *q)
{
	g_autofree char *eq = http_escape(q != NULL ? q : "");
	const char *key = http_query(a->r, "key");
	g_autofree char *ek = http_escape(key != NULL ? key : "");

	g_string_append_printf(s, "<form method=\"get\" action=\"%ssearch\" "
	    "role=\"search\">\n<input type=\"search\" name=\"q\" value=\"%s\" "
	    "aria-label=\"Search\" placeholder=\"Search the archive\">\n",
	    up, eq);
	if (key != NULL)
		g_string_append_printf(s, "<input type=\"hidden\" name=\"key\" "
		    "value=\"%s\">\n", ek);
	g_string_append(s, "<button type=\"submit\">Search</button>\n"
	    "</form>\n");
}

static void
nav(GString *s, struct archive *a, const char *up)
{
	g_autofree char *t = http_escape(a->title);

	g_string_append_printf(s, "<p class=\"muted\"><a href=\"%s%s\">%s"
	    "</a></p>\n", *up != '\0' ? up : "./", a->keyq, t);
}

static void
page(struct archive *a, guint status, const char *title, GString *body)
{
	http_set_header(a->r, "Cache-Control", "private, no-store");
	http_page(a->r, status, title, body->str);
}

/* --- the pages ----------------------------------------------------------- */

/* The team's answers per week, the chart of the digest's pulse, as an
 * SVG image inline (a data: address, which the page's policy allows, so
 * nothing is fetched); nothing when nobody was asked. */
static void
pulse_html(GString *s, struct archive *a)
{
	g_autoptr(GError) error = NULL;
	gint64 now = clock_now();
	struct pulse *p = pulse_gather(a->r->env->st, a->team, now - 7 * 86400,
	    now, &error);
	g_autofree char *svg = NULL, *b64 = NULL;

	if (p == NULL) {
		log_warnx("http: archive of %s: the pulse: %s", a->team->name,
		    error->message);
		return;
	}
	if (pulse_any(p) &&
	    (svg = pulse_svg(p, "Answers per week")) != NULL) {
		b64 = g_base64_encode((const guchar *)svg, strlen(svg));
		g_string_append_printf(s, "<h2>Pulse</h2>\n<p><img class=\"pulse\" "
		    "alt=\"Answers per week\" src=\"data:image/svg+xml;base64,%s\">"
		    "</p>\n", b64);
	}
	pulse_free(p);
}

/* Who of the team is around the seven days from today's midnight in the
 * team's zone, an hour a cell, as the digest's "who is around" shows it:
 * HTML table cells, nothing fetched. */
static void
around_html(GString *s, struct archive *a)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(a->team->zone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(clock_now());
	g_autoptr(GDateTime) local = NULL, midnight = NULL, week = NULL;
	g_autoptr(Grid) g = NULL;
	g_autofree char *html = NULL;
	gint64 from, len;

	if (tz == NULL || utc == NULL)
		return;
	local = g_date_time_to_timezone(utc, tz);
	midnight = g_date_time_new(tz, g_date_time_get_year(local),
	    g_date_time_get_month(local), g_date_time_get_day_of_month(local),
	    0, 0, 0);
	week = g_date_time_add_days(midnight, 7);
	from = g_date_time_to_unix(midnight);
	len = g_date_time_to_unix(week) - from;
	g = grid_build(a->r->env->st, a->team->name, a->team->zone, from, 3600,
	    (guint)(len / 3600), GRID_AROUND_NEAR, &error);
	if (g == NULL) {
		log_warnx("http: archive of %s: who is around: %s",
		    a->team->name, error->message);
		return;
	}
	if (g->names->len == 0)
		return;
	html = grid_html(g, TRUE, "Who is around this week");
	g_string_append_printf(s, "<h2>Who is around</h2>\n%s\n", html);
}

static void
page_index(struct archive *a)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) periods = store_http_periods(a->r->env->st,
	    a->team->name, &error);
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *t = http_escape(a->title);

	if (periods == NULL) {
		log_warnx("http: archive of %s: %s", a->team->name,
		    error->message);
		http_page(a->r, 503, "Try again",
		    "<h1>Try again</h1>");
		return;
	}
	g_string_append_printf(s, "<h1>%s</h1>\n", t);
	search_form(s, a, "", NULL);
	pulse_html(s, a);
	around_html(s, a);
	g_string_append(s, "<h2>Digests</h2>\n");
	if (periods->len == 0)
		g_string_append(s, "<p class=\"muted\">No digest yet.</p>\n");
	g_string_append(s, "<ul class=\"periods\">\n");
	for (guint i = 0; i < periods->len; i++) {
		const struct archive_period *p = periods->pdata[i];
		g_autofree char *from = date_of(a, p->start, "%a %e %B %Y");
		g_autofree char *to = date_of(a, p->end - 1, "%a %e %B %Y");
		g_string_append_printf(s, "<li><a href=\"d/%" G_GINT64_FORMAT
		    "%s\">%s</a>", p->id, a->keyq, from);
		if (strcmp(from, to) != 0)
			g_string_append_printf(s, " to %s", to);
		g_string_append(s, "</li>\n");
	}
	g_string_append(s, "</ul>\n");
	page(a, 200, a->title, s);
}

/* The comments on the answers of mail MESSAGE, whenever they were
 * made: a digest shows those of its own period alone. */
static void
comments_html(GString *s, struct archive *a, gint64 message)
{
	g_autoptr(GPtrArray) cs = store_http_comments(a->r->env->st, message,
	    NULL);

	for (guint i = 0; cs != NULL && i < cs->len; i++) {
		const struct archive_hit *c = cs->pdata[i];
		g_autofree char *who = http_escape(c->sender);
		g_autofree char *cw = date_of(a, c->date, "%a %e %b, %H:%M");
		g_string_append_printf(s, "<blockquote><p><strong>%s</strong> "
		    "<span class=\"muted\">%s</span></p>\n", who, cw);
		text_block(s, c->snippet);
		g_string_append(s, "</blockquote>\n");
	}
}

static void
answer_html(GString *s, struct archive *a, const struct digest_answer *an)
{
	g_autofree char *name = http_escape(an->name);
	g_autofree char *when = date_of(a, an->at, "%a %e %b, %H:%M");

	g_string_append_printf(s, "<div class=\"answer\"><p><strong>%s"
	    "</strong> <span class=\"muted\">%s%s", name, when,
	    an->late ? ", late" : "");
	if (an->blocked_days > 0)
		g_string_append_printf(s, ", blocked for %d day%s",
		    an->blocked_days, an->blocked_days == 1 ? "" : "s");
	g_string_append_printf(s, " · <a href=\"../m/%" G_GINT64_FORMAT
	    "%s\">thread</a></span></p>\n", an->message, a->keyq);
	text_block(s, an->text);
	comments_html(s, a, an->message);
	g_string_append(s, "</div>\n");
}

static void
checkins_html(GString *s, struct archive *a, GPtrArray *checkins)
{
	for (guint i = 0; checkins != NULL && i < checkins->len; i++) {
		const struct digest_checkin *c = checkins->pdata[i];
		g_autofree char *ct = http_escape(c->title);
		g_string_append_printf(s, "<h2>%s</h2>\n", ct);
		for (guint q = 0; q < c->questions->len; q++) {
			const struct digest_question *dq =
			    c->questions->pdata[q];
			g_autofree char *qt = http_escape(dq->text);
			g_string_append_printf(s, "<h3>%s</h3>\n", qt);
			for (guint k = 0; k < dq->answers->len; k++)
				answer_html(s, a, dq->answers->pdata[k]);
		}
		for (guint k = 0; c->missing != NULL &&
		    k < c->missing->len; k++) {
			g_autofree char *en = http_escape(c->missing->pdata[k]);
			g_string_append_printf(s, "%s%s%s", k == 0 ?
			    "<p class=\"muted\">No answer from " : ", ", en,
			    k + 1 == c->missing->len ? ".</p>\n" : "");
		}
	}
}

static void
page_digest(struct archive *a, const char *which)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Digest) d = NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *t = http_escape(a->title), *from = NULL;
	struct archive_period p;
	char *end;
	gint64 id = g_ascii_strtoll(which, &end, 10);

	if (*which == '\0' || *end != '\0' || id <= 0 ||
	    !store_http_period(a->r->env->st, a->team->name, id, &p, NULL) ||
	    (d = digest_build(a->r->env->st, a->team->name, p.start, p.end,
	    &error)) == NULL) {
		http_not_found(a->r);
		return;
	}
	nav(s, a, "../");
	from = date_of(a, p.start, "%A %e %B %Y");
	g_string_append_printf(s, "<h1>%s</h1>\n<p class=\"muted\">%s · %u "
	    "answer%s</p>\n", t, from, d->answers, d->answers == 1 ? "" : "s");
	if (d->blockers != NULL && d->blockers->len > 0) {
		g_string_append(s, "<h2 class=\"blockers\">Blockers</h2>\n");
		for (guint i = 0; i < d->blockers->len; i++)
			answer_html(s, a, d->blockers->pdata[i]);
	}
	checkins_html(s, a, d->checkins);
	if (d->earlier != NULL && d->earlier->len > 0) {
		g_string_append(s, "<h2>Comments on earlier answers</h2>\n");
		checkins_html(s, a, d->earlier);
	}
	for (guint i = 0; d->comments != NULL && i < d->comments->len; i++) {
		const struct digest_comment *c = d->comments->pdata[i];
		g_autofree char *who = http_escape(c->author);
		if (i == 0)
			g_string_append(s, "<h2>Replies to the digest</h2>\n");
		g_string_append_printf(s, "<p><strong>%s</strong></p>\n", who);
		text_block(s, c->text);
	}
	if (d->away != NULL && d->away->len > 0) {
		g_string_append(s, "<p><span class=\"muted\">Away:</span> ");
		for (guint i = 0; i < d->away->len; i++) {
			g_autofree char *w = http_escape(d->away->pdata[i]);
			g_string_append_printf(s, "%s%s", i > 0 ? ", " : "", w);
		}
		g_string_append(s, ".</p>\n");
	}
	page(a, 200, a->title, s);
}

static void
message_html(GString *s, struct archive *a, const struct message_row *m,
    gboolean here)
{
	g_autofree char *who = http_escape(m->sender_name != NULL &&
	    *m->sender_name != '\0' ? m->sender_name : m->sender);
	g_autofree char *when = date_of(a, m->date, "%a %e %b %Y, %H:%M");

	g_string_append_printf(s, "<div class=\"answer%s\"><p><strong>%s"
	    "</strong> <span class=\"muted\">%s</span></p>\n",
	    here ? " here" : "", who, when);
	text_block(s, m->body_text != NULL ? m->body_text : "");
	g_string_append(s, "</div>\n");
}

static void
page_message(struct archive *a, const char *which)
{
	struct store *st = a->r->env->st;
	g_autoptr(MessageRow) m = NULL;
	g_autoptr(GPtrArray) thread = NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *subject = NULL;
	char *end;
	gint64 id = g_ascii_strtoll(which, &end, 10);

	if (*which == '\0' || *end != '\0' || id <= 0 ||
	    !store_http_message_of(st, a->team->name, id, NULL) ||
	    (m = store_message_get(st, id, NULL)) == NULL) {
		http_not_found(a->r);
		return;
	}
	nav(s, a, "../");
	subject = http_escape(m->subject != NULL && *m->subject != '\0' ?
	    m->subject : "(no subject)");
	g_string_append_printf(s, "<h1>%s</h1>\n", subject);
	if (m->thread_id != 0)
		thread = store_thread_messages(st, m->thread_id, NULL);
	if (thread == NULL || thread->len <= 1) {
		message_html(s, a, m, TRUE);
		comments_html(s, a, m->id);
		page(a, 200, a->title, s);
		return;
	}
	g_string_append_printf(s, "<p class=\"muted\">%u mails in the thread"
	    "</p>\n", thread->len);
	/* Only the team's own mail of the thread is shown. */
	for (guint i = 0; i < thread->len; i++) {
		const struct message_row *o = thread->pdata[i];
		if (o->id == m->id || store_http_message_of(st, a->team->name,
		    o->id, NULL)) {
			message_html(s, a, o, o->id == m->id);
			comments_html(s, a, o->id);
		}
	}
	page(a, 200, a->title, s);
}

/* The snippet with its \001 \002 marks as <mark>, the rest escaped. */
static void
snippet_html(GString *s, const char *snippet)
{
	const char *p = snippet != NULL ? snippet : "";

	while (*p != '\0') {
		gsize n = strcspn(p, "\001\002");
		g_autofree char *piece = g_strndup(p, n);
		g_autofree char *e = http_escape(piece);
		g_string_append(s, e);
		p += n;
		if (*p == '\001')
			g_string_append(s, "<mark>");
		else if (*p == '\002')
			g_string_append(s, "</mark>");
		if (*p != '\0')
			p++;
	}
}

static void
page_search(struct archive *a)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) hits = NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	const char *q = http_query(a->r, "q");

	nav(s, a, "");
	g_string_append(s, "<h1>Search</h1>\n");
	search_form(s, a, "", q);
	if (q == NULL || *q == '\0') {
		page(a, 200, "Search", s);
		return;
	}
	if (strlen(q) > 200) {
		g_string_append(s, "<p>The search is too long: at most 200 "
		    "characters.</p>\n");
		page(a, 400, "Search", s);
		return;
	}
	hits = store_http_search(a->r->env->st, a->team->name, q, SEARCH_LIMIT,
	    &error);
	if (hits == NULL) {
		gboolean theirs = error->domain == STORE_ERROR &&
		    error->code == STORE_ERROR_QUERY;
		if (!theirs)
			log_warnx("http: search of %s: %s", a->team->name,
			    error->message);
		g_string_append(s, theirs ? "<p>The search could not be read: "
		    "put words, \"a phrase\", or word* for a prefix.</p>\n" :
		    "<p>Try again.</p>\n");
		page(a, theirs ? 400 :
		    503, "Search", s);
		return;
	}
	g_string_append_printf(s, "<p class=\"muted\">%u found%s</p>\n",
	    hits->len, hits->len == SEARCH_LIMIT ? " (the newest)" : "");
	g_string_append(s, "<ul class=\"hits\">\n");
	for (guint i = 0; i < hits->len; i++) {
		const struct archive_hit *h = hits->pdata[i];
		g_autofree char *who = http_escape(h->sender);
		g_autofree char *when = date_of(a, h->date, "%e %b %Y");
		g_string_append_printf(s, "<li><p><a href=\"m/%" G_GINT64_FORMAT
		    "%s\"><strong>%s</strong></a> <span class=\"muted\">%s"
		    "</span></p><p>", h->message, a->keyq, who, when);
		snippet_html(s, h->snippet);
		g_string_append(s, "</p></li>\n");
	}
	g_string_append(s, "</ul>\n");
	page(a, 200, "Search", s);
}

void
http_archive(struct http_request *r)
{
	g_autoptr(Team) team = NULL;
	g_auto(GStrv) parts = g_strsplit(r->rest, "/", 4);
	const char *key = http_query(r, "key");
	gboolean asked = FALSE;
	struct archive a = { .r = r };

	if (parts[0] == NULL || *parts[0] == '\0' ||
	    (team = store_team_get(r->env->st, parts[0], NULL)) == NULL)
		goto none;
	if (basic_ok(r, &asked))
		a.keyq = g_strdup("");
	else if (key_ok(r, team->name, key)) {
		g_autofree char *ek = g_uri_escape_string(key, NULL, FALSE);
		a.keyq = g_strdup_printf("?key=%s", ek);
	} else if (asked) {
		http_set_header(r, "WWW-Authenticate",
		    "Basic realm=\"tidings archive\", charset=\"UTF-8\"");
		http_page(r, 401, "Sign in",
		    "<h1>Sign in</h1>\n<p>The archive needs its link or the "
		    "archive's password.</p>");
		return;
	} else
		goto none;
	a.team = team;
	a.title = *team->title != '\0' ? team->title : team->name;
	a.tz = g_time_zone_new_identifier(team->zone);
	if (a.tz == NULL)
		a.tz = g_time_zone_new_utc();
	if (parts[1] == NULL)
		http_page(r, 301, "Moved", "");
	else if (*parts[1] == '\0' && parts[2] == NULL)
		page_index(&a);
	else if (strcmp(parts[1], "search") == 0 && parts[2] == NULL)
		page_search(&a);
	else if (strcmp(parts[1], "d") == 0 && parts[2] != NULL &&
	    parts[3] == NULL)
		page_digest(&a, parts[2]);
	else if (strcmp(parts[1], "m") == 0 && parts[2] != NULL &&
	    parts[3] == NULL)
		page_message(&a, parts[2]);
	else
		http_not_found(r);
	if (parts[1] == NULL) {
		/* /a/TEAM: the index is /a/TEAM/. */
		g_autofree char *to = g_strdup_printf("%s/%s", parts[0],
		    a.keyq);
		http_set_header(r, "Location", to);
	}
	g_free(a.keyq);
	g_time_zone_unref(a.tz);
	return;
none:
	http_not_found(r);
}
