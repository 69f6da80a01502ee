/* tidings run (the daemon) and tidings status. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "columns.h"
#include "conf.h"
#include "crashnote.h"
#include "daemon.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "store-cluster.h"
#include "store-message.h"
#include "store-sync.h"
#include "tidings.h"

static gboolean opt_foreground;
static gboolean opt_once;
static gboolean opt_json;

static const GOptionEntry run_options[] = {
	{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &opt_foreground,
	  "stay in the foreground and log to standard error", NULL },
	{ "once", '1', 0, G_OPTION_ARG_NONE, &opt_once,
	  "sync once and exit (non-zero when it failed)", NULL },
	G_OPTION_ENTRY_NULL
};

static int
cmd_run_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *config_path = NULL;
	struct daemon_options opts = { .once = opt_once };
	int rc, lock = -1;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	/* One tidings run per SQLite file; on PostgreSQL as many as wanted,
	 * sharing the work (cluster.h). */
	if (!store_is_postgresql(ctx->store) &&
	    (lock = daemon_lock(store_path(ctx->store), &error)) < 0) {
		log_warnx("run: %s", error->message);
		return EX_TEMPFAIL;
	}
	/* A copy: the configuration is replaced on SIGHUP. */
	config_path = g_strdup(conf_file(ctx->conf));
	opts.config_path = config_path;
	if (!opt_foreground && !opt_once) {
		if (daemon(0, 0) != 0) {
			log_warn("run: cannot detach");
			if (lock >= 0)
				close(lock);
			return EX_OSERR;
		}
		log_set_syslog(TRUE);
		/* The lock file names the process that holds it. */
		g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
		if (lock >= 0 && (ftruncate(lock, 0) != 0 ||
		    write(lock, pid, strlen(pid)) < 0))
			log_warn("run: cannot record the pid");
	}
	log_info("run: %s, database %s", PACKAGE_STRING,
	    store_path(ctx->store));
	crashnote_open(store_path(ctx->store));
	rc = daemon_run(&ctx->conf, ctx->store, &opts);
	if (lock >= 0)
		close(lock);
	return rc;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.args = "[--foreground] [--once]",
	.summary = "keep the mailbox in sync: tidings' main job",
	.help = "Connects to [imap], stores every new mail of its folder "
	    "through the same\npipeline as 'tidings ingest', and waits for more "
	    "with IDLE (or polls).  A\nlost connection is made again with "
	    "backoff.  SIGTERM or SIGINT finish the\nmail in hand and exit 0; "
	    "SIGHUP reads the configuration again.  One run\nper SQLite "
	    "database; on PostgreSQL several, on one host or several,\nshare "
	    "the work: each mail is sent by one, and one at a time reads the\n"
	    "mailbox, the others standing by to take it over.  "
	    "With --once: one sync, then exit 0, or 65 when the folder\ncannot "
	    "be selected, 75 when the server could not be reached, 77 when\nthe "
	    "login was refused, 78 when the server's certificate or the\n"
	    "configuration is wrong.",
	.flags = CMD_NEEDS_CONFIG,
	.options = run_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_run_exec,
};

/* --- status ---------------------------------------------------------- */

static const GOptionEntry status_options[] = {
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "print JSON for scripts", NULL },
	G_OPTION_ENTRY_NULL
};

static gint64
start_of_today(void)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(clock_now());
	g_autoptr(GDateTime) now = g_date_time_to_local(utc);
	g_autoptr(GDateTime) midnight = g_date_time_new_local(
	    g_date_time_get_year(now), g_date_time_get_month(now),
	    g_date_time_get_day_of_month(now), 0, 0, 0);

	return g_date_time_to_unix(midnight);
}

/* Whether process P has been heard of within the lease time: one that has
 * not is likely gone (its leases are taken over). */
static gboolean
process_live(const struct cluster_process *p, gint64 lease)
{
	return p->seen_ago <= lease;
}

static void
json_iso_date(JsonBuilder *b, gint64 t)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);
	g_autofree char *iso = g_date_time_format_iso8601(d);

	json_builder_add_string_value(b, iso);
}

