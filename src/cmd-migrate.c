/* tidings migrate: the database copied into another, SQLite or
 * PostgreSQL. */
#include "config.h"

#include <stdio.h>

#include "backup.h"
#include "log.h"
#include "store.h"
#include "tidings.h"

static char *opt_to;

static const GOptionEntry migrate_options[] = {
	{ "to", 't', 0, G_OPTION_ARG_STRING, &opt_to,
	  "the database to copy into: postgresql://USER@HOST/DB, "
	  "postgres:///DB?host=DIR, or the path of a new SQLite file",
	  "TARGET" },
	G_OPTION_ENTRY_NULL
};

static int
cmd_migrate_exec(struct cmd_ctx *ctx, G_GNUC_UNUSED int argc,
    G_GNUC_UNUSED char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) to = NULL;
	struct backup_copy c;
	int rc;

	if (opt_to == NULL || *opt_to == '\0') {
		log_warnx("migrate: say where to with --to TARGET");
		return EX_USAGE;
	}
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((to = store_open(opt_to, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (g_strcmp0(store_path(to), store_path(ctx->store)) == 0) {
		log_warnx("migrate: %s is the database itself",
		    store_path(to));
		return EX_USAGE;
	}
	if (!backup_copy_store(ctx->store, to, &c, &error)) {
		if (error->domain == BACKUP_ERROR) {
			log_warnx("migrate: %s", error->message);
			return error->code == BACKUP_ERROR_NOT_EMPTY ?
			    EX_CANTCREAT : EX_SOFTWARE;
		}
		return cmd_fail(ctx, error);
	}
	printf("%s: %" G_GUINT64_FORMAT " rows copied from %s, each table's "
	    "rows counted the same\nraw mail SHA-256 %s in both\n",
	    store_path(to), c.rows, store_path(ctx->store), c.digest);
	backup_copy_clear(&c);
	return EX_OK;
}

const struct cmd_entry cmd_migrate_entry = {
	.name = "migrate",
	.args = "--to TARGET",
	.summary = "copy the database into a new SQLite or PostgreSQL one",
	.help = "Every table is copied in one snapshot of the database and "
	    "one transaction\nof TARGET, which must hold nothing yet: all or "
	    "nothing.  Then each table's\nrows are counted in both and a "
	    "SHA-256 over the raw mail is compared.\nTARGET is a PostgreSQL "
	    "URI (postgresql://USER@HOST/DB, or\npostgres:///DB?host=DIR for "
	    "a Unix socket) or the path of an SQLite file;\nso the way back "
	    "is 'tidings --db URI migrate --to FILE.db'.  Stop 'tidings\nrun' "
	    "first, or mail that comes meanwhile stays behind in the old one.",
	.options = migrate_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_migrate_exec,
};
