/* tidings init: a commented configuration, a secret and a database. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "store.h"
#include "tidings.h"
#include "value.h"

#define SECRET_BYTES 32

static char *opt_address;
static gboolean opt_force;

static const GOptionEntry init_options[] = {
	{ "address", 'a', 0, G_OPTION_ARG_STRING, &opt_address,
	  "the address tidings sends from and receives at", "ADDRESS" },
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "replace an existing configuration file", NULL },
	G_OPTION_ENTRY_NULL
};

/* Creates PATH with a fresh random key, mode 0600, unless it exists. */
static int
init_secret(const char *path)
{
	unsigned char key[SECRET_BYTES];
	g_autoptr(GString) hex = g_string_new(NULL);
	int fd;

	if (g_file_test(path, G_FILE_TEST_EXISTS)) {
		printf("kept %s\n", path);
		return EX_OK;
	}
	if (getrandom(key, sizeof key, 0) != sizeof key) {
		log_warn("init: cannot get random bytes for %s", path);
		return EX_OSERR;
	}
	for (size_t i = 0; i < sizeof key; i++)
		g_string_append_printf(hex, "%02x", key[i]);
	g_string_append_c(hex, '\n');
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, hex->str, hex->len) != (ssize_t)hex->len ||
	    fsync(fd) != 0) {
		log_warn("init: cannot write %s", path);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return EX_CANTCREAT;
	}
	close(fd);
	printf("created %s (mode 0600)\n", path);
	return EX_OK;
}

static int
init_config(struct cmd_ctx *ctx, const char *path, gboolean own_dir)
{
	g_autoptr(GHashTable) set = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) error = NULL;
	g_autofree char *address = NULL;
	g_autofree char *text = NULL;
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *database = NULL;
	gboolean uri = FALSE;

	if (opt_address != NULL) {
		address = value_email(opt_address, &error);
		if (address == NULL)
			return cmd_usage(ctx, "%s", error->message);
		g_hash_table_insert(set, "tidings.address", address);
	}
	/* The database named by --db is the one the configuration names
	 * (a file by its absolute path, a URI as it is); else a directory
	 * of its own keeps the database beside the config. */
	if (ctx->db_path != NULL) {
		uri = strstr(ctx->db_path, "://") != NULL;
		database = uri ? g_strdup(ctx->db_path) :
		    g_canonicalize_filename(ctx->db_path, NULL);
		g_hash_table_insert(set, "tidings.database", database);
	} else if (own_dir)
		g_hash_table_insert(set, "tidings.database", "tidings.db");
	if (g_file_test(path, G_FILE_TEST_EXISTS) && !opt_force) {
		log_warnx("init: %s exists; not replacing it (use --force)", path);
		return EX_CANTCREAT;
	}
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		log_warn("init: cannot create %s", dir);
		return EX_CANTCREAT;
	}
	text = conf_example(set);
	/* A database server's URI may carry its password: the file is then
	 * for its owner only. */
	if (!g_file_set_contents_full(path, text, -1,
	    G_FILE_SET_CONTENTS_CONSISTENT, uri ? 0600 : 0644, &error)) {
		log_warnx("init: %s", error->message);
		return EX_CANTCREAT;
	}
	printf("created %s\n", path);
	return EX_OK;
}

static int
cmd_init_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *secret = NULL;
	int rc;

	if (argc > 1)
		path = g_build_filename(argv[1], "tidings.conf", NULL);
	else
		path = g_strdup(ctx->config_path);
	if ((rc = init_config(ctx, path, argc > 1)) != EX_OK)
		return rc;
	ctx->conf = conf_load(path, &error);
	if (ctx->conf == NULL)
		return cmd_fail(ctx, error);
	secret = conf_get_path(ctx->conf, "tidings", "secret-file");
	if ((rc = init_secret(secret)) != EX_OK)
		return rc;
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	printf("database %s (schema version %d)\n", store_path(ctx->store),
	    store_schema_version(ctx->store));
	if (opt_address == NULL)
		printf("next: set address in %s; ", path);
	else
		printf("next: ");
	printf("add a team with 'tidings team add NAME'\n");
	return EX_OK;
}

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.args = "[DIR] [--address ADDRESS] [--force]",
	.summary = "write an example configuration and create the database",
	.help = "Writes DIR/tidings.conf (by default the file named by --config, "
	    "or\n$XDG_CONFIG_HOME/tidings/tidings.conf) with every option "
	    "commented at its\ndefault, a secret key of mode 0600 beside it, and "
	    "the database.  With DIR,\nthe database is kept in DIR too; with "
	    "--db, the configuration names that\ndatabase (a PostgreSQL URI "
	    "makes the file mode 0600).  An existing secret is\nkept.",
	.flags = CMD_NO_CONFIG,
	.options = init_options,
	.min_args = 0,
	.max_args = 1,
	.exec = cmd_init_exec,
};
