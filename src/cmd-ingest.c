/* tidings ingest: the mail delivery agent (Postfix pipe(8), procmail,
 * Sieve "pipe"), and tidings quarantine. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "columns.h"
#include "crashnote.h"
#include "ingest.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "store-message.h"
#include "tidings.h"

/* Mail larger than this is refused rather than read into memory. */
#define INGEST_MAX_SIZE (256 * 1024 * 1024)

static char *opt_source;

static const GOptionEntry ingest_options[] = {
	{ "source", 's', 0, G_OPTION_ARG_STRING, &opt_source,
	  "where the mail came from, as recorded (default mda)", "NAME" },
	G_OPTION_ENTRY_NULL
};

/* All of standard input. */
static GBytes *
read_stdin(GError **error)
{
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(
			    errno), "cannot read standard input: %s",
			    g_strerror(errno));
			g_byte_array_unref(buf);
			return NULL;
		}
		if (buf->len + (gsize)n > INGEST_MAX_SIZE) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "the mail is larger than %d MiB", INGEST_MAX_SIZE >> 20);
			g_byte_array_unref(buf);
			return NULL;
		}
		g_byte_array_append(buf, chunk, (guint)n);
	}
	return g_byte_array_free_to_bytes(buf);
}

/* The MDA's exit status: 0 the MTA may forget the mail; 65 it was kept
 * but cannot be read; 75 try again later. */
static int
outcome_status(const struct ingest_result *res)
{
	switch (res->outcome) {
	case INGEST_DEFERRED:
		return EX_TEMPFAIL;
	case INGEST_QUARANTINED:
		return g_str_has_prefix(res->detail, "cannot be parsed") ?
		    EX_DATAERR : EX_OK;
	default:
		return EX_OK;
	}
}

static int
ingest_one(struct cmd_ctx *ctx, GBytes *raw, const char *name)
{
	g_autoptr(GError) error = NULL;
	struct ingest_result res;
	int rc;

	if (!ingest_mail(ctx->store, ctx->conf, raw, opt_source != NULL ?
	    opt_source : "mda", TRUE, &res, &error)) {
		/* Nothing was kept: the sender's MTA must keep it. */
		return cmd_fail_unstored(ctx, error);
	}
	if (name != NULL)
		printf("%s: %s, id %" G_GINT64_FORMAT ", %s%s%s\n", name,
		    ingest_outcome_name(res.outcome), res.id,
		    message_kind_name(res.kind), res.detail ? ": " : "",
		    res.detail ? res.detail : "");
	else if (res.outcome == INGEST_QUARANTINED ||
	    res.outcome == INGEST_DEFERRED)
		log_warnx("ingest: mail %s (id %" G_GINT64_FORMAT "): %s",
		    ingest_outcome_name(res.outcome), res.id, res.detail);
	else
		log_debug("ingest: %s, id %" G_GINT64_FORMAT ", %s",
		    ingest_outcome_name(res.outcome), res.id,
		    message_kind_name(res.kind));
	rc = outcome_status(&res);
	ingest_result_clear(&res);
	return rc;
}

static int
cmd_ingest_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc, worst = EX_OK;

	/* Until the mail is stored, every failure is temporary: the MTA
	 * keeps the mail and tries again (as cmd_fail_unstored()). */
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc == EX_CONFIG ? rc : EX_TEMPFAIL;
	crashnote_open(store_path(ctx->store));
	if (argc == 1) {
		g_autoptr(GBytes) raw = read_stdin(&error);
		if (raw == NULL) {
			log_warnx("ingest: %s", error->message);
			return EX_TEMPFAIL;
		}
		return ingest_one(ctx, raw, NULL);
	}
	for (int i = 1; i < argc; i++) {
		g_autofree char *data = NULL;
		gsize len;
		if (!g_file_get_contents(argv[i], &data, &len, &error)) {
			log_warnx("ingest: %s", error->message);
			g_clear_error(&error);
			worst = MAX(worst, EX_NOINPUT);
			continue;
		}
		g_autoptr(GBytes) raw = g_bytes_new_take(g_steal_pointer(&data),
		    len);
		rc = ingest_one(ctx, raw, argv[i]);
		if (rc != EX_OK && (worst == EX_OK || rc == EX_TEMPFAIL))
			worst = rc;
	}
	return worst;
}

