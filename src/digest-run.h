/* Digests at work: when each team's is due (its RRULE in the team's zone),
 * the period claimed once, and one copy queued per active subscriber in
 * the same transaction, each with its own List-Unsubscribe token and due in
 * its reader's own morning (digest_copy_time()), rendered once for all,
 * under one Message-ID per team and period, so that a digest goes out once
 * per subscriber even across restarts.  Replies to a digest become
 * comments on the answer they quote (or on the digest), mailed to the
 * answer's author and shown in the next digest. */
#ifndef TIDINGS_DIGEST_RUN_H
#define TIDINGS_DIGEST_RUN_H

#include <glib.h>

#include "message.h"

struct take;
struct tidings_ctx;

struct digest_stats {
	guint digests;		/* periods claimed */
	guint mails;		/* copies queued */
	guint quiet;		/* periods with nothing new, not sent */
};

/* Sends every team's digest that is due at NOW. */
gboolean digest_tick(struct tidings_ctx *env, gint64 now,
    struct digest_stats *stats, GError **error);

/* When the next digest is due after NOW, or 0 when none is scheduled. */
gint64 digest_next_due(struct tidings_ctx *env, gint64 now, GError **error);

struct subscription;
struct team;

/* When SUB's copy of a digest of T gathered at GATHERED leaves: at the
 * minute of the day of the subscription (or, for a member, the start of
 * their working hours) in its zone (or the member's, or the team's), on
 * the person's workdays, at GATHERED or after; GATHERED itself when the
 * subscriber has no hour of their own. */
gint64 digest_copy_time(const struct team *t, const struct subscription *sub,
    gint64 gathered);

/* Claims TEAM's digest of [START, END) and queues it for every active
 * subscriber, in one transaction; *claimed is FALSE (and nothing is
 * queued) when that period went out before.  *mails gets the copies. */
gboolean digest_send(struct tidings_ctx *env, const char *team, gint64 start,
    gint64 end, gint64 now, gboolean *claimed, guint *mails,
    GError **error);

/* The period a digest of TEAM sent at NOW would cover: from the end of the
 * last one (or the rule's previous time, or the team's creation). */
gboolean digest_period(struct tidings_ctx *env, const char *team, gint64 now,
    gint64 *start, GError **error);

/* Whether MSG replies to a digest (and is no command). */
gboolean digest_is_comment(struct tidings_ctx *env, const struct message *msg);

/* Records the mail T takes, a reply to a digest, as a comment on the
 * answer it quotes or on the digest, and queues it to the answer's
 * author.  Runs in the caller's transaction. */
gboolean digest_take_comment(struct tidings_ctx *env, struct take *t,
    GError **error);

#endif
