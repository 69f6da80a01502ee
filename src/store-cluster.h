/* The processes of tidings run that share the database, and the leases
 * that let one of them at a time do what only one may (read a mailbox);
 * in store-cluster.c.  Times are the database's clock. */
#ifndef TIDINGS_STORE_CLUSTER_H
#define TIDINGS_STORE_CLUSTER_H

#include <glib.h>

#include "store.h"

struct cluster_process {
	gint64 id;
	char *host;
	int pid;
	char *version;
	gint64 started_at;
	gint64 seen_at;
	gint64 seen_ago;	/* seconds before now, by the database */
	GPtrArray *holds;	/* names of the leases it holds now */
};
void cluster_process_free(struct cluster_process *p);
typedef struct cluster_process ClusterProcess;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ClusterProcess, cluster_process_free)

/* Notes a process of HOST with PID; its id, or -1 with error set.
 * Processes not seen for FORGET seconds are forgotten meanwhile, with
 * their leases (FORGET -1: every other process). */
gint64 store_process_add(struct store *st, const char *host, int pid,
    const char *version, gint64 forget, GError **error);
/* Says that process ID lives; STORE_ERROR_NOT_FOUND when it was
 * forgotten (it must note itself again). */
gboolean store_process_beat(struct store *st, gint64 id, GError **error);
/* Forgets process ID and its leases (a clean stop). */
gboolean store_process_remove(struct store *st, gint64 id, GError **error);
/* Every process noted, most recently seen first, with what it holds. */
GPtrArray *store_process_list(struct store *st, GError **error);

/* Takes or renews the lease NAME for process HOLDER for TTL seconds:
 * *HELD says whether HOLDER has it now (no: another holds it and has not
 * let it expire). */
gboolean store_lease_take(struct store *st, const char *name, gint64 holder,
    gint64 ttl, gboolean *held, GError **error);
/* Gives the lease up, if HOLDER has it. */
gboolean store_lease_release(struct store *st, const char *name,
    gint64 holder, GError **error);

#endif
