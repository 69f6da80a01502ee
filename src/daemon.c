/* The event loop of tidings run; see daemon.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>

#include <glib-unix.h>

#include "blocker.h"
#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "cluster.h"
#include "conf.h"
#include "daemon.h"
#include "digest-run.h"
#include "http.h"
#include "imap.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "store-outbox.h"
#include "store-sync.h"
#include "sync.h"
#include "urgent.h"

#define BACKOFF_FIRST 1		/* seconds */
#define BACKOFF_MAX 300
#define IDLE_RENEW (25 * 60)	/* servers drop IDLE after 30 minutes */
/* The longest the scheduler sleeps, so that check-ins and members added
 * by other commands meanwhile are seen. */
#define WORK_MAX_SLEEP 60

enum daemon_state {
	STATE_DISCONNECTED,
	STATE_CONNECTING,
	STATE_SYNCING,
	STATE_IDLE,
	STATE_POLLING,
	STATE_BACKOFF,
	STATE_STANDBY,		/* another tidings run reads the mailbox */
	STATE_STOPPING,
};

static const char *const state_names[] = {
	"disconnected", "connecting", "syncing", "idle", "polling", "backoff",
	"standby", "stopping",
};

struct daemon {
	struct conf **conf;
	struct store *st;
	const struct daemon_options *opts;
	GMainLoop *loop;
	enum daemon_state state;
	struct imap *imap;
	char *account;		/* user@host, for the stored position */
	guint backoff;		/* seconds; 0 after a success */
	guint timer;		/* backoff, poll or IDLE renewal */
	guint watch;		/* the IDLE socket */
	guint signal_watch;	/* the self-pipe of the signal handler */
	gboolean imap_enabled;	/* [imap] host is set */
	guint work_timer;	/* the scheduler and the outbox */
	char *work_error;	/* logged once until it changes */
	int work_status;	/* of the last pass, for --once */
	char *last_error;	/* logged once until it changes */
	int status;		/* exit status */
	struct cluster *cluster;	/* the other tidings run */
	char *lease;		/* the mailbox's, once asked for */
	guint beat_timer;
};

/* Set by the signal handler; the sync loop checks it between mails. */
static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_reload;
static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig);
static void daemon_step(struct daemon *d);

static void
daemon_set_state(struct daemon *d, enum daemon_state next)
{
	if (d->state != next)
		log_trace(TRACE_IMAP, "imap: %s -> %s", state_names[d->state],
		    state_names[next]);
	d->state = next;
}

/* Errors are logged when they change, not at every retry. */
static void
daemon_error(struct daemon *d, const char *what, const GError *error)
{
	g_autofree char *msg = g_strdup_printf("%s: %s", what, error->message);
	const char *folder = conf_get(*d->conf, "imap", "folder");

	if (g_strcmp0(msg, d->last_error) != 0)
		log_warnx("imap: %s", msg);
	g_free(d->last_error);
	d->last_error = g_steal_pointer(&msg);
	if (d->account != NULL)
		store_sync_error(d->st, d->account, folder, d->last_error, NULL);
}

static void
daemon_clear_timer(struct daemon *d)
{
	if (d->timer != 0)
		g_source_remove(d->timer);
	d->timer = 0;
}

static void
daemon_disconnect(struct daemon *d)
{
	if (d->watch != 0)
		g_source_remove(d->watch);
	d->watch = 0;
	daemon_clear_timer(d);
	imap_close(d->imap);
	d->imap = NULL;
	daemon_set_state(d, STATE_DISCONNECTED);
}

static gboolean
on_timer(gpointer data)
{
	struct daemon *d = data;

	d->timer = 0;
	daemon_step(d);
	return G_SOURCE_REMOVE;
}

/* Exponential backoff with jitter, so that a dead server is not hammered
 * and many clients do not retry in step. */
static void
daemon_backoff(struct daemon *d)
{
	guint delay;

	daemon_disconnect(d);
	d->backoff = d->backoff == 0 ? BACKOFF_FIRST :
	    MIN(d->backoff * 2, BACKOFF_MAX);
	delay = (guint)g_random_int_range((gint)(d->backoff * 800),
	    (gint)(d->backoff * 1200) + 1);
	log_debug("imap: trying again in %.1f s", delay / 1000.0);
	daemon_set_state(d, STATE_BACKOFF);
	d->timer = g_timeout_add(delay, on_timer, d);
}

