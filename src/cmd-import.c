/* tidings import: bulk loads from a Maildir or an mbox, through the same
 * pipeline as the MDA; and tidings export, everything back out. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest-pipe.h"
#include "log.h"
#include "rawfile.h"
#include "report.h"
#include "backup.h"
#include "crashnote.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "tidings.h"
#include "value.h"

/* Mail per transaction: large enough to be fast, small enough that an
 * interrupted import loses little work (it is idempotent anyway). */
#define IMPORT_BATCH 500
/* A mail file larger than this is not read into memory: it is hashed,
 * parsed and stored from the file, a piece at a time (rawfile.h).  It is
 * the pipe's budget of mail in flight: a mail within it is loaded beside
 * others, and read whole once, which is fastest; one larger is prepared
 * one at a time beside that budget (ingest-pipe.h), and read whole it
 * would be most of the import's memory (attachments of megabytes). */
#define IMPORT_FILE_BYTES INGEST_PIPE_BYTES

static char *opt_maildir;
static char *opt_mbox;
static char *opt_source;
static gboolean opt_process;
static char *opt_json;
static gboolean opt_stats;

static const GOptionEntry import_options[] = {
	{ "maildir", 'm', 0, G_OPTION_ARG_FILENAME, &opt_maildir,
	  "import every mail of the Maildir DIR (cur and new)", "DIR" },
	{ "mbox", 'b', 0, G_OPTION_ARG_FILENAME, &opt_mbox,
	  "import every mail of the mbox FILE", "FILE" },
	{ "json", 'j', 0, G_OPTION_ARG_FILENAME, &opt_json,
	  "restore the full export FILE ('tidings export --full') into an "
	  "empty database", "FILE" },
	{ "source", 's', 0, G_OPTION_ARG_STRING, &opt_source,
	  "where the mail came from, as recorded (default import)", "NAME" },
	{ "process", 'p', 0, G_OPTION_ARG_NONE, &opt_process,
	  "act on the mail as if it came now: carry out its commands and "
	  "availability, answer it", NULL },
	{ "stats", 0, 0, G_OPTION_ARG_NONE, &opt_stats,
	  "say at the end where the time went: reading, parsing, filters, "
	  "storing, committing", NULL },
	G_OPTION_ENTRY_NULL
};

/* What became of mail, by outcome. */
struct import_tally {
	guint counts[INGEST_DEFERRED + 1];
	guint autoreplies;
	guint bounces;
};

struct import {
	struct cmd_ctx *ctx;
	gboolean progress;	/* standard error is a terminal */
	gint64 started;		/* monotonic µs */
	guint64 total;		/* mails (Maildir) or bytes (mbox) */
	guint64 done;
	guint in_batch;
	struct import_tally batch;	/* of the open transaction */
	struct import_tally kept;	/* committed */
	guint lost;		/* read, but rolled back or never stored */
	GError *error;		/* what stopped the import */
	struct ingest_times times;	/* where the time went */
};

static guint
tally_sum(const struct import_tally *t)
{
	guint n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(t->counts); i++)
		n += t->counts[i];
	return n;
}

/* The batch is committed: it counts.  Or it is not: it is lost. */
static void
batch_settle(struct import *im, gboolean committed)
{
	if (committed) {
		for (size_t i = 0; i < G_N_ELEMENTS(im->kept.counts); i++)
			im->kept.counts[i] += im->batch.counts[i];
		im->kept.autoreplies += im->batch.autoreplies;
		im->kept.bounces += im->batch.bounces;
	} else
		im->lost += tally_sum(&im->batch);
	memset(&im->batch, 0, sizeof im->batch);
}

static void
show_progress(struct import *im, gboolean last)
{
	static gint64 shown;
	gint64 now = g_get_monotonic_time();
	double secs = (now - im->started) / 1e6;
	guint n;

	if (!im->progress || (!last && now - shown < 200000))
		return;
	shown = now;
	n = tally_sum(&im->kept) + tally_sum(&im->batch) + im->lost;
	fprintf(stderr, "\rimporting: %u mails, %3.0f%%, %.0f/s ", n,
	    im->total ? 100.0 * (double)im->done / (double)im->total : 100.0,
	    secs > 0 ? n / secs : 0.0);
	if (last)
		fputc('\n', stderr);
}

