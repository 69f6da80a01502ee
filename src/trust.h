/* The trust rule (README "Trust"): anyone can write a member's address in
 * From:, so a mail speaks for the member only when it comes from the
 * address tidings asked and either reached the member's own reply address
 * or carries a trusted server's word for its From (DKIM aligned with the
 * From domain, or DMARC: filters/auth.c). */
#ifndef TIDINGS_TRUST_H
#define TIDINGS_TRUST_H

#include <glib.h>

#include "message.h"

/* Whether addresses A and B are the same (neither NULL), without case. */
gboolean trust_same_address(const char *a, const char *b);

/* Whether MSG, from the member (the caller has checked the From), speaks
 * for them: it came to the reply address of TOKEN (the prompt's; NULL when
 * there is none), which only they were given, or a trusted server vouches
 * for its From.  *why says why or why not.  Caller frees. */
gboolean trust_vouched(const struct message *msg, const char *token,
    char **why);

#endif
