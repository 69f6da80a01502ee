/* Bounce addresses; see verp.h. */
#include "config.h"

#include <string.h>

#include "token.h"
#include "verp.h"

/* What the token signs: the recipient first, since an address holds no
 * space and so the key after it cannot be mistaken for part of it. */
static char *
verp_subject(const char *key, const char *recipient)
{
	g_autofree char *lower = g_ascii_strdown(recipient, -1);

	return g_strdup_printf("%s %s", lower, key);
}

char *
verp_token(GBytes *secret, const char *key, const char *recipient)
{
	g_autofree char *subject = verp_subject(key, recipient);

	return token_make(secret, "bounce", subject);
}

gboolean
verp_check(GBytes *secret, const char *key, const char *recipient,
    const char *token)
{
	g_autofree char *subject = NULL;

	if (key == NULL || recipient == NULL || token == NULL)
		return FALSE;
	subject = verp_subject(key, recipient);
	return token_check(secret, "bounce", subject, token);
}

char *
verp_address(const char *own_address, const char *domain, const char *token)
{
	g_autofree char *detail = g_strconcat(VERP_PREFIX, token, NULL);
	char *address = token_address(own_address, domain, detail);
	const char *at = address != NULL ? strrchr(address, '@') : NULL;

	if (at != NULL && (size_t)(at - address) > VERP_LOCAL_MAX)
		g_clear_pointer(&address, g_free);
	return address;
}

char *
verp_token_of(const char *address, const char *own_address,
    const char *domain)
{
	g_autofree char *detail = token_subaddress(address, own_address,
	    domain);
	const char *t;

	if (detail == NULL || g_ascii_strncasecmp(detail, VERP_PREFIX,
	    strlen(VERP_PREFIX)) != 0)
		return NULL;
	t = detail + strlen(VERP_PREFIX);
	if (strlen(t) != TOKEN_LENGTH)
		return NULL;
	for (const char *p = t; *p != '\0'; p++)
		if (!g_ascii_isalpha(*p) && (*p < '2' || *p > '7'))
			return NULL;
	return g_ascii_strdown(t, -1);
}
