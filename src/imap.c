/* The IMAP client; see imap.h.
 *
 * libetpan speaks IMAP; GnuTLS does the TLS, because the TLS built into
 * Debian's libetpan verifies no certificate and shows only the leaf.  The
 * two meet in a mailstream_low driver of our own (conn_*) that reads and
 * writes a socket, plain or through a GnuTLS session: STARTTLS only gives
 * the driver its session.  Socket timeouts bound every read and write; the
 * driver also writes the protocol trace, credentials masked and literals
 * (message bodies) left out. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <libetpan/mailimap.h>
#include <libetpan/mailimap_extension.h>
#include <libetpan/mailstream.h>
#include <libetpan/uidplus.h>

#include "imap.h"
#include "log.h"

G_DEFINE_QUARK(tidings-imap-error-quark, imap_error)

#define IMAP_DEFAULT_TIMEOUT	60	/* seconds */
#define IMAP_STREAM_BUFFER	8192
#define IMAP_TRACE_MAX		1000	/* characters of a traced line shown */

/* One direction of the protocol trace: the line being assembled, and how
 * much of a literal is still to be left out. */
struct imap_trace {
	GString		*line;
	guint64		 literal;
};

/* The data of our mailstream_low driver: the socket, and the TLS session
 * once there is one. */
struct imap_conn {
	int		 fd;
	gnutls_session_t tls;		/* NULL while plain */
	int		 timeout;	/* seconds */
	char		*failure;	/* why the last read or write failed */
	struct imap_trace in;
	struct imap_trace out;
};

struct imap {
	mailimap	*session;	/* owns the mailstream, which owns the
					   driver, whose data is conn */
	struct imap_conn conn;
	gnutls_certificate_credentials_t creds;
	enum imap_security security;
	char		*host;
	int		 port;
	char		*peer;		/* "host:port", for messages */
	char		*user;
	char		*ca_file;
	char		*ca_dir;
	char	       **disable;	/* capabilities not to use */
	int		 timeout;
	gboolean	 no_system_trust; /* the system's store was empty */
	char		*selected;	/* the selected folder, UTF-8 */
	gboolean	 dead;		/* no more commands: connection lost
					   or protocol broken */
	gboolean	 idling;
	gboolean	 announced;	/* EXISTS while IDLE was starting,
					   which libetpan would not note */
};

static gboolean imap_fail(struct imap *, int, enum imap_error, GError **,
    const char *, ...) G_GNUC_PRINTF(5, 6);
static void conn_fail(struct imap_conn *, const char *, ...)
    G_GNUC_PRINTF(2, 3);

const char *
imap_security_name(enum imap_security s)
{
	switch (s) {
	case IMAP_SECURITY_TLS:
		return "tls";
	case IMAP_SECURITY_STARTTLS:
		return "starttls";
	case IMAP_SECURITY_NONE:
		return "none";
	}
	return "unknown";
}

/* ---------------------------------------------------------------- trace */

/* The size of the literal announced at the end of line ("{123}", or
 * "{123+}" with LITERAL+), 0 when there is none. */
static guint64
trace_literal_size(const char *line, size_t len)
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
trace_line(struct imap_trace *t, const char *who)
{
	GString *l = t->line;

	while (l->len > 0 && (l->str[l->len - 1] == '\n' ||
	    l->str[l->len - 1] == '\r'))
		g_string_truncate(l, l->len - 1);
	t->literal = trace_literal_size(l->str, l->len);
	if (l->len > IMAP_TRACE_MAX)
		log_trace(TRACE_IMAP, "%s: %.*s [%zu more characters]", who,
		    IMAP_TRACE_MAX, l->str, l->len - IMAP_TRACE_MAX);
	else
		log_trace(TRACE_IMAP, "%s: %s", who, l->str);
	g_string_truncate(l, 0);
}

/* Traces len bytes of one direction, a line at a time; literals are left
 * out (they are message bodies, or mailbox names sent as literals). */
static void
trace_data(struct imap_trace *t, const char *who, const char *buf,
    size_t len)
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
				trace_line(t, who);
		}
		buf += n;
		len -= n;
	}
}

/* libetpan marks what carries credentials (LOGIN, AUTHENTICATE and what
 * follows their continuations) private: of those only the tag and the
 * command name are shown. */
static void
trace_private(struct imap_trace *t, const char *buf, size_t len)
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
		log_trace(TRACE_IMAP, "C: %.*s ***", (int)cmd, buf);
	else
		log_trace(TRACE_IMAP, "C: ***");
}

/* ---------------------------------------------------------- the driver */

static void
conn_fail(struct imap_conn *c, const char *fmt, ...)
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
conn_plain_read(struct imap_conn *c, void *buf, size_t len)
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
conn_tls_read(struct imap_conn *c, void *buf, size_t len)
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
	struct imap_conn *c = low->data;
	ssize_t n;

	if (c->fd == -1)
		return -1;
	n = c->tls != NULL ? conn_tls_read(c, buf, len) :
	    conn_plain_read(c, buf, len);
	if (n > 0)
		trace_data(&c->in, "S", buf, n);
	return n;
}

