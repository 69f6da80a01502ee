/* The keys of links to the HTTP face (feeds, archive links); see http.h.
 *
 * A key is the HMAC (token.c) of the secret over its kind, team, subject
 * and generation: nothing secret is stored, and renewing the generation
 * revokes the key before. */
#include "config.h"

#include "context.h"
#include "http.h"
#include "store.h"
#include "store-http.h"
#include "token.h"

static char *
key_subject(const char *team, const char *subject, gint64 gen)
{
	g_autofree char *lower = g_ascii_strdown(subject, -1);

	return g_strdup_printf("%s %s %" G_GINT64_FORMAT, team, lower, gen);
}

char *
http_key_get(struct tidings_ctx *env, const char *kind, const char *team,
    const char *subject, gboolean renew, gint64 now, GError **error)
{
	g_autofree char *lower = g_ascii_strdown(subject, -1);
	g_autofree char *what = NULL;
	GBytes *secret = tidings_ctx_secret(env, error);
	gint64 gen;

	if (secret == NULL)
		return NULL;
	if ((gen = store_http_key_generation(env->st, kind, team, lower,
	    error)) < 0)
		return NULL;
	if (renew) {
		if (!store_begin(env->st, error))
			return NULL;
		if ((gen = store_http_key_renew(env->st, kind, team, lower, now,
		    error)) < 0 || !store_commit(env->st, error)) {
			store_rollback(env->st);
			return NULL;
		}
	}
	what = key_subject(team, lower, gen);
	return token_make(secret, kind, what);
}

gboolean
http_key_check(struct tidings_ctx *env, const char *kind, const char *team,
    const char *subject, const char *key)
{
	g_autofree char *lower = g_ascii_strdown(subject, -1);
	g_autofree char *what = NULL;
	GBytes *secret;
	gint64 gen;

	if (key == NULL || (secret = tidings_ctx_secret(env, NULL)) == NULL ||
	    (gen = store_http_key_generation(env->st, kind, team, lower,
	    NULL)) <= 0)
		return FALSE;
	what = key_subject(team, lower, gen);
	return token_check(secret, kind, what, key);
}
