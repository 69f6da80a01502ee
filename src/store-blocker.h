/* Blockers in the store: what stands in a member's way, with its history
 * and the team settings that follow it (escalation, and urgent mail's,
 * which share one row per team). */
#ifndef TIDINGS_STORE_BLOCKER_H
#define TIDINGS_STORE_BLOCKER_H

#include <glib.h>

struct store;

/* One blocker, with what a listing shows of it. */
struct blocker {
	gint64 id;
	gint64 team_id;
	char *team;		/* the team's name */
	gint64 person_id;
	char *email;
	char *name;		/* "" when the person has none */
	char *zone;		/* the member's */
	unsigned workdays;	/* the member's, bit 0 Monday */
	gint64 checkin_id;	/* 0 when the check-in is gone */
	char *checkin;		/* its title, or "" */
	char *text;		/* as last said */
	char *state;		/* open, escalated or resolved */
	gint64 opened_at;
	gint64 confirmed_at;	/* last said to stand */
	gint64 resolved_at;	/* 0 while open */
	gint64 escalated_at;	/* the last escalation, 0: none */
	int escalations;
	gint64 answer_id;	/* the last answer that said it, 0: none */
	char *helpers;		/* who commented on it, "Ana, Bo", or "" */
};
void blocker_free(struct blocker *b);
typedef struct blocker Blocker;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Blocker, blocker_free)

/* One step of a blocker's history. */
struct blocker_event {
	char *what;		/* opened, updated, confirmed, resolved,
				   escalated */
	char *text;		/* what was said, or to whom; may be NULL */
	gint64 at;
};
void blocker_event_free(struct blocker_event *e);

/* A team's settings for blockers and urgent mail (the defaults when it
 * never set any). */
struct team_alerts {
	gint64 team_id;
	int escalate_after;	/* workdays in the member's zone; 0: never */
	char *escalate_to;	/* NULL: the team's owners */
	char *urgent_senders;	/* addresses besides members, ", " */
	gint64 ack_within;	/* seconds */
	gboolean urgent_deep;	/* urgent mail may break deep work */
	char *oncall;		/* addresses in rotation order, ", " */
};
void team_alerts_free(struct team_alerts *a);
typedef struct team_alerts TeamAlerts;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TeamAlerts, team_alerts_free)

/* The default ack-within, in seconds. */
#define TEAM_ALERTS_ACK_WITHIN (15 * 60)

struct team_alerts *store_team_alerts_get(struct store *st, gint64 team_id,
    GError **error);
gboolean store_team_alerts_set(struct store *st, const struct team_alerts *a,
    GError **error);

/* PERSON_ID's open (or escalated) blocker in TEAM_ID in *OUT, NULL when
 * there is none.  Caller frees. */
gboolean store_blocker_current(struct store *st, gint64 team_id,
    gint64 person_id, struct blocker **out, GError **error);
/* Blocker ID; NULL with STORE_ERROR_NOT_FOUND when there is none. */
struct blocker *store_blocker_get(struct store *st, gint64 id,
    GError **error);
/* Opens a blocker saying TEXT, from ANSWER_ID (0: none); its id in *ID. */
gboolean store_blocker_open(struct store *st, gint64 team_id,
    gint64 person_id, gint64 checkin_id, const char *text, gint64 answer_id,
    gint64 now, gint64 *id, GError **error);
/* Blocker ID said to stand again: in new words TEXT (updated), or as it
 * was when TEXT is NULL (confirmed). */
gboolean store_blocker_confirm(struct store *st, gint64 id, const char *text,
    gint64 answer_id, gint64 now, GError **error);
/* Blocker ID is gone, for WHY ("none", "resolved by mail", ...). */
gboolean store_blocker_resolve(struct store *st, gint64 id, const char *why,
    gint64 answer_id, gint64 now, GError **error);
/* Blocker ID was mailed to TO. */
gboolean store_blocker_escalated(struct store *st, gint64 id, const char *to,
    gint64 now, GError **error);
/* TEAM's blockers (every team's when NULL): open and escalated ones, or
 * ALL, oldest first. */
GPtrArray *store_blocker_list(struct store *st, const char *team,
    gboolean all, GError **error);
/* What a digest of TEAM_ID for [START, END) shows: the blockers open at
 * its end, and those resolved within it. */
GPtrArray *store_blocker_digest(struct store *st, gint64 team_id,
    gint64 start, gint64 end, GError **error);
/* Blocker ID's history, oldest first. */
GPtrArray *store_blocker_events(struct store *st, gint64 id, GError **error);
/* Whether ANSWER_ID said a blocker (one of its history). */
gboolean store_blocker_has_answer(struct store *st, gint64 answer_id,
    gboolean *has, GError **error);

#endif