static ssize_t
conn_write(mailstream_low *low, const void *buf, size_t len)
{
	struct imap_conn *c = low->data;
	ssize_t n;

	if (c->fd == -1)
		return -1;
	if (low->privacy == 0)
		trace_private(&c->out, buf, len);
	else
		trace_data(&c->out, "C", buf, len);
	if (c->tls != NULL) {
		do
			n = gnutls_record_send(c->tls, buf, len);
		while (n == GNUTLS_E_INTERRUPTED);
		if (n >= 0)
			return n;
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
		return n;
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
static void
conn_shutdown(struct imap_conn *c)
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
	conn_shutdown(low->data);
	return 0;
}

static int
conn_get_fd(mailstream_low *low)
{
	struct imap_conn *c = low->data;

	return c->fd;
}

/* The data belongs to struct imap; only the mailstream_low_new() block is
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
tcp_set_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	/* A timeout on every read and write, TLS's included: a server that
	 * stops answering costs at most this long per call. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
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
	tcp_set_timeouts(fd, timeout);
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
tcp_connect(struct imap *imap, GError **error)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	g_autofree char *why = NULL;
	char service[16];
	int fd = -1, rc;

	g_snprintf(service, sizeof(service), "%d", imap->port);
	rc = getaddrinfo(imap->host, service, &hints, &res);
	if (rc != 0) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
		    "cannot find the address of %s: %s", imap->host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = tcp_try(ai, imap->timeout, &why);
	freeaddrinfo(res);
	if (fd == -1)
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
		    "cannot connect to %s: %s", imap->peer,
		    why != NULL ? why : "no address");
	return fd;
}

/* ------------------------------------------------------------------ TLS */

static gboolean
tls_trust_fail(const char *what, const char *path, int n, GError **error)
{
	g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS, "%s %s: %s", what,
	    path, n < 0 ? gnutls_strerror(n) : "no PEM certificate in it");
	return FALSE;
}

/* Loads what the server's certificate is checked against: ca-file and/or
 * ca-dir when given, otherwise the system's trust store. */
static gboolean
tls_credentials(struct imap *imap, GError **error)
{
	int n;

	n = gnutls_certificate_allocate_credentials(&imap->creds);
	if (n < 0) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS, "TLS: %s",
		    gnutls_strerror(n));
		return FALSE;
	}
	if (imap->ca_file != NULL) {
		n = gnutls_certificate_set_x509_trust_file(imap->creds,
		    imap->ca_file, GNUTLS_X509_FMT_PEM);
		if (n <= 0)
			return tls_trust_fail("ca-file", imap->ca_file, n,
			    error);
	}
	if (imap->ca_dir != NULL) {
		n = gnutls_certificate_set_x509_trust_dir(imap->creds,
		    imap->ca_dir, GNUTLS_X509_FMT_PEM);
		if (n <= 0)
			return tls_trust_fail("ca-dir", imap->ca_dir, n,
			    error);
	}
	if (imap->ca_file == NULL && imap->ca_dir == NULL) {
		n = gnutls_certificate_set_x509_system_trust(imap->creds);
		if (n <= 0) {
			/* Not fatal here: the refusal of the certificate
			 * will say so. */
			imap->no_system_trust = TRUE;
			log_debug("no certificate in the system's trust store"
			    " (%s)", n < 0 ? gnutls_strerror(n) : "empty");
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
tls_untrusted(struct imap *imap, gnutls_session_t s, GError **error)
{
	unsigned int status = gnutls_session_get_verify_cert_status(s);
	g_autofree char *fingerprint = tls_fingerprint(s);
	g_autofree char *against = NULL;
	gnutls_datum_t out = { NULL, 0 };
	const char *hint;
	char *why;

	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &out, 0) < 0)
		out.data = NULL;
	why = out.data != NULL ? g_strstrip((char *)out.data) : "refused";
	if (imap->ca_file != NULL)
		against = g_strdup_printf("ca-file %s", imap->ca_file);
	else if (imap->ca_dir != NULL)
		against = g_strdup_printf("ca-dir %s", imap->ca_dir);
	else
		against = g_strdup(imap->no_system_trust ?
		    "the system's trust store, which is empty" :
		    "the system's trust store");
	if ((status & GNUTLS_CERT_UNEXPECTED_OWNER) != 0 &&
	    (status & GNUTLS_CERT_SIGNER_NOT_FOUND) == 0)
		hint = "set host in [imap] to a name the certificate carries";
	else
		hint = "if this server is yours, set ca-file in [imap] to the"
		    " server's certificate or to the CA that signed it";
	g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS,
	    "the TLS certificate of %s is not trusted: %s (checked against"
	    " %s; its SHA-256 fingerprint is %s); %s", imap->peer, why,
	    against, fingerprint, hint);
	gnutls_free(out.data);
}

static void
tls_handshake_fail(struct imap *imap, gnutls_session_t s, int rc,
    GError **error)
{
	switch (rc) {
	case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
		tls_untrusted(imap, s, error);
		break;
	case GNUTLS_E_AGAIN:
	case GNUTLS_E_TIMEDOUT:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
		    "TLS with %s: no answer in %d s", imap->peer,
		    imap->timeout);
		break;
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
		    "TLS with %s: %s", imap->peer, gnutls_strerror(rc));
		break;
	default:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS,
		    "TLS with %s failed: %s%s", imap->peer,
		    gnutls_strerror(rc),
		    imap->security == IMAP_SECURITY_TLS ?
		    " (does this port speak TLS? for port 143, set security"
		    " = starttls in [imap])" : "");
		break;
	}
}

/* TLS on the connected socket, the certificate chain and the host name
 * verified during the handshake. */
