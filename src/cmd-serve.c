/* tidings serve: the HTTP face alone, for a second machine or a
 * container beside the one that runs tidings run. */
#include "config.h"

#include <glib-unix.h>

#include "conf.h"
#include "context.h"
#include "http.h"
#include "log.h"
#include "tidings.h"

struct serve {
	GMainLoop *loop;
	struct conf **conf;
};

static gboolean
on_stop(gpointer data)
{
	struct serve *s = data;

	log_info("serve: stopping");
	g_main_loop_quit(s->loop);
	return G_SOURCE_CONTINUE;
}

/* SIGHUP: the configuration again (base-url, keys of the archive); the
 * address listened on stays until a restart. */
static gboolean
on_reload(gpointer data)
{
	struct serve *s = data;
	g_autoptr(GError) error = NULL;
	struct conf *fresh;

	if (conf_file(*s->conf) == NULL)
		return G_SOURCE_CONTINUE;
	if ((fresh = conf_load(conf_file(*s->conf), &error)) == NULL) {
		log_warnx("reload: %s; keeping the configuration in use",
		    error->message);
		return G_SOURCE_CONTINUE;
	}
	log_info("reload: %s read again", conf_file(fresh));
	conf_free(*s->conf);
	*s->conf = fresh;
	return G_SOURCE_CONTINUE;
}

static int
cmd_serve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	struct http_server *srv;
	struct tidings_ctx env;
	struct serve s = { .conf = &ctx->conf };
	guint w[3];
	int rc;

	if (conf_get(ctx->conf, "http", "listen") == NULL) {
		log_warnx("serve: set listen in [http] of %s, such as "
		    "127.0.0.1:8025", conf_file(ctx->conf));
		return EX_CONFIG;
	}
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	/* What every request needs, checked once before the first. */
	if (!tidings_ctx_init(&env, ctx->store, ctx->conf, &error))
		return cmd_fail(ctx, error);
	tidings_ctx_clear(&env);
	if ((srv = http_server_start(&ctx->conf, ctx->store, &error)) ==
	    NULL) {
		log_warnx("serve: %s", error->message);
		return error->domain == CONF_ERROR ? EX_CONFIG :
		    EX_UNAVAILABLE;
	}
	s.loop = g_main_loop_new(NULL, FALSE);
	w[0] = g_unix_signal_add(SIGTERM, on_stop, &s);
	w[1] = g_unix_signal_add(SIGINT, on_stop, &s);
	w[2] = g_unix_signal_add(SIGHUP, on_reload, &s);
	g_main_loop_run(s.loop);
	for (gsize i = 0; i < G_N_ELEMENTS(w); i++)
		g_source_remove(w[i]);
	http_server_free(srv);
	g_main_loop_unref(s.loop);
	log_info("serve: stopped");
	return EX_OK;
}

const struct cmd_entry cmd_serve_entry = {
	.name = "serve",
	.args = "",
	.summary = "serve the HTTP face alone: unsubscribe, feeds, archive",
	.help = "Serves [http] listen in the foreground, logging each request "
	    "to standard\nerror, until SIGTERM or SIGINT; SIGHUP reads the "
	    "configuration again (but\nfor the address listened on).  tidings "
	    "run serves the same itself when\n[http] listen is set; this is "
	    "for another machine or a container that\nshares the database.  "
	    "Exits 78 when [http] is wrong, 69 when the address\ncannot be "
	    "bound.",
	.flags = CMD_NEEDS_CONFIG,
	.options = NULL,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_serve_exec,
};