static void
status_json_processes(JsonBuilder *b, GPtrArray *procs, gint64 lease)
{
	json_builder_set_member_name(b, "processes");
	json_builder_begin_array(b);
	for (guint i = 0; i < procs->len; i++) {
		struct cluster_process *p = procs->pdata[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "host");
		json_builder_add_string_value(b, p->host);
		json_builder_set_member_name(b, "pid");
		json_builder_add_int_value(b, p->pid);
		json_builder_set_member_name(b, "version");
		json_builder_add_string_value(b, p->version);
		json_builder_set_member_name(b, "started");
		json_iso_date(b, p->started_at);
		json_builder_set_member_name(b, "last_seen");
		json_iso_date(b, p->seen_at);
		json_builder_set_member_name(b, "live");
		json_builder_add_boolean_value(b, process_live(p, lease));
		json_builder_set_member_name(b, "holds");
		json_builder_begin_array(b);
		for (guint j = 0; j < p->holds->len; j++)
			json_builder_add_string_value(b, p->holds->pdata[j]);
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
status_json(int pid, GPtrArray *states, GPtrArray *procs, gint64 lease,
    gint64 today, gint64 quarantined)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	guint live = 0;

	for (guint i = 0; i < procs->len; i++)
		live += process_live(procs->pdata[i], lease);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "running");
	json_builder_add_boolean_value(b, pid != 0 || live > 0);
	json_builder_set_member_name(b, "pid");
	if (pid > 0)
		json_builder_add_int_value(b, pid);
	else
		json_builder_add_null_value(b);
	status_json_processes(b, procs, lease);
	json_builder_set_member_name(b, "stored_today");
	json_builder_add_int_value(b, today);
	json_builder_set_member_name(b, "quarantined");
	json_builder_add_int_value(b, quarantined);
	json_builder_set_member_name(b, "folders");
	json_builder_begin_array(b);
	for (guint i = 0; i < states->len; i++) {
		struct sync_state *s = states->pdata[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "account");
		json_builder_add_string_value(b, s->account);
		json_builder_set_member_name(b, "folder");
		json_builder_add_string_value(b, s->folder);
		json_builder_set_member_name(b, "uidvalidity");
		json_builder_add_int_value(b, s->uidvalidity);
		json_builder_set_member_name(b, "last_uid");
		json_builder_add_int_value(b, s->last_uid);
		json_builder_set_member_name(b, "last_sync");
		if (s->last_sync_at > 0) {
			g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
			    s->last_sync_at);
			g_autofree char *iso = g_date_time_format_iso8601(t);
			json_builder_add_string_value(b, iso);
		} else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "last_error");
		if (s->last_error != NULL)
			json_builder_add_string_value(b, s->last_error);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	report_print_json(b);
}

static int
cmd_status_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) states = NULL;
	g_autoptr(GPtrArray) procs = NULL;
	gint64 today, quarantined, lease;
	guint live = 0;
	int rc, pid;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	pid = store_is_postgresql(ctx->store) ? 0 :
	    daemon_running(store_path(ctx->store));
	lease = ctx->conf != NULL ? conf_get_seconds(ctx->conf, "tidings",
	    "lease-time") : 60;
	if (lease <= 0)
		lease = 60;
	if ((procs = store_process_list(ctx->store, &error)) == NULL ||
	    (states = store_sync_list(ctx->store, &error)) == NULL ||
	    (today = store_message_count_since(ctx->store, start_of_today(),
	    &error)) < 0 ||
	    (quarantined = store_message_count(ctx->store, "quarantined",
	    &error)) < 0)
		return cmd_fail(ctx, error);
	if (opt_json) {
		status_json(pid, states, procs, lease, today, quarantined);
		return EX_OK;
	}
	for (guint i = 0; i < procs->len; i++)
		live += process_live(procs->pdata[i], lease);
	if (pid > 0)
		printf("tidings run:  running (pid %d)\n", pid);
	else if (pid < 0)
		printf("tidings run:  running\n");
	else if (live > 0)
		printf("tidings run:  %u running\n", live);
	else
		printf("tidings run:  not running\n");
	for (guint i = 0; i < procs->len; i++) {
		struct cluster_process *p = procs->pdata[i];
		g_autofree char *since = report_date(p->started_at);
		g_autofree char *holds = NULL;
		if (p->holds->len > 0) {
			g_ptr_array_add(p->holds, NULL);
			holds = g_strjoinv(", ", (char **)p->holds->pdata);
			g_ptr_array_set_size(p->holds, p->holds->len - 1);
		}
		printf("  %s pid %d (tidings %s), since %s, %s %" G_GINT64_FORMAT
		    " s ago%s%s%s\n", p->host, p->pid, p->version, since,
		    process_live(p, lease) ? "seen" : "gone? last seen",
		    p->seen_ago, holds != NULL ? "; holds " : "",
		    holds != NULL ? holds : "", process_live(p, lease) ? "" :
		    " (others take over what it held)");
	}
	printf("stored today: %" G_GINT64_FORMAT "\n", today);
	printf("quarantine:   %" G_GINT64_FORMAT "%s\n", quarantined,
	    quarantined > 0 ? " (see tidings quarantine)" : "");
	for (guint i = 0; i < states->len; i++) {
		struct sync_state *s = states->pdata[i];
		g_autofree char *when = s->last_sync_at > 0 ?
		    report_date(s->last_sync_at) : g_strdup("never");
		printf("\n%s %s\n", s->account, s->folder);
		printf("  last sync:  %s\n", when);
		printf("  position:   UIDVALIDITY %u, UID %u\n", s->uidvalidity,
		    s->last_uid);
		if (s->last_error != NULL) {
			g_autofree char *at = report_date(s->last_error_at);
			printf("  last error: %s (%s)\n", s->last_error, at);
		}
	}
	if (states->len == 0)
		printf("\nno mailbox synced yet; see 'tidings help run'\n");
	return EX_OK;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.args = "[--json]",
	.summary = "show whether tidings run works: last sync, position, errors",
	.options = status_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_status_exec,
};