static gboolean
tls_start(struct imap *imap, GError **error)
{
	gnutls_session_t s = NULL;
	char *desc;
	int rc;

	rc = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL);
	if (rc < 0)
		goto fail;
	if ((rc = gnutls_set_default_priority(s)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    imap->creds)) < 0)
		goto fail;
	/* SNI carries names only, never addresses (RFC 6066). */
	if (!g_hostname_is_ip_address(imap->host) &&
	    (rc = gnutls_server_name_set(s, GNUTLS_NAME_DNS, imap->host,
	    strlen(imap->host))) < 0)
		goto fail;
	gnutls_session_set_verify_cert(s, imap->host, 0);
	gnutls_transport_set_int(s, imap->conn.fd);
	gnutls_handshake_set_timeout(s, imap->timeout * 1000);
	/* Non-fatal codes (a warning alert, a signal) mean "go on"; but
	 * GNUTLS_E_AGAIN is the socket's timeout, and the handshake's own
	 * timeout bounds the whole. */
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && !gnutls_error_is_fatal(rc) && rc != GNUTLS_E_AGAIN);
	if (rc < 0) {
		tls_handshake_fail(imap, s, rc, error);
		gnutls_deinit(s);
		return FALSE;
	}
	imap->conn.tls = s;
	desc = gnutls_session_get_desc(s);
	log_debug("%s: %s", imap->peer, desc);
	gnutls_free(desc);
	return TRUE;

fail:
	g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS, "TLS with %s: %s",
	    imap->peer, gnutls_strerror(rc));
	if (s != NULL)
		gnutls_deinit(s);
	return FALSE;
}

/* -------------------------------------------------------------- errors */

/* What the server said with its last tagged answer, response code
 * included ("[AUTHENTICATIONFAILED] Authentication failed."). */
static char *
imap_server_said(struct imap *imap)
{
	struct mailimap_response_info *ri = imap->session->imap_response_info;
	const char *text = imap->session->imap_response;

	if (text == NULL || *text == '\0')
		text = "no reason given";
	if (ri != NULL && ri->rsp_atom != NULL)
		return g_strdup_printf("[%s] %s", ri->rsp_atom, text);
	return g_strdup(text);
}

/* Whether r is the server's refusal of a command (NO), after which the
 * session goes on, rather than a broken connection or protocol. */
static gboolean
imap_refused(int r)
{
	switch (r) {
	case MAILIMAP_NO_ERROR:
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_BAD_STATE:
		return FALSE;
	default:
		return TRUE;
	}
}

/* Sets error from libetpan's r: a refusal (NO) gets the grade the caller
 * gives, a lost connection or broken protocol its own, and kills the
 * session.  Always returns FALSE. */
static gboolean
imap_fail(struct imap *imap, int r, enum imap_error grade, GError **error,
    const char *fmt, ...)
{
	g_autofree char *what = NULL;
	g_autofree char *said = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (r == MAILIMAP_ERROR_MEMORY)
		fatalx("%s: out of memory", what);
	if (!imap_refused(r) || grade == IMAP_ERROR_CONNECTION ||
	    grade == IMAP_ERROR_PROTOCOL)
		imap->dead = TRUE;
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION, "%s: %s",
		    what, imap->conn.failure != NULL ? imap->conn.failure :
		    "connection lost");
		break;
	case MAILIMAP_ERROR_FATAL:
		said = imap_server_said(imap);
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
		    "%s: the server closes the connection: %s", what, said);
		break;
	case MAILIMAP_ERROR_PARSE:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s: the server's answer makes no sense", what);
		break;
	case MAILIMAP_ERROR_PROTOCOL:
		said = imap_server_said(imap);
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s: the server says BAD: %s", what, said);
		break;
	case MAILIMAP_ERROR_BAD_STATE:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s: not possible in this state", what);
		break;
	default:
		said = imap_server_said(imap);
		g_set_error(error, IMAP_ERROR, grade, "%s: %s", what, said);
		break;
	}
	return FALSE;
}

/* Whether commands may be sent; the session dies with the connection. */
static gboolean
imap_alive(struct imap *imap, GError **error)
{
	if (!imap->dead && imap->session != NULL &&
	    imap->session->imap_stream != NULL)
		return TRUE;
	g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
	    "the connection to %s is lost", imap->peer);
	return FALSE;
}

/* ------------------------------------------------------------- folders */

#define FOLDER_PRINTABLE(c) ((c) >= 0x20 && (c) <= 0x7e)

/* Appends UTF-16 units as modified BASE64: "," for "/", no padding. */
static void
folder_append_base64(GString *out, const gunichar2 *units, glong n)
{
	g_autofree guchar *be = g_new(guchar, n * 2);
	g_autofree char *b64 = NULL;
	char *p;
	glong i;

	for (i = 0; i < n; i++) {
		be[2 * i] = units[i] >> 8;
		be[2 * i + 1] = units[i] & 0xff;
	}
	b64 = g_base64_encode(be, n * 2);
	for (p = b64; *p != '\0' && *p != '='; p++)
		g_string_append_c(out, *p == '/' ? ',' : *p);
}

/* Appends the non-ASCII run of len bytes at run as "&" BASE64 "-". */
static void
folder_append_run(GString *out, const char *run, glong len)
{
	g_autofree gunichar2 *units = NULL;
	glong n = 0;

	units = g_utf8_to_utf16(run, len, NULL, &n, NULL);
	g_string_append_c(out, '&');
	if (units != NULL)
		folder_append_base64(out, units, n);
	g_string_append_c(out, '-');
}

/* A folder name in IMAP's modified UTF-7 (RFC 3501, 5.1.3): printable
 * ASCII as is but "&" as "&-", anything else as "&" BASE64(UTF-16) "-". */