const struct cmd_entry cmd_ingest_entry = {
	.name = "ingest",
	.args = "[FILE...]",
	.summary = "store and process mail from standard input or files (MDA)",
	.help = "Reads one mail from standard input (or each FILE), keeps it, "
	    "and runs it\nthrough the filters and threading.  For a Postfix "
	    "pipe(8) transport, a\nprocmail recipe or a Sieve \"pipe\" action; "
	    "see contrib/.  Exit status: 0\nstored (or seen before); 65 the "
	    "mail cannot be parsed at all, but is kept\nin quarantine; 75 it was "
	    "not stored (the database busy, the disk\nfull, the database "
	    "read-only, a filter deferred it): the mail system should\ntry "
	    "again later.",
	.options = ingest_options,
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_ingest_exec,
};

/* --- quarantine ------------------------------------------------------ */

static gint64 opt_retry;

static const GOptionEntry quarantine_options[] = {
	{ "retry", 'r', 0, G_OPTION_ARG_INT64, &opt_retry,
	  "process quarantined mail ID again", "ID" },
	G_OPTION_ENTRY_NULL
};

static int
quarantine_retry(struct cmd_ctx *ctx, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MessageRow) row = store_message_get(ctx->store, id, &error);
	g_autoptr(GBytes) raw = NULL;
	struct ingest_result res;

	if (row == NULL)
		return cmd_fail(ctx, error);
	if (g_strcmp0(row->state, "quarantined") != 0) {
		log_warnx("quarantine: mail %" G_GINT64_FORMAT " is not in "
		    "quarantine (it is %s)", id, row->state);
		return EX_DATAERR;
	}
	crashnote_open(store_path(ctx->store));
	if ((raw = store_message_raw(ctx->store, id, &error)) == NULL ||
	    !store_message_retry(ctx->store, id, &error) ||
	    !ingest_mail(ctx->store, ctx->conf, raw, row->source, TRUE, &res,
	    &error))
		return cmd_fail(ctx, error);
	printf("mail %" G_GINT64_FORMAT ": %s%s%s\n", id,
	    ingest_outcome_name(res.outcome), res.detail ? ": " : "",
	    res.detail ? res.detail : "");
	ingest_result_clear(&res);
	return EX_OK;
}

static int
cmd_quarantine_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (opt_retry != 0)
		return quarantine_retry(ctx, opt_retry);
	rows = store_message_list_state(ctx->store, "quarantined", &error);
	if (rows == NULL)
		return cmd_fail(ctx, error);
	if (rows->len == 0) {
		printf("the quarantine is empty\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "ID", "RECEIVED", "SIZE",
	    "FROM", "REASON", NULL });
	for (guint i = 0; i < rows->len; i++) {
		struct message_row *r = rows->pdata[i];
		g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, r->id);
		g_autofree char *when = report_date(r->received_at);
		g_autofree char *size = g_format_size((guint64)r->size);
		columns_add(c, id, when, size, r->sender ? r->sender : "?",
		    r->reason);
	}
	columns_print(c, stdout);
	printf("\n'tidings show --raw ID' prints a mail as received; "
	    "'tidings quarantine --retry ID'\nprocesses it again.\n");
	return EX_OK;
}

const struct cmd_entry cmd_quarantine_entry = {
	.name = "quarantine",
	.args = "[--retry ID]",
	.summary = "list mail that could not be processed",
	.help = "Mail that cannot be parsed, or whose processing failed, is "
	    "kept here as\nreceived, never dropped.",
	.options = quarantine_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_quarantine_exec,
};
