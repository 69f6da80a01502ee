/* The command table and what every command shares. */
#ifndef TIDINGS_H
#define TIDINGS_H

#include <glib.h>
#include <sysexits.h>

struct conf;
struct store;

enum cmd_flags {
	CMD_NO_CONFIG = 1 << 0,		/* runs without reading the config */
	CMD_NEEDS_CONFIG = 1 << 1,	/* refuses to run without a file */
};

/* What a command runs with.  The store is opened on first use. */
struct cmd_ctx {
	char *config_path;	/* the file to read, or NULL for none */
	gboolean config_explicit; /* named by --config or $TIDINGS_CONFIG */
	char *db_path;		/* --db, overriding the config */
	struct conf *conf;	/* NULL for CMD_NO_CONFIG commands */
	struct store *store;
	const char *name;	/* "team add", for messages */
};

/*
 * One command.  A command with subcommands ("team") has subs and no exec;
 * the dispatcher parses a leaf's options, checks the number of arguments
 * left over, and calls exec with them (argv[0] is the command's name).
 */
struct cmd_entry {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line for "tidings help" */
	const char *help;	/* paragraphs for "tidings help NAME", or NULL */
	int flags;
	const GOptionEntry *options;
	int min_args;
	int max_args;		/* -1: any number */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
	const struct cmd_entry *const *subs;	/* NULL-terminated */
};

extern const struct cmd_entry *const cmd_table[];

/* Opens the database named by --db or the config into ctx->store, once.
 * Returns EX_OK, or the exit code after reporting the failure. */
int cmd_open_store(struct cmd_ctx *ctx);
/* Reports ERROR as one line on stderr and returns the sysexits code that
 * fits it. */
int cmd_fail(struct cmd_ctx *ctx, GError *error);
/* As cmd_fail(), for a failure before a mail was stored (the MDA): the
 * mail system must keep the mail and try again, so every failure is
 * EX_TEMPFAIL (an I/O error, a read-only database, a bug) but for
 * EX_CONFIG, which needs someone to fix the configuration either way. */
int cmd_fail_unstored(struct cmd_ctx *ctx, GError *error);
/* Reports a usage error as one line and returns EX_USAGE. */
int cmd_usage(struct cmd_ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

extern const struct cmd_entry cmd_answers_entry;
extern const struct cmd_entry cmd_avail_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_migrate_entry;
extern const struct cmd_entry cmd_blocker_entry;
extern const struct cmd_entry cmd_blockers_entry;
extern const struct cmd_entry cmd_checkin_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_demo_entry;
extern const struct cmd_entry cmd_digest_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_export_ics_entry;
extern const struct cmd_entry cmd_feed_url_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_ingest_entry;
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_parse_entry;
extern const struct cmd_entry cmd_prompts_entry;
extern const struct cmd_entry cmd_quarantine_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_search_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_subscriber_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_thread_entry;
extern const struct cmd_entry cmd_member_entry;
extern const struct cmd_entry cmd_meet_entry;
extern const struct cmd_entry cmd_outbox_entry;
extern const struct cmd_entry cmd_team_entry;
extern const struct cmd_entry cmd_urgent_entry;
extern const struct cmd_entry cmd_overlap_entry;
extern const struct cmd_entry cmd_stats_entry;
extern const struct cmd_entry cmd_who_entry;

#endif