static char *
folder_encode(const char *folder, GError **error)
{
	GString *out;
	const char *p, *run;

	if (*folder == '\0' || !g_utf8_validate(folder, -1, NULL)) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_MAILBOX,
		    "invalid folder name \"%s\"", folder);
		return NULL;
	}
	out = g_string_new(NULL);
	for (p = folder; *p != '\0';) {
		if (FOLDER_PRINTABLE(*p)) {
			if (*p == '&')
				g_string_append(out, "&-");
			else
				g_string_append_c(out, *p);
			p++;
			continue;
		}
		for (run = p; *p != '\0' && !FOLDER_PRINTABLE(*p);)
			p = g_utf8_next_char(p);
		folder_append_run(out, run, p - run);
	}
	return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------ sessions */

/* Sends the parts and CRLF, then flushes. */
static int
send_line(mailimap *s, const char *a, const char *b)
{
	if (mailstream_write(s->imap_stream, a, strlen(a)) == -1 ||
	    (b != NULL && mailstream_write(s->imap_stream, b, strlen(b)) == -1) ||
	    mailstream_write(s->imap_stream, "\r\n", 2) == -1 ||
	    mailstream_flush(s->imap_stream) == -1)
		return MAILIMAP_ERROR_STREAM;
	return MAILIMAP_NO_ERROR;
}

/* Reads the capabilities unless libetpan has them already (from the
 * greeting or the login's answer); force asks again, after STARTTLS. */
static gboolean
imap_load_capabilities(struct imap *imap, gboolean force, GError **error)
{
	struct mailimap_connection_info *ci;
	struct mailimap_capability_data *caps = NULL;
	int r;

	ci = imap->session->imap_connection_info;
	if (!force && ci != NULL && ci->imap_capability != NULL)
		return TRUE;
	r = mailimap_capability(imap->session, &caps);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "CAPABILITY at %s", imap->peer);
	/* A copy: libetpan keeps its own in imap_connection_info. */
	mailimap_capability_data_free(caps);
	return TRUE;
}

/* Drops the capabilities libetpan holds, so that those the login's answer
 * brings, or their absence, can be seen. */
static void
imap_forget_capabilities(struct imap *imap)
{
	struct mailimap_connection_info *ci;

	ci = imap->session->imap_connection_info;
	if (ci != NULL && ci->imap_capability != NULL) {
		mailimap_capability_data_free(ci->imap_capability);
		ci->imap_capability = NULL;
	}
}

/* The stream on our driver, and the server's greeting. */
static gboolean
imap_open_session(struct imap *imap, GError **error)
{
	mailstream_low *low;
	mailstream *stream;
	int r;

	low = mailstream_low_new(&imap->conn, &conn_driver);
	if (low == NULL)
		fatalx("mailstream_low_new: out of memory");
	stream = mailstream_new(low, IMAP_STREAM_BUFFER);
	if (stream == NULL)
		fatalx("mailstream_new: out of memory");
	imap->session = mailimap_new(0, NULL);
	if (imap->session == NULL)
		fatalx("mailimap_new: out of memory");
	/* From here on the session owns the stream, even on failure. */
	r = mailimap_connect(imap->session, stream);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "no IMAP greeting from %s%s", imap->peer,
		    imap->security != IMAP_SECURITY_TLS ? " (if the port"
		    " expects TLS first, set security = tls in [imap])" : "");
	return imap_load_capabilities(imap, FALSE, error);
}

static gboolean
imap_starttls(struct imap *imap, GError **error)
{
	int r;

	/* PREAUTH leaves no way to TLS before commands: a man in the
	 * middle would love it. */
	if (imap->session->imap_state == MAILIMAP_STATE_AUTHENTICATED) {
		imap->dead = TRUE;
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS,
		    "%s logs in before STARTTLS (PREAUTH); refusing to go on"
		    " without TLS", imap->peer);
		return FALSE;
	}
	if (!imap_has_capability(imap, "STARTTLS")) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS,
		    "%s does not offer STARTTLS; set security = tls in [imap]"
		    " and the server's IMAPS port (993)", imap->peer);
		return FALSE;
	}
	r = mailimap_starttls(imap->session);
	if (r != MAILIMAP_NO_ERROR) {
		/* Debian's libetpan also fails here when data followed the
		 * OK: in any case, not another word without TLS. */
		imap->dead = TRUE;
		return imap_fail(imap, r, IMAP_ERROR_TLS, error,
		    "%s refuses STARTTLS", imap->peer);
	}
	/* What came after the OK came before TLS: an injection attack
	 * (CVE-2020-15953).  Never read it as if it were protected. */
	if (imap->session->imap_stream->read_buffer_len != 0) {
		imap->dead = TRUE;
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s sent data after agreeing to STARTTLS", imap->peer);
		return FALSE;
	}
	if (!tls_start(imap, error)) {
		imap->dead = TRUE;
		return FALSE;
	}
	/* Capabilities said before TLS cannot be trusted. */
	return imap_load_capabilities(imap, TRUE, error);
}

/* AUTHENTICATE PLAIN (RFC 4616), with the initial response on the command
 * line when the server offers SASL-IR, else after its continuation. */
