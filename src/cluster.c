/* This process among the others on the database; see cluster.h.
 *
 * The beat runs in a thread of its own, on a connection of its own, so
 * that a long sync (the first of a large mailbox) does not let the leases
 * lapse while the process lives: a lease is lost only when the process
 * is gone or cannot reach the database. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "log.h"
#include "store-cluster.h"
#include "store-outbox.h"

/* A process not seen for a day is forgotten when another starts. */
#define CLUSTER_FORGET (24 * 60 * 60)

struct cluster {
	struct store *st;	/* the caller's, for cluster_hold() */
	struct store *beat_st;	/* the beat thread's */
	gint64 id;
	gint64 ttl;
	GThread *thread;
	GMutex lock;
	GCond wake;
	gboolean stop;
	gboolean lost;		/* a lease was taken over: the caller's to
				   see at its next cluster_beat() */
	char *error;		/* the beat's last failure, or NULL */
	GHashTable *held;	/* lease names */
};

/* FORGET: seconds after which a process not seen is forgotten; -1: every
 * other. */
static gint64
cluster_note(struct store *st, gint64 forget, GError **error)
{
	return store_process_add(st, g_get_host_name(), (int)getpid(),
	    PACKAGE_VERSION, forget, error);
}

/* One beat, on the thread's connection: this process lives, its leases
 * are renewed, and those taken over meanwhile are dropped. */
static gboolean
beat_once(struct cluster *c, GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree gpointer *names = NULL;
	guint n;
	gint64 id;

	g_mutex_lock(&c->lock);
	id = c->id;
	names = g_hash_table_get_keys_as_array(c->held, &n);
	for (guint i = 0; i < n; i++)
		names[i] = g_strdup(names[i]);
	g_mutex_unlock(&c->lock);
	if (!store_process_beat(c->beat_st, id, &err)) {
		if (!g_error_matches(err, STORE_ERROR, STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&err));
			goto out;
		}
		/* Forgotten, after a long stop: noted anew, holding nothing
		 * (what it held went with it). */
		log_warnx("cluster: this process was forgotten; noting it "
		    "again");
		if ((id = cluster_note(c->beat_st, CLUSTER_FORGET, error)) < 0)
			goto out;
		g_mutex_lock(&c->lock);
		c->id = id;
		c->lost = c->lost || n > 0;
		g_hash_table_remove_all(c->held);
		g_mutex_unlock(&c->lock);
		goto out;
	}
	for (guint i = 0; i < n; i++) {
		gboolean held;
		if (!store_lease_take(c->beat_st, names[i], id, c->ttl, &held,
		    error))
			goto out;
		if (held)
			continue;
		log_warnx("cluster: %s was taken over by another tidings run",
		    (const char *)names[i]);
		g_mutex_lock(&c->lock);
		c->lost = TRUE;
		g_hash_table_remove(c->held, names[i]);
		g_mutex_unlock(&c->lock);
	}
	for (guint i = 0; i < n; i++)
		g_free(names[i]);
	return TRUE;
out:
	for (guint i = 0; i < n; i++)
		g_free(names[i]);
	return FALSE;
}

static gpointer
beat_thread(gpointer data)
{
	struct cluster *c = data;
	gint64 interval = (gint64)cluster_beat_interval(c) * G_TIME_SPAN_SECOND;

	g_mutex_lock(&c->lock);
	while (!c->stop) {
		gint64 until = g_get_monotonic_time() + interval;
		while (!c->stop && g_cond_wait_until(&c->wake, &c->lock, until))
			;
		if (c->stop)
			break;
		g_mutex_unlock(&c->lock);
		g_autoptr(GError) error = NULL;
		gboolean ok = beat_once(c, &error);
		g_mutex_lock(&c->lock);
		g_clear_pointer(&c->error, g_free);
		if (!ok)
			c->error = g_strdup(error->message);
	}
	g_mutex_unlock(&c->lock);
	return NULL;
}

/* What the outbox claims of process ID start with. */
static char *
cluster_owner(gint64 id)
{
	return g_strdup_printf("process %" G_GINT64_FORMAT ": ", id);
}

/* Forgets, with what they held, the processes noted on this host whose
 * pid is gone: a tidings run killed and started again at once takes its
 * mailbox back without waiting for the lease to lapse, and sends the
 * outbox mail it had claimed without waiting for the claim to pass.  A process of
 * another host is judged by its beat alone. */
