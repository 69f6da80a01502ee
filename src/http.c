/* The HTTP server; see http.h.
 *
 * libsoup reads and writes HTTP; what it leaves to its user is done here:
 * only GET, HEAD and POST, bounded requests (early handler, before a body
 * is read), a bounded number of connections, a deadline for reading each
 * request (against clients that send a byte now and then), the headers
 * every answer carries, and one access log line per request. */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "http.h"
#include "log.h"

/* A connection, from the first request libsoup starts reading on it
 * until its socket is closed. */
struct http_conn {
	GSocket *sock;
	gint64 reading_since;	/* monotonic µs; 0: not reading */
	gint64 closed_at;	/* monotonic µs when we shut it down; 0 */
};

struct http_server {
	struct conf **conf;
	struct store *st;
	SoupServer *soup;
	GHashTable *conns;		/* GSocket * → struct http_conn */
	GHashTable *memo;		/* struct http_request's */
	guint sweep;
	guint max_conns;
	gint64 timeout;			/* seconds */
	char *url;
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

	http_respond(r, SOUP_STATUS_OK, "text/plain; charset=utf-8", text,
	    sizeof text - 1);
}

/* --- answers ----------------------------------------------------------- */

GBytes *
http_body(struct http_request *r)
{
	SoupMessageBody *body = soup_server_message_get_request_body(r->msg);

	return body != NULL ? soup_message_body_flatten(body) : NULL;
}

const char *
http_header(struct http_request *r, const char *name)
{
	return soup_message_headers_get_one(
	    soup_server_message_get_request_headers(r->msg), name);
}

const char *
http_query(struct http_request *r, const char *name)
{
	return r->query != NULL ? g_hash_table_lookup(r->query, name) : NULL;
}

void
http_set_header(struct http_request *r, const char *name, const char *value)
{
	soup_message_headers_replace(
	    soup_server_message_get_response_headers(r->msg), name, value);
}

void
http_respond(struct http_request *r, guint status, const char *type,
    const char *body, gsize len)
{
	soup_server_message_set_status(r->msg, status, NULL);
	soup_server_message_set_response(r->msg, type, SOUP_MEMORY_COPY,
	    body, len);
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
	http_page(r, SOUP_STATUS_NOT_FOUND, "Not found",
	    "<h1>Not found</h1>\n<p>There is nothing at this address.</p>");
}

void
http_method_not_allowed(struct http_request *r, const char *allow)
{
	http_set_header(r, "Allow", allow);
	http_page(r, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed",
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

/* A plain answer to a request refused before any route saw it. */
static void
refuse(SoupServerMessage *msg, guint status, const char *why)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "text/plain; charset=utf-8",
	    SOUP_MEMORY_COPY, why, strlen(why));
	soup_message_headers_replace(
	    soup_server_message_get_response_headers(msg), "Connection",
	    "close");
}

static void
security_headers(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	soup_message_headers_replace(h, "Content-Security-Policy", HTTP_CSP);
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
	/* libsoup before 3.3 never notices that a client closed an idle
	 * keep-alive connection, and keeps its socket for ever: one
	 * request per connection there. */
	if (soup_get_major_version() == 3 && soup_get_minor_version() < 3)
		soup_message_headers_replace(h, "Connection", "close");
}

/* --- the bounds ---------------------------------------------------------- */

static void
count_header(const char *name, const char *value, gpointer data)
{
	(*(guint *)data)++;
}

/* After the headers, before the body: the method, the length of the
 * target, the number of headers and the size of a body.  A status set
 * here keeps libsoup from reading the body. */
static void
on_early(SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer data)
{
	const char *method = soup_server_message_get_method(msg);
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	GUri *uri = soup_server_message_get_uri(msg);
	const char *q = g_uri_get_query(uri);
	guint n = 0;
	goffset len;

	security_headers(msg);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0) {
		refuse(msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
		    "only GET, HEAD and POST\n");
		soup_message_headers_replace(
		    soup_server_message_get_response_headers(msg), "Allow",
		    "GET, HEAD, POST");
		return;
	}
	if (strlen(g_uri_get_path(uri)) + (q != NULL ? strlen(q) : 0) >
	    HTTP_MAX_URI) {
		refuse(msg, SOUP_STATUS_REQUEST_URI_TOO_LONG, "address too long\n");
		return;
	}
	soup_message_headers_foreach(h, count_header, &n);
	if (n > HTTP_MAX_HEADERS) {
		refuse(msg, 431, "too many headers\n");
		return;
	}
	if (strcmp(method, "POST") != 0) {
		if (soup_message_headers_get_encoding(h) ==
		    SOUP_ENCODING_CHUNKED ||
		    soup_message_headers_get_content_length(h) > 0)
			refuse(msg, SOUP_STATUS_BAD_REQUEST,
			    "a body is for POST only\n");
		return;
	}
	if (soup_message_headers_get_encoding(h) !=
	    SOUP_ENCODING_CONTENT_LENGTH) {
		refuse(msg, SOUP_STATUS_LENGTH_REQUIRED,
		    "a POST needs a Content-Length\n");
		return;
	}
	len = soup_message_headers_get_content_length(h);
	if (len > HTTP_MAX_BODY)
		refuse(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
		    "body too large\n");
}

