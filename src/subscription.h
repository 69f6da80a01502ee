/* Digest lists: people follow a team's digests by mail, as on any mailing
 * list.  Subscribing is double opt-in: a request (LOCAL+TEAM-subscribe@,
 * or "subscribe" as the subject or first line of a mail to LOCAL+TEAM@ or
 * of a reply to a digest) records the subscription as pending and asks
 * for a confirmation, a reply to LOCAL+TEAM-confirm-TOKEN@ from the same
 * address; only then do digests come.  Leaving takes the token of the
 * List-Unsubscribe address (LOCAL+TEAM-unsubscribe-TOKEN@), or a
 * confirmation of a plain "unsubscribe".  Bounces (counted by
 * take-bounce.c) raise a subscription's score; past [digests]
 * bounce-threshold, delivery stops and the team's owners are told.
 *
 * Tokens are HMACs (token.c) of the team and the address, so a token for
 * one person or team, or for subscribing, does nothing else. */
#ifndef TIDINGS_SUBSCRIPTION_H
#define TIDINGS_SUBSCRIPTION_H

#include <glib.h>

#include "message.h"

struct take;
struct tidings_ctx;
struct subscription;

/* Records EMAIL's request to follow TEAM and queues the mail that asks
 * them to confirm; with CONFIRMED (an owner vouches, on the command line)
 * the subscription is active at once and a welcome is queued instead.
 * FORMAT may be NULL.  *out (may be NULL) gets the subscription. */
gboolean subscription_request(struct tidings_ctx *env, const char *team,
    const char *email, const char *format, gboolean confirmed, gint64 now,
    struct subscription **out, GError **error);

/* Ends EMAIL's subscription to TEAM (a goodbye is queued when NOTIFY). */
gboolean subscription_end(struct tidings_ctx *env, const char *team,
    const char *email, gboolean notify, gint64 now, GError **error);

/* Ends SUB (found by subscription_by_link()) and queues the goodbye;
 * HOW says how, for the owner ("a one-click link").  A subscription
 * ended already stays as it is. */
gboolean subscription_end_by(struct tidings_ctx *env,
    const struct subscription *sub, const char *how, gint64 now,
    GError **error);

/* The subscription whose List-Unsubscribe link (BASE/u/TOKEN) carries
 * TOKEN, whatever its state; NULL with STORE_ERROR_NOT_FOUND when no
 * subscription has it.  Caller frees. */
struct subscription *subscription_by_link(struct tidings_ctx *env,
    const char *token, GError **error);

/* Takes the list command the filters found in the mail T takes.  Runs in
 * the caller's transaction. */
gboolean subscription_take(struct tidings_ctx *env, struct take *t,
    GError **error);

/* Counts the bounce R (of mail tidings sent, as take-bounce.c found)
 * against every active subscription of its address; past [digests]
 * bounce-threshold, delivery stops and the team's owners are told once.
 * Runs in the caller's transaction. */
gboolean subscription_bounced(struct tidings_ctx *env, struct take *tk,
    const struct bounce_recipient *r, GError **error);

/* Whether MSG is a list command (including a word-address naming a team,
 * whose command is in the subject or first line). */
gboolean subscription_is_command(struct tidings_ctx *env,
    const struct message *msg);

/* The List-* headers of SUB's copy of a digest, as NAME, VALUE pairs in
 * a NULL-terminated array (for render_headers.extra).  Caller frees with
 * g_strfreev(). */
char **subscription_list_headers(struct tidings_ctx *env,
    const struct subscription *sub, GError **error);

#endif
