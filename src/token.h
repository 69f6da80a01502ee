/* Tokens: short, case-insensitive HMAC-SHA-256 signatures (GLib's GHmac,
 * keyed with the secret file) that bind an address or a link to what it
 * is for: a prompt and its person, a subscription and its action.  A
 * token for one purpose or subject never works for another. */
#ifndef TIDINGS_TOKEN_H
#define TIDINGS_TOKEN_H

#include <glib.h>

/* Characters in a token: lower-case base32 of the first 80 bits of the
 * HMAC, so that mail systems that fold case or mangle punctuation keep
 * it intact. */
#define TOKEN_LENGTH 16

/* The token for PURPOSE ("prompt", "subscribe", ...) and SUBJECT (what it
 * is about, such as "42 ana@example.org"), signed with KEY.  Caller
 * frees. */
char *token_make(GBytes *key, const char *purpose, const char *subject);

/* Whether TOKEN (as received: any case) is the token for PURPOSE and
 * SUBJECT; compares in constant time. */
gboolean token_check(GBytes *key, const char *purpose, const char *subject,
    const char *token);

/* Constant-time, case-insensitive comparison of two tokens. */
gboolean token_equal(const char *a, const char *b);

/* The detail of ADDRESS when it is one of tidings' own subaddresses:
 * "x" for LOCAL+x@DOMAIN, where LOCAL is OWN_ADDRESS's local part and
 * DOMAIN is DOMAIN (NULL: OWN_ADDRESS's domain), compared without case;
 * NULL otherwise.  Caller frees. */
char *token_subaddress(const char *address, const char *own_address,
    const char *domain);

/* LOCAL+DETAIL@DOMAIN, from OWN_ADDRESS's local part and DOMAIN (NULL: the
 * address's own domain).  NULL when OWN_ADDRESS is not a plain
 * local@domain, or DETAIL is empty or holds anything but letters, digits
 * and "-_.=+".  Caller frees. */
char *token_address(const char *own_address, const char *domain,
    const char *detail);

/* A Message-ID for mail tidings sends, "KIND-RANDOM@DOMAIN", without
 * <>: 80 random bits from the kernel, so that it tells nothing and can be
 * guessed by nobody.  It carries no authority: a Message-ID is seen by
 * everyone a reply goes to, unlike a reply address.  Caller frees. */
char *token_message_id(const char *kind, const char *domain);

/* What a prompt's token signs: the check-in, the person (any case), the
 * occurrence.  Caller frees. */
char *token_prompt_subject(gint64 checkin, const char *email,
    gint64 occurrence);

#endif