/* Forgets the connections whose sockets libsoup has closed (it may keep
 * the socket objects after, so their being freed says nothing), and
 * those we shut down a timeout ago, whatever libsoup made of them. */
static void
conns_prune(struct http_server *srv)
{
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, srv->conns);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct http_conn *c = v;
		if (g_socket_is_closed(k) || (c->closed_at != 0 &&
		    now - c->closed_at > srv->timeout * G_USEC_PER_SEC))
			g_hash_table_iter_remove(&it);
	}
}

static void
conn_close(struct http_conn *c, const char *why)
{
	g_autoptr(GSocketAddress) peer = g_socket_get_remote_address(c->sock,
	    NULL);
	g_autofree char *who = peer != NULL ?
	    g_inet_address_to_string(g_inet_socket_address_get_address(
	    G_INET_SOCKET_ADDRESS(peer))) : g_strdup("?");

	log_info("http: %s: connection closed: %s", who, why);
	c->closed_at = g_get_monotonic_time();
	g_socket_shutdown(c->sock, TRUE, TRUE, NULL);
}

/* A request begins: a connection seen for the first time counts against
 * max-connections, and the clock of reading the request starts. */
static void
on_started(SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
	struct http_server *srv = data;
	GSocket *sock = soup_server_message_get_socket(msg);
	struct http_conn *c;

	if (sock == NULL)
		return;
	if ((c = g_hash_table_lookup(srv->conns, sock)) == NULL) {
		conns_prune(srv);
		c = g_new0(struct http_conn, 1);
		c->sock = sock;
		g_hash_table_insert(srv->conns, g_object_ref(sock), c);
		if (g_hash_table_size(srv->conns) > srv->max_conns) {
			conn_close(c, "max-connections reached");
			return;
		}
	}
	c->reading_since = g_get_monotonic_time();
}

static void
on_read(SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
	struct http_server *srv = data;
	GSocket *sock = soup_server_message_get_socket(msg);
	struct http_conn *c = sock != NULL ?
	    g_hash_table_lookup(srv->conns, sock) : NULL;

	if (c != NULL)
		c->reading_since = 0;
}

/* Every second: a connection that has not sent a whole request within
 * [http] timeout (an idle keep-alive one included) is closed. */
static gboolean
on_sweep(gpointer data)
{
	struct http_server *srv = data;
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer v;

	conns_prune(srv);
	g_hash_table_iter_init(&it, srv->conns);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct http_conn *c = v;
		if (c->closed_at == 0 && c->reading_since != 0 &&
		    now - c->reading_since > srv->timeout * G_USEC_PER_SEC)
			conn_close(c, "no whole request within the timeout");
	}
	return G_SOURCE_CONTINUE;
}

/* --- the access log ---------------------------------------------------- */

/* The path as logged: never a query (feed keys) nor the token of a
 * secret route. */
static char *
log_path(SoupServerMessage *msg)
{
	const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
	const struct http_route *rt = route_find(path);
	g_autofree char *shown = NULL;

	if (rt != NULL && rt->secret && !rt->exact)
		shown = g_strconcat(rt->prefix, "…", NULL);
	else
		shown = g_utf8_make_valid(path, MIN(strlen(path), 200));
	return g_strescape(shown, "…");
}

static void
on_finished(SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
	const char *who = soup_server_message_get_remote_host(msg);
	g_autofree char *path = log_path(msg);
	SoupMessageBody *body = soup_server_message_get_response_body(msg);

	log_info("http: %s \"%s %s\" %u %" G_GINT64_FORMAT,
	    who != NULL ? who : "?", soup_server_message_get_method(msg),
	    path, soup_server_message_get_status(msg),
	    body != NULL ? (gint64)body->length : (gint64)0);
}

/* --- dispatch ------------------------------------------------------------ */

