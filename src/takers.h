/* The takers' table and its dispatcher: the one place that decides what
 * becomes of a received mail after the filters (see taker.h). */
#ifndef TIDINGS_TAKERS_H
#define TIDINGS_TAKERS_H

#include <glib.h>

#include "message.h"

struct filter_ctx;
struct filter_prompt;
struct tidings_ctx;

/* The taker that matches MSG, and what it reads and computes before the
 * transaction (its prepare); for takers_dispatch().  NULL when none
 * matches: then there is nothing to dispatch. */
struct takers_prepared;
struct takers_prepared *takers_prepare(struct tidings_ctx *ctx,
    const struct message *msg, gint64 now);
void takers_prepared_free(struct takers_prepared *prep);

/* Hands MSG, stored as mail ID, to the first taker of the table that
 * matches it (the one of PREP, what takers_prepare() made of it; or,
 * without PREP, the one found now).  Runs inside the caller's
 * transaction. */
gboolean takers_dispatch(struct tidings_ctx *ctx, const struct message *msg,
    gint64 id, gint64 now, const struct takers_prepared *prep,
    GError **error);

/* The prompt a reply answers, for the answer filter (filter_prompt_lookup;
 * its lookup_data is the struct tidings_ctx): found by the token of its
 * reply address or by the Message-IDs it refers to, and signed with this
 * secret.  In take-answer.c. */
struct filter_prompt *take_answer_lookup(struct filter_ctx *fctx,
    const char *token, GPtrArray *ids);

#endif
