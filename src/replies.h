/* The reply policy and replies: whether a received mail may be answered
 * at all (never a machine, a list or tidings itself) and how often (the
 * rate limits of [limits]), and the mail that answers it; with what every
 * mail tidings sends shares (its List-Id, its place in the outbox). */
#ifndef TIDINGS_REPLIES_H
#define TIDINGS_REPLIES_H

#include <glib.h>

#include "message.h"

struct render_vars;
struct take;
struct team;
struct tidings_ctx;

/* "Title <team.DOMAIN>", TEAM's List-Id.  Caller frees. */
char *reply_list_id(struct tidings_ctx *ctx, const struct team *team);

/* Queues RAW to TO in the outbox under dedupe KEY. */
gboolean reply_queue(struct tidings_ctx *ctx, const char *kind,
    const char *key, const char *to, GBytes *raw, const char *message_id,
    const char *subject, gint64 now, GError **error);

/* Why tidings must never answer MSG, or NULL when it may: it has no From,
 * the filters found it tidings' own, a bounce or a machine's, or
 * detect_machine() (filters/detect.h, the rule the filters follow too)
 * says tidings, a machine or a list sent it.  A static string. */
const char *reply_no_answer(const struct tidings_ctx *ctx,
    const struct message *msg);

/* Whether the mail T takes may have an answer: every mail that a received
 * one causes tidings to send to anyone (replies to commands, list notices,
 * comment notices) asks here first.  TRUE when T is NULL (no mail is
 * taken: the command line) or takes a bounce (what it causes goes to the
 * owners, not to its sender).  Otherwise reply_no_answer(), then the rate
 * limits of [limits], counted in the store once per mail (the verdict is
 * kept in T); past them the mail is still acted on, its answer held back
 * and logged once per sender and hour. */
gboolean reply_may(struct tidings_ctx *ctx, struct take *t, gboolean *may,
    GError **error);

/* Queues the answer to the mail T takes: template NAME with VARS, to its
 * sender, Auto-Submitted: auto-replied; nothing when reply_may() says
 * no. */
gboolean reply_send(struct tidings_ctx *ctx, struct take *t,
    const char *name, struct render_vars *vars, GError **error);
/* reply_send() under DEDUPE_KEY (NULL: one answer for the mail), so that
 * one answer goes out for many mails: "once for each digest". */
gboolean reply_send_keyed(struct tidings_ctx *ctx, struct take *t,
    const char *name, struct render_vars *vars, const char *dedupe_key,
    GError **error);

#endif