static gboolean
account_of(const struct conf *conf, struct imap_account *a, char **password,
    GError **error)
{
	const char *security = conf_get(conf, "imap", "security");

	memset(a, 0, sizeof *a);
	a->host = conf_get(conf, "imap", "host");
	a->user = conf_get(conf, "imap", "user");
	if (a->host == NULL || a->user == NULL) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_AUTH,
		    "[imap] host and user must be set in %s",
		    conf_file(conf) != NULL ? conf_file(conf) : "the configuration");
		return FALSE;
	}
	a->port = conf_get_port(conf, "imap");
	a->security = g_strcmp0(security, "tls") == 0 ? IMAP_SECURITY_TLS :
	    g_strcmp0(security, "starttls") == 0 ? IMAP_SECURITY_STARTTLS :
	    IMAP_SECURITY_NONE;
	a->timeout_seconds = (int)conf_get_seconds(conf, "imap", "timeout");
	*password = conf_password(conf, "imap", error);
	if (*password == NULL && (error == NULL || *error == NULL)) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_AUTH, "no IMAP password: "
		    "set password-command or password-file in [imap]");
		return FALSE;
	}
	a->password = *password;
	return *password != NULL;
}

static gboolean
daemon_connect(struct daemon *d, GError **error)
{
	g_autofree char *password = NULL;
	g_autofree char *ca_file = conf_get_path(*d->conf, "imap", "ca-file");
	g_autofree char *ca_dir = conf_get_path(*d->conf, "imap", "ca-dir");
	struct imap_account a;

	daemon_set_state(d, STATE_CONNECTING);
	if (!account_of(*d->conf, &a, &password, error))
		return FALSE;
	a.ca_file = ca_file;
	a.ca_dir = ca_dir;
	if (g_strcmp0(conf_get(*d->conf, "imap", "idle"), "no") == 0) {
		static const char *const no_idle[] = { "IDLE", NULL };
		a.disable = no_idle;
	}
	g_free(d->account);
	d->account = g_strdup_printf("%s@%s", a.user, a.host);
	d->imap = imap_connect(&a, error);
	if (password != NULL)
		memset(password, 0, strlen(password));
	return d->imap != NULL;
}

static gboolean
daemon_sync(struct daemon *d, GError **error)
{
	struct sync_stats stats;
	const char *folder = conf_get(*d->conf, "imap", "folder");

	daemon_set_state(d, STATE_SYNCING);
	if (!sync_folder(d->st, *d->conf, d->imap, d->account, folder,
	    conf_get(*d->conf, "imap", "processed-folder"), &got_stop, &stats,
	    error))
		return FALSE;
	if (stats.fetched > 0)
		log_info("imap: %s: %u new mails: %u stored, %u seen before, %u "
		    "quarantined, %u deferred", folder, stats.fetched, stats.stored,
		    stats.duplicates, stats.quarantined, stats.deferred);
	if (d->last_error != NULL)
		log_info("imap: %s@%s: working again", folder, d->account);
	g_clear_pointer(&d->last_error, g_free);
	d->backoff = 0;
	return TRUE;
}

static gboolean
on_idle_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;

	d->watch = 0;
	daemon_clear_timer(d);
	daemon_step(d);
	return G_SOURCE_REMOVE;
}

/* Waits for news: IDLE when offered (the socket watched by the loop,
 * renewed before servers drop it), else a poll timer. */
static gboolean
daemon_wait(struct daemon *d, GError **error)
{
	if (!imap_has_capability(d->imap, "IDLE")) {
		gint64 interval = conf_get_seconds(*d->conf, "imap",
		    "poll-interval");
		daemon_set_state(d, STATE_POLLING);
		d->timer = g_timeout_add_seconds((guint)MAX(interval, 1),
		    on_timer, d);
		return TRUE;
	}
	if (!imap_idle_start(d->imap, error))
		return FALSE;
	daemon_set_state(d, STATE_IDLE);
	/* Data TLS already read ahead shows nowhere on the socket. */
	if (imap_pending(d->imap)) {
		d->timer = g_idle_add(on_timer, d);
		return TRUE;
	}
	d->watch = g_unix_fd_add(imap_idle_fd(d->imap),
	    G_IO_IN | G_IO_HUP | G_IO_ERR, on_idle_ready, d);
	d->timer = g_timeout_add_seconds(IDLE_RENEW, on_timer, d);
	return TRUE;
}