static int
imap_auth_plain(struct imap *imap, const char *user, const char *password,
    gboolean sasl_ir)
{
	mailimap *s = imap->session;
	struct mailimap_response *rsp = NULL;
	size_t ulen = strlen(user), plen = strlen(password);
	size_t len = ulen + plen + 2;
	gboolean answered = FALSE;
	char *creds, *b64;
	int r, state;

	/* authorization identity (none) NUL user NUL password */
	creds = g_malloc0(len);
	memcpy(creds + 1, user, ulen);
	memcpy(creds + 2 + ulen, password, plen);
	b64 = g_base64_encode((guchar *)creds, len);
	explicit_bzero(creds, len);
	g_free(creds);

	mailstream_set_privacy(s->imap_stream, 0);
	r = mailimap_send_current_tag(s);
	if (r == MAILIMAP_NO_ERROR && sasl_ir)
		r = send_line(s, "AUTHENTICATE PLAIN ", b64);
	else if (r == MAILIMAP_NO_ERROR) {
		r = send_line(s, "AUTHENTICATE PLAIN", NULL);
		if (r == MAILIMAP_NO_ERROR && mailimap_read_line(s) == NULL)
			r = MAILIMAP_ERROR_STREAM;
		/* Anything but "+" is already the answer: a refusal. */
		answered = s->imap_stream_buffer->str[0] != '+';
		if (r == MAILIMAP_NO_ERROR && !answered)
			r = send_line(s, b64, NULL);
	}
	if (r == MAILIMAP_NO_ERROR && !answered &&
	    mailimap_read_line(s) == NULL)
		r = MAILIMAP_ERROR_STREAM;
	mailstream_set_privacy(s->imap_stream, 1);
	explicit_bzero(b64, strlen(b64));
	g_free(b64);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	r = mailimap_parse_response(s, &rsp);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	state = rsp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(rsp);
	if (state != MAILIMAP_RESP_COND_STATE_OK)
		return MAILIMAP_ERROR_LOGIN;
	s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return MAILIMAP_NO_ERROR;
}

static gboolean
imap_login(struct imap *imap, const char *password, GError **error)
{
	mailstream *stream = imap->session->imap_stream;
	struct mailimap_response_info *ri;
	gboolean plain, sasl_ir;
	int r;

	plain = imap_has_capability(imap, "AUTH=PLAIN");
	sasl_ir = imap_has_capability(imap, "SASL-IR");
	if (!plain && imap_has_capability(imap, "LOGINDISABLED")) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_AUTH,
		    "%s does not allow logging in %s (LOGINDISABLED)",
		    imap->peer, imap->conn.tls == NULL ?
		    "without TLS; set security = tls or starttls in [imap]" :
		    "with a password");
		return FALSE;
	}
	imap_forget_capabilities(imap);
	if (plain)
		r = imap_auth_plain(imap, imap->user, password, sasl_ir);
	else
		r = mailimap_login(imap->session, imap->user, password);
	/* The password went through the stream's write buffer. */
	explicit_bzero(stream->write_buffer, stream->buffer_max_size);
	if (r == MAILIMAP_NO_ERROR) {
		log_debug("%s: logged in as %s with %s", imap->peer,
		    imap->user, plain ? "AUTHENTICATE PLAIN" : "LOGIN");
		return imap_load_capabilities(imap, FALSE, error);
	}
	/* [UNAVAILABLE] (RFC 5530): the server cannot check passwords
	 * now; the password may well be right. */
	ri = imap->session->imap_response_info;
	return imap_fail(imap, r, ri != NULL && ri->rsp_atom != NULL &&
	    g_ascii_strcasecmp(ri->rsp_atom, "UNAVAILABLE") == 0 ?
	    IMAP_ERROR_CONNECTION : IMAP_ERROR_AUTH, error,
	    "%s refuses the login of %s", imap->peer, imap->user);
}

static struct imap *
imap_new(const struct imap_account *acct)
{
	struct imap *imap = g_new0(struct imap, 1);
	int port = acct->port;

	if (port <= 0)
		port = acct->security == IMAP_SECURITY_TLS ? 993 : 143;
	imap->port = port;
	imap->security = acct->security;
	imap->host = g_strdup(acct->host);
	imap->peer = strchr(acct->host, ':') != NULL ?
	    g_strdup_printf("[%s]:%d", acct->host, port) :
	    g_strdup_printf("%s:%d", acct->host, port);
	imap->user = g_strdup(acct->user);
	imap->ca_file = g_strdup(acct->ca_file);
	imap->ca_dir = g_strdup(acct->ca_dir);
	imap->disable = g_strdupv((char **)acct->disable);
	imap->timeout = acct->timeout_seconds > 0 ? acct->timeout_seconds :
	    IMAP_DEFAULT_TIMEOUT;
	imap->conn.fd = -1;
	imap->conn.timeout = imap->timeout;
	imap->conn.in.line = g_string_new(NULL);
	imap->conn.out.line = g_string_new(NULL);
	return imap;
}

struct imap *
imap_connect(const struct imap_account *acct, GError **error)
{
	struct imap *imap;

	g_return_val_if_fail(acct != NULL && acct->host != NULL &&
	    acct->user != NULL && acct->password != NULL, NULL);
	imap = imap_new(acct);
	if (acct->security != IMAP_SECURITY_NONE &&
	    !tls_credentials(imap, error))
		goto fail;
	imap->conn.fd = tcp_connect(imap, error);
	if (imap->conn.fd == -1)
		goto fail;
	if (acct->security == IMAP_SECURITY_TLS && !tls_start(imap, error))
		goto fail;
	if (!imap_open_session(imap, error))
		goto fail;
	if (acct->security == IMAP_SECURITY_STARTTLS &&
	    !imap_starttls(imap, error))
		goto fail;
	if (imap->session->imap_state != MAILIMAP_STATE_AUTHENTICATED &&
	    !imap_login(imap, acct->password, error))
		goto fail;
	return imap;

fail:
	imap_close(imap);
	return NULL;
}

