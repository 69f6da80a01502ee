/* One tidings run among others on the same database: it notes itself,
 * says that it lives, and holds leases on what only one may do at a time
 * (read a mailbox), renewed while it lives and taken over by another once
 * it stops answering.  With SQLite there is one tidings run per database
 * (its lock file), and this says so to tidings status all the same. */
#ifndef TIDINGS_CLUSTER_H
#define TIDINGS_CLUSTER_H

#include <glib.h>

struct store;
struct cluster;

/* Notes this process in ST; TTL: seconds a lease lasts unrenewed.  ALONE:
 * no other process can be running (an SQLite database's lock is held), so
 * those noted are gone, and are forgotten with what they held.  Else
 * those noted on this host (by its name) whose pid is gone are forgotten
 * so. */
struct cluster *cluster_join(struct store *st, gint64 ttl, gboolean alone,
    GError **error);
/* Forgets this process and gives up its leases. */
void cluster_leave(struct cluster *c);
/* How often to call cluster_beat(), in seconds. */
guint cluster_beat_interval(const struct cluster *c);
/* A thread of the cluster says every cluster_beat_interval() seconds, on
 * a connection of its own, that this process lives, and renews its
 * leases.  cluster_beat() tells what it found: *LOST (may be NULL) when a
 * lease held was taken over meanwhile (this process was thought dead), so
 * that it is held no longer; FALSE with error when the last beat failed. */
gboolean cluster_beat(struct cluster *c, gboolean *lost, GError **error);
/* Takes or renews lease NAME: *HELD says whether this process has it.
 * Only one lease is held at a time by this code's callers, but any
 * number may be. */
gboolean cluster_hold(struct cluster *c, const char *name, gboolean *held,
    GError **error);
gboolean cluster_holds(struct cluster *c, const char *name);
/* Gives NAME up. */
void cluster_release(struct cluster *c, const char *name);

#endif