/* Whether an error means the same attempt would fail again at once. */
static gboolean
permanent(const GError *error)
{
	return g_error_matches(error, IMAP_ERROR, IMAP_ERROR_AUTH) ||
	    g_error_matches(error, IMAP_ERROR, IMAP_ERROR_TLS) ||
	    g_error_matches(error, IMAP_ERROR, IMAP_ERROR_MAILBOX) ||
	    error->domain == CONF_ERROR;
}

static int
once_status(const GError *error)
{
	if (error == NULL)
		return EX_OK;
	if (g_error_matches(error, IMAP_ERROR, IMAP_ERROR_AUTH))
		return EX_NOPERM;
	if (g_error_matches(error, IMAP_ERROR, IMAP_ERROR_TLS) ||
	    error->domain == CONF_ERROR)
		return EX_CONFIG;
	if (g_error_matches(error, IMAP_ERROR, IMAP_ERROR_MAILBOX))
		return EX_DATAERR;
	if (error->domain == STORE_ERROR)
		return EX_TEMPFAIL;
	return EX_TEMPFAIL;
}

/* The lease of the mailbox: one tidings run at a time reads it.  FALSE
 * without error: another has it, and this one stands by. */
static gboolean
daemon_take_mailbox(struct daemon *d, GError **error)
{
	const struct conf *conf = *d->conf;
	gboolean held;

	g_free(d->lease);
	d->lease = g_strdup_printf("imap %s@%s %s", conf_get(conf, "imap",
	    "user"), conf_get(conf, "imap", "host"), conf_get(conf, "imap",
	    "folder"));
	if (!cluster_hold(d->cluster, d->lease, &held, error))
		return FALSE;
	if (held) {
		if (d->state == STATE_STANDBY)
			log_info("imap: %s: the tidings run that read it is "
			    "gone; reading it here", d->lease);
		return TRUE;
	}
	if (d->state != STATE_STANDBY)
		log_info("imap: %s is read by another tidings run; standing by "
		    "to take it over", d->lease);
	daemon_set_state(d, STATE_STANDBY);
	return FALSE;
}

/* One turn of the machine: whatever state it is in, get to the next. */
static void
daemon_step(struct daemon *d)
{
	g_autoptr(GError) error = NULL;
	gboolean news = TRUE;

	if (got_stop) {
		daemon_set_state(d, STATE_STOPPING);
		g_main_loop_quit(d->loop);
		return;
	}
	if (!d->imap_enabled)
		return;
	if (d->state == STATE_IDLE && !imap_idle_done(d->imap, &news, &error))
		goto fail;
	if (d->state == STATE_POLLING && !imap_noop(d->imap, &news, &error))
		goto fail;
	if (d->imap == NULL && !daemon_take_mailbox(d, &error)) {
		if (error != NULL)
			goto fail;
		if (d->opts->once) {
			log_warnx("run: %s is read by another tidings run",
			    d->lease);
			d->status = EX_TEMPFAIL;
			g_main_loop_quit(d->loop);
		}
		return;
	}
	if (d->imap == NULL && !daemon_connect(d, &error))
		goto fail;
	if (news && !daemon_sync(d, &error))
		goto fail;
	if (got_stop || d->opts->once) {
		g_main_loop_quit(d->loop);
		return;
	}
	if (!daemon_wait(d, &error))
		goto fail;
	return;
fail:
	if (error == NULL) {
		if (got_stop) {
			g_main_loop_quit(d->loop);
			return;
		}
		g_set_error(&error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "the server ended the exchange unexpectedly");
	}
	daemon_error(d, d->state == STATE_CONNECTING ? "connecting" :
	    state_names[d->state], error);
	if (d->opts->once || got_stop) {
		d->status = once_status(error);
		g_main_loop_quit(d->loop);
		return;
	}
	if (permanent(error))
		d->backoff = BACKOFF_MAX / 2;	/* nothing to gain from haste */
	daemon_backoff(d);
}

/* --- the scheduler and the outbox ----------------------------------- */

static void
work_error(struct daemon *d, const char *what, const GError *error)
{
	g_autofree char *msg = g_strdup_printf("%s: %s", what, error->message);

	if (g_strcmp0(msg, d->work_error) != 0)
		log_warnx("%s", msg);
	g_free(d->work_error);
	d->work_error = g_steal_pointer(&msg);
}

/* One pass: ask whoever is due, remind, close, send what waits.  Returns
 * when to come back (UTC seconds). */
