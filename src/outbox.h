/* Delivery of the outbox: every mail due goes to the [smtp] server over
 * one connection, or over [smtp] connections at once, a sender thread
 * each; the store is written by the caller's thread alone, and what the
 * server answered for each recipient is written back, one transaction per
 * mail.  While a mail is being recorded, its connection already carries
 * the next one's envelope and message, all but the final dot.
 *
 * A mail to one person (all that tidings queues) goes with its own bounce
 * address as envelope sender, LOCAL+bounce-TOKEN@DOMAIN (verp.h), made
 * with the secret of [tidings] secret-file; the recipient keeps the token
 * once sent, so that take-bounce.c counts only notices of mail really
 * sent.  Without a secret, or to several recipients, the sender is the
 * mail's own.
 *
 * A recipient is sent once the server answered 250 after the final dot,
 * never before; failed at a 5xx, or when it has waited longer than [smtp]
 * retry-for; otherwise (a 4xx, a lost connection, a server that cannot be
 * reached) it stays pending and the mail is tried again after a backoff
 * that doubles from about a minute up to about an hour, with jitter.  A
 * mail is sent when none of its recipients is pending and at least one was
 * sent, failed when all failed.
 *
 * Delivery is at least once: should tidings die between the server's 250
 * and the commit that records it, the mail is sent again at the next try.
 * Nothing is ever marked sent that the server did not accept.  The commit
 * of each mail comes before the final dot of the next mail on the same
 * connection (so a death leaves at most one such mail per connection),
 * but only every
 * OUTBOX_SYNC_EVERY-th and the last of a delivery wait until they are on
 * disk: should the machine lose power, up to that many mails the server
 * had accepted may be sent again; a crash of tidings alone loses no
 * record. */
#ifndef TIDINGS_OUTBOX_H
#define TIDINGS_OUTBOX_H

#include <glib.h>

struct conf;
struct store;

/* The first and the longest wait between tries of a mail, in seconds. */
#define OUTBOX_BACKOFF_FIRST	60
#define OUTBOX_BACKOFF_MAX	3600

/* The most connections [smtp] connections opens at once. */
#define OUTBOX_CONNECTIONS_MAX	16

/* How many mails are recorded between two syncs of the store to disk. */
#define OUTBOX_SYNC_EVERY	32

/* What one outbox_deliver() did. */
struct outbox_stats {
	guint due;		/* mails due */
	guint sent;		/* mails now sent */
	guint failed;		/* mails now failed for good */
	guint waiting;		/* mails to be tried again */
	guint rcpts_sent;
	guint rcpts_failed;
	guint rcpts_deferred;
	GPtrArray *problems;	/* one line (char *) per mail or recipient
				   that did not go out, and why; owned, freed
				   by outbox_stats_clear() */
	struct outbox_times {	/* where the time went, microseconds */
		guint connections;	/* opened */
		guint mails;	/* handed to a connection */
		guint commits;	/* of outcomes handed back */
		gint64 claim;	/* claiming and reading mail due */
		gint64 record;	/* recording outcomes, commits included */
		gint64 idle;	/* the recording thread waiting for one */
		gint64 send;	/* the connections sending, summed */
		gint64 hold;	/* of it, waiting before a final dot for
				   the record of the mail before */
	} times;
};

void outbox_stats_clear(struct outbox_stats *stats);

/*
 * Delivers every queued mail due at now (UTC seconds) over one connection
 * to [smtp] ([smtp] connections of them, when more than one), the password
 * from its password-command or password-file.
 * stats (may be NULL) is filled in; the caller clears it.
 *
 * Returns TRUE when every due mail was tried (each mail's outcome is then
 * in the store and in stats).  Returns FALSE with error when the server
 * could not be used at all (SMTP_ERROR_*: connection, TLS, login, its
 * configuration; CONF_ERROR when [smtp] is incomplete) or the store failed
 * (STORE_ERROR); the mails due that were not tried then wait as after a
 * temporary failure, their last error saying why, so that a caller in a
 * loop does not hammer a server that is down or refuses us.
 */
gboolean outbox_deliver(struct store *st, const struct conf *conf,
    gint64 now, struct outbox_stats *stats, GError **error);

/* When the next try is due (UTC seconds; maybe already past): the time to
 * wake up for outbox_deliver().  -1 when nothing is queued, or with error
 * set when the store failed. */
gint64 outbox_next_due(struct store *st, GError **error);

/* The wait before try number attempts + 1 of a mail, jitter included. */
gint64 outbox_backoff(int attempts);

#endif
