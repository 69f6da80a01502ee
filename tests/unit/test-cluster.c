/* Unit tests for several tidings run on one database: processes noted
 * and forgotten, leases taken, renewed, refused to others, taken over
 * once they lapse and given up; and the cluster of a process, whose beat
 * thread finds a lease taken over. */
#include "config.h"

#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "cluster.h"
#include "store.h"
#include "store-cluster.h"
#include "store-outbox.h"
#include "testdb.h"

struct fixture {
	struct testenv e;
};

static void
setup(struct fixture *f, gconstpointer data)
{
	testenv_open(&f->e, "tidings@example.test", NULL);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	testenv_close(&f->e);
}

static gboolean
take(struct store *st, const char *name, gint64 holder, gint64 ttl)
{
	g_autoptr(GError) error = NULL;
	gboolean held = FALSE;

	g_assert_true(store_lease_take(st, name, holder, ttl, &held, &error));
	g_assert_no_error(error);
	return held;
}

static void
test_leases(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) procs = NULL;
	struct store *st = f->e.st;
	gint64 a, b;

	a = store_process_add(st, "alpha", 100, "1.0", 3600, &error);
	b = store_process_add(st, "beta", 200, "1.0", 3600, &error);
	g_assert_no_error(error);
	g_assert_cmpint(a, >, 0);
	g_assert_cmpint(b, >, a);
	g_assert_true(take(st, "imap box", a, 60));
	g_assert_true(take(st, "imap box", a, 60));	/* renewed */
	g_assert_false(take(st, "imap box", b, 60));	/* not while it holds */
	g_assert_true(take(st, "other", b, 60));
	procs = store_process_list(st, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(procs->len, ==, 2);
	for (guint i = 0; i < procs->len; i++) {
		struct cluster_process *p = procs->pdata[i];
		g_assert_cmpuint(p->holds->len, ==, 1);
		g_assert_cmpstr(p->holds->pdata[0], ==, p->id == a ? "imap box" :
		    "other");
		g_assert_cmpint(p->seen_ago, <=, 1);
	}
	/* A lease that lapsed (its holder renewed it with no time left,
	 * as if it died long ago) is taken over. */
	g_assert_true(take(st, "imap box", a, -10));
	g_assert_true(take(st, "imap box", b, 60));
	g_assert_false(take(st, "imap box", a, 60));
	/* Given up: free for the next. */
	g_assert_true(store_lease_release(st, "imap box", a, &error));
	g_assert_false(take(st, "imap box", a, 60));	/* a's release of
							   b's: nothing */
	g_assert_true(store_lease_release(st, "imap box", b, &error));
	g_assert_true(take(st, "imap box", a, 60));
	/* A process removed takes its leases with it. */
	g_assert_true(store_process_remove(st, a, &error));
	g_assert_true(take(st, "imap box", b, 60));
	g_assert_false(store_process_beat(st, a, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(store_process_beat(st, b, &error));
	g_assert_no_error(error);
}

static void
test_forget(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) procs = NULL;
	gint64 old;

	old = store_process_add(f->e.st, "old", 1, "1.0", 3600, &error);
	g_assert_true(take(f->e.st, "imap box", old, 60));
	testdb_exec(f->e.db, "UPDATE processes SET seen_at = seen_at - 7200");
	/* A process not seen for longer than FORGET is gone when the next
	 * one notes itself, and so are its leases. */
	g_assert_cmpint(store_process_add(f->e.st, "new", 2, "1.0", 3600,
	    &error), >, old);
	procs = store_process_list(f->e.st, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(procs->len, ==, 1);
	g_assert_cmpstr(((struct cluster_process *)procs->pdata[0])->host, ==,
	    "new");
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM leases"), ==,
	    0);
}

/* The cluster of a process: its lease renewed by the beat thread; taken
 * over by another once it lapses, which the next cluster_beat() says. */
static void
test_cluster(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct cluster *c = cluster_join(f->e.st, 3, FALSE, &error);
	gboolean held = FALSE, lost = FALSE;
	gint64 other, deadline;

	g_assert_no_error(error);
	g_assert_cmpuint(cluster_beat_interval(c), ==, 1);
	g_assert_true(cluster_hold(c, "imap box", &held, &error));
	g_assert_true(held);
	g_assert_true(cluster_holds(c, "imap box"));
	/* Renewed by the beat: the lease moves on. */
	testdb_exec(f->e.db, "UPDATE leases SET expires_at = 0");
	deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
	while (testdb_int(f->e.db, "SELECT expires_at FROM leases") == 0 &&
	    g_get_monotonic_time() < deadline)
		g_usleep(50000);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT expires_at FROM leases"),
	    >, 0);
	g_assert_true(cluster_beat(c, &lost, &error));
	g_assert_false(lost);
	/* Another takes it over (as if this one had stopped answering). */
	other = store_process_add(f->e.st, "other", 2, "1.0", 3600, &error);
	testdb_exec(f->e.db, "UPDATE leases SET expires_at = 0");
	g_assert_true(take(f->e.st, "imap box", other, 60));
	deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
	while (cluster_holds(c, "imap box") &&
	    g_get_monotonic_time() < deadline)
		g_usleep(50000);
	g_assert_false(cluster_holds(c, "imap box"));
	g_assert_true(cluster_beat(c, &lost, &error));
	g_assert_true(lost);
	g_assert_true(cluster_beat(c, &lost, &error));
	g_assert_false(lost);	/* told once */
	g_assert_true(cluster_hold(c, "imap box", &held, &error));
	g_assert_false(held);
	/* Leaving forgets the process and what it holds. */
	g_assert_true(cluster_hold(c, "another", &held, &error));
	g_assert_true(held);
	cluster_leave(c);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM processes"),
	    ==, 1);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM leases "
	    "WHERE name = 'another'"), ==, 0);
	/* Alone (an SQLite database's lock held): the others noted are
	 * gone, and what they held is free at once. */
	c = cluster_join(f->e.st, 3, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM processes"),
	    ==, 1);
	g_assert_true(cluster_hold(c, "imap box", &held, &error));
	g_assert_true(held);
	cluster_leave(c);
}

