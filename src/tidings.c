/* tidings: check-ins, digests and availability for teams that work by mail.
 *
 * main() parses the global options, finds the command in cmd_table[],
 * parses its options, loads the configuration and runs it. */
#include "config.h"

#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "store.h"
#include "tidings.h"
#include "value.h"

static const struct cmd_entry cmd_help_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_demo_entry,
	&cmd_init_entry,
	&cmd_config_entry,
	&cmd_team_entry,
	&cmd_member_entry,
	&cmd_avail_entry,
	&cmd_who_entry,
	&cmd_overlap_entry,
	&cmd_urgent_entry,
	&cmd_checkin_entry,
	&cmd_prompts_entry,
	&cmd_answers_entry,
	&cmd_blockers_entry,
	&cmd_blocker_entry,
	&cmd_subscriber_entry,
	&cmd_digest_entry,
	&cmd_stats_entry,
	&cmd_meet_entry,
	&cmd_run_entry,
	&cmd_status_entry,
	&cmd_serve_entry,
	&cmd_outbox_entry,
	&cmd_ingest_entry,
	&cmd_import_entry,
	&cmd_quarantine_entry,
	&cmd_parse_entry,
	&cmd_show_entry,
	&cmd_thread_entry,
	&cmd_search_entry,
	&cmd_export_entry,
	&cmd_export_ics_entry,
	&cmd_feed_url_entry,
	&cmd_backup_entry,
	&cmd_migrate_entry,
	&cmd_help_entry,
	NULL
};

static int
exit_code(GError *error)
{
	if (error->domain == CONF_ERROR)
		return EX_CONFIG;
	if (error->domain == VALUE_ERROR)
		return EX_USAGE;
	if (error->domain == STORE_ERROR) {
		switch (error->code) {
		case STORE_ERROR_BUSY:
		case STORE_ERROR_FULL:
		case STORE_ERROR_READONLY:
			return EX_TEMPFAIL;
		case STORE_ERROR_IO:
			return EX_IOERR;
		case STORE_ERROR_VERSION:
			return EX_CONFIG;
		case STORE_ERROR_CORRUPT:
		case STORE_ERROR_NOT_FOUND:
		case STORE_ERROR_EXISTS:
			return EX_DATAERR;
		default:
			return EX_SOFTWARE;
		}
	}
	return EX_SOFTWARE;
}

int
cmd_fail(struct cmd_ctx *ctx, GError *error)
{
	log_warnx("%s", error->message);
	return exit_code(error);
}

int
cmd_fail_unstored(struct cmd_ctx *ctx, GError *error)
{
	int rc = cmd_fail(ctx, error);

	return rc == EX_CONFIG ? rc : EX_TEMPFAIL;
}

int
cmd_usage(struct cmd_ctx *ctx, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	log_warnx("%s: %s (see 'tidings help %s')", ctx->name, msg, ctx->name);
	return EX_USAGE;
}

int
cmd_open_store(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	if (ctx->store != NULL)
		return EX_OK;
	if (ctx->db_path != NULL)
		path = g_strdup(ctx->db_path);
	else
		path = conf_get_path(ctx->conf, "tidings", "database");
	ctx->store = store_open(path, &error);
	if (ctx->store == NULL)
		return cmd_fail(ctx, error);
	if (ctx->conf != NULL)
		store_set_busy_timeout(ctx->store, (int)(1000 *
		    conf_get_seconds(ctx->conf, "tidings", "busy-timeout")));
	return EX_OK;
}

/* --- help ------------------------------------------------------------ */

static const struct cmd_entry *
cmd_find(const struct cmd_entry *const *table, const char *name)
{
	for (; *table != NULL; table++)
		if (strcmp((*table)->name, name) == 0)
			return *table;
	return NULL;
}

static void
print_list(FILE *f, const char *prefix, const struct cmd_entry *const *table)
{
	for (; *table != NULL; table++) {
		g_autofree char *name = g_strconcat(prefix, (*table)->name, NULL);
		g_autofree char *sub = g_strconcat(name, " ", NULL);

		if ((*table)->subs != NULL)
			print_list(f, sub, (*table)->subs);
		else
			fprintf(f, "  %-16s %s\n", name, (*table)->summary);
	}
}

static void
print_usage(FILE *f)
{
	fprintf(f,
	    "usage: tidings [--config FILE] [--db FILE] [-v] COMMAND [ARGS]\n"
	    "\n"
	    "Commands:\n");
	print_list(f, "", cmd_table);
	fprintf(f, "\n"
	    "Options:\n"
	    "  -c, --config FILE  read FILE instead of "
	    "$XDG_CONFIG_HOME/tidings/tidings.conf\n"
	    "  --db FILE          use the database FILE\n"
	    "  -v, --verbose      more detail and protocol traces; twice for "
	    "all traces\n"
	    "  --version          print the version and exit\n"
	    "\n"
	    "'tidings help COMMAND' describes a command; see also tidings(1).\n");
}

