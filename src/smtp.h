/* A synchronous SMTP submission client for the outbox: connect (TLS,
 * STARTTLS or, when the configuration says so by name, plain), EHLO (HELO
 * for old servers), AUTH PLAIN or LOGIN, then one mail after another on the
 * same connection, each recipient's answer kept, and QUIT.
 *
 * libetpan's mailsmtp holds the session and reads the greeting; net.c does
 * the TCP, the verified TLS and the trace (credentials masked, bodies left
 * out).  Commands and replies are ours: libetpan has no pipelining, sends
 * its own host name in EHLO and authenticates only through cyrus-sasl.
 *
 * Failures come back in the SMTP_ERROR domain, graded by what the caller
 * must do.  After SMTP_ERROR_CONNECTION or SMTP_ERROR_PROTOCOL the session
 * is dead: every later call fails at once with SMTP_ERROR_CONNECTION, and
 * only smtp_close() is left to do. */
#ifndef TIDINGS_SMTP_H
#define TIDINGS_SMTP_H

#include <glib.h>

#define SMTP_ERROR (smtp_error_quark())
GQuark smtp_error_quark(void);

enum smtp_error {
	SMTP_ERROR_CONNECTION,	/* network down, timeout, the server gone,
				   busy or closing (421): try again later */
	SMTP_ERROR_AUTH,	/* the login was refused, or is impossible
				   here: tell the user, do not retry in a
				   loop */
	SMTP_ERROR_TLS,		/* no TLS, or its certificate is not
				   trusted: the message says how to trust
				   it (ca-file); a configuration problem */
	SMTP_ERROR_CONFIG,	/* the server refuses what the configuration
				   says (the HELO name), or it asks for the
				   impossible (a password without TLS):
				   tell the user */
	SMTP_ERROR_PROTOCOL,	/* the server's answer makes no sense: the
				   session is dead, try again later */
};

enum smtp_security {
	SMTP_SECURITY_TLS,	/* TLS from the first byte (port 465) */
	SMTP_SECURITY_STARTTLS,	/* plain, then STARTTLS before anything
				   else (port 587) */
	SMTP_SECURITY_NONE,	/* no TLS at all: only when the configuration
				   asks for it by name (loopback) */
};

/* What smtp_connect() needs; it copies what it keeps. */
struct smtp_account {
	const char	*host;		/* also the name the certificate must
					   carry (or its IP address) */
	int		 port;		/* 0: 465 with TLS, 587 with STARTTLS,
					   25 without */
	enum smtp_security security;
	const char	*user;		/* NULL: no AUTH */
	const char	*password;	/* never logged, never in a GError */
	const char	*ca_file;	/* PEM: the server's certificate or CA */
	const char	*ca_dir;	/* a directory of PEM certificates */
	int		 timeout_seconds; /* per connect, read or write; 0: 60 */
	const char	*helo;		/* the name in EHLO; NULL: this host's */
	const char *const *disable;	/* NULL or NULL-terminated extensions
					   to treat as not offered
					   ("PIPELINING", "AUTH=PLAIN", "EHLO"
					   for HELO): for broken servers and
					   the tests of the fallbacks */
};

/* One reply of the server: its code (250, 451, 550, ...; 0 when none came)
 * and its text, lines joined by "; " (with the enhanced status code,
 * "5.1.1 <x@y>: Recipient address rejected: ..."). */
struct smtp_reply {
	int		 code;
	char		*text;
};

void smtp_reply_clear(struct smtp_reply *r);

struct smtp;

/* Connects, does TLS as the account says, EHLO (HELO when the server does
 * not know EHLO), STARTTLS and EHLO again, and AUTH when a user is set:
 * PLAIN when offered, else LOGIN.  A password is never sent without TLS
 * unless the security is SMTP_SECURITY_NONE.  Returns NULL and sets error
 * on failure.  Free the result with smtp_close(). */
struct smtp *smtp_connect(const struct smtp_account *acct, GError **error);

/* Whether the server offers ext ("PIPELINING", "8BITMIME", "AUTH=PLAIN")
 * and the account does not disable it. */
gboolean smtp_has_extension(struct smtp *smtp, const char *ext);

/*
 * Sends one mail: RSET when a mail went before on this connection, MAIL
 * FROM, every RCPT TO and DATA (in one flight with PIPELINING; without
 * it, DATA only when a recipient was accepted), then, when a recipient was
 * accepted and DATA answered 354, the message with its line ends made CRLF
 * and its lines beginning with a dot doubled.
 *
 * Returns TRUE when the exchange ended with every recipient answered:
 * replies[i] (n_rcpts of them, cleared by the caller whatever the result:
 * a failure can leave them half filled) is then the final
 * word for rcpts[i]: the reply after the final dot for the recipients the
 * server accepted, else the refusal of RCPT TO, or of MAIL FROM or DATA.
 * A 2xx code means the server took responsibility for the mail; 4xx, try
 * later; 5xx, never.  Returns FALSE with error when the session died
 * (SMTP_ERROR_CONNECTION, _PROTOCOL; nothing is known of the mail then) or
 * when the server wants authentication (SMTP_ERROR_AUTH, 530).
 */
gboolean smtp_send(struct smtp *smtp, const char *from,
    const char *const *rcpts, guint n_rcpts, GBytes *raw,
    struct smtp_reply *replies, GError **error);

/* A mail to send: its envelope and its message. */
struct smtp_mail {
	const char	*from;
	const char *const *rcpts;
	guint		 n_rcpts;
	GBytes		*raw;
};

/* What smtp_send_held() asks its caller before a final dot, with data. */
struct smtp_hold {
	/* Whether the dot may go: asked first with wait FALSE; when that
	 * says no, the message goes without its dot, and it is asked again
	 * with wait TRUE, to wait until it may.  FALSE then leaves the
	 * message unended. */
	gboolean (*ready)(gpointer data, gboolean wait);
	/* NULL, or the mail to send next on the session, if any yet: with
	 * PIPELINING its envelope goes right behind the dot, in the same
	 * flight (RFC 2920), and it must be the next mail given to
	 * smtp_send_held() or smtp_send(), which then only reads the
	 * envelope's replies.  Asked only when the dot goes. */
	const struct smtp_mail *(*next)(gpointer data);
	gpointer data;
};

/* smtp_send(), but the final dot (after which the server is responsible
 * for the mail) goes only when hold->ready says so.  When that finally
 * returns FALSE the message is left unended, the session dies and the
 * mail is not sent (FALSE, SMTP_ERROR_CONNECTION).  Nothing is asked when
 * no message is sent (every recipient refused, DATA refused).  The caller
 * can so do other work while the envelope and the message travel, yet let
 * the server take the mail only once the previous one is recorded; and,
 * with hold->next, the next mail's envelope travels with the dot. */
gboolean smtp_send_held(struct smtp *smtp, const struct smtp_mail *mail,
    struct smtp_reply *replies, const struct smtp_hold *hold,
    GError **error);

/* The message as sent after DATA: CRLF line ends, leading dots doubled,
 * a CRLF at the end, then ".\r\n".  Caller frees. */
GBytes *smtp_data_encode(const void *data, gsize len);

/* QUIT when the session is alive, then closes and frees it all.
 * NULL-safe. */
void smtp_close(struct smtp *smtp);

/* "tls", "starttls" or "none", as the configuration spells them. */
const char *smtp_security_name(enum smtp_security s);

typedef struct smtp Smtp;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Smtp, smtp_close)

#endif
