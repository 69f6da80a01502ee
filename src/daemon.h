/* tidings run: one GLib main loop that keeps a mailbox in sync (IMAP IDLE
 * watched as a GSource, or polling), reconnects with backoff, and answers
 * signals.  The scheduler and the outbox will add their timers to the same
 * loop. */
#ifndef TIDINGS_DAEMON_H
#define TIDINGS_DAEMON_H

#include <glib.h>

struct conf;
struct store;

struct daemon_options {
	gboolean once;		/* one sync, then exit */
	const char *config_path;/* reread on SIGHUP; NULL: none */
};

/* Runs until SIGTERM or SIGINT (or one sync with ONCE).  *CONF may be
 * replaced on SIGHUP.  Returns a sysexits code. */
int daemon_run(struct conf **conf, struct store *st,
    const struct daemon_options *opts);

/* Takes the lock that keeps a second tidings run off DB_PATH; returns the
 * descriptor to keep open, or -1 with error set (naming the holder's pid). */
int daemon_lock(const char *db_path, GError **error);
/* The pid of a running tidings on DB_PATH, or 0. */
int daemon_running(const char *db_path);

#endif
