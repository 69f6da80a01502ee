/* tidings config: the configuration in effect, an example, the manual. */
#include "config.h"

#include <stdio.h>

#include "columns.h"
#include "conf.h"
#include "tidings.h"

static gboolean opt_all;
static gboolean opt_example;
static gboolean opt_manual;

static const GOptionEntry config_options[] = {
	{ "all", 'a', 0, G_OPTION_ARG_NONE, &opt_all,
	  "every option, with defaults", NULL },
	{ "example", 0, 0, G_OPTION_ARG_NONE, &opt_example,
	  "print a commented example configuration", NULL },
	{ "manual", 0, 0, G_OPTION_ARG_NONE, &opt_manual,
	  "print the option list of tidings.conf(5) as roff", NULL },
	G_OPTION_ENTRY_NULL
};

static int
cmd_config_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *file = conf_file(ctx->conf);
	struct columns *c;

	if (opt_example + opt_manual + opt_all > 1)
		return cmd_usage(ctx, "--all, --example and --manual exclude "
		    "each other");
	if (opt_example || opt_manual) {
		g_autofree char *text = opt_example ? conf_example(NULL) :
		    conf_manual();
		fputs(text, stdout);
		return EX_OK;
	}
	if (file == NULL)
		printf("# no configuration file (%s); built-in defaults\n",
		    ctx->config_path);
	c = columns_new((const char *const[]){ "OPTION", "VALUE", "FROM",
	    NULL });
	for (const struct conf_option *o = conf_table; o->section != NULL; o++) {
		int line = conf_line(ctx->conf, o->section, o->key);
		const char *v = conf_get(ctx->conf, o->section, o->key);
		g_autofree char *name = g_strdup_printf("%s.%s", o->section,
		    o->key);
		g_autofree char *from = line > 0 ?
		    g_strdup_printf("%s:%d", file, line) : g_strdup("default");
		g_autofree char *shown = NULL;

		if (line == 0 && !opt_all)
			continue;
		if (o->type == CONF_PATH || o->type == CONF_SECRET)
			shown = conf_get_path(ctx->conf, o->section, o->key);
		else if (o->type == CONF_PORT)
			shown = g_strdup_printf("%d", conf_get_port(ctx->conf,
			    o->section));
		columns_add(c, name, shown != NULL ? shown : v != NULL ? v :
		    "(unset)", from);
	}
	columns_print(c, stdout);
	return EX_OK;
}

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.args = "[--all | --example | --manual]",
	.summary = "show the configuration in effect",
	.help = "Prints the options set in the configuration file with the "
	    "line that sets\neach; with --all, every option and its default.  "
	    "A broken file is\nreported with its file and line, and exit "
	    "status 78.",
	.options = config_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_config_exec,
};