static gboolean
batch_end(struct import *im)
{
	gboolean ok;

	gint64 t0;

	if (im->in_batch == 0)
		return TRUE;
	im->in_batch = 0;
	t0 = g_get_monotonic_time();
	ok = store_commit(im->ctx->store, &im->error);
	im->times.commit += g_get_monotonic_time() - t0;
	batch_settle(im, ok);
	return ok;
}

static gboolean
import_one(struct import *im, struct ingest_prepared *prep)
{
	struct ingest_result res;
	struct store *st = im->ctx->store;
	gint64 t0 = g_get_monotonic_time();
	gboolean ok;

	if (im->in_batch == 0 && !store_begin_batch(st, &im->error)) {
		im->lost++;
		return FALSE;
	}
	ok = ingest_commit_mode(st, im->ctx->conf, prep, opt_source != NULL ?
	    opt_source : "import", FALSE, opt_process ? INGEST_LIVE :
	    INGEST_ARCHIVE, &res, &im->error);
	im->times.store += g_get_monotonic_time() - t0 - res.filters_us;
	im->times.filters += res.filters_us;
	if (!ok) {
		/* This mail and the batch's before it are rolled back. */
		store_rollback(st);
		im->in_batch = 0;
		im->lost++;
		batch_settle(im, FALSE);
		return FALSE;
	}
	im->batch.counts[res.outcome]++;
	if (res.outcome != INGEST_DUPLICATE) {
		im->batch.autoreplies += res.kind == MESSAGE_AUTOREPLY;
		im->batch.bounces += res.kind == MESSAGE_BOUNCE;
	}
	if (res.outcome == INGEST_QUARANTINED)
		log_debug("import: mail %" G_GINT64_FORMAT " quarantined: %s",
		    res.id, res.detail);
	ingest_result_clear(&res);
	if (++im->in_batch >= IMPORT_BATCH && !batch_end(im))
		return FALSE;
	show_progress(im, FALSE);
	return TRUE;
}

/* Mail is read, parsed and filtered on worker threads (READ and LOAD run
 * there) while this one stores it, in order.  TAG is how far the reading
 * got. */
static gboolean
import_all(struct import *im, ingest_pipe_read_fn read,
    ingest_pipe_load_fn load, ingest_pipe_size_fn size, gpointer data)
{
	g_autoptr(IngestPipe) pipe = ingest_pipe_new(im->ctx->conf, read,
	    load, size, data);
	struct ingest_prepared *prep;
	struct ingest_times t;
	guint64 tag;
	gboolean ok = TRUE;

	while (ok && (prep = ingest_pipe_next(pipe, &tag, &im->error)) !=
	    NULL) {
		im->done = tag;
		ok = import_one(im, prep);
		ingest_pipe_done(pipe, prep);
	}
	ingest_pipe_times(pipe, &t);
	im->times.read += t.read;
	im->times.parse += t.parse;
	im->times.filters += t.filters;
	im->times.wait += t.wait;
	im->times.mails += t.mails;
	im->times.bytes += t.bytes;
	im->times.workers = t.workers;
	return ok && im->error == NULL;
}

/* --- Maildir --------------------------------------------------------- */

/* The files of a Maildir, in order: reading names the next (the tag is
 * how many were named), and the workers load them, several at once.  The
 * names are kept one after the other in one buffer, without the Maildir's
 * own path: a mailbox of 100,000 mails lists in about 3 MiB. */
struct maildir_reader {
	const char *dir;
	GByteArray *names;	/* "cur/NAME\0new/NAME\0..." */
	GArray *at;		/* of gsize: where each name begins, sorted */
	guint next;
};

static void
maildir_reader_clear(struct maildir_reader *md)
{
	g_byte_array_unref(md->names);
	g_array_unref(md->at);
}

static gint
cmp_names(gconstpointer a, gconstpointer b, gpointer data)
{
	const char *names = data;

	return strcmp(names + *(const gsize *)a, names + *(const gsize *)b);
}

/* Lists the mails of cur/ and new/ into MD, in the order of their paths
 * (cur/ first, each by name). */
