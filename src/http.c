/* The HTTP server; see http.h.
 *
 * libmicrohttpd reads and writes HTTP on tidings' own GLib main loop,
 * without a thread of its own (the store is single-threaded): the loop
 * watches the daemon's epoll descriptor, MHD_run() runs when it is ready
 * and again when MHD_get_timeout() says.  Connections are kept alive.
 * What it leaves to its user is done here: only GET, HEAD and POST,
 * bounded requests (checked after the headers, before a body is read),
 * a bounded number of connections, a deadline for reading each request
 * (against clients that send a byte now and then), the headers every
 * answer carries, and one access log line per request.  Nothing of
 * libmicrohttpd leaves this file: routes see struct http_request. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <microhttpd.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "http.h"
#include "log.h"
#include "store-http.h"
#include "watch.h"

/* A connection, from its accept until libmicrohttpd closes it. */
struct http_conn {
	int fd;
	char who[INET6_ADDRSTRLEN];	/* the client's address */
	gint64 reading_since;	/* monotonic µs; 0: not reading a request */
	gboolean cut;		/* shut down here */
};

struct http_server {
	struct conf **conf;
	struct store *st;
	struct MHD_Daemon *mhd;
	GSource *io;		/* the daemon's epoll descriptor */
	GSource *timer;		/* when MHD_get_timeout() says */
	GSource *sweep;		/* the deadline of requests, every second */
	GHashTable *conns;	/* set of struct http_conn * */
	GHashTable *memo;	/* struct http_request's */
	guint max_conns;
	gint64 timeout;		/* seconds */
	char *cert, *key;	/* PEM of [http] cert-file and key-file */
	GBytes *secret;		/* [tidings] secret-file, as last read */
	guint secret_gen;	/* how many times it was read */
	char *secret_path;
	struct stat secret_sb;	/* of that file then */
	/* Told of changes (generation_next()): the database's files, when
	 * store_watch_paths() names them, and the secret file; NULL to look
	 * at both for each request. */
	struct watch *watch;
	gboolean db_watched;
	char *watched_secret;	/* the secret file it watches */
	guint64 gen;		/* moves on when something watched changed */
	guint64 secret_seen;	/* GEN when the secret file was looked at */
	guint64 version_seen;	/* GEN when the store was asked its version */
	gboolean versioned;	/* VERSION is known */
	gint64 version;		/* store_http_version() */
	char *said;		/* the last thing libmicrohttpd logged */
	char *url;
	gboolean running;	/* in MHD_run() */
};

/* One request, from its request line until its answer is sent: the
 * request context of libmicrohttpd. */
struct http_exchange {
	struct http_server *srv;
	struct MHD_Connection *conn;
	struct http_conn *c;
	gsize target_len;	/* of path and query, as sent */
	gboolean begun;		/* its headers were seen */
	char method[16];	/* as logged */
	char *logged;		/* the path as logged */
	GByteArray *body;	/* of a POST */
	guint status;		/* 0: no answer yet */
	gboolean close;		/* close the connection after the answer */
	char *type;
	char *out;		/* the body, or NULL for BYTES */
	GBytes *bytes;		/* the body shared with a route */
	gsize len;
	GPtrArray *headers;	/* name, value, name, value… */
};

/* One route: the paths under PREFIX (or PREFIX alone when EXACT). */
struct http_route {
	const char *prefix;
	gboolean exact;
	const char *allow;	/* methods, as the Allow header says them */
	gboolean secret;	/* the rest of the path is a token: not logged */
	void (*handle)(struct http_request *);
};

static void robots(struct http_request *r);

static const struct http_route routes[] = {
	{ "/robots.txt", TRUE, "GET, HEAD", FALSE, robots },
	{ "/u/", FALSE, "GET, HEAD, POST", TRUE, http_unsubscribe },
	{ "/ics/", FALSE, "GET, HEAD", FALSE, http_feed },
	{ "/a/", FALSE, "GET, HEAD", FALSE, http_archive },
};

static const struct http_route *
route_find(const char *path)
{
	for (gsize i = 0; i < G_N_ELEMENTS(routes); i++) {
		const struct http_route *rt = &routes[i];
		if (rt->exact ? strcmp(path, rt->prefix) == 0 :
		    g_str_has_prefix(path, rt->prefix))
			return rt;
	}
	return NULL;
}

/* Link scanners and crawlers have nothing to read here. */
static void
robots(struct http_request *r)
{
	static const char text[] = "User-agent: *\nDisallow: /\n";

	http_respond(r, 200, "text/plain; charset=utf-8", text,
	    sizeof text - 1);
}

/* --- the request --------------------------------------------------------- */

GBytes *
http_body(struct http_request *r)
{
	const GByteArray *b = r->x->body;

	return b != NULL ? g_bytes_new(b->data, b->len) : NULL;
}