/* A process noted on this host whose pid is gone (killed) is forgotten,
 * with its lease and its claims on the outbox, when another joins; one
 * of another host with the same pid, and one of this host that lives,
 * are not. */
static void
test_gone_here(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *host = g_get_host_name();
	struct cluster *c;
	gint64 dead, far, live;
	pid_t pid;

	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0)
		_exit(0);
	g_assert_cmpint(waitpid(pid, NULL, 0), ==, pid);
	dead = store_process_add(f->e.st, host, pid, "1.0", 3600, &error);
	far = store_process_add(f->e.st, "elsewhere", pid, "1.0", 3600,
	    &error);
	live = store_process_add(f->e.st, host, getppid(), "1.0", 3600,
	    &error);
	g_assert_no_error(error);
	g_assert_true(take(f->e.st, "imap box", dead, 60));
	g_assert_true(take(f->e.st, "other box", far, 60));
	/* Outbox mail each had claimed. */
	for (int i = 0; i < 2; i++) {
		g_autofree char *sql = g_strdup_printf("INSERT INTO outbox "
		    "(dedupe_key, sender, next_try_at, created_at, claim, "
		    "claim_until) VALUES ('k%d', 't@example.test', 0, 0, "
		    "'process %" G_GINT64_FORMAT ": 1', 9999999999)", i,
		    i == 0 ? dead : far);
		g_autofree char *raw = g_strdup_printf("INSERT INTO outbox_raw "
		    "(outbox_id, raw) SELECT id, 'x' FROM outbox WHERE "
		    "dedupe_key = 'k%d'", i);
		testdb_exec(f->e.db, sql);
		testdb_exec(f->e.db, raw);
	}
	c = cluster_join(f->e.st, 3, FALSE, &error);
	g_assert_no_error(error);
	g_autofree char *q = g_strdup_printf("SELECT count(*) FROM processes "
	    "WHERE id IN (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %"
	    G_GINT64_FORMAT ")", dead, far, live);
	g_assert_cmpint(testdb_int(f->e.db, q), ==, 2);
	g_autofree char *q2 = g_strdup_printf("SELECT count(*) FROM processes "
	    "WHERE id = %" G_GINT64_FORMAT, dead);
	g_assert_cmpint(testdb_int(f->e.db, q2), ==, 0);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM outbox "
	    "WHERE dedupe_key = 'k0' AND claim IS NULL AND claim_until IS NULL"),
	    ==, 1);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM outbox "
	    "WHERE dedupe_key = 'k1' AND claim IS NOT NULL"), ==, 1);
	/* What this process claims now bears its name. */
	g_autoptr(GPtrArray) due = store_outbox_due(f->e.st, 100, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(due->len, ==, 1);
	g_autofree char *q3 = g_strdup_printf("SELECT count(*) FROM outbox "
	    "WHERE dedupe_key = 'k0' AND claim LIKE 'process %" G_GINT64_FORMAT
	    ": %%'", testdb_int(f->e.db, "SELECT max(id) FROM processes"));
	g_assert_cmpint(testdb_int(f->e.db, q3), ==, 1);
	g_assert_cmpint(testdb_int(f->e.db, "SELECT count(*) FROM leases "
	    "WHERE name = 'imap box'"), ==, 0);
	cluster_leave(c);
}

#define ADD(name, fn) \
	g_test_add(name, struct fixture, NULL, setup, fn, teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/cluster/leases", test_leases);
	ADD("/cluster/forget", test_forget);
	ADD("/cluster/cluster", test_cluster);
	ADD("/cluster/gone-here", test_gone_here);
	return g_test_run();
}
