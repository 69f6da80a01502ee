/* The connection layer; see net.h.
 *
 * libetpan speaks the protocols; GnuTLS does the TLS, because the TLS built
 * into Debian's libetpan verifies no certificate and shows only the leaf.
 * The two meet in a mailstream_low driver of our own (conn_*) that reads
 * and writes a socket, plain or through a GnuTLS session: STARTTLS only
 * gives the driver its session.  Socket timeouts bound every read and
 * write; the driver also writes the protocol trace, credentials masked and
 * literals or message bodies left out. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "log.h"
#include "net.h"

G_DEFINE_QUARK(tidings-net-error-quark, net_error)

#define NET_DEFAULT_TIMEOUT	60	/* seconds */
#define NET_TRACE_MAX		1000	/* characters of a traced line shown */

/* One direction of the protocol trace: the line being assembled, and how
 * much of a literal is still to be left out. */
struct net_trace {
	GString		*line;
	guint64		 literal;
};

/* A connection, and the data of our mailstream_low driver: the socket, and
 * the TLS session once there is one. */
struct net {
	int		 fd;
	gnutls_session_t tls;		/* NULL while plain */
	gnutls_certificate_credentials_t creds;
	char		*host;
	int		 port;
	char		*peer;		/* "host:port", for messages */
	char		*ca_file;
	char		*ca_dir;
	char		*section;
	int		 starttls_port;
	int		 timeout;	/* seconds */
	gboolean	 no_system_trust; /* the system's store was empty */
	char		*failure;	/* why the last read or write failed */
	enum log_trace	 trace;
	gboolean	 imap_literals;
	guint64		 quiet_left;	/* bytes still to write that are left
					   out of the trace */
	guint64		 quiet_bytes;	/* of them, those written */
	struct net_trace in;
	struct net_trace out;
};

static void conn_fail(struct net *, const char *, ...) G_GNUC_PRINTF(2, 3);

/* ---------------------------------------------------------------- trace */

/* The size of the literal announced at the end of line ("{123}", or
 * "{123+}" with LITERAL+), 0 when there is none. */
guint64
net_literal_size(const char *line, size_t len)
{
	size_t i;

	if (len < 3 || line[len - 1] != '}')
		return 0;
	i = len - 1;
	if (line[i - 1] == '+' || line[i - 1] == '-')
		i--;
	while (i > 0 && g_ascii_isdigit(line[i - 1]))
		i--;
	if (i == 0 || line[i - 1] != '{' || !g_ascii_isdigit(line[i]))
		return 0;
	return g_ascii_strtoull(line + i, NULL, 10);
}

static void
trace_line(struct net *c, struct net_trace *t, const char *who)
{
	GString *l = t->line;

	while (l->len > 0 && (l->str[l->len - 1] == '\n' ||
	    l->str[l->len - 1] == '\r'))
		g_string_truncate(l, l->len - 1);
	if (c->imap_literals)
		t->literal = net_literal_size(l->str, l->len);
	if (l->len > NET_TRACE_MAX)
		log_trace(c->trace, "%s: %.*s [%zu more characters]", who,
		    NET_TRACE_MAX, l->str, l->len - NET_TRACE_MAX);
	else
		log_trace(c->trace, "%s: %s", who, l->str);
	g_string_truncate(l, 0);
}

/* Traces len bytes of one direction, a line at a time; IMAP literals are
 * left out (they are message bodies, or mailbox names sent as literals). */
static void
trace_data(struct net *c, struct net_trace *t, const char *who,
    const char *buf, size_t len)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		if (t->literal > 0) {
			n = MIN(len, t->literal);
			t->literal -= n;
		} else {
			nl = memchr(buf, '\n', len);
			n = nl != NULL ? (size_t)(nl - buf) + 1 : len;
			g_string_append_len(t->line, buf, n);
			if (nl != NULL)
				trace_line(c, t, who);
		}
		buf += n;
		len -= n;
	}
}

/* What carries credentials is written private (IMAP's LOGIN, AUTHENTICATE
 * and what follows their continuations, SMTP's AUTH and its answers to
 * the server's challenges): of those only the tag (or SMTP's command) and
 * the command name (or mechanism) are shown. */