gboolean
imap_has_capability(struct imap *imap, const char *cap)
{
	char **d;

	g_return_val_if_fail(imap != NULL && cap != NULL, FALSE);
	if (imap->session == NULL)
		return FALSE;
	for (d = imap->disable; d != NULL && *d != NULL; d++)
		if (g_ascii_strcasecmp(*d, cap) == 0)
			return FALSE;
	if (g_ascii_strncasecmp(cap, "AUTH=", 5) == 0)
		return mailimap_has_authentication(imap->session, cap + 5);
	return mailimap_has_extension(imap->session, cap);
}

void
imap_close(struct imap *imap)
{
	mailimap *s;

	if (imap == NULL)
		return;
	s = imap->session;
	if (s != NULL) {
		if (imap->idling && !imap->dead &&
		    mailimap_idle_done(s) != MAILIMAP_NO_ERROR)
			imap->dead = TRUE;
		/* LOGOUT closes the stream; mailimap_free() would try it
		 * too, so a dead stream is closed first. */
		if (!imap->dead && s->imap_stream != NULL)
			mailimap_logout(s);
		if (s->imap_stream != NULL) {
			mailstream_close(s->imap_stream);
			s->imap_stream = NULL;
		}
		mailimap_free(s);
	}
	conn_shutdown(&imap->conn);
	g_free(imap->conn.failure);
	g_string_free(imap->conn.in.line, TRUE);
	g_string_free(imap->conn.out.line, TRUE);
	if (imap->creds != NULL)
		gnutls_certificate_free_credentials(imap->creds);
	g_free(imap->host);
	g_free(imap->peer);
	g_free(imap->user);
	g_free(imap->ca_file);
	g_free(imap->ca_dir);
	g_strfreev(imap->disable);
	g_free(imap->selected);
	g_free(imap);
}

/* ---------------------------------------------------------- new mail */

/* Whether the server announced messages since news_reset(). */
static gboolean
news_seen(struct imap *imap)
{
	struct mailimap_selection_info *si;

	si = imap->session->imap_selection_info;
	return imap->announced || (si != NULL &&
	    (si->sel_has_exists || si->sel_has_recent));
}

static void
news_reset(struct imap *imap)
{
	struct mailimap_selection_info *si;

	si = imap->session->imap_selection_info;
	imap->announced = FALSE;
	if (si != NULL) {
		si->sel_has_exists = 0;
		si->sel_has_recent = 0;
	}
}

/* ---------------------------------------------------------- commands */

gboolean
imap_select(struct imap *imap, const char *folder, guint32 *uidvalidity,
    guint32 *uidnext, guint32 *exists, GError **error)
{
	struct mailimap_selection_info *si;
	g_autofree char *name = NULL;
	int r;

	g_return_val_if_fail(imap != NULL && folder != NULL, FALSE);
	g_return_val_if_fail(!imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	if ((name = folder_encode(folder, error)) == NULL)
		return FALSE;
	g_clear_pointer(&imap->selected, g_free);
	r = mailimap_select(imap->session, name);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MAILBOX, error,
		    "cannot select folder \"%s\" on %s", folder, imap->peer);
	si = imap->session->imap_selection_info;
	if (si == NULL || si->sel_uidvalidity == 0) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_MAILBOX,
		    "folder \"%s\" on %s has no UIDVALIDITY", folder,
		    imap->peer);
		return FALSE;
	}
	imap->selected = g_strdup(folder);
	news_reset(imap);
	if (uidvalidity != NULL)
		*uidvalidity = si->sel_uidvalidity;
	if (uidnext != NULL)
		*uidnext = si->sel_uidnext;
	if (exists != NULL)
		*exists = si->sel_exists;
	return TRUE;
}

static int
uid_compare(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs above after, ascending.  "n:*" means "n or the highest" to
 * IMAP, so the highest comes back even when it is not above after. */
static gboolean
fetch_search(struct imap *imap, guint32 after, GArray *uids,
    GError **error)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	guint32 uid;
	int r;

	key = mailimap_search_key_new_uid(mailimap_set_new_interval(after + 1,
	    0));
	r = mailimap_uid_search(imap->session, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MAILBOX, error,
		    "cannot list the new messages of \"%s\" on %s",
		    imap->selected, imap->peer);
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		uid = *(uint32_t *)clist_content(it);
		if (uid > after)
			g_array_append_val(uids, uid);
	}
	mailimap_search_result_free(result);
	g_array_sort(uids, uid_compare);
	return TRUE;
}

/* A set of sorted UIDs, runs as ranges: "4:53,60". */
static struct mailimap_set *
uid_set_new(const guint32 *uids, guint n)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	guint i, j;

	for (i = 0; i < n; i = j + 1) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		if (i == j)
			mailimap_set_add_single(set, uids[i]);
		else
			mailimap_set_add_interval(set, uids[i], uids[j]);
	}
	return set;
}

/* Puts the body of each message of list into raw[], at its UID's place
 * in uids; unsolicited FETCH answers (flags others changed) carry no
 * body and are passed over. */