const char *
http_header(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->x->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->x->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

/* A piece of a field of a form: libmicrohttpd hands a value over in
 * pieces at their offsets. */
static enum MHD_Result
form_piece(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *type, const char *encoding,
    const char *data, uint64_t off, size_t size)
{
	GHashTable *form = cls;
	GString *v;

	if (key == NULL)
		return MHD_YES;
	if ((v = g_hash_table_lookup(form, key)) == NULL) {
		if (g_hash_table_size(form) >= HTTP_MAX_FIELDS)
			return MHD_NO;
		v = g_string_new(NULL);
		g_hash_table_insert(form, g_strdup(key), v);
	}
	if (off == 0)		/* a field given again: the last counts */
		g_string_truncate(v, 0);
	g_string_append_len(v, data, (gssize)size);
	return MHD_YES;
}

static void
string_free(gpointer s)
{
	g_string_free(s, TRUE);
}

GHashTable *
http_form(struct http_request *r)
{
	const GByteArray *b = r->x->body;
	g_autoptr(GHashTable) pieces = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, string_free);
	struct MHD_PostProcessor *pp;
	GHashTable *form;
	GHashTableIter it;
	gpointer k, v;
	gboolean ok;

	if (b == NULL || (pp = MHD_create_post_processor(r->x->conn, 1024,
	    form_piece, pieces)) == NULL)
		return NULL;
	ok = b->len == 0 || MHD_post_process(pp, (const char *)b->data,
	    b->len) == MHD_YES;
	/* The last field comes out when it ends, at the end of the body. */
	ok = MHD_destroy_post_processor(pp) == MHD_YES && ok;
	if (!ok)
		return NULL;
	form = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_iter_init(&it, pieces);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		GString *s = v;
		while (s->len > 0 && (s->str[s->len - 1] == '\n' ||
		    s->str[s->len - 1] == '\r'))
			g_string_truncate(s, s->len - 1);
		g_hash_table_insert(form, g_strdup(k), g_strdup(s->str));
	}
	return form;
}

/* --- answers ------------------------------------------------------------- */

void
http_set_header(struct http_request *r, const char *name, const char *value)
{
	GPtrArray *h = r->x->headers;

	for (guint i = 0; i + 1 < h->len; i += 2)
		if (g_ascii_strcasecmp(h->pdata[i], name) == 0) {
			g_free(h->pdata[i + 1]);
			h->pdata[i + 1] = g_strdup(value);
			return;
		}
	g_ptr_array_add(h, g_strdup(name));
	g_ptr_array_add(h, g_strdup(value));
}

static void
answer(struct http_exchange *x, guint status, const char *type,
    const char *body, gsize len)
{
	x->status = status;
	g_free(x->type);
	x->type = g_strdup(type);
	g_free(x->out);
	x->out = body != NULL ? g_memdup2(body, len) : NULL;
	x->len = body != NULL ? len : 0;
	g_clear_pointer(&x->bytes, g_bytes_unref);
}

void
http_respond(struct http_request *r, guint status, const char *type,
    const char *body, gsize len)
{
	answer(r->x, status, type, body, len);
}

void
http_respond_bytes(struct http_request *r, guint status, const char *type,
    GBytes *body)
{
	struct http_exchange *x = r->x;

	answer(x, status, type, NULL, 0);
	x->bytes = g_bytes_ref(body);
	x->len = g_bytes_get_size(body);
}

static const char wdays[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

char *
http_date(gint64 t)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);

	if (d == NULL)
		return g_strdup("Thu, 01 Jan 1970 00:00:00 GMT");
	return g_strdup_printf("%s, %02d %s %04d %02d:%02d:%02d GMT",
	    wdays[g_date_time_get_day_of_week(d) % 7],
	    g_date_time_get_day_of_month(d),
	    months[g_date_time_get_month(d) - 1], g_date_time_get_year(d),
	    g_date_time_get_hour(d), g_date_time_get_minute(d),
	    g_date_time_get_second(d));
}

static int
month_of(const char *name)
{
	for (int i = 0; i < 12; i++)
		if (g_ascii_strcasecmp(name, months[i]) == 0)
			return i + 1;
	return 0;
}

