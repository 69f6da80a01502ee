/* The context of every flow; see context.h. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "context.h"
#include "render.h"

gboolean
tidings_ctx_init(struct tidings_ctx *ctx, struct store *st,
    const struct conf *conf, GError **error)
{
	const char *domain = conf_get(conf, "tidings", "domain");
	const char *at;
	g_autofree char *templates = conf_get_path(conf, "tidings",
	    "templates");

	memset(ctx, 0, sizeof *ctx);
	ctx->st = st;
	ctx->conf = conf;
	ctx->address = conf_get(conf, "tidings", "address");
	if (ctx->address == NULL || (at = strrchr(ctx->address, '@')) == NULL) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_INVALID,
		    "%s: set address in [tidings]: the address tidings sends "
		    "from and receives replies at", conf_file(conf) != NULL ?
		    conf_file(conf) : "the configuration");
		return FALSE;
	}
	ctx->domain = g_strdup(domain != NULL ? domain : at + 1);
	ctx->render = render_new(templates);
	ctx->catch_up = conf_get_seconds(conf, "checkins", "catch-up");
	if (ctx->catch_up < 0)
		ctx->catch_up = 0;
	ctx->digest_catch_up = conf_get_seconds(conf, "digests", "catch-up");
	if (ctx->digest_catch_up < 0)
		ctx->digest_catch_up = 0;
	return TRUE;
}

void
tidings_ctx_clear(struct tidings_ctx *ctx)
{
	g_clear_pointer(&ctx->domain, g_free);
	g_clear_pointer(&ctx->render, render_free);
	g_clear_pointer(&ctx->secret, g_bytes_unref);
}

GBytes *
tidings_ctx_secret(struct tidings_ctx *ctx, GError **error)
{
	char *key;
	gsize len;

	if (ctx->secret != NULL)
		return ctx->secret;
	key = conf_read_secret(ctx->conf, "tidings", "secret-file", &len,
	    error);
	if (key == NULL) {
		if (error != NULL && *error == NULL)
			g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
			    "no secret-file in [tidings]: tidings init makes "
			    "one");
		return NULL;
	}
	ctx->secret = g_bytes_new_take(key, len);
	return ctx->secret;
}
