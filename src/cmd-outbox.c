/* tidings outbox: what waits to be sent and why; retries, purges, and a
 * flush that delivers what is due now. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "smtp.h"
#include "store.h"
#include "store-outbox.h"
#include "tidings.h"

static gboolean opt_json;
static gboolean opt_all;
static gboolean opt_flush;
static gboolean opt_stats;
static gint64 opt_retry;
static gint64 opt_purge = -1;

static const GOptionEntry outbox_options[] = {
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "print JSON for scripts", NULL },
	{ "all", 'a', 0, G_OPTION_ARG_NONE, &opt_all,
	  "list sent and failed mail too", NULL },
	{ "retry", 'r', 0, G_OPTION_ARG_INT64, &opt_retry,
	  "make waiting or failed mail ID due now", "ID" },
	{ "purge-sent", 0, 0, G_OPTION_ARG_INT64, &opt_purge,
	  "delete mail sent more than DAYS days ago", "DAYS" },
	{ "flush", 'f', 0, G_OPTION_ARG_NONE, &opt_flush,
	  "deliver what is due now, then exit", NULL },
	{ "stats", 0, 0, G_OPTION_ARG_NONE, &opt_stats,
	  "with --flush: say where the time went", NULL },
	G_OPTION_ENTRY_NULL
};

/* --- listing ---------------------------------------------------------- */

static void
json_time(JsonBuilder *b, const char *name, gint64 t)
{
	json_builder_set_member_name(b, name);
	if (t > 0) {
		g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);
		g_autofree char *iso = g_date_time_format_iso8601(d);
		json_builder_add_string_value(b, iso);
	} else
		json_builder_add_null_value(b);
}

