/* tidings backup: a copy of the database, made while tidings works. */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "store-export.h"
#include "store.h"
#include "tidings.h"

static int
cmd_backup_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;

	(void)argc;
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!store_backup(ctx->store, argv[1], &error)) {
		if (g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS)) {
			log_warnx("backup: %s", error->message);
			return EX_CANTCREAT;
		}
		return cmd_fail(ctx, error);
	}
	printf("%s: a copy of %s\n", argv[1], store_path(ctx->store));
	return EX_OK;
}

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.args = "FILE",
	.summary = "copy the database to a new FILE, while tidings works",
	.help = "The copy is of one moment and is made with SQLite's online "
	    "backup, so\n'tidings run', the delivery agent and imports go on "
	    "meanwhile.  FILE must\nnot exist; it is written beside its name "
	    "and renamed once whole and on\ndisk.  Open the copy with "
	    "'tidings --db FILE'.",
	.min_args = 1,
	.max_args = 1,
	.exec = cmd_backup_exec,
};