/* The option list of a command, one option a line, as GOption spells
 * them ("-z, --zone=ZONE"). */
static char *
option_help(const struct cmd_entry *e)
{
	GString *out = g_string_new(NULL);

	for (const GOptionEntry *o = e->options; o != NULL &&
	    o->long_name != NULL; o++) {
		g_autofree char *shortopt = o->short_name ?
		    g_strdup_printf("-%c,", o->short_name) : g_strdup("");
		g_autofree char *flag = g_strdup_printf("%-3s --%s%s%s", shortopt,
		    o->long_name, o->arg_description ? "=" : "",
		    o->arg_description ? o->arg_description : "");
		g_string_append_printf(out, "  %-26s %s\n", flag,
		    o->description);
	}
	return g_string_free(out, FALSE);
}

static void
print_command_help(FILE *f, const char *full, const struct cmd_entry *e)
{
	if (e->subs != NULL) {
		fprintf(f, "usage: tidings %s SUBCOMMAND ...\n\n%s\n\n", full,
		    e->summary);
		g_autofree char *prefix = g_strconcat(full, " ", NULL);
		print_list(f, prefix, e->subs);
		fprintf(f, "\n'tidings help %s SUBCOMMAND' describes one.\n",
		    full);
		return;
	}
	g_autofree char *opts = option_help(e);
	fprintf(f, "usage: tidings %s%s%s\n\n%s\n", full, *e->args ? " " : "",
	    e->args, e->summary);
	if (e->help != NULL)
		fprintf(f, "\n%s\n", e->help);
	if (*opts != '\0')
		fprintf(f, "\nOptions:\n%s", opts);
}

/* Walks argv down the table; *used is how many words named the command. */
static const struct cmd_entry *
cmd_lookup(int argc, char **argv, int *used, GString *full)
{
	const struct cmd_entry *const *table = cmd_table;
	const struct cmd_entry *e = NULL;
	int i;

	for (i = 0; i < argc && table != NULL; i++) {
		const struct cmd_entry *next = cmd_find(table, argv[i]);
		if (next == NULL)
			break;
		e = next;
		if (full->len > 0)
			g_string_append_c(full, ' ');
		g_string_append(full, e->name);
		table = e->subs;
	}
	*used = i;
	return e;
}

static int
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GString) full = g_string_new(NULL);
	const struct cmd_entry *e;
	int used;

	if (argc == 1) {
		print_usage(stdout);
		return EX_OK;
	}
	e = cmd_lookup(argc - 1, argv + 1, &used, full);
	if (e == NULL || used != argc - 1) {
		log_warnx("help: no command '%s'; 'tidings help' lists them",
		    argv[1 + used]);
		return EX_USAGE;
	}
	print_command_help(stdout, full->str, e);
	return EX_OK;
}

static const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.args = "[COMMAND [SUBCOMMAND]]",
	.summary = "describe the commands, or one of them",
	.flags = CMD_NO_CONFIG,
	.min_args = 0,
	.max_args = 2,
	.exec = cmd_help_exec,
};

/* --- dispatch -------------------------------------------------------- */

static int
parse_command_options(struct cmd_ctx *ctx, const struct cmd_entry *e,
    int *argc, char ***argv)
{
	g_autoptr(GOptionContext) oc = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	gboolean help = FALSE;
	const GOptionEntry help_entry[] = {
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &help, "describe the command",
		  NULL },
		G_OPTION_ENTRY_NULL
	};

	g_option_context_set_help_enabled(oc, FALSE);
	if (e->options != NULL)
		g_option_context_add_main_entries(oc, e->options, NULL);
	g_option_context_add_main_entries(oc, help_entry, NULL);
	if (!g_option_context_parse(oc, argc, argv, &error))
		return cmd_usage(ctx, "%s", error->message);
	if (help) {
		print_command_help(stdout, ctx->name, e);
		return -1;
	}
	/* "--" is left in place by GOption; it only ends the options. */
	for (int i = 1; i < *argc; i++)
		if (strcmp((*argv)[i], "--") == 0) {
			memmove(*argv + i, *argv + i + 1,
			    (size_t)(*argc - i) * sizeof(char *));
			(*argc)--;
			break;
		}
	if (*argc - 1 < e->min_args)
		return cmd_usage(ctx, "missing argument: tidings %s %s",
		    ctx->name, e->args);
	if (e->max_args >= 0 && *argc - 1 > e->max_args)
		return cmd_usage(ctx, "unexpected argument '%s'",
		    (*argv)[1 + e->max_args]);
	return EX_OK;
}