static void
trace_private(struct net *c, struct net_trace *t, const char *buf,
    size_t len)
{
	size_t tag = 0, cmd;

	g_string_truncate(t->line, 0);
	t->literal = 0;
	while (tag < len && g_ascii_isalnum(buf[tag]))
		tag++;
	cmd = tag + 1;
	while (cmd < len && g_ascii_isupper(buf[cmd]))
		cmd++;
	if (tag > 0 && tag < len && buf[tag] == ' ' && cmd > tag + 1 &&
	    cmd < len && buf[cmd] == ' ')
		log_trace(c->trace, "C: %.*s ***", (int)cmd, buf);
	else
		log_trace(c->trace, "C: ***");
}

/* ---------------------------------------------------------- the driver */

static void
conn_fail(struct net *c, const char *fmt, ...)
{
	va_list ap;

	g_free(c->failure);
	va_start(ap, fmt);
	c->failure = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* Reads and writes return -1 on any failure, never 0: libetpan takes a 0
 * read for "no data yet" in places and would parse half a line. */
static ssize_t
conn_plain_read(struct net *c, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(c->fd, buf, len, 0);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0 || errno == ECONNRESET)
		conn_fail(c, "the server closed the connection");
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		conn_fail(c, "no answer in %d s", c->timeout);
	else
		conn_fail(c, "%s", g_strerror(errno));
	return -1;
}

/* gnutls_record_recv() also says GNUTLS_E_AGAIN after a record that held
 * no data, such as TLS 1.3's session tickets, and other non-fatal codes
 * after alerts; only the clock tells those from the socket's timeout. */
static ssize_t
conn_tls_read(struct net *c, void *buf, size_t len)
{
	gint64 deadline = g_get_monotonic_time() +
	    (gint64)c->timeout * G_USEC_PER_SEC;
	ssize_t n;

	do
		n = gnutls_record_recv(c->tls, buf, len);
	while (n < 0 && !gnutls_error_is_fatal(n) &&
	    g_get_monotonic_time() < deadline);
	if (n > 0)
		return n;
	if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION ||
	    (n == GNUTLS_E_PULL_ERROR && errno == ECONNRESET))
		conn_fail(c, "the server closed the connection");
	else if (n == GNUTLS_E_AGAIN)
		conn_fail(c, "no answer in %d s", c->timeout);
	else
		conn_fail(c, "TLS: %s", gnutls_strerror(n));
	return -1;
}

static ssize_t
conn_read(mailstream_low *low, void *buf, size_t len)
{
	struct net *c = low->data;
	ssize_t n;

	if (c->fd == -1)
		return -1;
	n = c->tls != NULL ? conn_tls_read(c, buf, len) :
	    conn_plain_read(c, buf, len);
	if (n > 0)
		trace_data(c, &c->in, "S", buf, n);
	return n;
}

/* Traces the N bytes of BUF written, those of a message left out;
 * returns N. */
static ssize_t
trace_written(struct net *c, mailstream_low *low, const char *buf,
    ssize_t n)
{
	size_t len = (size_t)n;
	size_t quiet = (size_t)MIN((guint64)len, c->quiet_left);

	if (quiet > 0) {
		c->quiet_left -= quiet;
		c->quiet_bytes += quiet;
		if (c->quiet_left == 0)
			net_trace_quiet_next(c, 0);
		buf += quiet;
		len -= quiet;
	}
	if (len == 0)
		;
	else if (low->privacy == 0)
		trace_private(c, &c->out, buf, len);
	else
		trace_data(c, &c->out, "C", buf, len);
	return n;
}

static ssize_t
conn_write(mailstream_low *low, const void *buf, size_t len)
{
	struct net *c = low->data;
	ssize_t n;

	if (c->fd == -1)
		return -1;
	if (c->tls != NULL) {
		do
			n = gnutls_record_send(c->tls, buf, len);
		while (n == GNUTLS_E_INTERRUPTED);
		if (n >= 0)
			return trace_written(c, low, buf, n);
		if (n == GNUTLS_E_AGAIN)
			conn_fail(c, "the server took nothing in %d s",
			    c->timeout);
		else if (n == GNUTLS_E_PUSH_ERROR)
			conn_fail(c, "the server closed the connection");
		else
			conn_fail(c, "TLS: %s", gnutls_strerror(n));
		return -1;
	}
	/* MSG_NOSIGNAL: a server that went away must not kill us with
	 * SIGPIPE. */
	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n >= 0)
		return trace_written(c, low, buf, n);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		conn_fail(c, "the server took nothing in %d s", c->timeout);
	else if (errno == EPIPE || errno == ECONNRESET)
		conn_fail(c, "the server closed the connection");
	else
		conn_fail(c, "%s", g_strerror(errno));
	return -1;
}