static void
fetch_collect(clist *list, const guint32 *uids, guint n, GBytes **raw)
{
	struct mailimap_msg_att *att;
	struct mailimap_msg_att_item *item;
	struct mailimap_msg_att_static *st;
	struct mailimap_msg_att_body_section *body;
	clistiter *it, *jt;
	guint32 uid, *at;

	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		att = clist_content(it);
		uid = 0;
		body = NULL;
		for (jt = clist_begin(att->att_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			st = item->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				uid = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				body = st->att_data.att_body_section;
		}
		if (body == NULL || body->sec_body_part == NULL)
			continue;
		at = bsearch(&uid, uids, n, sizeof(*uids), uid_compare);
		if (at != NULL && raw[at - uids] == NULL)
			raw[at - uids] = g_bytes_new(body->sec_body_part,
			    body->sec_length);
	}
}

/* One UID FETCH of n messages, then fn on each, in UID order. */
static gboolean
fetch_batch(struct imap *imap, const guint32 *uids, guint n,
    imap_message_fn fn, gpointer data, gboolean *stop, GError **error)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	GBytes **raw = g_new0(GBytes *, n);
	clist *list = NULL;
	gboolean ok = FALSE;
	guint i;
	int r;

	set = uid_set_new(uids, n);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	r = mailimap_uid_fetch(imap->session, set, ft, &list);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(imap, r, IMAP_ERROR_MAILBOX, error,
		    "cannot fetch messages %u to %u of \"%s\" on %s", uids[0],
		    uids[n - 1], imap->selected, imap->peer);
		goto out;
	}
	fetch_collect(list, uids, n, raw);
	mailimap_fetch_list_free(list);
	for (i = 0; i < n && !*stop; i++) {
		if (raw[i] == NULL)
			log_warnx("%s: message UID %u of \"%s\" was not sent"
			    " (expunged meanwhile, or unreadable on the"
			    " server); skipped, left on the server",
			    imap->peer, uids[i], imap->selected);
		else if (!fn(uids[i], raw[i], data))
			*stop = TRUE;
	}
	ok = TRUE;

out:
	for (i = 0; i < n; i++)
		if (raw[i] != NULL)
			g_bytes_unref(raw[i]);
	g_free(raw);
	return ok;
}

gboolean
imap_fetch_new(struct imap *imap, guint32 after, guint batch,
    imap_message_fn fn, gpointer data, GError **error)
{
	g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	gboolean stop = FALSE;
	guint i, n;

	g_return_val_if_fail(imap != NULL && fn != NULL, FALSE);
	g_return_val_if_fail(imap->selected != NULL && !imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	if (after == G_MAXUINT32)
		return TRUE;
	if (batch == 0)
		batch = IMAP_FETCH_BATCH;
	/* What arrives from now on is news again. */
	news_reset(imap);
	if (!fetch_search(imap, after, uids, error))
		return FALSE;
	log_debug("%s: %u new messages in \"%s\" after UID %u", imap->peer,
	    uids->len, imap->selected, after);
	for (i = 0; i < uids->len && !stop; i += n) {
		n = MIN(batch, uids->len - i);
		if (!fetch_batch(imap, &g_array_index(uids, guint32, i), n, fn,
		    data, &stop, error))
			return FALSE;
	}
	return TRUE;
}

/* UID STORE +FLAGS.SILENT (flag); takes flag. */
static int
store_flag(struct imap *imap, guint32 uid, struct mailimap_flag *flag)
{
	struct mailimap_store_att_flags *att;
	struct mailimap_flag_list *flags;
	struct mailimap_set *set;
	int r;

	flags = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(flags, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(flags);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_store(imap->session, set, att);
	mailimap_set_free(set);
	mailimap_store_att_flags_free(att);
	return r;
}

gboolean
imap_mark_seen(struct imap *imap, guint32 uid, GError **error)
{
	int r;

	g_return_val_if_fail(imap != NULL && imap->selected != NULL, FALSE);
	g_return_val_if_fail(!imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	r = store_flag(imap, uid, mailimap_flag_new_seen());
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "cannot mark message UID %u of \"%s\" on %s seen", uid,
		    imap->selected, imap->peer);
	return TRUE;
}

/* UID MOVE, or UID COPY without it. */
static int
move_transfer(struct imap *imap, guint32 uid, const char *name,
    gboolean move)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	if (move)
		r = mailimap_uid_move(imap->session, set, name);
	else
		r = mailimap_uid_copy(imap->session, set, name);
	mailimap_set_free(set);
	return r;
}

/* CREATE and SUBSCRIBE, after the server refused a move: most likely the
 * folder is missing ([TRYCREATE]).  A refused CREATE (it exists, say) is
 * no failure; the second move attempt will tell. */
static int
move_create(struct imap *imap, const char *name, const char *folder)
{
	int r;

	r = mailimap_create(imap->session, name);
	if (r == MAILIMAP_NO_ERROR) {
		log_info("%s: created folder \"%s\"", imap->peer, folder);
		r = mailimap_subscribe(imap->session, name);
	}
	return imap_refused(r) ? MAILIMAP_NO_ERROR : r;
}

/* \Deleted, then UID EXPUNGE of that message alone, or EXPUNGE. */
static int
move_expunge(struct imap *imap, guint32 uid)
{
	struct mailimap_set *set;
	int r;

	r = store_flag(imap, uid, mailimap_flag_new_deleted());
	if (r != MAILIMAP_NO_ERROR)
		return r;
	if (!imap_has_capability(imap, "UIDPLUS"))
		return mailimap_expunge(imap->session);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_expunge(imap->session, set);
	mailimap_set_free(set);
	return r;
}

gboolean
imap_move(struct imap *imap, guint32 uid, const char *folder,
    GError **error)
{
	g_autofree char *name = NULL;
	gboolean move;
	int r;

	g_return_val_if_fail(imap != NULL && folder != NULL, FALSE);
	g_return_val_if_fail(imap->selected != NULL && !imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	if ((name = folder_encode(folder, error)) == NULL)
		return FALSE;
	move = imap_has_capability(imap, "MOVE");
	r = move_transfer(imap, uid, name, move);
	if (imap_refused(r)) {
		log_debug("%s: moving UID %u to \"%s\" refused; creating the"
		    " folder", imap->peer, uid, folder);
		r = move_create(imap, name, folder);
		if (r == MAILIMAP_NO_ERROR)
			r = move_transfer(imap, uid, name, move);
	}
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "cannot %s message UID %u of \"%s\" to \"%s\" on %s",
		    move ? "move" : "copy", uid, imap->selected, folder,
		    imap->peer);
	if (move)
		return TRUE;
	r = move_expunge(imap, uid);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "message UID %u of \"%s\" on %s is copied to \"%s\" but"
		    " cannot be removed", uid, imap->selected, imap->peer,
		    folder);
	return TRUE;
}