static int
load_config(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	g_autoptr(GError) error = NULL;

	if (e->flags & CMD_NO_CONFIG)
		return EX_OK;
	if (!ctx->config_explicit &&
	    !g_file_test(ctx->config_path, G_FILE_TEST_EXISTS)) {
		if (e->flags & CMD_NEEDS_CONFIG) {
			log_warnx("%s: %s does not exist; run 'tidings init' "
			    "or name a file with --config", ctx->name,
			    ctx->config_path);
			return EX_CONFIG;
		}
		ctx->conf = conf_new_default();
		return EX_OK;
	}
	ctx->conf = conf_load(ctx->config_path, &error);
	if (ctx->conf == NULL)
		return cmd_fail(ctx, error);
	return EX_OK;
}

static gboolean
on_verbose(const char *name, const char *value, gpointer verbosity,
    GError **error)
{
	(*(int *)verbosity)++;
	return TRUE;
}

/* Blocks of MMAP_THRESHOLD or more are mapped for themselves and unmapped
 * when freed; up to TRIM_THRESHOLD free at the top of a heap is kept.
 * Left to itself, glibc raises its threshold to the largest block freed,
 * and a mailbox's few large mails (attachments of megabytes, a copy read,
 * a copy decoded) then stay in the heap of every thread that held one.
 * And a block of the size last freed is mapped again, and its pages
 * faulted in again, every time: the page cache SQLite opens for the
 * results of each INSERT ... RETURNING cost an IMAP sync about eight page
 * faults a mail, and a fifth of its processor time. */
#define MMAP_THRESHOLD	(256 * 1024)
#define TRIM_THRESHOLD	(512 * 1024)

static void
memory_init(void)
{
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) oc = g_option_context_new(NULL);
	g_autoptr(GOptionGroup) group = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) full = g_string_new(NULL);
	g_autofree char *config = NULL;
	g_autofree char *db = NULL;
	gboolean version = FALSE, help = FALSE;
	int verbosity = 0, used, rc;
	struct cmd_ctx ctx = { 0 };
	const struct cmd_entry *e;
	const GOptionEntry global[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, NULL, NULL },
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db, NULL, NULL },
		{ "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		  (gpointer)on_verbose, NULL, NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, NULL, NULL },
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
		G_OPTION_ENTRY_NULL
	};

	setlocale(LC_ALL, "");
	memory_init();
	/* A filter program or server that goes away must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	log_init("tidings", 0);
	group = g_option_group_new("tidings", "", "", &verbosity, NULL);
	g_option_group_add_entries(group, global);
	g_option_context_set_main_group(oc, g_steal_pointer(&group));
	g_option_context_set_help_enabled(oc, FALSE);
	g_option_context_set_strict_posix(oc, TRUE);
	if (!g_option_context_parse(oc, &argc, &argv, &error)) {
		log_warnx("%s; run 'tidings help' for usage", error->message);
		return EX_USAGE;
	}
	log_init("tidings", verbosity);
	if (version) {
		printf("tidings %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	if (help) {
		print_usage(stdout);
		return EX_OK;
	}
	if (argc < 2) {
		print_usage(stderr);
		return EX_USAGE;
	}

	e = cmd_lookup(argc - 1, argv + 1, &used, full);
	if (e == NULL) {
		log_warnx("unknown command '%s'; run 'tidings help' for the list",
		    argv[1]);
		return EX_USAGE;
	}
	ctx.name = full->str;
	if (e->subs != NULL) {
		if (used < argc - 1 && (strcmp(argv[1 + used], "--help") == 0 ||
		    strcmp(argv[1 + used], "-h") == 0)) {
			print_command_help(stdout, ctx.name, e);
			return EX_OK;
		}
		if (used < argc - 1)
			log_warnx("%s: unknown subcommand '%s'; run 'tidings "
			    "help %s'", ctx.name, argv[1 + used], ctx.name);
		else
			log_warnx("%s: a subcommand is needed; run 'tidings "
			    "help %s'", ctx.name, ctx.name);
		return EX_USAGE;
	}
	/* The command's own argv: its name, then what follows it. */
	argc -= used;
	argv += used;
	rc = parse_command_options(&ctx, e, &argc, &argv);
	if (rc != EX_OK)
		return rc < 0 ? EX_OK : rc;

	if (config != NULL) {
		ctx.config_path = g_steal_pointer(&config);
		ctx.config_explicit = TRUE;
	} else if (g_getenv("TIDINGS_CONFIG") != NULL) {
		ctx.config_path = g_strdup(g_getenv("TIDINGS_CONFIG"));
		ctx.config_explicit = TRUE;
	} else
		ctx.config_path = g_build_filename(g_get_user_config_dir(),
		    "tidings", "tidings.conf", NULL);
	ctx.db_path = g_steal_pointer(&db);
	rc = load_config(&ctx, e);
	if (rc == EX_OK)
		rc = e->exec(&ctx, argc, argv);

	store_close(ctx.store);
	conf_free(ctx.conf);
	g_free(ctx.config_path);
	g_free(ctx.db_path);
	return rc;
}