gboolean
http_date_parse(const char *text, gint64 *t)
{
	const char *comma = strchr(text, ',');
	char mon[4] = "";
	int d = 0, y = 0, h = 0, mi = 0, s = 0, n = -1;
	g_autoptr(GDateTime) dt = NULL;

	if (comma != NULL && comma - text == 3) {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d GMT%n", &d, mon,
		    &y, &h, &mi, &s, &n) != 6 || n < 0)
			return FALSE;
		text = comma + 1 + n;
	} else if (comma != NULL) {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		if (sscanf(comma + 1, " %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n",
		    &d, mon, &y, &h, &mi, &s, &n) != 6 || n < 0)
			return FALSE;
		y += y < 70 ? 2000 : 1900;
		text = comma + 1 + n;
	} else {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		if (strlen(text) < 4 || text[3] != ' ' ||
		    sscanf(text + 4, "%3s %2d %2d:%2d:%2d %4d%n", mon, &d, &h,
		    &mi, &s, &y, &n) != 6 || n < 0)
			return FALSE;
		text = text + 4 + n;
	}
	while (*text == ' ')
		text++;
	if (*text != '\0' || month_of(mon) == 0 || y < 1970 || h > 23 ||
	    mi > 59 || s > 60 || (dt = g_date_time_new_utc(y, month_of(mon),
	    d, h, mi, s)) == NULL)
		return FALSE;
	*t = g_date_time_to_unix(dt);
	return TRUE;
}

char *
http_escape(const char *text)
{
	return g_markup_escape_text(text != NULL ? text : "", -1);
}

/* The look of the HTML digest, in a style element (the policy allows
 * inline styles), light and dark. */
static const char page_style[] =
    "body{margin:0;padding:16px;font-family:-apple-system,'Segoe UI',"
    "Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;"
    "color:#202124;background:#ffffff}"
    "main{max-width:680px}"
    "h1{font-size:22px;margin:0 0 8px 0}"
    "h2{font-size:18px;margin:24px 0 8px 0;padding-bottom:4px;"
    "border-bottom:1px solid #9aa0a6}"
    ".muted{color:#888888}"
    "a{color:#1a73e8}"
    "button{font-size:16px;padding:8px 20px;border-radius:6px;"
    "border:1px solid #1a73e8;background:#1a73e8;color:#ffffff}"
    "blockquote{margin:4px 0 8px 0;padding-left:12px;"
    "border-left:3px solid #9aa0a6}"
    "h3{font-size:15px;margin:16px 0 4px 0}"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".answer{margin:0 0 12px 0}.answer p{margin:0}"
    ".here{border-left:3px solid #1a73e8;padding-left:8px}"
    "h2.blockers{border-bottom-color:#d93025}"
    "ul{padding-left:20px}li{margin:0 0 6px 0}"
    "mark{background:#fde293;color:inherit}"
    "input[type=search]{font-size:16px;padding:6px;width:60%;"
    "max-width:360px}"
    "@media (prefers-color-scheme: dark){body{color:#e8eaed;"
    "background:#202124}a{color:#8ab4f8}mark{background:#594d10}}";

void
http_page(struct http_request *r, guint status, const char *title,
    const char *body)
{
	g_autofree char *t = http_escape(title);
	g_autofree char *html = g_strdup_printf("<!DOCTYPE html>\n"
	    "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n"
	    "%s\n</main>\n</body>\n</html>\n", t, page_style, body);

	http_respond(r, status, "text/html; charset=utf-8", html,
	    strlen(html));
}

void
http_not_found(struct http_request *r)
{
	http_page(r, 404, "Not found",
	    "<h1>Not found</h1>\n<p>There is nothing at this address.</p>");
}

void
http_method_not_allowed(struct http_request *r, const char *allow)
{
	http_set_header(r, "Allow", allow);
	http_page(r, 405, "Method not allowed",
	    "<h1>Method not allowed</h1>");
}

char *
http_url(const struct conf *conf, const char *path)
{
	const char *base = conf_get(conf, "http", "base-url");

	if (base == NULL)
		return NULL;
	return g_str_has_suffix(base, "/") ? g_strconcat(base, path, NULL) :
	    g_strconcat(base, "/", path, NULL);
}


/* A plain answer to a request refused before any route saw it; the
 * connection closes after it (a body may be left unread). */
static void
refuse(struct http_exchange *x, guint status, const char *why)
{
	answer(x, status, "text/plain; charset=utf-8", why, strlen(why));
	x->close = TRUE;
}

/* The headers every answer carries. */
static const char *const always[] = {
	"Server", "tidings",
	"Content-Security-Policy", HTTP_CSP,
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
};

static void
bytes_free(void *b)
{
	g_bytes_unref(b);
}

