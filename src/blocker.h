/* Blockers followed until they are gone: opened by an answer to a
 * check-in's blocker question that is not "none", asked about in the
 * member's next prompt, closed by "none" or "resolved", commented on from
 * the digest, and escalated to the team's owners (or another address)
 * after the team's --escalate-after workdays in the member's zone. */
#ifndef TIDINGS_BLOCKER_H
#define TIDINGS_BLOCKER_H

#include <glib.h>

struct blocker;
struct store;
struct take;
struct tidings_ctx;

/* Follows the blocker of the answer T took (the answers of the mail are
 * stored already): opens, updates, confirms or resolves the member's
 * blocker.  Nothing when the trust verdict does not hold or the answer
 * was not counted. */
gboolean blocker_take_answer(struct tidings_ctx *ctx, struct take *t,
    GError **error);

/* Whether LINE, on its own, says a blocker is gone ("resolved",
 * "erledigt", ...). */
gboolean blocker_says_resolved(const char *line);

/* "2d" (or "2", "2 days", "2 workdays") as 2 workdays; "off", "none" and
 * "0" as 0.  FALSE with a VALUE_ERROR otherwise. */
gboolean blocker_parse_after(const char *text, int *days, GError **error);

/* When B is to be escalated next: AFTER workdays of its member, in their
 * zone, after it was last escalated (or opened). */
gint64 blocker_escalation_due(const struct blocker *b, int after);

/* Escalates every open blocker whose time has come; *escalated counts
 * them (may be NULL). */
gboolean blocker_tick(struct tidings_ctx *ctx, gint64 now, guint *escalated,
    GError **error);

/* Resolves blocker ID by hand (`tidings blocker resolve`); a
 * STORE_ERROR_EXISTS when it is resolved already. */
gboolean blocker_resolve(struct store *st, gint64 id, gint64 now,
    GError **error);

#endif