/* Ends TLS and closes the socket; says goodbye in TLS only when nothing
 * has failed, as a dead peer would make us wait for the timeout. */
void
net_shutdown(struct net *c)
{
	if (c->tls != NULL) {
		if (c->failure == NULL && c->fd != -1)
			gnutls_bye(c->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(c->tls);
		c->tls = NULL;
	}
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static int
conn_close(mailstream_low *low)
{
	net_shutdown(low->data);
	return 0;
}

static int
conn_get_fd(mailstream_low *low)
{
	struct net *c = low->data;

	return c->fd;
}

/* The data belongs to the caller's struct net; only the mailstream_low_new() block is
 * ours to free, with free() as libetpan allocated it with malloc(). */
static void
conn_free(mailstream_low *low)
{
	free(low);
}

static mailstream_low_driver conn_driver = {
	.mailstream_read = conn_read,
	.mailstream_write = conn_write,
	.mailstream_close = conn_close,
	.mailstream_get_fd = conn_get_fd,
	.mailstream_free = conn_free,
};

/* ------------------------------------------------------------------ TCP */

static void
tcp_set_options(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	int one = 1;

	/* A timeout on every read and write, TLS's included: a server that
	 * stops answering costs at most this long per call. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* What is written is gathered in the stream's buffer and flushed
	 * whole where the protocol waits (a pipelined envelope, a message
	 * before its final dot): each flush goes at once, not after the
	 * peer's delayed acknowledgement of the one before. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Connects to one address within the timeout; returns the socket, in
 * blocking mode, or -1 with *why set. */
static int
tcp_try(const struct addrinfo *ai, int timeout, char **why)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, rc, err = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1) {
		err = errno;
		goto fail;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			err = errno;
			goto fail;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			rc = poll(&pfd, 1, timeout * 1000);
		while (rc == -1 && errno == EINTR);
		if (rc == 0) {
			g_free(*why);
			*why = g_strdup_printf("no answer in %d s", timeout);
			goto fail;
		}
		if (rc == -1)
			err = errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0)
			goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1) {
		err = errno;
		goto fail;
	}
	tcp_set_options(fd, timeout);
	return fd;

fail:
	if (err != 0) {
		g_free(*why);
		*why = g_strdup(g_strerror(err));
	}
	if (fd != -1)
		close(fd);
	return -1;
}