static gint64
daemon_work(struct daemon *d)
{
	g_autoptr(GError) error = NULL;
	struct tidings_ctx env;
	struct checkin_stats cs;
	struct digest_stats ds;
	struct outbox_stats os = { 0 };
	gint64 now = clock_now(), next = now + WORK_MAX_SLEEP, t;
	gboolean failed = FALSE;

	d->work_status = EX_OK;
	if (conf_get(*d->conf, "tidings", "address") != NULL) {
		if (!tidings_ctx_init(&env, d->st, *d->conf, &error) ||
		    !checkin_tick(&env, now, &cs, &error) ||
		    !digest_tick(&env, now, &ds, &error) ||
		    !blocker_tick(&env, now, NULL, &error) ||
		    !urgent_tick(&env, now, NULL, &error)) {
			work_error(d, "check-ins and digests", error);
			g_clear_error(&error);
			d->work_status = EX_SOFTWARE;
			failed = TRUE;
		} else {
			if ((t = checkin_next_due(&env, now, NULL)) > 0)
				next = MIN(next, t);
			if ((t = digest_next_due(&env, now, NULL)) > 0)
				next = MIN(next, t);
		}
		tidings_ctx_clear(&env);
	}
	if (conf_get(*d->conf, "smtp", "host") != NULL) {
		if (!outbox_deliver(d->st, *d->conf, clock_now(), &os,
		    &error)) {
			work_error(d, "smtp", error);
			d->work_status = EX_TEMPFAIL;
			failed = TRUE;
		} else if (os.waiting > 0)
			d->work_status = EX_TEMPFAIL;
		for (guint i = 0; os.problems != NULL &&
		    i < os.problems->len; i++)
			log_warnx("smtp: %s", (char *)os.problems->pdata[i]);
		outbox_stats_clear(&os);
		if ((t = outbox_next_due(d->st, NULL)) > 0)
			next = MIN(next, t);
	}
	if (!failed && d->work_error != NULL) {
		log_info("check-ins and outbox: working again");
		g_clear_pointer(&d->work_error, g_free);
	}
	return next;
}

static gboolean
on_work_timer(gpointer data)
{
	struct daemon *d = data;
	gint64 next;

	d->work_timer = 0;
	if (got_stop)
		return G_SOURCE_REMOVE;
	next = daemon_work(d) - clock_now();
	d->work_timer = g_timeout_add_seconds((guint)CLAMP(next, 1,
	    WORK_MAX_SLEEP), on_work_timer, d);
	return G_SOURCE_REMOVE;
}

/* --- the other tidings run ------------------------------------------- */

/* What the beat found: a mailbox taken over (this process was thought
 * gone) is let go; one left by its reader is taken over. */
static gboolean
on_beat(gpointer data)
{
	struct daemon *d = data;
	g_autoptr(GError) error = NULL;
	gboolean lost;

	if (!cluster_beat(d->cluster, &lost, &error)) {
		work_error(d, "cluster", error);
		return G_SOURCE_CONTINUE;
	}
	if (d->imap != NULL && d->lease != NULL &&
	    !cluster_holds(d->cluster, d->lease)) {
		log_warnx("imap: %s is read by another tidings run now; "
		    "standing by", d->lease);
		daemon_disconnect(d);
		daemon_set_state(d, STATE_STANDBY);
	}
	if (d->imap_enabled && d->state == STATE_STANDBY)
		daemon_step(d);
	return G_SOURCE_CONTINUE;
}

/* --- signals --------------------------------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		got_reload = 1;
	else
		got_stop = 1;
	/* A full pipe means a wake-up is pending already. */
	ssize_t n = write(signal_pipe[1], "", 1);
	(void)n;
	errno = saved;
}

static void
daemon_reload(struct daemon *d)
{
	g_autoptr(GError) error = NULL;
	struct conf *fresh;

	got_reload = 0;
	if (d->opts->config_path == NULL)
		return;
	fresh = conf_load(d->opts->config_path, &error);
	if (fresh == NULL) {
		log_warnx("reload: %s; keeping the configuration in use",
		    error->message);
		return;
	}
	log_info("reload: %s read again", d->opts->config_path);
	conf_free(*d->conf);
	*d->conf = fresh;
	/* The account may have changed: connect afresh. */
	daemon_disconnect(d);
	d->backoff = 0;
	d->imap_enabled = conf_get(*d->conf, "imap", "host") != NULL;
	daemon_step(d);
}

static gboolean
on_signal_pipe(gint fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;
	char buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
	if (got_stop) {
		log_info("stopping");
		if (d->state == STATE_IDLE) {
			gboolean news;
			imap_idle_done(d->imap, &news, NULL);
		}
		daemon_set_state(d, STATE_STOPPING);
		g_main_loop_quit(d->loop);
	} else if (got_reload)
		daemon_reload(d);
	return G_SOURCE_CONTINUE;
}