static void
on_request(SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer data)
{
	struct http_server *srv = data;
	g_autoptr(GError) error = NULL;
	const struct http_route *rt;
	struct tidings_ctx env;
	struct http_request r = {
		.msg = msg,
		.env = &env,
		.method = soup_server_message_get_method(msg),
		.path = path,
		.query = query,
		.now = clock_now(),
		.memo = srv->memo,
	};

	security_headers(msg);
	if (soup_server_message_get_status(msg) != SOUP_STATUS_NONE)
		return;		/* refused early */
	if ((rt = route_find(path)) == NULL) {
		http_not_found(&r);
		return;
	}
	if (strstr(rt->allow, r.method) == NULL) {
		http_method_not_allowed(&r, rt->allow);
		return;
	}
	/* Made afresh for each request: tidings run replaces the
	 * configuration on SIGHUP. */
	if (!tidings_ctx_init(&env, srv->st, *srv->conf, &error)) {
		log_warnx("http: %s", error->message);
		http_page(&r, SOUP_STATUS_INTERNAL_SERVER_ERROR,
		    "Server error", "<h1>Server error</h1>");
		return;
	}
	r.rest = path + strlen(rt->prefix);
	rt->handle(&r);
	tidings_ctx_clear(&env);
}

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

/* [http] cert-file and key-file, both or neither. */
static gboolean
tls_setup(struct http_server *srv, const struct conf *conf, gboolean *tls,
    GError **error)
{
	g_autofree char *cert = conf_get_path(conf, "http", "cert-file");
	g_autofree char *key = conf_get_path(conf, "http", "key-file");
	g_autoptr(GTlsCertificate) c = NULL;

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
	if ((c = g_tls_certificate_new_from_files(cert, key, error)) == NULL) {
		g_prefix_error(error, "[http] cert-file %s, key-file %s: ",
		    cert, key);
		return FALSE;
	}
	soup_server_set_tls_certificate(srv->soup, c);
	*tls = TRUE;
	return TRUE;
}

static char *
listening_url(SoupServer *soup, gboolean tls)
{
	GSList *l = soup_server_get_listeners(soup);
	g_autoptr(GSocketAddress) a = NULL;
	g_autofree char *ip = NULL;
	GInetSocketAddress *in;

	if (l == NULL || (a = g_socket_get_local_address(l->data,
	    NULL)) == NULL) {
		g_slist_free(l);
		return g_strdup("?");
	}
	g_slist_free(l);
	in = G_INET_SOCKET_ADDRESS(a);
	ip = g_inet_address_to_string(g_inet_socket_address_get_address(in));
	return g_strdup_printf(strchr(ip, ':') != NULL ? "%s://[%s]:%u/" :
	    "%s://%s:%u/", tls ? "https" : "http", ip,
	    (unsigned)g_inet_socket_address_get_port(in));
}

struct http_server *
http_server_start(struct conf **conf, struct store *st, GError **error)
{
	struct http_server *srv = g_new0(struct http_server, 1);
	g_autoptr(GSocketAddress) a = NULL;
	double max = conf_get_number(*conf, "http", "max-connections");
	gboolean tls;

	srv->conf = conf;
	srv->st = st;
	srv->max_conns = max > 0 ? (guint)max : 100;
	srv->timeout = conf_get_seconds(*conf, "http", "timeout");
	if (srv->timeout <= 0)
		srv->timeout = 20;
	srv->conns = g_hash_table_new_full(NULL, NULL, g_object_unref, g_free);
	srv->memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	srv->soup = soup_server_new("server-header", "tidings", NULL);
	if ((a = listen_address(*conf, error)) == NULL ||
	    !tls_setup(srv, *conf, &tls, error))
		goto fail;
	soup_server_add_early_handler(srv->soup, NULL, on_early, srv, NULL);
	soup_server_add_handler(srv->soup, NULL, on_request, srv, NULL);
	g_signal_connect(srv->soup, "request-started",
	    G_CALLBACK(on_started), srv);
	g_signal_connect(srv->soup, "request-read", G_CALLBACK(on_read), srv);
	g_signal_connect(srv->soup, "request-finished",
	    G_CALLBACK(on_finished), srv);
	if (!soup_server_listen(srv->soup, a, tls ? SOUP_SERVER_LISTEN_HTTPS :
	    0, error)) {
		g_prefix_error(error, "http: cannot listen on %s: ",
		    conf_get(*conf, "http", "listen"));
		goto fail;
	}
	srv->url = listening_url(srv->soup, tls);
	srv->sweep = g_timeout_add_seconds(1, on_sweep, srv);
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

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->sweep != 0)
		g_source_remove(srv->sweep);
	if (srv->soup != NULL) {
		soup_server_disconnect(srv->soup);
		g_signal_handlers_disconnect_by_data(srv->soup, srv);
	}
	g_hash_table_destroy(srv->conns);
	g_hash_table_destroy(srv->memo);
	g_clear_object(&srv->soup);
	g_free(srv->url);
	g_free(srv);
}
