/* The store's digest lists, written and read by store-subscription.c; the
 * store itself (opening, transactions, errors) is store.h's. */
#ifndef TIDINGS_STORE_SUBSCRIPTION_H
#define TIDINGS_STORE_SUBSCRIPTION_H

#include <glib.h>

#include "states.h"
#include "store.h"

/* Someone's subscription to a team's digests; members need none to be
 * asked, and subscribers need not be members. */
struct subscription {
	gint64 id;
	gint64 team_id;
	gint64 person_id;
	char *team;
	char *email;
	char *name;
	enum sub_state state;
	char *format;		/* alternative, mime, plain */
	char *token;		/* of its unsubscribe address */
	double bounce_score;
	gint64 requested_at;
	gint64 confirmed_at;	/* 0: never */
	gint64 ended_at;	/* 0: not ended */
	/* When the copies leave (subscription_copy_time()): its own zone
	 * and minute of the day, if set (NULL, -1), else the person's zone
	 * and the start of their working hours when they are a member. */
	char *zone;
	int at_minute;
	char *person_zone;
	int work_start;
	unsigned workdays;	/* bit 0 Monday .. bit 6 Sunday */
	gboolean member;	/* of any team */
	char *ended_by;		/* how it ended, for its owner; or NULL */
};
void subscription_free(struct subscription *s);
typedef struct subscription Subscription;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Subscription, subscription_free)

/* Records EMAIL's wish to follow TEAM (the person is made known when
 * new): a subscription that is not active becomes pending, with TOKEN,
 * FORMAT (NULL: as it was, or alternative) and a new request time; an
 * active one stays active.  Returns the subscription as it now stands. */
struct subscription *store_subscription_request(struct store *st,
    const char *team, const char *email, const char *token,
    const char *format, gint64 now, GError **error);
/* STATE active (confirmed now), unsubscribed or disabled (ended now). */
gboolean store_subscription_set_state(struct store *st, gint64 id,
    enum sub_state state, gint64 now, GError **error);
/* Records how subscription ID ended ("a one-click link", ...). */
gboolean store_subscription_ended_by(struct store *st, gint64 id,
    const char *how, GError **error);
/* By team and address, or by its token; STORE_ERROR_NOT_FOUND. */
struct subscription *store_subscription_get(struct store *st,
    const char *team, const char *email, GError **error);
struct subscription *store_subscription_by_token(struct store *st,
    const char *token, GError **error);
/* TEAM's subscriptions (NULL: every team's), or with ACTIVE only those
 * that receive digests; by team and address. */
GPtrArray *store_subscription_list(struct store *st, const char *team,
    gboolean active, GError **error);
/* The active subscriptions of the person with address EMAIL. */
GPtrArray *store_subscription_of(struct store *st, const char *email,
    GError **error);
/* Sets when subscription ID's copies leave: ZONE (NULL: as it was, "":
 * none of its own), AT_MINUTE (-2: as it was, -1: none of its own, else
 * minutes after local midnight), FORMAT (NULL: as it was). */
gboolean store_subscription_set_delivery(struct store *st, gint64 id,
    const char *zone, int at_minute, const char *format, GError **error);
/* Adds SCORE to subscription ID's bounce score; returns the new score,
 * or -1. */
double store_subscription_bounce(struct store *st, gint64 id, double score,
    GError **error);
/* Records a bounce of mail MESSAGE for RECIPIENT. */
gboolean store_bounce_add(struct store *st, const char *recipient,
    gint64 message, const char *status, gboolean hard, gint64 at,
    GError **error);

/* A digest sent: one team's period. */
struct digest_sent {
	gint64 id;
	gint64 team_id;
	char *team;
	gint64 start;
	gint64 end;
	char *message_id;
};
void digest_sent_free(struct digest_sent *d);
typedef struct digest_sent DigestSent;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DigestSent, digest_sent_free)

/* Claims TEAM_ID's digest of the period starting at START: inserts it
 * (*id set) unless it was claimed before (*claimed FALSE). */
gboolean store_digest_claim(struct store *st, gint64 team_id, gint64 start,
    gint64 end, const char *message_id, gint64 now, gint64 *id,
    gboolean *claimed, GError **error);
/* The end of TEAM_ID's last digest, or 0 when it has had none. */
gint64 store_digest_last_end(struct store *st, gint64 team_id,
    GError **error);
/* Of the N Message-IDs IDS, the digest of the first that is one (a
 * statement per STORE_DIGEST_IDS of them, not per id); NULL with
 * STORE_ERROR_NOT_FOUND when none is. */
#define STORE_DIGEST_IDS 16
struct digest_sent *store_digest_find_first(struct store *st,
    const char *const *ids, guint n, GError **error);
/* Records a comment by PERSON_ID (0: unknown) made in mail MESSAGE, on
 * answer ANSWER_ID or, with 0, on digest DIGEST_ID. */
gboolean store_comment_add(struct store *st, gint64 answer_id,
    gint64 digest_id, gint64 message, gint64 person_id, const char *text,
    gint64 now, GError **error);

#endif
