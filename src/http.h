/* The HTTP face: one-click unsubscribe (RFC 8058), calendar feeds and the
 * team's archive, served by libmicrohttpd on the GLib main loop that
 * tidings run already has (or alone by tidings serve), without a thread.
 *
 * http.c is the server: [http] listen and TLS, the bounds on requests
 * and connections, the headers every answer carries, the access log, and
 * the table of routes; each route is a file, http-*.c, that includes this
 * header and answers through the helpers below, which are all it knows
 * of HTTP (libmicrohttpd stays inside http.c).  Nothing here speaks SQL:
 * routes ask the store and the flows (subscription.c, avail.c). */
#ifndef TIDINGS_HTTP_H
#define TIDINGS_HTTP_H

#include <glib.h>

struct conf;
struct store;
struct tidings_ctx;
struct http_server;
struct http_exchange;

/* Bounds on what a client may send; past them it gets 405, 411, 413,
 * 414 or 431, or its connection is closed. */
#define HTTP_MAX_URI		4096	/* bytes of path and query */
#define HTTP_MAX_HEADERS	64	/* header lines */
#define HTTP_MAX_HEAD		32768	/* bytes of request line and headers */
#define HTTP_MAX_BODY		8192	/* bytes of a POST body */
#define HTTP_MAX_FIELDS		16	/* fields of a form */

/* The Content-Security-Policy of every answer: no script, no request to
 * anywhere, inline styles and data: images only. */
#define HTTP_CSP "default-src 'none'; style-src 'unsafe-inline'; " \
	"img-src data:; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'"

/* Starts serving [http] listen of *CONF (read again at each request, as
 * tidings run replaces it on SIGHUP) on the thread-default main context.
 * NULL with CONF_ERROR when [http] is wrong, G_IO_ERROR when the address
 * cannot be bound. */
struct http_server *http_server_start(struct conf **conf, struct store *st,
    GError **error);
/* The first address it listens on, as a URL ("http://127.0.0.1:8025/");
 * owned by SRV. */
const char *http_server_url(const struct http_server *srv);
void http_server_free(struct http_server *srv);

/* One request as a route sees it. */
struct http_request {
	struct http_exchange *x;	/* the server's (http.c) */
	struct tidings_ctx *env;	/* store, configuration, secret */
	const char *method;		/* GET, HEAD or POST */
	const char *path;		/* decoded */
	const char *rest;		/* path after the route's prefix */
	gint64 now;
	/* Which reading of the secret env->secret is: it changes when the
	 * secret file does.  0 when the route is to read it itself. */
	guint secret_gen;
	/* What routes remember between requests, by their own keys
	 * (strings): GBytes, which the server unreferences. */
	GHashTable *memo;
};

/* store_http_version(), asked again only when the database may have
 * changed since it was last asked (http.c: generation_next()). */
gboolean http_store_version(struct http_request *r, gint64 *version);
/* The body of a POST, or NULL for none. */
GBytes *http_body(struct http_request *r);
/* The fields of a POSTed form, application/x-www-form-urlencoded or
 * multipart/form-data (at most HTTP_MAX_FIELDS; a value's trailing line
 * breaks dropped), or NULL when the body is neither or malformed. */
GHashTable *http_form(struct http_request *r);
/* A request header (the first of that name, any case), or NULL. */
const char *http_header(struct http_request *r, const char *name);
/* A query parameter, decoded, or NULL. */
const char *http_query(struct http_request *r, const char *name);
/* Sets a header of the answer (replacing one of that name). */
void http_set_header(struct http_request *r, const char *name,
    const char *value);

/* Answers STATUS with BODY (LEN bytes; copied) of TYPE; TYPE and BODY
 * NULL for an answer without a body (304). */
void http_respond(struct http_request *r, guint status, const char *type,
    const char *body, gsize len);
/* The same with BODY shared (referenced), not copied. */
void http_respond_bytes(struct http_request *r, guint status,
    const char *type, GBytes *body);
/* T (Unix seconds) as an HTTP date, "Sun, 06 Nov 1994 08:49:37 GMT".
 * Caller frees. */
char *http_date(gint64 t);
/* An HTTP date in any of the three forms of RFC 9110 (IMF-fixdate,
 * RFC 850, asctime) into *T; FALSE for anything else. */
gboolean http_date_parse(const char *text, gint64 *t);
/* Answers STATUS with an HTML page titled TITLE (text) around BODY (HTML,
 * escaped by the caller), in the look of the HTML digest, readable on a
 * phone and in dark mode. */
void http_page(struct http_request *r, guint status, const char *title,
    const char *body);
/* The same 404 for every path that leads nowhere, whatever the reason
 * (no such route, team, token or key), so that it tells nothing. */
void http_not_found(struct http_request *r);
/* 405 with the Allow header ALLOW. */
void http_method_not_allowed(struct http_request *r, const char *allow);
/* TEXT escaped for HTML text and attribute values.  Caller frees. */
char *http_escape(const char *text);
/* [http] base-url joined with PATH (no leading slash), or NULL when
 * base-url is unset.  Caller frees. */
char *http_url(const struct conf *conf, const char *path);

/* The key of KIND ("feed", "archive") for TEAM and SUBJECT ("" for the
 * whole team, or an address), which only reads the store; RENEW makes a
 * new one (in a transaction of its own), which revokes the one before.
 * NULL with error set (no secret, STORE_ERROR_NOT_FOUND for no such
 * team).  Caller frees. */
char *http_key_get(struct tidings_ctx *env, const char *kind,
    const char *team, const char *subject, gboolean renew, gint64 now,
    GError **error);
/* Whether KEY is the current key of KIND for TEAM and SUBJECT; a
 * revoked, foreign or missing key is not. */
gboolean http_key_check(struct tidings_ctx *env, const char *kind,
    const char *team, const char *subject, const char *key);

/* Routes (http-*.c): each handles the paths under its prefix. */
void http_unsubscribe(struct http_request *r);
void http_feed(struct http_request *r);
void http_archive(struct http_request *r);

#endif