static gboolean
signals_setup(struct daemon *d)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return FALSE;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	d->signal_watch = g_unix_fd_add(signal_pipe[0], G_IO_IN,
	    on_signal_pipe, d);
	return TRUE;
}

static void
signals_teardown(struct daemon *d)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (d->signal_watch != 0)
		g_source_remove(d->signal_watch);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
}

int
daemon_run(struct conf **conf, struct store *st,
    const struct daemon_options *opts)
{
	struct daemon d = { .conf = conf, .st = st, .opts = opts };
	struct http_server *http = NULL;

	got_stop = got_reload = 0;
	d.loop = g_main_loop_new(NULL, FALSE);
	if (!signals_setup(&d)) {
		log_warn("run: cannot set up signal handling");
		g_main_loop_unref(d.loop);
		return EX_OSERR;
	}
	/* The HTTP face, on the same loop and the same store. */
	if (!opts->once && conf_get(*conf, "http", "listen") != NULL) {
		g_autoptr(GError) error = NULL;
		if ((http = http_server_start(conf, st, &error)) == NULL) {
			log_warnx("run: %s", error->message);
			signals_teardown(&d);
			g_main_loop_unref(d.loop);
			return error->domain == CONF_ERROR ? EX_CONFIG :
			    EX_UNAVAILABLE;
		}
	}
	{
		/* With SQLite this is the one tidings run (the lock): what
		 * killed forerunners held, it takes back at once. */
		gboolean alone = !store_is_postgresql(st);
		g_autoptr(GError) error = NULL;
		d.cluster = cluster_join(st, conf_get_seconds(*conf, "tidings",
		    "lease-time"), alone, &error);
		if (d.cluster != NULL && alone &&
		    !store_outbox_unclaim_all(st, &error))
			g_clear_pointer(&d.cluster, cluster_leave);
		if (d.cluster == NULL) {
			log_warnx("run: %s", error->message);
			http_server_free(http);
			signals_teardown(&d);
			g_main_loop_unref(d.loop);
			return EX_TEMPFAIL;
		}
		d.beat_timer = g_timeout_add_seconds(
		    cluster_beat_interval(d.cluster), on_beat, &d);
	}
	d.imap_enabled = conf_get(*conf, "imap", "host") != NULL;
	if (!d.imap_enabled)
		log_info("run: no host in [imap]: reading no mailbox (mail "
		    "comes in by tidings ingest)");
	/* Mail first, so that answers are in before anyone is reminded. */
	if (d.imap_enabled)
		d.timer = g_idle_add(on_timer, &d);
	if (!opts->once)
		d.work_timer = g_idle_add(on_work_timer, &d);
	if (d.imap_enabled || !opts->once)
		g_main_loop_run(d.loop);
	if (opts->once && !got_stop) {
		daemon_work(&d);
		if (d.status == EX_OK)
			d.status = d.work_status;
	}
	daemon_disconnect(&d);
	http_server_free(http);
	if (d.work_timer != 0)
		g_source_remove(d.work_timer);
	if (d.beat_timer != 0)
		g_source_remove(d.beat_timer);
	cluster_leave(d.cluster);
	g_free(d.lease);
	signals_teardown(&d);
	g_main_loop_unref(d.loop);
	g_free(d.account);
	g_free(d.last_error);
	g_free(d.work_error);
	if (got_stop)
		log_info("stopped");
	return got_stop ? EX_OK : d.status;
}

/* --- the lock -------------------------------------------------------- */

static char *
lock_path(const char *db_path)
{
	return g_strconcat(db_path, ".lock", NULL);
}

int
daemon_lock(const char *db_path, GError **error)
{
	g_autofree char *path = lock_path(db_path);
	char pid[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "cannot open %s: %s", path, g_strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int holder = daemon_running(db_path);
		close(fd);
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
		    "another tidings run (pid %d) is using %s", holder, db_path);
		return -1;
	}
	snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, pid, strlen(pid)) < 0)
		log_warn("run: cannot write %s", path);
	return fd;
}

int
daemon_running(const char *db_path)
{
	g_autofree char *path = lock_path(db_path);
	g_autofree char *text = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), pid = 0;

	if (fd < 0)
		return 0;
	/* Held means running; the pid written is then the holder's. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	close(fd);
	if (g_file_get_contents(path, &text, NULL, NULL))
		pid = atoi(text);
	return pid > 0 ? pid : -1;
}
