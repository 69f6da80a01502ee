/* Urgent mail that finds someone awake: mail to LOCAL+urgent-TEAM@ (or
 * LOCAL+urgent@ for the sender's own team) from a member or one of the
 * team's urgent-senders goes at once to the members in working hours now
 * (not away, not in deep work unless the team allows it, the on-call
 * rotation first); unacknowledged within the team's ack-within it goes to
 * those whose working day starts next, then to the owners; nobody working
 * anywhere sends it to the owners at once.  A reply "ack", "on it" or
 * "taking it" to a copy takes it; the sender is told who took it or to
 * whom it went. */
#ifndef TIDINGS_URGENT_H
#define TIDINGS_URGENT_H

#include <glib.h>

#include "message.h"

struct store;
struct take;
struct team_alerts;
struct tidings_ctx;

/* One person an urgent mail goes to, and why. */
struct urgent_target {
	char *email;
	char *name;		/* "" when none */
	char *why;		/* "14:05 in Lisbon" */
	gboolean oncall;
};
void urgent_target_free(struct urgent_target *t);

/* Who an urgent mail to TEAM, under its settings A, would go to at NOW
 * (never EXCEPT, its sender, may be NULL): the members in working hours,
 * the on-call rotation first; empty when nobody works now.  NULL on
 * failure. */
GPtrArray *urgent_route_now(struct store *st, const char *team,
    const struct team_alerts *a, const char *except, gint64 now,
    GError **error);

/* "An urgent mail now goes to: Ana Lima (on call, 14:05 in Lisbon)", or
 * that it goes to the owners, for `who`.  Caller frees. */
char *urgent_who_line(struct store *st, const char *team, gint64 now,
    GError **error);

/* Takes an urgent mail (the dispatcher checked the trust verdict). */
gboolean urgent_take(struct tidings_ctx *ctx, struct take *t,
    GError **error);

/* Whether MSG came to the reply address of a copy of an urgent mail. */
gboolean urgent_is_reply(struct tidings_ctx *ctx, const struct message *msg);
/* Takes a reply to a copy: an acknowledgement from its recipient, under
 * the trust rule with that copy's reply address, takes the urgent mail;
 * anything else (an auto-reply, another sender, other words) is kept and
 * changes nothing. */
gboolean urgent_take_reply(struct tidings_ctx *ctx, struct take *t,
    GError **error);

/* Whether LINE acknowledges: "ack", "on it", "taking it", ... */
gboolean urgent_says_ack(const char *line);

/* Escalates the urgent mail nobody acknowledged in time; *steps counts
 * the escalations (may be NULL). */
gboolean urgent_tick(struct tidings_ctx *ctx, gint64 now, guint *steps,
    GError **error);

#endif
