/* The connection layer the IMAP and SMTP clients share: a TCP connection
 * made within a timeout, TLS by GnuTLS with the certificate chain and the
 * host name verified (libetpan's own TLS verifies nothing), and a
 * libetpan mailstream on top of it, whose reads and writes are bounded by
 * the same timeout and traced line by line, credentials masked and message
 * bodies left out.
 *
 * Errors come back in the NET_ERROR domain with two grades; imap.c and
 * smtp.c map them onto their own domains, keeping the messages.  Nothing
 * here exits or prints, but for the protocol trace. */
#ifndef TIDINGS_NET_H
#define TIDINGS_NET_H

#include <glib.h>
#include <libetpan/mailstream.h>

#include "log.h"

#define NET_ERROR (net_error_quark())
GQuark net_error_quark(void);

enum net_error {
	NET_ERROR_CONNECTION,	/* no route, refused, timeout, closed: the
				   network or the server; try again later */
	NET_ERROR_TLS,		/* the certificate is not trusted, a trust
				   file cannot be read, or the port does not
				   speak TLS: the configuration is wrong */
};

/* What net_new() needs; it copies the strings. */
struct net_options {
	const char	*host;		/* also the name the certificate must
					   carry (or its IP address) */
	int		 port;
	const char	*ca_file;	/* PEM; NULL: ca_dir or the system's */
	const char	*ca_dir;
	int		 timeout_seconds; /* per connect, read or write; 0: 60 */
	const char	*section;	/* "imap", "smtp": the configuration
					   section the hints name */
	int		 starttls_port;	/* suggested when implicit TLS meets a
					   port that does not speak it */
	enum log_trace	 trace;		/* the trace bit of the protocol */
	gboolean	 imap_literals;	/* leave IMAP literals ("{123}") out
					   of the trace */
};

/* One connection.  Free with net_free(). */
struct net;

struct net *net_new(const struct net_options *opts);

/* Loads the trust for TLS when tls (ca-file, ca-dir or the system's store),
 * then connects to the first address of host that answers.  On failure,
 * FALSE and error: NET_ERROR_TLS for an unreadable trust file,
 * NET_ERROR_CONNECTION otherwise. */
gboolean net_connect(struct net *n, gboolean tls, GError **error);

/* The TLS handshake on the connected socket, now (implicit TLS) or after
 * the protocol's STARTTLS; from then on the stream speaks TLS.  implicit
 * says which, for the hint when the port does not speak TLS.  An untrusted
 * certificate is NET_ERROR_TLS, with its SHA-256 fingerprint and how to
 * trust it. */
gboolean net_start_tls(struct net *n, gboolean implicit, GError **error);

/* A new libetpan stream over the connection, with a buffer of size bytes.
 * The stream's driver refers to n: close the stream (mailstream_close(),
 * or through its session) before net_free(). */
mailstream *net_stream_new(struct net *n, size_t size);

/* "host:port" ("[::1]:25"), for messages. */
const char *net_peer(const struct net *n);
/* The socket, -1 when closed. */
int net_fd(const struct net *n);
/* Whether TLS has started. */
gboolean net_is_tls(const struct net *n);
/* Whether TLS has read data nobody has taken yet (it never makes the
 * socket readable). */
gboolean net_tls_pending(const struct net *n);
/* Why the last read or write failed ("no answer in 60 s"), or NULL. */
const char *net_failure(const struct net *n);
int net_timeout(const struct net *n);

/* The next BYTES to go out are left out of the trace (a message body,
 * whatever the commands written behind it); how many were is traced once
 * they went, or at the next call (0: none more). */
void net_trace_quiet_next(struct net *n, guint64 bytes);

/* The size of the IMAP literal announced at the end of line ("{123}" or
 * "{123+}"), 0 when there is none. */
guint64 net_literal_size(const char *line, size_t len);

/* Ends TLS and closes the socket, saying goodbye in TLS only when nothing
 * has failed.  Idempotent. */
void net_shutdown(struct net *n);
/* Shuts down and frees it all.  NULL-safe. */
void net_free(struct net *n);

#endif