/* Queues the answer of X. */
static enum MHD_Result
send_answer(struct http_exchange *x)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;

	if (x->status == 0)
		answer(x, 500, "text/plain; charset=utf-8", "no answer\n", 10);
	if (x->bytes != NULL)
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
		    x->len, (void *)g_bytes_get_data(x->bytes, NULL),
		    bytes_free, x->bytes);
	else if (x->out != NULL)
		resp = MHD_create_response_from_buffer_with_free_callback(
		    x->len, x->out, g_free);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	x->out = NULL;		/* the response's now */
	x->bytes = NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(always); i += 2)
		MHD_add_response_header(resp, always[i], always[i + 1]);
	if (x->type != NULL)
		MHD_add_response_header(resp, "Content-Type", x->type);
	for (guint i = 0; i + 1 < x->headers->len; i += 2)
		MHD_add_response_header(resp, x->headers->pdata[i],
		    x->headers->pdata[i + 1]);
	if (x->close)
		MHD_add_response_header(resp, "Connection", "close");
	ok = MHD_queue_response(x->conn, x->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* --- the bounds ---------------------------------------------------------- */

/* After the headers, before the body: the method, the length of the
 * target, the number of headers and the size of a body.  FALSE when X
 * is refused (and answered). */
static gboolean
bounded(struct http_exchange *x, const char *method)
{
	const char *te = MHD_lookup_connection_value(x->conn,
	    MHD_HEADER_KIND, "Transfer-Encoding");
	const char *cl = MHD_lookup_connection_value(x->conn,
	    MHD_HEADER_KIND, "Content-Length");
	gboolean post = strcmp(method, "POST") == 0;
	guint64 len;
	char *end;

	if (!post && strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0) {
		refuse(x, 405, "only GET, HEAD and POST\n");
		g_ptr_array_add(x->headers, g_strdup("Allow"));
		g_ptr_array_add(x->headers, g_strdup("GET, HEAD, POST"));
		return FALSE;
	}
	if (x->target_len > HTTP_MAX_URI) {
		refuse(x, 414, "address too long\n");
		return FALSE;
	}
	if (MHD_get_connection_values(x->conn, MHD_HEADER_KIND, NULL,
	    NULL) > HTTP_MAX_HEADERS) {
		refuse(x, 431, "too many headers\n");
		return FALSE;
	}
	if (!post) {
		if (te != NULL || (cl != NULL && strcmp(cl, "0") != 0)) {
			refuse(x, 400, "a body is for POST only\n");
			return FALSE;
		}
		return TRUE;
	}
	if (te != NULL || cl == NULL) {
		refuse(x, 411, "a POST needs a Content-Length\n");
		return FALSE;
	}
	len = g_ascii_strtoull(cl, &end, 10);
	if (*end != '\0' || len > HTTP_MAX_BODY) {
		refuse(x, 413, "body too large\n");
		return FALSE;
	}
	x->body = g_byte_array_sized_new((guint)len);
	return TRUE;
}

/* Shuts C down: libmicrohttpd sees the end at once and closes it. */
static void
conn_cut(struct http_conn *c, const char *why)
{
	log_info("http: %s: connection closed: %s", c->who, why);
	c->cut = TRUE;
	shutdown(c->fd, SHUT_RDWR);
}

/* Every second: a connection that has not sent a whole request within
 * [http] timeout of the answer before it (or of its start) is closed,
 * however slowly it keeps sending. */
static gboolean
on_sweep(gpointer data)
{
	struct http_server *srv = data;
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, srv->conns);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		struct http_conn *c = k;
		if (!c->cut && c->reading_since != 0 &&
		    now - c->reading_since > srv->timeout * G_USEC_PER_SEC)
			conn_cut(c, "no whole request within the timeout");
	}
	return G_SOURCE_CONTINUE;
}

/* Before a connection is accepted: at most [http] max-connections. */
static enum MHD_Result
on_accept(void *data, const struct sockaddr *addr, socklen_t len)
{
	struct http_server *srv = data;
	char who[INET6_ADDRSTRLEN] = "?";

	if (g_hash_table_size(srv->conns) < srv->max_conns)
		return MHD_YES;
	if (addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    addr)->sin_addr, who, sizeof who);
	else if (addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)addr)->sin6_addr, who, sizeof who);
	log_info("http: %s: connection closed: max-connections reached", who);
	return MHD_NO;
}

static void
on_connection(void *data, struct MHD_Connection *conn, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = data;
	struct http_conn *c = *ctx;
	const union MHD_ConnectionInfo *fd, *peer;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c != NULL) {
			g_hash_table_remove(srv->conns, c);
			g_free(c);
		}
		*ctx = NULL;
		return;
	}
	c = g_new0(struct http_conn, 1);
	c->fd = -1;
	g_strlcpy(c->who, "?", sizeof c->who);
	if ((fd = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD)) != NULL)
		c->fd = fd->connect_fd;
	if ((peer = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS)) != NULL &&
	    peer->client_addr != NULL) {
		const struct sockaddr *a = peer->client_addr;
		if (a->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    (const void *)a)->sin_addr, c->who, sizeof c->who);
		else if (a->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    (const void *)a)->sin6_addr, c->who,
			    sizeof c->who);
	}
	c->reading_since = g_get_monotonic_time();
	g_hash_table_add(srv->conns, c);
	*ctx = c;
}

/* --- the access log ------------------------------------------------------ */

/* The path as logged: never a query (feed keys) nor the token of a
 * secret route. */
