/* A synchronous IMAP client for the daemon: connect (TLS, STARTTLS or, when
 * the configuration says so, plain), select a folder, fetch what is new by
 * UID in batches, mark and move messages, and wait for mail with IDLE.
 *
 * This is the only file pair of tidings that knows libetpan (and GnuTLS,
 * which does the TLS: libetpan's own does not verify certificates).  Every
 * network operation is bounded by the account's timeout; nothing here exits
 * or prints: failures come back as a GError in the IMAP_ERROR domain, graded
 * by what the caller must do, as isync's drivers do.
 *
 * After an IMAP_ERROR_CONNECTION or IMAP_ERROR_PROTOCOL error the session
 * is dead: every later call fails at once with IMAP_ERROR_CONNECTION, and
 * only imap_close() is left to do.  The other grades leave it usable. */
#ifndef TIDINGS_IMAP_H
#define TIDINGS_IMAP_H

#include <glib.h>

#define IMAP_ERROR (imap_error_quark())
GQuark imap_error_quark(void);

enum imap_error {
	IMAP_ERROR_CONNECTION,	/* network down, timeout, server gone or
				   busy: close, reconnect later */
	IMAP_ERROR_AUTH,	/* login refused (or impossible on this
				   connection): do not retry in a loop */
	IMAP_ERROR_TLS,		/* no TLS, or its certificate is not
				   trusted: the message says how to trust
				   it (ca-file); a configuration problem */
	IMAP_ERROR_MAILBOX,	/* a folder cannot be selected or read:
				   stop that folder */
	IMAP_ERROR_MESSAGE,	/* one message cannot be marked or moved:
				   skip it and keep it */
	IMAP_ERROR_PROTOCOL,	/* the server broke the protocol: the
				   session is dead, reconnect later */
};

enum imap_security {
	IMAP_SECURITY_TLS,	/* TLS from the first byte (port 993) */
	IMAP_SECURITY_STARTTLS,	/* plain, then STARTTLS before the login */
	IMAP_SECURITY_NONE,	/* no TLS at all: only when the configuration
				   asks for it by name (loopback tests) */
};

/* What imap_connect() needs; it copies what it keeps, so the strings may
 * be freed once it returns.  The certificate is checked against ca_file
 * and/or ca_dir when given, otherwise against the system's trust store. */
struct imap_account {
	const char	*host;		/* also the name the certificate must
					   carry (or its IP address) */
	int		 port;		/* 0: 993 with TLS, 143 otherwise */
	enum imap_security security;
	const char	*user;
	const char	*password;	/* never logged, never in a GError */
	const char	*ca_file;	/* PEM: the server's certificate or CA */
	const char	*ca_dir;	/* a directory of PEM certificates */
	int		 timeout_seconds; /* per connect, read or write; 0: 60 */
	const char *const *disable;	/* NULL or NULL-terminated capability
					   names to treat as not offered
					   ("MOVE", "AUTH=PLAIN"): for servers
					   whose extension is broken, and for
					   the tests of the fallbacks */
};

/* Renew IDLE this often: servers may drop it after 30 minutes (RFC 2177). */
#define IMAP_IDLE_RENEW_SECONDS (25 * 60)

/* Fetch this many messages per UID FETCH when the caller passes 0. */
#define IMAP_FETCH_BATCH 50

struct imap;

/* Connects, does TLS as the account says, reads the capabilities and logs
 * in: AUTHENTICATE PLAIN when the server offers AUTH=PLAIN, else LOGIN
 * unless the server says LOGINDISABLED.  Returns NULL and sets error on
 * failure.  Free the result with imap_close(). */
struct imap *imap_connect(const struct imap_account *acct, GError **error);

/* Whether the server offers cap ("IDLE", "MOVE", "UIDPLUS", "AUTH=PLAIN"),
 * as it said after the login, and not disabled by the account. */
gboolean imap_has_capability(struct imap *imap, const char *cap);

/* Selects folder (UTF-8; sent in IMAP's modified UTF-7).  Each of the out
 * parameters may be NULL.  A folder that cannot be selected is
 * IMAP_ERROR_MAILBOX. */