static int
tcp_connect(struct net *n, GError **error)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	g_autofree char *why = NULL;
	char service[16];
	int fd = -1, rc;

	g_snprintf(service, sizeof(service), "%d", n->port);
	rc = getaddrinfo(n->host, service, &hints, &res);
	if (rc != 0) {
		g_set_error(error, NET_ERROR, NET_ERROR_CONNECTION,
		    "cannot find the address of %s: %s", n->host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = tcp_try(ai, n->timeout, &why);
	freeaddrinfo(res);
	if (fd == -1)
		g_set_error(error, NET_ERROR, NET_ERROR_CONNECTION,
		    "cannot connect to %s: %s", n->peer,
		    why != NULL ? why : "no address");
	return fd;
}

/* ------------------------------------------------------------------ TLS */

static gboolean
tls_trust_fail(const char *what, const char *path, int n, GError **error)
{
	g_set_error(error, NET_ERROR, NET_ERROR_TLS, "%s %s: %s", what,
	    path, n < 0 ? gnutls_strerror(n) : "no PEM certificate in it");
	return FALSE;
}

/* Loads what the server's certificate is checked against: ca-file and/or
 * ca-dir when given, otherwise the system's trust store. */
static gboolean
tls_credentials(struct net *n, GError **error)
{
	int rc;

	rc = gnutls_certificate_allocate_credentials(&n->creds);
	if (rc < 0) {
		n->creds = NULL;
		g_set_error(error, NET_ERROR, NET_ERROR_TLS, "TLS: %s",
		    gnutls_strerror(rc));
		return FALSE;
	}
	if (n->ca_file != NULL) {
		rc = gnutls_certificate_set_x509_trust_file(n->creds,
		    n->ca_file, GNUTLS_X509_FMT_PEM);
		if (rc <= 0)
			return tls_trust_fail("ca-file", n->ca_file, rc,
			    error);
	}
	if (n->ca_dir != NULL) {
		rc = gnutls_certificate_set_x509_trust_dir(n->creds,
		    n->ca_dir, GNUTLS_X509_FMT_PEM);
		if (rc <= 0)
			return tls_trust_fail("ca-dir", n->ca_dir, rc,
			    error);
	}
	if (n->ca_file == NULL && n->ca_dir == NULL) {
		rc = gnutls_certificate_set_x509_system_trust(n->creds);
		if (rc <= 0) {
			/* Not fatal here: the refusal of the certificate
			 * will say so. */
			n->no_system_trust = TRUE;
			log_debug("no certificate in the system's trust store"
			    " (%s)", rc < 0 ? gnutls_strerror(rc) : "empty");
		}
	}
	return TRUE;
}

/* "AB:CD:..." of the server's certificate, for the user to compare with
 * the one they expect before trusting it. */
static char *
tls_fingerprint(gnutls_session_t s)
{
	const gnutls_datum_t *certs;
	unsigned char md[64];
	size_t size = sizeof(md), i;
	unsigned int n = 0;
	GString *hex;

	certs = gnutls_certificate_get_peers(s, &n);
	if (certs == NULL || n == 0 ||
	    gnutls_fingerprint(GNUTLS_DIG_SHA256, &certs[0], md, &size) < 0)
		return g_strdup("unknown");
	hex = g_string_new(NULL);
	for (i = 0; i < size; i++)
		g_string_append_printf(hex, "%s%02X", i > 0 ? ":" : "", md[i]);
	return g_string_free(hex, FALSE);
}

/* The refusal of a certificate: why, and what to do about it. */
static void
tls_untrusted(struct net *n, gnutls_session_t s, GError **error)
{
	unsigned int status = gnutls_session_get_verify_cert_status(s);
	g_autofree char *fingerprint = tls_fingerprint(s);
	g_autofree char *against = NULL;
	gnutls_datum_t out = { NULL, 0 };
	g_autofree char *hint = NULL;
	char *why;

	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &out, 0) < 0)
		out.data = NULL;
	why = out.data != NULL ? g_strstrip((char *)out.data) : "refused";
	if (n->ca_file != NULL)
		against = g_strdup_printf("ca-file %s", n->ca_file);
	else if (n->ca_dir != NULL)
		against = g_strdup_printf("ca-dir %s", n->ca_dir);
	else
		against = g_strdup(n->no_system_trust ?
		    "the system's trust store, which is empty" :
		    "the system's trust store");
	if ((status & GNUTLS_CERT_UNEXPECTED_OWNER) != 0 &&
	    (status & GNUTLS_CERT_SIGNER_NOT_FOUND) == 0)
		hint = g_strdup_printf("set host in [%s] to a name the"
		    " certificate carries", n->section);
	else
		hint = g_strdup_printf("if this server is yours, set ca-file"
		    " in [%s] to the server's certificate or to the CA that"
		    " signed it", n->section);
	g_set_error(error, NET_ERROR, NET_ERROR_TLS,
	    "the TLS certificate of %s is not trusted: %s (checked against"
	    " %s; its SHA-256 fingerprint is %s); %s", n->peer, why,
	    against, fingerprint, hint);
	gnutls_free(out.data);
}

static void
tls_handshake_fail(struct net *n, gnutls_session_t s, int rc,
    gboolean implicit, GError **error)
{
	g_autofree char *hint = NULL;

	switch (rc) {
	case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
		tls_untrusted(n, s, error);
		break;
	case GNUTLS_E_AGAIN:
	case GNUTLS_E_TIMEDOUT:
		g_set_error(error, NET_ERROR, NET_ERROR_CONNECTION,
		    "TLS with %s: no answer in %d s", n->peer,
		    n->timeout);
		break;
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		g_set_error(error, NET_ERROR, NET_ERROR_CONNECTION,
		    "TLS with %s: %s", n->peer, gnutls_strerror(rc));
		break;
	default:
		if (implicit)
			hint = g_strdup_printf(" (does this port speak TLS? for"
			    " port %d, set security = starttls in [%s])",
			    n->starttls_port, n->section);
		g_set_error(error, NET_ERROR, NET_ERROR_TLS,
		    "TLS with %s failed: %s%s", n->peer,
		    gnutls_strerror(rc), hint != NULL ? hint : "");
		break;
	}
}

/* TLS on the connected socket, the certificate chain and the host name
 * verified during the handshake. */