static gboolean
list_maildir(struct maildir_reader *md, GError **error)
{
	static const char *const subdirs[] = { "cur", "new" };
	gboolean found = FALSE;

	for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		g_autofree char *sub = g_build_filename(md->dir, subdirs[i],
		    NULL);
		g_autoptr(GDir) d = g_dir_open(sub, 0, NULL);
		const char *name;
		if (d == NULL)
			continue;
		found = TRUE;
		while ((name = g_dir_read_name(d)) != NULL) {
			gsize at = md->names->len;
			if (name[0] == '.')
				continue;
			g_byte_array_append(md->names,
			    (const guint8 *)subdirs[i], 3);
			g_byte_array_append(md->names, (const guint8 *)"/", 1);
			g_byte_array_append(md->names, (const guint8 *)name,
			    (guint)strlen(name) + 1);
			g_array_append_val(md->at, at);
		}
	}
	if (!found) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
		    "%s is not a Maildir (it has no cur/ or new/)", md->dir);
		return FALSE;
	}
	g_array_sort_with_data(md->at, cmp_names, md->names->data);
	return TRUE;
}

static GBytes *
maildir_read(gpointer data, guint64 *tag, G_GNUC_UNUSED GError **error)
{
	struct maildir_reader *md = data;
	char *path;

	if (md->next == md->at->len)
		return NULL;
	path = g_build_filename(md->dir, (const char *)md->names->data +
	    g_array_index(md->at, gsize, md->next), NULL);
	md->next++;
	*tag = md->next;
	return g_bytes_new_take(path, strlen(path) + 1);
}

static GBytes *
maildir_load(G_GNUC_UNUSED gpointer data, GBytes *name, struct rawfile **file)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(RawFile) rf = rawfile_open(g_bytes_get_data(name, NULL),
	    &err);
	GBytes *raw = NULL;

	/* Not there: a mail delivered or moved away meanwhile. */
	if (rf != NULL && rf->size > IMPORT_FILE_BYTES) {
		*file = g_steal_pointer(&rf);
		return NULL;
	}
	if (rf == NULL || (raw = rawfile_bytes(rf, &err)) == NULL)
		log_warnx("import: %s", err->message);
	return raw;
}

/* Its size on disk, which is what loading it takes. */
static gsize
maildir_size(G_GNUC_UNUSED gpointer data, GBytes *name)
{
	struct stat sb;

	if (stat(g_bytes_get_data(name, NULL), &sb) != 0 || sb.st_size < 0)
		return 0;
	return (gsize)sb.st_size;
}

static gboolean
import_maildir(struct import *im, const char *dir)
{
	struct maildir_reader md = { dir, g_byte_array_new(),
	    g_array_new(FALSE, FALSE, sizeof(gsize)), 0 };
	gboolean ok;

	ok = list_maildir(&md, &im->error);
	im->total = md.at->len;
	ok = ok && import_all(im, maildir_read, maildir_load, maildir_size,
	    &md);
	maildir_reader_clear(&md);
	return ok;
}

/* --- mbox ------------------------------------------------------------ */

/* The blank line before a "From " line separates, it is not the mail's. */
static GBytes *
mbox_mail(GByteArray *cur)
{
	if (cur->len >= 2 && cur->data[cur->len - 1] == '\n' &&
	    cur->data[cur->len - 2] == '\n')
		g_byte_array_set_size(cur, cur->len - 1);
	return g_byte_array_free_to_bytes(cur);
}

/* An mbox, read a mail at a time; the tag is the bytes read. */
struct mbox_reader {
	const char *path;
	FILE *f;
	char *line;
	size_t cap;
	GByteArray *cur;	/* the mail being read; NULL before the first */
	gboolean prev_blank;
	guint64 done;
};

/* Adds LINE (N bytes) to the mail being read: ">From " (any number of
 * '>') is unescaped by one '>', as mboxrd writes it. */
static void
mbox_add(struct mbox_reader *mb, const char *line, ssize_t n)
{
	const char *p = line;

	while (*p == '>')
		p++;
	const char *keep = p > line && strncmp(p, "From ", 5) == 0 ?
	    line + 1 : line;
	g_byte_array_append(mb->cur, (const guint8 *)keep,
	    (guint)(n - (keep - line)));
	mb->prev_blank = n == 1 || (n == 2 && line[0] == '\r');
}

