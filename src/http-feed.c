/* /ics/TEAM.ics and /ics/member/EMAIL.ics: calendar feeds.
 *
 * Google Calendar, Outlook, Apple Calendar and khal subscribe to a URL
 * and fetch it again every few hours; they show VEVENTs alone, so a feed
 * is the VEVENT form of export-ics (meet_export_events()).  Each feed
 * needs its key (?key=, http-key.c), which tidings feed-url prints and a
 * new one revokes; any other key, or none, gets the plain 404.  The
 * answer carries an ETag (a hash of the text) and a Last-Modified (when
 * this server first served that text), and a conditional request for the
 * same text is answered 304 without it. */
#include "config.h"

#include <string.h>

#include "context.h"
#include "http.h"
#include "log.h"
#include "meet.h"
#include "store.h"
#include "store-team.h"
#include "token.h"

/* Days before today a feed starts, and how many it covers. */
#define FEED_PAST	7
#define FEED_DAYS	(FEED_PAST + 56)

/* NAME.ics → NAME, or NULL for anything else.  Caller frees. */
static char *
strip_ics(const char *rest)
{
	if (!g_str_has_suffix(rest, ".ics") || strchr(rest, '/') != NULL ||
	    strlen(rest) <= 4)
		return NULL;
	return g_strndup(rest, strlen(rest) - 4);
}

/* The team whose feed key for MEMBER is KEY, or NULL.  Caller frees. */
static char *
member_team(struct http_request *r, const char *member, const char *key)
{
	g_autoptr(GPtrArray) teams = store_team_list(r->env->st, NULL);

	for (guint i = 0; teams != NULL && i < teams->len; i++) {
		const struct team *t = teams->pdata[i];
		if (http_key_check(r->env, "feed", t->name, member, key))
			return g_strdup(t->name);
	}
	return NULL;
}

/* Whether the client has TEXT already: If-None-Match names ETAG (or
 * "*"), or, without it, If-Modified-Since is not before SINCE. */
static gboolean
not_modified(struct http_request *r, const char *etag, gint64 since)
{
	const char *inm = http_header(r, "If-None-Match");
	const char *ims = http_header(r, "If-Modified-Since");

	if (inm != NULL) {
		g_auto(GStrv) tags = g_strsplit(inm, ",", 32);
		for (char **t = tags; *t != NULL; t++) {
			char *tag = g_strstrip(*t);
			if (g_str_has_prefix(tag, "W/"))
				tag += 2;
			if (strcmp(tag, etag) == 0 || strcmp(tag, "*") == 0)
				return TRUE;
		}
		return FALSE;
	}
	if (ims != NULL) {
		gint64 t;
		return http_date_parse(ims, &t) && t >= since;
	}
	return FALSE;
}

/* A feed as last made, kept (in the request's memo, by path) while the
 * database and the first day it shows stay the same: made again, it would
 * be the same text.  The key last found good for it stays good while the
 * database and the secret stay the same, so that a client asking again
 * costs one question to the store.  One allocation, in a GBytes that the
 * answers sending its text share; never changed once kept (a change is a
 * new copy).  The text is followed by the name of its team (a member's
 * feed is one per team the member is in, at one path). */
struct feed_made {
	gint64 version;		/* store_http_version() */
	gint64 from;
	gint64 since;		/* when this text was first served */
	char modified[32];	/* since, as Last-Modified says it */
	guint secret_gen;	/* the secret KEY was checked with; 0: none */
	char key[TOKEN_LENGTH + 1];
	char etag[40];
	gsize len;		/* of the text */
	gsize size;		/* of the whole */
	char text[];		/* then the team's name */
};

#define feed_team(f) ((f)->text + (f)->len + 1)

/* The feed kept for the path of R, or NULL; *B its GBytes. */
static const struct feed_made *
feed_kept(struct http_request *r, GBytes **b)
{
	*b = g_hash_table_lookup(r->memo, r->path);
	return *b != NULL ? g_bytes_get_data(*b, NULL) : NULL;
}

/* Keeps F (taken) for the path of R, with KEY as good for it when R
 * checked it against the secret as last read. */
static GBytes *
feed_keep(struct http_request *r, struct feed_made *f, const char *key)
{
	GBytes *b;

	f->secret_gen = 0;
	memset(f->key, 0, sizeof f->key);
	if (r->secret_gen != 0 && strlen(key) == TOKEN_LENGTH) {
		memcpy(f->key, key, TOKEN_LENGTH + 1);
		f->secret_gen = r->secret_gen;
	}
	b = g_bytes_new_take(f, f->size);
	g_hash_table_replace(r->memo, g_strdup(r->path), b);
	return b;
}