static char *
log_path(const char *path)
{
	const struct http_route *rt = route_find(path);
	g_autofree char *shown = NULL;

	if (rt != NULL && rt->secret && !rt->exact)
		shown = g_strconcat(rt->prefix, "…", NULL);
	else
		shown = g_utf8_make_valid(path, (gssize)MIN(strlen(path), 200));
	return g_strescape(shown, "…");
}

static void
exchange_free(struct http_exchange *x)
{
	if (x->body != NULL)
		g_byte_array_unref(x->body);
	g_ptr_array_unref(x->headers);
	g_free(x->logged);
	g_free(x->type);
	g_free(x->out);
	if (x->bytes != NULL)
		g_bytes_unref(x->bytes);
	g_free(x);
}

/* The request line is read: a request begins. */
static void *
on_uri(void *data, const char *uri, struct MHD_Connection *conn)
{
	struct http_exchange *x = g_new0(struct http_exchange, 1);
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	x->srv = data;
	x->conn = conn;
	x->c = ci != NULL ? ci->socket_context : NULL;
	x->target_len = uri != NULL ? strlen(uri) : 0;
	x->headers = g_ptr_array_new_with_free_func(g_free);
	return x;
}

/* A request ends, answered or not: its log line, and the clock of the
 * next request on its connection starts. */
static void
on_completed(void *data, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode how)
{
	struct http_exchange *x = *ctx;

	if (x == NULL)
		return;
	if (x->status != 0)
		log_info("http: %s \"%s %s\" %u %" G_GSIZE_FORMAT,
		    x->c != NULL ? x->c->who : "?", x->method,
		    x->logged != NULL ? x->logged : "?", x->status, x->len);
	if (x->c != NULL)
		x->c->reading_since = g_get_monotonic_time();
	exchange_free(x);
	*ctx = NULL;
}

/* --- dispatch ------------------------------------------------------------ */

static gboolean
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mode == b->st_mode &&
	    a->st_uid == b->st_uid &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* --- what changed since the last request -------------------------------- */

/* Watches the database's files and the secret file at PATH (or none),
 * in place of any watch before; without one (no inotify, a directory
 * that cannot be watched) each request looks at both itself. */
static void
watch_setup(struct http_server *srv, const char *secret)
{
	g_auto(GStrv) files = store_watch_paths(srv->st);
	const char *failed = NULL;

	g_clear_pointer(&srv->watch, watch_free);
	g_clear_pointer(&srv->watched_secret, g_free);
	srv->db_watched = FALSE;
	srv->gen++;
	if (getenv("TIDINGS_HTTP_NO_WATCH") != NULL)
		return;
	if ((srv->watch = watch_new()) == NULL)
		failed = "changes (no inotify)";
	for (gsize i = 0; failed == NULL && files != NULL && files[i] != NULL;
	    i++)
		if (!watch_add(srv->watch, files[i]))
			failed = files[i];
	if (failed == NULL && secret != NULL && !watch_add(srv->watch, secret))
		failed = secret;
	if (failed != NULL) {
		log_debug("http: cannot watch %s: %s; looking at the "
		    "database and the secret file for each request", failed,
		    g_strerror(errno));
		g_clear_pointer(&srv->watch, watch_free);
		return;
	}
	srv->db_watched = files != NULL;
	srv->watched_secret = g_strdup(secret);
}

/* At the start of each request: one read that does not block tells
 * whether the database or the secret file changed since the request
 * before; if so (or without a watch) the generation moves on, and what
 * was kept from them is asked for again (secret_kept(),
 * http_store_version()).  Never stale: a process that commits (feed-url
 * --new revoking a key, member set) has written the database's file
 * before its commit returns, and the kernel queues the event within that
 * write(), so the event is there before that process can say it is done
 * (print the new URL); any request after that sees it.  The events are
 * read before the store is asked, so that a commit in between leaves an
 * event for the next request.  The same holds for a secret file renamed
 * over the old.  (SQLite writes with write(), never through a map;
 * inotify sees nothing written from another machine, which SQLite's
 * locking cannot serve either.) */
static void
generation_next(struct http_server *srv)
{
	if (srv->watch == NULL || watch_changed(srv->watch))
		srv->gen++;
}

gboolean
http_store_version(struct http_request *r, gint64 *version)
{
	struct http_server *srv = r->x->srv;

	if (!srv->db_watched || srv->version_seen != srv->gen) {
		srv->versioned = store_http_version(srv->st, &srv->version,
		    NULL);
		srv->version_seen = srv->gen;
	}
	*version = srv->version;
	return srv->versioned;
}

/* The key of tokens (a reference), kept between requests while [tidings]
 * secret-file names the same file, unchanged since it was read (a new
 * text, mode or owner changes its change time): reading it for each
 * request took longer than answering a feed.  Looked at again only when
 * the generation moved on.  NULL when it cannot be read; the route then
 * reads it itself, and says why. */