/* "From " lines after a blank line (or first) separate mails. */
static GBytes *
mbox_read(gpointer data, guint64 *tag, GError **error)
{
	struct mbox_reader *mb = data;
	GByteArray *prev;
	ssize_t n;

	while ((n = getline(&mb->line, &mb->cap, mb->f)) >= 0) {
		mb->done += (guint64)n;
		if (strncmp(mb->line, "From ", 5) == 0 && mb->prev_blank) {
			prev = mb->cur;
			mb->cur = g_byte_array_new();
			mb->prev_blank = FALSE;
			*tag = mb->done;
			if (prev != NULL && prev->len > 0)
				return mbox_mail(prev);
			if (prev != NULL)
				g_byte_array_unref(prev);
			continue;
		}
		if (mb->cur == NULL) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s is not an mbox: it does not start with a "
			    "\"From \" line", mb->path);
			return NULL;
		}
		mbox_add(mb, mb->line, n);
	}
	prev = g_steal_pointer(&mb->cur);
	*tag = mb->done;
	if (prev != NULL && prev->len > 0)
		return mbox_mail(prev);
	if (prev != NULL)
		g_byte_array_unref(prev);
	return NULL;
}

static gboolean
import_mbox(struct import *im, const char *path)
{
	struct mbox_reader mb = { .path = path, .prev_blank = TRUE };
	struct stat sb;
	gboolean ok;

	if ((mb.f = fopen(path, "rb")) == NULL) {
		g_set_error(&im->error, G_FILE_ERROR, g_file_error_from_errno(
		    errno), "cannot open %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	if (fstat(fileno(mb.f), &sb) == 0)
		im->total = (guint64)sb.st_size;
	ok = import_all(im, mbox_read, NULL, NULL, &mb);
	if (mb.cur != NULL)
		g_byte_array_unref(mb.cur);
	free(mb.line);
	fclose(mb.f);
	return ok;
}

/* The restore of a full export. */
static int
import_json(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	guint64 rows;
	int rc;

	if (opt_process || opt_source != NULL)
		return cmd_usage(ctx, "--json restores an export as it was; "
		    "--process and --source are for mail");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!backup_import_json(ctx->store, opt_json, &rows, &error)) {
		if (error->domain == G_FILE_ERROR) {
			log_warnx("import: %s", error->message);
			return EX_NOINPUT;
		}
		if (error->domain != BACKUP_ERROR)
			return cmd_fail(ctx, error);
		log_warnx("import: %s", error->message);
		return error->code == BACKUP_ERROR_NOT_EMPTY ? EX_CANTCREAT :
		    EX_DATAERR;
	}
	printf("%" G_GUINT64_FORMAT " rows restored from %s\n", rows, opt_json);
	return EX_OK;
}

/* --stats: where the time went, in seconds summed over the threads that
 * spent it, and per mail. */
static void
print_times(const struct ingest_times *t, double wall)
{
	double n = t->mails > 0 ? (double)t->mails : 1.0;
	const struct {
		const char *name;
		gint64 us;
	} stages[] = {
		{ "read", t->read }, { "parse", t->parse },
		{ "filters", t->filters }, { "store", t->store },
		{ "commit", t->commit }, { "wait", t->wait },
	};

	printf("time: %" G_GUINT64_FORMAT " mails, %.1f MiB in %.2f s; %u "
	    "worker%s read, parse and filter, the store's thread stores, "
	    "commits and waits for them\n", t->mails,
	    (double)t->bytes / (1024.0 * 1024.0), wall, t->workers,
	    t->workers == 1 ? "" : "s");
	for (size_t i = 0; i < G_N_ELEMENTS(stages); i++)
		printf("  %-8s %8.2f s %8.1f us/mail\n", stages[i].name,
		    (double)stages[i].us / 1e6, (double)stages[i].us / n);
}

static int
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct import im = { .ctx = ctx };
	const struct import_tally *k = &im.kept;
	gboolean ok;
	guint all;
	int rc;

	if ((opt_maildir != NULL) + (opt_mbox != NULL) + (opt_json != NULL) != 1)
		return cmd_usage(ctx, "give one of --maildir DIR, --mbox FILE or "
		    "--json FILE");
	if (opt_json != NULL)
		return import_json(ctx);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	crashnote_open(store_path(ctx->store));
	im.progress = isatty(STDERR_FILENO) && log_verbosity() == 0;
	im.started = g_get_monotonic_time();
	ok = store_set_bulk(ctx->store, TRUE, &im.error) &&
	    (opt_maildir != NULL ? import_maildir(&im, opt_maildir) :
	    import_mbox(&im, opt_mbox));
	ok = batch_end(&im) && ok;
	/* After a failure the store may be unusable; the first error says. */
	ok = store_set_bulk(ctx->store, FALSE, im.error == NULL ? &im.error :
	    NULL) && ok;
	show_progress(&im, TRUE);
	/* Only what was committed counts; the rest is said to be lost. */
	all = tally_sum(k) + im.lost;
	double secs = (g_get_monotonic_time() - im.started) / 1e6;
	printf("%u mails in %.1f s: %u stored (%u auto-replies, %u bounces), "
	    "%u duplicates, %u dropped, %u quarantined, %u deferred", all,
	    secs, k->counts[INGEST_STORED], k->autoreplies, k->bounces,
	    k->counts[INGEST_DUPLICATE], k->counts[INGEST_DROPPED],
	    k->counts[INGEST_QUARANTINED], k->counts[INGEST_DEFERRED]);
	if (im.lost > 0)
		printf("; %u not stored (rolled back when the import stopped)",
		    im.lost);
	printf("\n");
	if (opt_stats)
		print_times(&im.times, secs);
	if (!ok) {
		rc = cmd_fail(ctx, im.error);
		g_clear_error(&im.error);
		log_warnx("import: stopped; what was imported stays, and running "
		    "the same import again goes on where it stopped");
		return rc == EX_SOFTWARE ? EX_NOINPUT : rc;
	}
	return EX_OK;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.args = "--maildir DIR | --mbox FILE [--process] [--stats] | --json FILE",
	.summary = "load many mails at once from a Maildir or an mbox",
	.help = "Each mail is stored, threaded and indexed as by 'tidings "
	    "ingest', and its\nanswers to known prompts are recorded as of "
	    "its Date; an archive is\nhistory, so its commands, availability "
	    "and comments change nothing and\nno mail is queued, unless "
	    "--process asks to act on every mail as if it\ncame now.  Mail "
	    "stored before is skipped, so an import can be run again.\nA "
	    "progress line is shown on a terminal, and a summary at the end."
	    "\n\n--json restores a full export ('tidings export --full') "
	    "into a database\nthat holds nothing yet: all of it, or nothing.",
	.options = import_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_import_exec,
};