gboolean imap_select(struct imap *imap, const char *folder,
    guint32 *uidvalidity, guint32 *uidnext, guint32 *exists, GError **error);

/* Called once per message, in UID order.  raw is the message exactly as the
 * server holds it, borrowed: take a reference to keep it.  Return FALSE to
 * stop fetching (for example on SIGTERM). */
typedef gboolean (*imap_message_fn)(guint32 uid, GBytes *raw, gpointer data);

/* Fetches UID and BODY.PEEK[] (so nothing is marked seen) of every message
 * of the selected folder whose UID is above after: one UID SEARCH, then
 * one UID FETCH per batch of at most batch messages (0: IMAP_FETCH_BATCH),
 * so at most that many messages are in memory at once.  Calls fn for each.
 *
 * A message the server lists but does not return (expunged meanwhile, or
 * unreadable on the server) is skipped with a warning naming its UID and
 * left on the server: fn never sees it, so a caller that records the
 * highest UID it stored moves past it, as isync does with a bad message.
 *
 * Returns TRUE when every message was offered to fn or fn asked to stop;
 * FALSE with error otherwise (IMAP_ERROR_MAILBOX when the server refused a
 * fetch); the messages fn accepted before that stay accepted. */
gboolean imap_fetch_new(struct imap *imap, guint32 after, guint batch,
    imap_message_fn fn, gpointer data, GError **error);

/* UID STORE +FLAGS.SILENT (\Seen).  A refusal is IMAP_ERROR_MESSAGE. */
gboolean imap_mark_seen(struct imap *imap, guint32 uid, GError **error);
/* The same for N UIDs (sorted) in one command. */
gboolean imap_mark_seen_uids(struct imap *imap, const guint32 *uids,
    guint n, GError **error);

/* Moves one message of the selected folder to folder: UID MOVE when the
 * server offers it, else UID COPY, \Deleted and UID EXPUNGE (UIDPLUS) or,
 * lacking that, EXPUNGE, which also removes any other message marked
 * \Deleted.  When the server refuses, folder is created (and subscribed)
 * and the move tried once more.  A refusal is IMAP_ERROR_MESSAGE. */
gboolean imap_move(struct imap *imap, guint32 uid, const char *folder,
    GError **error);

/* Starts IDLE on the selected folder; the server must offer IDLE (poll
 * with imap_noop() otherwise).  Until imap_idle_done(), call nothing else
 * but imap_idle_fd(), imap_pending() and imap_close(). */
gboolean imap_idle_start(struct imap *imap, GError **error);

/* The socket to watch for reading while idling, -1 otherwise.  Before
 * waiting on it, check imap_pending(): TLS and libetpan buffer what they
 * read, and what sits in a buffer never makes the socket readable. */
int imap_idle_fd(struct imap *imap);

/* Whether to call imap_idle_done() without waiting on the socket: the
 * server has said something nobody has read yet (TLS and libetpan buffer
 * what they read, and that never makes the socket readable), or it
 * announced mail since the last imap_fetch_new(), during another command
 * or while IDLE was starting. */
gboolean imap_pending(struct imap *imap);

/* Ends IDLE with DONE, after the socket became readable, to renew it
 * (IMAP_IDLE_RENEW_SECONDS), or to do something else.  *new_mail (may be
 * NULL) tells whether mail may have arrived since the last
 * imap_fetch_new() began: the server announced messages (EXISTS or
 * RECENT).  It stays TRUE until the next imap_fetch_new(), so fetch when
 * it is, or imap_pending() will say the same again at once. */
gboolean imap_idle_done(struct imap *imap, gboolean *new_mail,
    GError **error);

/* NOOP, for polling servers without IDLE; *new_mail as above. */
gboolean imap_noop(struct imap *imap, gboolean *new_mail, GError **error);

/* LOGOUT when the session is still alive, then closes and frees it all.
 * NULL-safe. */
void imap_close(struct imap *imap);

/* "tls", "starttls" or "none", as the configuration spells them. */
const char *imap_security_name(enum imap_security s);

typedef struct imap Imap;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Imap, imap_close)

#endif