static GBytes *
secret_kept(struct http_server *srv, const struct conf *conf)
{
	g_autofree char *path = conf_get_path(conf, "tidings", "secret-file");
	struct stat sb;
	char *key;
	gsize len;

	/* Another file named (tidings run reads its configuration again
	 * on SIGHUP): watched from now on. */
	if (srv->watch != NULL && g_strcmp0(path, srv->watched_secret) != 0)
		watch_setup(srv, path);
	if (path != NULL && srv->secret != NULL && srv->watch != NULL &&
	    srv->secret_seen == srv->gen &&
	    strcmp(path, srv->secret_path) == 0)
		return g_bytes_ref(srv->secret);
	srv->secret_seen = srv->gen;
	if (path != NULL && lstat(path, &sb) == 0 && srv->secret != NULL &&
	    strcmp(path, srv->secret_path) == 0 &&
	    same_file(&sb, &srv->secret_sb))
		return g_bytes_ref(srv->secret);
	g_clear_pointer(&srv->secret, g_bytes_unref);
	g_clear_pointer(&srv->secret_path, g_free);
	if (path == NULL || lstat(path, &sb) != 0 || (key = conf_read_secret(
	    conf, "tidings", "secret-file", &len, NULL)) == NULL)
		return NULL;
	srv->secret = g_bytes_new_take(key, len);
	if (++srv->secret_gen == 0)
		srv->secret_gen = 1;
	srv->secret_path = g_steal_pointer(&path);
	srv->secret_sb = sb;
	return g_bytes_ref(srv->secret);
}

static void
dispatch(struct http_exchange *x, const char *path, const char *method)
{
	struct http_server *srv = x->srv;
	g_autoptr(GError) error = NULL;
	const struct http_route *rt;
	struct tidings_ctx env;
	struct http_request r = {
		.x = x,
		.env = &env,
		.method = method,
		.path = path,
		.now = clock_now(),
		.memo = srv->memo,
	};

	if ((rt = route_find(path)) == NULL) {
		http_not_found(&r);
		return;
	}
	if (strstr(rt->allow, method) == NULL) {
		http_method_not_allowed(&r, rt->allow);
		return;
	}
	/* Made afresh for each request: tidings run replaces the
	 * configuration on SIGHUP. */
	if (!tidings_ctx_init(&env, srv->st, *srv->conf, &error)) {
		log_warnx("http: %s", error->message);
		http_page(&r, 500, "Server error", "<h1>Server error</h1>");
		return;
	}
	generation_next(srv);
	if ((env.secret = secret_kept(srv, *srv->conf)) != NULL)
		r.secret_gen = srv->secret_gen;
	r.rest = path + strlen(rt->prefix);
	rt->handle(&r);
	tidings_ctx_clear(&env);
}

/* Called after the headers, then with each piece of a body, then once
 * more when the request is whole. */
static enum MHD_Result
on_request(void *data, struct MHD_Connection *conn, const char *path,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **ctx)
{
	struct http_exchange *x = *ctx;

	if (x == NULL)		/* no request line seen: cannot be */
		return MHD_NO;
	if (!x->begun) {
		x->begun = TRUE;
		g_strlcpy(x->method, method, sizeof x->method);
		x->logged = log_path(path);
		if (!bounded(x, method))
			return send_answer(x);
		/* Answered when the request is whole (the next call), or
		 * libmicrohttpd closes the connection after the answer. */
		return MHD_YES;
	} else if (*upload_len > 0) {
		/* Content-Length was checked: libmicrohttpd reads no more
		 * than it says. */
		gsize room = HTTP_MAX_BODY - MIN(x->body->len, HTTP_MAX_BODY);
		g_byte_array_append(x->body, (const guint8 *)upload,
		    (guint)MIN(*upload_len, room));
		*upload_len = 0;
		return MHD_YES;
	} else if (x->status != 0)
		return MHD_YES;
	if (x->c != NULL)
		x->c->reading_since = 0;
	dispatch(x, path, method);
	return send_answer(x);
}

/* --- the loop ------------------------------------------------------------ */

/* libmicrohttpd's messages: the last is kept for an error at start. */
static void on_mhd_log(void *data, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);

static void
on_mhd_log(void *data, const char *fmt, va_list ap)
{
	struct http_server *srv = data;

	g_free(srv->said);
	srv->said = g_strdup_vprintf(fmt, ap);
	g_strchomp(srv->said);
	log_debug("http: libmicrohttpd: %s", srv->said);
}

/* When MHD_run() is to run again by the clock (timeouts, or at once when
 * it has read more than it handled).  The clock is moved earlier only
 * (moving it wakes the loop up, a system call): when it rings early,
 * MHD_run() has nothing to do and it is set again. */