gboolean
net_start_tls(struct net *n, gboolean implicit, GError **error)
{
	gnutls_session_t s = NULL;
	char *desc;
	int rc;

	rc = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL);
	if (rc < 0)
		goto fail;
	if ((rc = gnutls_set_default_priority(s)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    n->creds)) < 0)
		goto fail;
	/* SNI carries names only, never addresses (RFC 6066). */
	if (!g_hostname_is_ip_address(n->host) &&
	    (rc = gnutls_server_name_set(s, GNUTLS_NAME_DNS, n->host,
	    strlen(n->host))) < 0)
		goto fail;
	gnutls_session_set_verify_cert(s, n->host, 0);
	gnutls_transport_set_int(s, n->fd);
	gnutls_handshake_set_timeout(s, n->timeout * 1000);
	/* Non-fatal codes (a warning alert, a signal) mean "go on"; but
	 * GNUTLS_E_AGAIN is the socket's timeout, and the handshake's own
	 * timeout bounds the whole. */
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && !gnutls_error_is_fatal(rc) && rc != GNUTLS_E_AGAIN);
	if (rc < 0) {
		tls_handshake_fail(n, s, rc, implicit, error);
		gnutls_deinit(s);
		return FALSE;
	}
	n->tls = s;
	desc = gnutls_session_get_desc(s);
	log_debug("%s: %s", n->peer, desc);
	gnutls_free(desc);
	return TRUE;

fail:
	g_set_error(error, NET_ERROR, NET_ERROR_TLS, "TLS with %s: %s",
	    n->peer, gnutls_strerror(rc));
	if (s != NULL)
		gnutls_deinit(s);
	return FALSE;
}


/* ---------------------------------------------------------- the rest */

struct net *
net_new(const struct net_options *o)
{
	struct net *n = g_new0(struct net, 1);

	n->fd = -1;
	n->host = g_strdup(o->host);
	n->port = o->port;
	n->peer = strchr(o->host, ':') != NULL ?
	    g_strdup_printf("[%s]:%d", o->host, o->port) :
	    g_strdup_printf("%s:%d", o->host, o->port);
	n->ca_file = g_strdup(o->ca_file);
	n->ca_dir = g_strdup(o->ca_dir);
	n->section = g_strdup(o->section != NULL ? o->section : "?");
	n->starttls_port = o->starttls_port;
	n->timeout = o->timeout_seconds > 0 ? o->timeout_seconds :
	    NET_DEFAULT_TIMEOUT;
	n->trace = o->trace;
	n->imap_literals = o->imap_literals;
	n->in.line = g_string_new(NULL);
	n->out.line = g_string_new(NULL);
	return n;
}

gboolean
net_connect(struct net *n, gboolean tls, GError **error)
{
	g_return_val_if_fail(n->fd == -1, FALSE);
	if (tls && n->creds == NULL && !tls_credentials(n, error))
		return FALSE;
	n->fd = tcp_connect(n, error);
	return n->fd != -1;
}

mailstream *
net_stream_new(struct net *n, size_t size)
{
	mailstream_low *low;
	mailstream *stream;

	low = mailstream_low_new(n, &conn_driver);
	if (low == NULL)
		fatalx("mailstream_low_new: out of memory");
	stream = mailstream_new(low, size);
	if (stream == NULL)
		fatalx("mailstream_new: out of memory");
	return stream;
}

const char *
net_peer(const struct net *n)
{
	return n->peer;
}

int
net_fd(const struct net *n)
{
	return n->fd;
}

gboolean
net_is_tls(const struct net *n)
{
	return n->tls != NULL;
}

gboolean
net_tls_pending(const struct net *n)
{
	return n->tls != NULL && gnutls_record_check_pending(n->tls) > 0;
}

const char *
net_failure(const struct net *n)
{
	return n->failure;
}

int
net_timeout(const struct net *n)
{
	return n->timeout;
}

void
net_trace_quiet_next(struct net *n, guint64 bytes)
{
	if (n->quiet_bytes > 0)
		log_trace(n->trace, "C: [%" G_GUINT64_FORMAT " bytes of the"
		    " message left out]", n->quiet_bytes);
	n->quiet_bytes = 0;
	n->quiet_left = bytes;
}

void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	net_shutdown(n);
	if (n->creds != NULL)
		gnutls_certificate_free_credentials(n->creds);
	g_free(n->failure);
	g_string_free(n->in.line, TRUE);
	g_string_free(n->out.line, TRUE);
	g_free(n->host);
	g_free(n->peer);
	g_free(n->ca_file);
	g_free(n->ca_dir);
	g_free(n->section);
	g_free(n);
}
