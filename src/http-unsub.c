/* /u/TOKEN: one-click unsubscribe (RFC 8058).
 *
 * Every digest's List-Unsubscribe names BASE/u/TOKEN, with
 * List-Unsubscribe-Post: List-Unsubscribe=One-Click.  A mail program
 * (Gmail, Yahoo, Apple Mail) POSTs that body to the link, and the
 * subscription ends at once.  A GET, which link scanners and previews
 * make by themselves, changes nothing: it shows a page with a button
 * that makes the same POST.  The token is the HMAC of the team and the
 * address (subscription.c), so the link is the authority, and a link
 * followed again after the end says so and does nothing more. */
#include "config.h"

#include <string.h>

#include "context.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "store-team.h"
#include "store-subscription.h"
#include "subscription.h"

/* Whether FIELDS (a decoded form) say List-Unsubscribe=One-Click. */
static gboolean
one_click(GHashTable *fields)
{
	const char *v = fields != NULL ?
	    g_hash_table_lookup(fields, "List-Unsubscribe") : NULL;

	return v != NULL && strcmp(v, "One-Click") == 0;
}

/* The form of a POST: application/x-www-form-urlencoded, as Gmail sends
 * it, or multipart/form-data, which RFC 8058 allows too (http_form()).
 * NULL when it is neither.  *VIA gets the form's "via" field (the page's
 * button), or NULL. */
static GHashTable *
post_form(struct http_request *r, char **via)
{
	GHashTable *form = http_form(r);
	const char *v;

	*via = NULL;
	if (form != NULL && (v = g_hash_table_lookup(form, "via")) != NULL)
		*via = g_strdup(v);
	return form;
}

/* The team's title as the digests name it, escaped.  Caller frees. */
static char *
team_title(struct http_request *r, const struct subscription *sub)
{
	g_autoptr(Team) t = store_team_get(r->env->st, sub->team, NULL);

	return http_escape(t != NULL && *t->title != '\0' ? t->title :
	    sub->team);
}

static void
page_done(struct http_request *r, const struct subscription *sub,
    gboolean just_now)
{
	g_autofree char *email = http_escape(sub->email);
	g_autofree char *team = team_title(r, sub);
	g_autofree char *body = g_strdup_printf("<h1>Unsubscribed</h1>\n"
	    "<p><strong>%s</strong> %s the digests of <strong>%s</strong>."
	    "</p>\n<p class=\"muted\">To follow them again, write to the "
	    "team's address with the subject \"subscribe\".</p>", email,
	    just_now ? "will no longer receive" : "no longer receives",
	    team);

	http_page(r, 200, "Unsubscribed", body);
}

/* GET: what the link would do, and a button that does it. */
static void
page_ask(struct http_request *r, const struct subscription *sub)
{
	g_autofree char *email = http_escape(sub->email);
	g_autofree char *team = team_title(r, sub);
	g_autofree char *token = http_escape(r->rest);
	g_autofree char *body = g_strdup_printf("<h1>Unsubscribe</h1>\n"
	    "<p>Stop the digests of <strong>%s</strong> to "
	    "<strong>%s</strong>?</p>\n"
	    "<form method=\"post\" action=\"%s\">\n"
	    "<input type=\"hidden\" name=\"List-Unsubscribe\" "
	    "value=\"One-Click\">\n"
	    "<input type=\"hidden\" name=\"via\" value=\"page\">\n"
	    "<button type=\"submit\">Unsubscribe</button>\n</form>\n"
	    "<p class=\"muted\">Nothing changes until you press the "
	    "button.</p>", team, email, token);

	http_page(r, 200, "Unsubscribe", body);
}

static void
unsubscribe(struct http_request *r, struct subscription *sub)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) form = NULL;
	g_autofree char *via = NULL;
	const char *how;

	form = post_form(r, &via);
	if (!one_click(form)) {
		http_page(r, 400, "Bad request",
		    "<h1>Bad request</h1>\n<p>A one-click unsubscription "
		    "posts <code>List-Unsubscribe=One-Click</code>.</p>");
		return;
	}
	if (sub->state == SUB_UNSUBSCRIBED) {
		page_done(r, sub, FALSE);
		return;
	}
	how = via != NULL && strcmp(via, "page") == 0 ?
	    "the unsubscribe page" : "a one-click link (RFC 8058)";
	if (!store_begin(r->env->st, &error) ||
	    !subscription_end_by(r->env, sub, how, r->now, &error) ||
	    !store_commit(r->env->st, &error)) {
		store_rollback(r->env->st);
		log_warnx("http: unsubscribe %s from %s: %s", sub->email,
		    sub->team, error->message);
		if (error->domain == STORE_ERROR &&
		    error->code == STORE_ERROR_BUSY)
			http_set_header(r, "Retry-After", "10");
		http_page(r, 503, "Try again",
		    "<h1>Try again</h1>\n<p>The unsubscription could not be "
		    "recorded just now; nothing changed.</p>");
		return;
	}
	page_done(r, sub, TRUE);
}

void
http_unsubscribe(struct http_request *r)
{
	g_autoptr(Subscription) sub = NULL;

	if (strchr(r->rest, '/') != NULL ||
	    (sub = subscription_by_link(r->env, r->rest, NULL)) == NULL) {
		http_not_found(r);
		return;
	}
	if (strcmp(r->method, "POST") == 0)
		unsubscribe(r, sub);
	else if (sub->state == SUB_UNSUBSCRIBED)
		page_done(r, sub, FALSE);
	else
		page_ask(r, sub);
}
