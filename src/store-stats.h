/* The store's side of the pulse (store-stats.c; the figures are
 * stats.c's): a team's prompts and blockers over a period as the few
 * numbers stats.c needs, and the answer rate of a period in one
 * aggregate. */
#ifndef TIDINGS_STORE_STATS_H
#define TIDINGS_STORE_STATS_H

#include <glib.h>

struct store;

/* The prompts of the current members of TEAM_ID due in [FROM, TO), with
 * what became of each at NOW: struct stats_prompt *, ordered by person,
 * then due time.  A prompt still sent after it closed counts as missed. */
GPtrArray *store_stats_prompts(struct store *st, gint64 team_id, gint64 from,
    gint64 to, gint64 now, GError **error);

/* How many prompts of TEAM_ID due in [FROM, TO) were asked (answered or
 * missed at NOW) and answered, in one aggregate. */
gboolean store_stats_rate(struct store *st, gint64 team_id, gint64 from,
    gint64 to, gint64 now, guint *asked, guint *answered, GError **error);

/* TEAM_ID's blockers open at some time in [FROM, TO): struct
 * stats_blocker *, for stats_add_blockers(). */
GPtrArray *store_stats_blockers(struct store *st, gint64 team_id,
    gint64 from, gint64 to, GError **error);

#endif
