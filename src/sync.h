/* Bringing a folder's new mail into the store: incremental by UID, the
 * position advanced in the same transaction as the mail it covers, a
 * UIDVALIDITY change answered by a rescan that the store deduplicates. */
#ifndef TIDINGS_SYNC_H
#define TIDINGS_SYNC_H

#include <signal.h>

#include <glib.h>

struct conf;
struct imap;
struct store;

/* Mail per transaction and per UID FETCH. */
#define SYNC_BATCH 100

struct sync_stats {
	guint fetched;
	guint stored;		/* new, processed or dropped */
	guint duplicates;
	guint quarantined;
	guint deferred;
	gboolean rescanned;	/* UIDVALIDITY had changed */
};

/* Fetches what FOLDER of ACCOUNT holds past the stored position, ingests
 * it, then flags it \Seen or moves it to PROCESSED (when not NULL).  Stops
 * between two mails when *STOP becomes non-zero; what was stored stays
 * stored.  The IMAP error grades pass through in ERROR. */
gboolean sync_folder(struct store *st, const struct conf *conf,
    struct imap *imap, const char *account, const char *folder,
    const char *processed, volatile sig_atomic_t *stop,
    struct sync_stats *stats, GError **error);

#endif