static void
timer_arm(struct http_server *srv)
{
	MHD_UNSIGNED_LONG_LONG ms;
	gint64 at, set = g_source_get_ready_time(srv->timer);

	if (MHD_get_timeout(srv->mhd, &ms) != MHD_YES)
		return;
	at = g_get_monotonic_time() +
	    (gint64)MIN(ms, (MHD_UNSIGNED_LONG_LONG)3600000) * 1000;
	if (set < 0 || at < set)
		g_source_set_ready_time(srv->timer, at);
}

static gboolean
on_ready(gpointer data)
{
	struct http_server *srv = data;

	if (srv->running)	/* a loop run by a route: never again inside */
		return G_SOURCE_CONTINUE;
	srv->running = TRUE;
	/* The access log's lines of this turn, and whatever else is said
	 * in it, are written with one write at its end: the turn is short,
	 * and a crash loses at most its lines. */
	log_hold();
	MHD_run(srv->mhd);
	log_release();
	srv->running = FALSE;
	timer_arm(srv);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_io(int fd, GIOCondition cond, gpointer data)
{
	return on_ready(data);
}

static gboolean
timer_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	g_source_set_ready_time(src, -1);
	return cb(data);
}

static GSourceFuncs timer_funcs = { .dispatch = timer_dispatch };

/* --- listening ------------------------------------------------------------ */

/* [http] listen: ADDRESS:PORT, [IPv6]:PORT, or *:PORT for every
 * address.  Port 0 takes a free one (for tests: the log says which). */
static GSocketAddress *
listen_address(const struct conf *conf, GError **error)
{
	const char *listen = conf_get(conf, "http", "listen");
	const char *colon = listen != NULL ? strrchr(listen, ':') : NULL;
	g_autofree char *host = NULL;
	char *end;
	guint64 port;
	GSocketAddress *a = NULL;

	if (colon == NULL)
		goto bad;
	host = g_strndup(listen, (gsize)(colon - listen));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	port = g_ascii_strtoull(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		goto bad;
	if (strcmp(host, "*") == 0 || *host == '\0')
		a = g_inet_socket_address_new(g_inet_address_new_any(
		    G_SOCKET_FAMILY_IPV4), (guint16)port);
	else if (strcmp(host, "localhost") == 0)
		a = g_inet_socket_address_new_from_string("127.0.0.1",
		    (guint)port);
	else
		a = g_inet_socket_address_new_from_string(host, (guint)port);
	if (a != NULL)
		return a;
bad:
	g_set_error(error, CONF_ERROR, CONF_ERROR_INVALID,
	    "%s:%d: listen in [http] is \"%s\": give an address and a port, "
	    "such as 127.0.0.1:8025", conf_file(conf) != NULL ?
	    conf_file(conf) : "configuration", conf_line(conf, "http",
	    "listen"), listen != NULL ? listen : "");
	return NULL;
}

/* [http] cert-file and key-file, both or neither, read into SRV. */
static gboolean
tls_setup(struct http_server *srv, const struct conf *conf, gboolean *tls,
    GError **error)
{
	g_autofree char *cert = conf_get_path(conf, "http", "cert-file");
	g_autofree char *key = conf_get_path(conf, "http", "key-file");

	*tls = FALSE;
	if (cert == NULL && key == NULL)
		return TRUE;
	if (cert == NULL || key == NULL) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_INVALID,
		    "%s: [http] needs both cert-file and key-file, or neither",
		    conf_file(conf) != NULL ? conf_file(conf) :
		    "configuration");
		return FALSE;
	}
	/* The key as any secret: a regular file of mode 0600, not a link. */
	if (!g_file_get_contents(cert, &srv->cert, NULL, error) ||
	    (srv->key = conf_read_secret(conf, "http", "key-file", NULL,
	    error)) == NULL) {
		g_prefix_error(error, "[http] cert-file %s, key-file %s: ",
		    cert, key);
		return FALSE;
	}
	if (strstr(srv->cert, "-----BEGIN CERTIFICATE-----") == NULL ||
	    strstr(srv->key, "-----BEGIN ") == NULL ||
	    strstr(srv->key, "PRIVATE KEY-----") == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
		    "[http] cert-file %s, key-file %s: give a certificate and "
		    "its private key in PEM", cert, key);
		return FALSE;
	}
	*tls = TRUE;
	return TRUE;
}

static char *
listening_url(struct http_server *srv, GSocketAddress *a, gboolean tls)
{
	const union MHD_DaemonInfo *port = MHD_get_daemon_info(srv->mhd,
	    MHD_DAEMON_INFO_BIND_PORT);
	g_autofree char *ip = g_inet_address_to_string(
	    g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(a)));

	return g_strdup_printf(strchr(ip, ':') != NULL ? "%s://[%s]:%u/" :
	    "%s://%s:%u/", tls ? "https" : "http", ip,
	    port != NULL ? (unsigned)port->port : 0);
}