/* ---------------------------------------------------------------- IDLE */

/* Reads what follows a literal announced at the end of the line in the
 * buffer, so that the next line read is a new response. */
static int
idle_skip_literals(mailimap *s)
{
	MMAPString *b = s->imap_stream_buffer;
	char scratch[4096];
	guint64 left;
	size_t len;
	ssize_t n;

	for (;;) {
		len = b->len;
		while (len > 0 && (b->str[len - 1] == '\n' ||
		    b->str[len - 1] == '\r'))
			len--;
		left = trace_literal_size(b->str, len);
		if (left == 0)
			return MAILIMAP_NO_ERROR;
		while (left > 0) {
			n = mailstream_read(s->imap_stream, scratch,
			    MIN(left, sizeof(scratch)));
			if (n <= 0)
				return MAILIMAP_ERROR_STREAM;
			left -= n;
		}
		if (mailimap_read_line(s) == NULL)
			return MAILIMAP_ERROR_STREAM;
	}
}

/* An untagged response that came before IDLE's continuation: libetpan's
 * mailimap_idle() throws those away, and with them the EXISTS of mail
 * that arrived just then, which would then wait for the next one. */
static int
idle_untagged(struct imap *imap, const char *line)
{
	g_autofree char *l = g_ascii_strup(line, -1);

	g_strchomp(l);
	if (g_str_has_suffix(l, " EXISTS") || g_str_has_suffix(l, " RECENT"))
		imap->announced = TRUE;
	return idle_skip_literals(imap->session);
}

gboolean
imap_idle_start(struct imap *imap, GError **error)
{
	mailimap *s;
	const char *line;
	struct mailimap_response *rsp = NULL;
	int r;

	g_return_val_if_fail(imap != NULL && imap->selected != NULL, FALSE);
	g_return_val_if_fail(!imap->idling, FALSE);
	g_return_val_if_fail(imap_has_capability(imap, "IDLE"), FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	s = imap->session;
	r = mailimap_send_current_tag(s);
	if (r == MAILIMAP_NO_ERROR)
		r = send_line(s, "IDLE", NULL);
	while (r == MAILIMAP_NO_ERROR) {
		if ((line = mailimap_read_line(s)) == NULL) {
			r = MAILIMAP_ERROR_STREAM;
			break;
		}
		if (line[0] == '+') {
			imap->idling = TRUE;
			return TRUE;
		}
		if (line[0] != '*') {
			/* The tagged answer: IDLE refused. */
			r = mailimap_parse_response(s, &rsp);
			if (r == MAILIMAP_NO_ERROR) {
				mailimap_response_free(rsp);
				r = MAILIMAP_ERROR_EXTENSION;
			}
			break;
		}
		r = idle_untagged(imap, line);
	}
	return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
	    "IDLE on \"%s\" at %s", imap->selected, imap->peer);
}

int
imap_idle_fd(struct imap *imap)
{
	g_return_val_if_fail(imap != NULL, -1);
	return imap->idling && !imap->dead ? imap->conn.fd : -1;
}

gboolean
imap_pending(struct imap *imap)
{
	mailstream *stream;

	g_return_val_if_fail(imap != NULL, FALSE);
	if (imap->session == NULL || imap->dead)
		return FALSE;
	stream = imap->session->imap_stream;
	return news_seen(imap) ||
	    (stream != NULL && stream->read_buffer_len > 0) ||
	    (imap->conn.tls != NULL &&
	    gnutls_record_check_pending(imap->conn.tls) > 0);
}

gboolean
imap_idle_done(struct imap *imap, gboolean *new_mail, GError **error)
{
	int r;

	g_return_val_if_fail(imap != NULL && imap->idling, FALSE);
	imap->idling = FALSE;
	if (!imap_alive(imap, error))
		return FALSE;
	/* DONE, then the untagged answers (EXISTS among them, which
	 * libetpan notes in its selection info) and the tagged OK. */
	r = mailimap_idle_done(imap->session);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "ending IDLE on \"%s\" at %s", imap->selected,
		    imap->peer);
	if (new_mail != NULL)
		*new_mail = news_seen(imap);
	return TRUE;
}

gboolean
imap_noop(struct imap *imap, gboolean *new_mail, GError **error)
{
	int r;

	g_return_val_if_fail(imap != NULL && !imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	r = mailimap_noop(imap->session);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "NOOP at %s", imap->peer);
	if (new_mail != NULL)
		*new_mail = news_seen(imap);
	return TRUE;
}