/* --- export ---------------------------------------------------------- */

static char *opt_format;
static char *opt_since;
static char *opt_team;
static gboolean opt_full;

static const GOptionEntry export_options[] = {
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "json (JSON Lines, the default) or mbox", "FORMAT" },
	{ "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
	  "only mail received since DATE (YYYY-MM-DD, local time)", "DATE" },
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only mail from members of TEAM", "TEAM" },
	{ "full", 0, 0, G_OPTION_ARG_NONE, &opt_full,
	  "everything tidings knows, as one JSON document that 'tidings "
	  "import --json' restores", NULL },
	G_OPTION_ENTRY_NULL
};

struct export {
	gboolean mbox;
	GHashTable *senders;	/* with --team: the members' addresses */
	guint64 count;
};

/* mboxrd: a line that starts with any number of '>' then "From " gets one
 * more '>'. */
static void
write_mbox(const struct message_row *row, GBytes *raw)
{
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(row->received_at);
	g_autofree char *when = g_date_time_format(dt, "%a %b %e %H:%M:%S %Y");
	const char *p = data, *end = data + len;

	printf("From %s %s\n", row->sender != NULL ? row->sender :
	    "MAILER-DAEMON", when);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		size_t n = nl != NULL ? (size_t)(nl - p + 1) : (size_t)(end - p);
		while (q < p + n && *q == '>')
			q++;
		if ((size_t)(p + n - q) >= 5 && strncmp(q, "From ", 5) == 0)
			putchar('>');
		fwrite(p, 1, n, stdout);
		p += n;
	}
	if (len == 0 || data[len - 1] != '\n')
		putchar('\n');
	putchar('\n');
}