struct http_server *
http_server_start(struct conf **conf, struct store *st, GError **error)
{
	struct http_server *srv = g_new0(struct http_server, 1);
	g_autoptr(GSocketAddress) a = NULL;
	double max = conf_get_number(*conf, "http", "max-connections");
	struct sockaddr_storage sa;
	const union MHD_DaemonInfo *epfd;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	gboolean tls;
	GMainContext *ctx = g_main_context_get_thread_default();

	srv->conf = conf;
	srv->st = st;
	srv->max_conns = max > 0 ? (guint)max : 100;
	srv->timeout = conf_get_seconds(*conf, "http", "timeout");
	if (srv->timeout <= 0)
		srv->timeout = 20;
	srv->conns = g_hash_table_new(NULL, NULL);
	srv->memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_bytes_unref);
	if ((a = listen_address(*conf, error)) == NULL ||
	    !tls_setup(srv, *conf, &tls, error) ||
	    !g_socket_address_to_native(a, &sa, sizeof sa, error))
		goto fail;
	if (g_socket_address_get_family(a) == G_SOCKET_FAMILY_IPV6)
		flags |= MHD_USE_IPv6;
	if (tls)
		flags |= MHD_USE_TLS;
	{
		struct MHD_OptionItem opts[] = {
			{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log,
			    srv },
			{ MHD_OPTION_SOCK_ADDR, 0, &sa },
			/* One more than we let in (on_accept), so that
			 * libmicrohttpd never stops accepting: past
			 * max-connections a client is told at once. */
			{ MHD_OPTION_CONNECTION_LIMIT, srv->max_conns + 1,
			    NULL },
			{ MHD_OPTION_CONNECTION_TIMEOUT, srv->timeout, NULL },
			{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_MAX_HEAD,
			    NULL },
			{ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, srv },
			{ MHD_OPTION_NOTIFY_CONNECTION,
			    (intptr_t)on_connection, srv },
			{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed,
			    srv },
			{ tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0,
			    srv->cert },
			{ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key },
			{ MHD_OPTION_END, 0, NULL },
		};
		srv->mhd = MHD_start_daemon(flags, 0, on_accept, srv,
		    on_request, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	}
	if (srv->mhd == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		    "http: cannot listen on %s%s%s",
		    conf_get(*conf, "http", "listen"), srv->said != NULL ?
		    ": " : "", srv->said != NULL ? srv->said : "");
		goto fail;
	}
	if ((epfd = MHD_get_daemon_info(srv->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		    "http: libmicrohttpd has no epoll descriptor");
		goto fail;
	}
	srv->io = g_unix_fd_source_new(epfd->epoll_fd, G_IO_IN);
	g_source_set_callback(srv->io, (GSourceFunc)(void (*)(void))on_io,
	    srv, NULL);
	/* A source that may not recurse has its descriptor taken out of the
	 * loop's poll and put back around each dispatch, and each of those
	 * wakes the loop up: two system calls and a poll more per request.
	 * on_ready() keeps MHD_run() from running inside itself. */
	g_source_set_can_recurse(srv->io, TRUE);
	g_source_attach(srv->io, ctx);
	srv->timer = g_source_new(&timer_funcs, sizeof(GSource));
	g_source_set_callback(srv->timer, on_ready, srv, NULL);
	g_source_attach(srv->timer, ctx);
	srv->sweep = g_timeout_source_new_seconds(1);
	g_source_set_callback(srv->sweep, on_sweep, srv, NULL);
	g_source_attach(srv->sweep, ctx);
	timer_arm(srv);
	{
		g_autofree char *secret = conf_get_path(*conf, "tidings",
		    "secret-file");
		watch_setup(srv, secret);
	}
	srv->url = listening_url(srv, a, tls);
	log_info("http: listening on %s", srv->url);
	return srv;
fail:
	http_server_free(srv);
	return NULL;
}

const char *
http_server_url(const struct http_server *srv)
{
	return srv->url;
}

static void
source_drop(GSource **src)
{
	if (*src != NULL) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	source_drop(&srv->io);
	source_drop(&srv->timer);
	source_drop(&srv->sweep);
	/* Closes every connection, each told to on_connection(). */
	if (srv->mhd != NULL)
		MHD_stop_daemon(srv->mhd);
	g_hash_table_destroy(srv->conns);
	g_hash_table_destroy(srv->memo);
	g_free(srv->cert);
	if (srv->key != NULL)
		memset(srv->key, 0, strlen(srv->key));
	g_free(srv->key);
	if (srv->secret != NULL)
		g_bytes_unref(srv->secret);
	g_free(srv->secret_path);
	watch_free(srv->watch);
	g_free(srv->watched_secret);
	g_free(srv->said);
	g_free(srv->url);
	g_free(srv);
}