/* Whether F is the feed of TEAM as it would be made now. */
static gboolean
feed_fresh(const struct feed_made *f, const char *team, gboolean versioned,
    gint64 version, gint64 from)
{
	return f != NULL && versioned && f->version == version &&
	    f->from == from && strcmp(feed_team(f), team) == 0;
}

static GBytes *
feed_made(struct http_request *r, const char *team, gint64 version,
    gint64 from, const char *text, const char *key)
{
	GBytes *ob;
	const struct feed_made *old = feed_kept(r, &ob);
	gsize len = strlen(text), tlen = strlen(team);
	struct feed_made *f = g_malloc0(sizeof *f + len + 1 + tlen + 1);
	g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
	    text, (gssize)len);
	g_autofree char *lm = NULL;

	f->version = version;
	f->from = from;
	g_snprintf(f->etag, sizeof f->etag, "\"%.32s\"", sum);
	/* The same text made again keeps its Last-Modified. */
	f->since = old != NULL && strcmp(old->etag, f->etag) == 0 ?
	    old->since : r->now;
	lm = http_date(f->since);
	g_strlcpy(f->modified, lm, sizeof f->modified);
	f->len = len;
	f->size = sizeof *f + len + 1 + tlen + 1;
	memcpy(f->text, text, len + 1);
	memcpy(feed_team(f), team, tlen + 1);
	return feed_keep(r, f, key);
}

static void
serve(struct http_request *r, const char *name, GBytes *b)
{
	const struct feed_made *f = g_bytes_get_data(b, NULL);
	g_autofree char *disp = g_strdup_printf("inline; filename=\"%s.ics\"",
	    name);
	g_autoptr(GBytes) text = NULL;

	http_set_header(r, "ETag", f->etag);
	http_set_header(r, "Last-Modified", f->modified);
	http_set_header(r, "Cache-Control", "private, max-age=300");
	if (not_modified(r, f->etag, f->since)) {
		http_respond(r, 304, NULL, NULL, 0);
		return;
	}
	http_set_header(r, "Content-Disposition", disp);
	text = g_bytes_new_from_bytes(b, G_STRUCT_OFFSET(struct feed_made,
	    text), f->len);
	http_respond_bytes(r, 200, "text/calendar; charset=utf-8", text);
}

void
http_feed(struct http_request *r)
{
	g_autoptr(GError) error = NULL;
	const char *key = http_query(r, "key");
	g_autofree char *team = NULL, *member = NULL, *organizer = NULL;
	g_autofree char *text = NULL, *name = NULL;
	const struct feed_made *f;
	GBytes *b;
	gint64 from, version = 0;
	gboolean versioned;

	if (key == NULL)
		goto none;
	/* From the start of a day, so that the text stays the same all
	 * day unless what it shows changes. */
	from = r->now / 86400 * 86400 - FEED_PAST * 86400;
	versioned = http_store_version(r, &version);
	if (g_str_has_prefix(r->rest, "member/"))
		member = strip_ics(r->rest + 7);
	else
		team = strip_ics(r->rest);
	if (member == NULL && team == NULL)
		goto none;
	name = g_strdup(member != NULL ? member : team);
	g_strdelimit(name, "\"\\/\r\n", '_');
	f = feed_kept(r, &b);
	if (f != NULL && f->secret_gen != 0 && f->secret_gen ==
	    r->secret_gen && token_equal(f->key, key) &&
	    feed_fresh(f, feed_team(f), versioned, version, from)) {
		serve(r, name, b);
		return;
	}
	if (member != NULL ? (team = member_team(r, member, key)) == NULL :
	    !http_key_check(r->env, "feed", team, "", key))
		goto none;
	if (feed_fresh(f, team, versioned, version, from)) {
		/* The same text, and now this key remembered with it. */
		serve(r, name, feed_keep(r, g_memdup2(f, f->size), key));
		return;
	}
	organizer = meet_team_address(r->env, team);
	text = meet_export_events(r->env->st, team, member, organizer, from,
	    FEED_DAYS, &error);
	if (text == NULL) {
		if (error->domain == STORE_ERROR &&
		    error->code == STORE_ERROR_NOT_FOUND)
			goto none;
		log_warnx("http: feed of %s: %s", team, error->message);
		http_page(r, 503, "Try again",
		    "<h1>Try again</h1>");
		return;
	}
	serve(r, name, feed_made(r, team, versioned ? version : -1, from,
	    text, key));
	return;
none:
	http_not_found(r);
}
