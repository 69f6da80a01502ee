/* Tokens and tidings' subaddresses; see token.h. */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "token.h"

/* RFC 4648 base32, lower case: the case mail systems are likeliest to keep
 * or fold to. */
static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Bytes of the HMAC kept: 10 bytes are 80 bits, exactly 16 base32
 * characters, so no padding is ever needed. */
#define TOKEN_BYTES 10

G_STATIC_ASSERT(TOKEN_BYTES * 8 == TOKEN_LENGTH * 5);

static void
base32_encode(const guint8 *data, char *out)
{
	guint64 acc = 0;
	int bits = 0, n = 0;

	for (int i = 0; i < TOKEN_BYTES; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = base32_alphabet[(acc >> bits) & 0x1f];
		}
	}
	out[n] = '\0';
}

char *
token_make(GBytes *key, const char *purpose, const char *subject)
{
	gsize key_len;
	const guint8 *key_data = g_bytes_get_data(key, &key_len);
	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA256,
	    key_data != NULL ? key_data : (const guint8 *)"", key_len);
	guint8 digest[32];
	gsize digest_len = sizeof digest;
	char *token = g_malloc(TOKEN_LENGTH + 1);

	/* The NUL keeps ("ab", "c") and ("a", "bc") apart: a purpose never
	 * holds one. */
	g_hmac_update(hmac, (const guchar *)purpose, (gssize)strlen(purpose));
	g_hmac_update(hmac, (const guchar *)"", 1);
	g_hmac_update(hmac, (const guchar *)subject, (gssize)strlen(subject));
	g_hmac_get_digest(hmac, digest, &digest_len);
	base32_encode(digest, token);
	return token;
}

gboolean
token_equal(const char *a, const char *b)
{
	size_t len;
	unsigned diff = 0;

	if (a == NULL || b == NULL)
		return FALSE;
	/* The length is no secret: every token has the same one. */
	len = strlen(a);
	if (len != strlen(b) || len == 0)
		return FALSE;
	for (size_t i = 0; i < len; i++)
		diff |= (unsigned)(g_ascii_tolower(a[i]) ^ g_ascii_tolower(b[i]));
	return diff == 0;
}

gboolean
token_check(GBytes *key, const char *purpose, const char *subject,
    const char *token)
{
	g_autofree char *expected = NULL;

	if (token == NULL || strlen(token) != TOKEN_LENGTH)
		return FALSE;
	expected = token_make(key, purpose, subject);
	return token_equal(expected, token);
}

/* Characters a subaddress detail may hold: those of a dot-atom that need
 * no quoting and mean nothing to a shell or a mail header. */
static gboolean
detail_valid(const char *detail, size_t len)
{
	if (len == 0)
		return FALSE;
	for (size_t i = 0; i < len; i++) {
		char c = detail[i];
		if (!g_ascii_isalnum(c) && strchr("-_.=+", c) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* A host name, or a literal tidings would never be given: letters,
 * digits, '-' and '.'. */
static gboolean
domain_valid(const char *domain)
{
	if (*domain == '\0')
		return FALSE;
	for (const char *p = domain; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return FALSE;
	return TRUE;
}

/* Splits ADDRESS at its last '@'; FALSE for anything but local@domain with
 * both parts present and no quoting, brackets, spaces or control
 * characters, which tidings' own addresses never have. */
static gboolean
split_address(const char *address, size_t *local_len, const char **domain)
{
	const char *at;

	if (address == NULL)
		return FALSE;
	for (const char *p = address; *p != '\0'; p++)
		if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f ||
		    strchr("\"<>()[],;:\\", *p) != NULL)
			return FALSE;
	at = strrchr(address, '@');
	if (at == NULL || at == address || at[1] == '\0')
		return FALSE;
	*local_len = (size_t)(at - address);
	*domain = at + 1;
	return TRUE;
}

char *
token_subaddress(const char *address, const char *own_address,
    const char *domain)
{
	size_t own_len, len;
	const char *own_domain, *addr_domain, *detail;

	if (!split_address(own_address, &own_len, &own_domain) ||
	    !split_address(address, &len, &addr_domain))
		return NULL;
	if (g_ascii_strcasecmp(addr_domain, domain != NULL ? domain :
	    own_domain) != 0)
		return NULL;
	if (len <= own_len + 1 || address[own_len] != '+' ||
	    g_ascii_strncasecmp(address, own_address, own_len) != 0)
		return NULL;
	detail = address + own_len + 1;
	if (!detail_valid(detail, len - own_len - 1))
		return NULL;
	return g_strndup(detail, len - own_len - 1);
}

char *
token_address(const char *own_address, const char *domain,
    const char *detail)
{
	size_t own_len, dlen;
	const char *own_domain;

	if (!split_address(own_address, &own_len, &own_domain) ||
	    detail == NULL)
		return NULL;
	dlen = strlen(detail);
	if (!detail_valid(detail, dlen))
		return NULL;
	if (domain != NULL && !domain_valid(domain))
		return NULL;
	return g_strdup_printf("%.*s+%s@%s", (int)own_len, own_address, detail,
	    domain != NULL ? domain : own_domain);
}

char *
token_prompt_subject(gint64 checkin, const char *email, gint64 occurrence)
{
	g_autofree char *lower = g_ascii_strdown(email, -1);

	return g_strdup_printf("%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT,
	    checkin, lower, occurrence);
}

char *
token_message_id(const char *kind, const char *domain)
{
	guint8 bytes[TOKEN_BYTES];
	char text[TOKEN_LENGTH + 1];

	if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
		for (gsize i = 0; i < sizeof bytes; i++)
			bytes[i] = (guint8)g_random_int_range(0, 256);
	base32_encode(bytes, text);
	return g_strdup_printf("%s-%s@%s", kind, text, domain);
}