static void
list_json_entry(JsonBuilder *b, const struct outbox_entry *e)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, e->id);
	report_json_str(b, "kind", e->kind);
	report_json_str(b, "subject", e->subject);
	report_json_str(b, "message_id", e->message_id);
	report_json_str(b, "sender", e->sender);
	report_json_str(b, "state", e->state);
	json_builder_set_member_name(b, "attempts");
	json_builder_add_int_value(b, e->attempts);
	json_time(b, "created", e->created_at);
	json_time(b, "next_try", strcmp(e->state, "queued") == 0 ?
	    e->next_try_at : 0);
	json_time(b, "sent", e->sent_at);
	report_json_str(b, "last_error", e->last_error);
	json_builder_set_member_name(b, "recipients");
	json_builder_begin_array(b);
	for (guint i = 0; i < e->rcpts->len; i++) {
		const struct outbox_rcpt *r = e->rcpts->pdata[i];
		json_builder_begin_object(b);
		report_json_str(b, "address", r->address);
		report_json_str(b, "state", r->state);
		json_builder_set_member_name(b, "code");
		if (r->code > 0)
			json_builder_add_int_value(b, r->code);
		else
			json_builder_add_null_value(b);
		report_json_str(b, "error", r->last_error);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void
list_json(GPtrArray *entries)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mails");
	json_builder_begin_array(b);
	for (guint i = 0; i < entries->len; i++)
		list_json_entry(b, entries->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	report_print_json(b);
}

static void
list_entry(const struct outbox_entry *e, gint64 now)
{
	g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func(g_free);
	size_t width = 0;

	printf("mail %" G_GINT64_FORMAT "  %s  %s", e->id, e->kind, e->state);
	if (strcmp(e->state, "queued") == 0) {
		g_autofree char *when = report_date(e->next_try_at);
		printf(", %d attempt%s, next try %s", e->attempts,
		    e->attempts == 1 ? "" : "s",
		    e->next_try_at <= now ? "now" : when);
	} else if (strcmp(e->state, "sent") == 0 && e->sent_at > 0) {
		g_autofree char *when = report_date(e->sent_at);
		printf(" %s", when);
	}
	printf("\n");
	/* The subject may quote a mail, the error a remote server. */
	if (e->subject != NULL)
		printf("  subject: %s\n", report_visible(pool, e->subject));
	if (e->last_error != NULL)
		printf("  error:   %s\n", report_visible(pool, e->last_error));
	for (guint i = 0; i < e->rcpts->len; i++)
		width = MAX(width, strlen(((struct outbox_rcpt *)
		    e->rcpts->pdata[i])->address));
	for (guint i = 0; i < e->rcpts->len; i++) {
		const struct outbox_rcpt *r = e->rcpts->pdata[i];
		printf("  %-*s  %-7s", (int)width, r->address, r->state);
		/* The error holds the code when there is one. */
		if (r->last_error != NULL)
			printf("  %s", report_visible(pool, r->last_error));
		else if (r->code > 0)
			printf("  %d", r->code);
		printf("\n");
	}
}

static int
outbox_list(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = NULL;
	gint64 now = clock_now();

	entries = store_outbox_list(ctx->store, opt_all, &error);
	if (entries == NULL)
		return cmd_fail(ctx, error);
	if (opt_json) {
		list_json(entries);
		return EX_OK;
	}
	if (entries->len == 0) {
		printf(opt_all ? "the outbox is empty\n" :
		    "no mail waits to be sent\n");
		return EX_OK;
	}
	for (guint i = 0; i < entries->len; i++) {
		if (i > 0)
			printf("\n");
		list_entry(entries->pdata[i], now);
	}
	return EX_OK;
}

/* --- actions ---------------------------------------------------------- */

static int
outbox_retry(struct cmd_ctx *ctx, gint64 id)
{
	g_autoptr(GError) error = NULL;

	if (!store_outbox_retry(ctx->store, id, clock_now(), &error))
		return cmd_fail(ctx, error);
	printf("mail %" G_GINT64_FORMAT " is due now\n", id);
	return EX_OK;
}

static int
outbox_purge(struct cmd_ctx *ctx, gint64 days)
{
	g_autoptr(GError) error = NULL;
	gint64 n;

	n = store_outbox_purge_sent(ctx->store, clock_now() - days * 86400,
	    &error);
	if (n < 0)
		return cmd_fail(ctx, error);
	printf("%" G_GINT64_FORMAT " sent mail%s deleted\n", n,
	    n == 1 ? "" : "s");
	return EX_OK;
}

/* The exit status of a flush that could not use the server. */
static int
flush_status(const GError *error)
{
	if (error->domain == SMTP_ERROR) {
		switch (error->code) {
		case SMTP_ERROR_AUTH:
			return EX_NOPERM;
		case SMTP_ERROR_TLS:
		case SMTP_ERROR_CONFIG:
			return EX_CONFIG;
		default:
			return EX_TEMPFAIL;
		}
	}
	if (error->domain == CONF_ERROR)
		return EX_CONFIG;
	return -1;
}

/* --stats: where a delivery's time went, in seconds and per mail; the
 * senders' summed over the connections. */
static void
print_times(const struct outbox_times *t, double wall)
{
	double n = t->mails > 0 ? (double)t->mails : 1.0;
	const struct {
		const char *name;
		gint64 us;
	} stages[] = {
		{ "claim", t->claim }, { "record", t->record },
		{ "idle", t->idle }, { "send", t->send }, { "hold", t->hold },
	};

	printf("time: %u mails in %.2f s over %u connection%s, %.1f a commit;"
	    " one thread claims mail and records what came back (idle while"
	    " none has), each connection sends and holds a final dot until "
	    "the mail before is recorded\n", t->mails, wall, t->connections,
	    t->connections == 1 ? "" : "s", t->commits > 0 ?
	    (double)t->mails / t->commits : 0.0);
	for (size_t i = 0; i < G_N_ELEMENTS(stages); i++)
		printf("  %-8s %8.2f s %8.1f us/mail\n", stages[i].name,
		    (double)stages[i].us / 1e6, (double)stages[i].us / n);
}

static int
outbox_flush(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	struct outbox_stats stats = { 0 };
	gint64 start = g_get_monotonic_time();
	int rc = EX_OK;
	gboolean ok;

	ok = outbox_deliver(ctx->store, ctx->conf, clock_now(), &stats,
	    &error);
	for (guint i = 0; i < stats.problems->len; i++)
		log_warnx("outbox: %s", (char *)stats.problems->pdata[i]);
	if (!ok) {
		rc = flush_status(error);
		if (rc < 0)
			rc = cmd_fail(ctx, error);
		else
			log_warnx("outbox: %s", error->message);
	} else if (stats.waiting > 0)
		rc = EX_TEMPFAIL;
	else if (stats.rcpts_failed > 0)
		rc = EX_DATAERR;
	printf("%u due: %u sent, %u waiting, %u failed\n", stats.due,
	    stats.sent, stats.waiting, stats.failed);
	if (opt_stats)
		print_times(&stats.times, (double)(g_get_monotonic_time() -
		    start) / 1e6);
	outbox_stats_clear(&stats);
	return rc;
}

static int
cmd_outbox_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc, actions;

	actions = (opt_retry != 0) + (opt_purge >= 0) + opt_flush;
	if (actions > 1)
		return cmd_usage(ctx, "--retry, --purge-sent and --flush go one"
		    " at a time");
	if (actions > 0 && (opt_json || opt_all))
		return cmd_usage(ctx, "--json and --all are for the listing");
	if (opt_stats && !opt_flush)
		return cmd_usage(ctx, "--stats goes with --flush");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (opt_retry != 0)
		return outbox_retry(ctx, opt_retry);
	if (opt_purge >= 0)
		return outbox_purge(ctx, opt_purge);
	if (opt_flush)
		return outbox_flush(ctx);
	return outbox_list(ctx);
}

const struct cmd_entry cmd_outbox_entry = {
	.name = "outbox",
	.args = "[--json] [--all] | --retry ID | --purge-sent DAYS | "
	    "--flush [--stats]",
	.summary = "list the mail that waits to be sent, and why; send it",
	.help = "Lists the mail tidings has queued and not yet sent: each "
	    "mail's kind,\nsubject, attempts and next try, and each "
	    "recipient's state with the\nserver's last reply.  --all lists "
	    "sent and failed mail too.  --retry ID\nmakes a waiting or failed "
	    "mail due now (a failed one gets a new retry\nperiod).  "
	    "--purge-sent DAYS deletes mail sent more than DAYS days ago.\n"
	    "--flush delivers what is due now through [smtp] and exits 0 when "
	    "it all\nwent out, 75 when some mail must wait (one line per "
	    "problem), 65 when\na recipient was refused for good, 77 when the "
	    "login was refused, 78\nwhen the server's certificate or the "
	    "configuration is wrong.  --stats says where its time went.",
	.options = outbox_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_outbox_exec,
};