static gboolean
export_row(const struct message_row *row, GBytes *raw, gpointer data)
{
	struct export *ex = data;

	if (ex->senders != NULL) {
		g_autofree char *sender = row->sender != NULL ?
		    g_ascii_strdown(row->sender, -1) : NULL;
		if (sender == NULL || !g_hash_table_contains(ex->senders, sender))
			return TRUE;
	}
	ex->count++;
	if (ex->mbox) {
		write_mbox(row, raw);
		return TRUE;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	report_row_json(b, row);
	json_builder_end_object(b);
	report_print_json(b);
	return TRUE;
}

static gboolean
parse_since(const char *text, gint64 *since)
{
	int y, m, d, n = 0;
	g_autoptr(GDateTime) dt = NULL;

	if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    text[n] != '\0')
		return FALSE;
	dt = g_date_time_new_local(y, m, d, 0, 0, 0);
	if (dt == NULL)
		return FALSE;
	*since = g_date_time_to_unix(dt);
	return TRUE;
}

static int
export_full(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!backup_export_json(ctx->store, stdout, &error))
		return cmd_fail(ctx, error);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("export: cannot write");
		return EX_IOERR;
	}
	return EX_OK;
}

static int
cmd_export_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	struct export ex = { 0 };
	gint64 since = 0;
	int rc;

	if (opt_full && (opt_format != NULL || opt_since != NULL ||
	    opt_team != NULL))
		return cmd_usage(ctx, "--full exports everything, in its own "
		    "format: it takes no --format, --since or --team");
	if (opt_full)
		return export_full(ctx);
	if (opt_format != NULL && strcmp(opt_format, "json") != 0 &&
	    strcmp(opt_format, "mbox") != 0)
		return cmd_usage(ctx, "'%s' is not a format; use json or mbox",
		    opt_format);
	ex.mbox = opt_format != NULL && strcmp(opt_format, "mbox") == 0;
	if (opt_since != NULL && !parse_since(opt_since, &since))
		return cmd_usage(ctx, "'%s' is not a date; use YYYY-MM-DD",
		    opt_since);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (opt_team != NULL) {
		g_autoptr(GPtrArray) members = NULL;
		g_autoptr(Team) t = store_team_get(ctx->store, opt_team, &error);
		if (t == NULL || (members = store_member_list(ctx->store,
		    opt_team, &error)) == NULL)
			return cmd_fail(ctx, error);
		ex.senders = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		for (guint i = 0; i < members->len; i++) {
			struct person *p = members->pdata[i];
			g_hash_table_add(ex.senders, g_ascii_strdown(p->email, -1));
		}
	}
	gboolean ok = store_message_foreach(ctx->store, since, ex.mbox,
	    export_row, &ex, &error);
	if (ex.senders != NULL)
		g_hash_table_unref(ex.senders);
	if (!ok)
		return cmd_fail(ctx, error);
	if (fflush(stdout) != 0) {
		log_warn("export: cannot write");
		return EX_IOERR;
	}
	log_debug("export: %" G_GUINT64_FORMAT " mails", ex.count);
	return EX_OK;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.args = "[--format json|mbox] [--since DATE] [--team TEAM] | --full",
	.summary = "write every stored mail out, as JSON Lines or an mbox, "
	    "or everything (--full)",
	.help = "JSON Lines carry each mail's id, thread and parent and what "
	    "tidings made\nof it (see tidings(1) for the fields); an mbox "
	    "(mboxrd) carries the mails\nexactly as received.  --full writes "
	    "everything tidings knows (teams,\nmembers, check-ins, prompts, "
	    "answers, comments, subscriptions,\navailability, meetings, the "
	    "mail and the outbox) as one JSON document,\nwhich 'tidings import "
	    "--json' restores.  Your data is yours.",
	.options = export_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_export_exec,
};
