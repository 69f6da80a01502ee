/* The context of every flow: what asking, answering and taking mail need
 * (the store, the configuration, the templates, tidings' own address and
 * domain, the key of tokens), passed explicitly to each of them. */
#ifndef TIDINGS_CONTEXT_H
#define TIDINGS_CONTEXT_H

#include <glib.h>

struct conf;
struct render;
struct store;

/* Fill it with tidings_ctx_init(), release it with tidings_ctx_clear(). */
struct tidings_ctx {
	struct store *st;
	const struct conf *conf;
	struct render *render;
	const char *address;	/* tidings' own, From of every mail */
	char *domain;		/* of reply addresses and Message-IDs */
	GBytes *secret;		/* the key of tokens; read when first needed */
	gint64 catch_up;	/* seconds a missed prompt may still go late */
	gint64 digest_catch_up;	/* and a missed digest */
	/* Mail read out of an archive (an import without --process): it is
	 * stored and threaded and its answers to known prompts recorded as of
	 * its Date, but no command is carried out and no mail sent. */
	gboolean archive;
};

/* Fails with CONF_ERROR when the configuration has no address. */
gboolean tidings_ctx_init(struct tidings_ctx *ctx, struct store *st,
    const struct conf *conf, GError **error);
void tidings_ctx_clear(struct tidings_ctx *ctx);

/* The key of tokens, read from the secret file when first needed; owned
 * by CTX. */
GBytes *tidings_ctx_secret(struct tidings_ctx *ctx, GError **error);

#endif