static gboolean
cluster_forget_dead_here(struct store *st, GError **error)
{
	g_autoptr(GPtrArray) procs = store_process_list(st, error);
	const char *host = g_get_host_name();

	if (procs == NULL)
		return FALSE;
	for (guint i = 0; i < procs->len; i++) {
		const struct cluster_process *p = procs->pdata[i];
		if (strcmp(p->host, host) != 0 || p->pid <= 0 ||
		    p->pid == (int)getpid() ||
		    kill((pid_t)p->pid, 0) == 0 || errno != ESRCH)
			continue;
		g_autofree char *owner = cluster_owner(p->id);
		log_info("cluster: tidings run %d of this host is gone; "
		    "taking back what it held", p->pid);
		if (!store_outbox_unclaim_owner(st, owner, error) ||
		    !store_process_remove(st, p->id, error))
			return FALSE;
	}
	return TRUE;
}

struct cluster *
cluster_join(struct store *st, gint64 ttl, gboolean alone, GError **error)
{
	struct cluster *c = g_new0(struct cluster, 1);

	c->st = st;
	c->ttl = MAX(ttl, 3);
	g_mutex_init(&c->lock);
	g_cond_init(&c->wake);
	c->held = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if ((!alone && !cluster_forget_dead_here(st, error)) ||
	    (c->id = cluster_note(st, alone ? -1 : CLUSTER_FORGET,
	    error)) < 0 ||
	    (c->beat_st = store_reopen(st, error)) == NULL) {
		cluster_leave(c);
		return NULL;
	}
	{
		g_autofree char *owner = cluster_owner(c->id);
		store_outbox_set_owner(st, owner);
	}
	c->thread = g_thread_new("beat", beat_thread, c);
	log_debug("cluster: process %" G_GINT64_FORMAT " of %s", c->id,
	    store_path(st));
	return c;
}

void
cluster_leave(struct cluster *c)
{
	g_autoptr(GError) error = NULL;

	if (c == NULL)
		return;
	if (c->thread != NULL) {
		g_mutex_lock(&c->lock);
		c->stop = TRUE;
		g_cond_signal(&c->wake);
		g_mutex_unlock(&c->lock);
		g_thread_join(c->thread);
	}
	store_close(c->beat_st);
	if (c->id > 0 && !store_process_remove(c->st, c->id, &error))
		log_warnx("cluster: %s", error->message);
	g_hash_table_destroy(c->held);
	g_free(c->error);
	g_mutex_clear(&c->lock);
	g_cond_clear(&c->wake);
	g_free(c);
}

guint
cluster_beat_interval(const struct cluster *c)
{
	return (guint)MAX(c->ttl / 3, 1);
}

gboolean
cluster_beat(struct cluster *c, gboolean *lost, GError **error)
{
	gboolean ok;

	g_mutex_lock(&c->lock);
	if (lost != NULL)
		*lost = c->lost;
	c->lost = FALSE;
	ok = c->error == NULL;
	if (!ok)
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "cannot say that this process lives: %s", c->error);
	g_mutex_unlock(&c->lock);
	return ok;
}

gboolean
cluster_hold(struct cluster *c, const char *name, gboolean *held,
    GError **error)
{
	gint64 id;

	g_mutex_lock(&c->lock);
	id = c->id;
	g_mutex_unlock(&c->lock);
	if (!store_lease_take(c->st, name, id, c->ttl, held, error))
		return FALSE;
	g_mutex_lock(&c->lock);
	if (*held)
		g_hash_table_add(c->held, g_strdup(name));
	else
		g_hash_table_remove(c->held, name);
	g_mutex_unlock(&c->lock);
	return TRUE;
}

gboolean
cluster_holds(struct cluster *c, const char *name)
{
	gboolean held;

	g_mutex_lock(&c->lock);
	held = g_hash_table_contains(c->held, name);
	g_mutex_unlock(&c->lock);
	return held;
}

void
cluster_release(struct cluster *c, const char *name)
{
	g_autoptr(GError) error = NULL;
	gboolean had;
	gint64 id;

	g_mutex_lock(&c->lock);
	had = g_hash_table_remove(c->held, name);
	id = c->id;
	g_mutex_unlock(&c->lock);
	if (had && !store_lease_release(c->st, name, id, &error))
		log_warnx("cluster: %s", error->message);
}
