/* The trust rule (README "Trust"): anyone can write a member's address in
 * From:, so a mail speaks for the member only when it comes from the
 * address tidings asked and either reached the member's own reply address
 * or carries a trusted server's word for its From (DKIM aligned with the
 * From domain, or DMARC: filters/auth.c). */
#ifndef TIDINGS_TRUST_H
#define TIDINGS_TRUST_H

#include <glib.h>

#include "message.h"

struct store;

/* Whether addresses A and B are the same (neither NULL), without case. */
gboolean trust_same_address(const char *a, const char *b);

/* Whether MSG, from the member (the caller has checked the From), speaks
 * for them: it came to the reply address of TOKEN (the prompt's; NULL when
 * there is none), which only they were given, or a trusted server vouches
 * for its From.  *why says why or why not.  Caller frees. */
gboolean trust_vouched(const struct message *msg, const char *token,
    char **why);

/* The one verdict on MSG, which the dispatcher hands to every taker: its
 * sender is the person it speaks for (the member its prompt asked, or its
 * From) and trust_vouched() holds, with the prompt's token looked up in ST.
 * *why says why or why not.  Caller frees. */
gboolean trust_verdict(struct store *st, const struct message *msg,
    char **why);

/* The same verdict for a taker with a proof of its own (struct taker's
 * vouch): when HOLDS, the mail came to an address only the person it
 * speaks for was given, and PROOF says so; otherwise trust_verdict()
 * decides, and *why says why the proof did not hold (PROOF, may be NULL)
 * as well. */
gboolean trust_verdict_proof(struct store *st, const struct message *msg,
    gboolean holds, const char *proof, char **why);

#endif
