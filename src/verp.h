/* VERP: the envelope sender of every mail tidings sends to a person is
 * LOCAL+bounce-TOKEN@DOMAIN, where TOKEN (token.c: an HMAC with the secret)
 * binds that mail's outbox key and its recipient.  A delivery status
 * notification comes back to the envelope sender, so one that arrives at
 * such an address says which mail to whom failed, and only the servers on
 * that mail's way saw the address: a forged notice cannot name it. */
#ifndef TIDINGS_VERP_H
#define TIDINGS_VERP_H

#include <glib.h>

/* The detail of a bounce address before its token. */
#define VERP_PREFIX "bounce-"

/* RFC 5321 4.5.3.1.1: a local part holds at most 64 octets. */
#define VERP_LOCAL_MAX 64

/* The token of the mail queued under KEY (the outbox's dedupe key) to
 * RECIPIENT (any case), signed with SECRET.  Caller frees. */
char *verp_token(GBytes *secret, const char *key, const char *recipient);

/* LOCAL+bounce-TOKEN@DOMAIN from OWN_ADDRESS's local part and DOMAIN
 * (NULL: OWN_ADDRESS's domain); NULL when the local part would pass
 * VERP_LOCAL_MAX or OWN_ADDRESS is no plain local@domain.  Caller frees. */
char *verp_address(const char *own_address, const char *domain,
    const char *token);

/* The token of ADDRESS, lower case, when it is one of tidings' bounce
 * addresses (as verp_address() makes them, any case); NULL otherwise.
 * Caller frees. */
char *verp_token_of(const char *address, const char *own_address,
    const char *domain);

/* Whether TOKEN (any case) is the token of the mail KEY to RECIPIENT;
 * compares in constant time. */
gboolean verp_check(GBytes *secret, const char *key, const char *recipient,
    const char *token);

#endif
