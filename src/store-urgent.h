/* Urgent mail in the store: each one sent to a team, where it stands,
 * and every step of it (sent to someone, taken, escalated, told, held). */
#ifndef TIDINGS_STORE_URGENT_H
#define TIDINGS_STORE_URGENT_H

#include <glib.h>

struct store;

struct urgent {
	gint64 id;
	gint64 team_id;
	char *team;		/* the team's name */
	gint64 message;		/* the stored mail (messages.id) */
	char *sender;
	char *subject;
	char *state;		/* open, taken, owners, held */
	int step;		/* 0 working now, 1 next zone, 2 owners */
	gint64 next_at;		/* the next escalation; 0: none */
	char *taken_by;		/* the address of who took it, or NULL */
	gint64 created_at;
};
void urgent_free(struct urgent *u);
typedef struct urgent Urgent;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Urgent, urgent_free)

struct urgent_step {
	char *what;		/* sent, taken, escalated, told, held,
				   ignored */
	char *email;		/* whom it concerns, or NULL */
	char *detail;		/* why, or NULL */
	gint64 at;
};
void urgent_step_free(struct urgent_step *s);

/* Records urgent mail MESSAGE from SENDER to TEAM_ID in STATE; its id in
 * *ID. */
gboolean store_urgent_add(struct store *st, gint64 team_id, gint64 message,
    const char *sender, const char *subject, const char *state, gint64 now,
    gint64 *id, GError **error);
/* Sets where urgent ID stands: STATE, STEP, the next escalation (0:
 * none), and who took it (NULL: nobody). */
gboolean store_urgent_set(struct store *st, gint64 id, const char *state,
    int step, gint64 next_at, const char *taken_by, GError **error);
/* Adds a step to urgent ID's history; TOKEN (may be NULL) is the reply
 * address's of a copy sent. */
gboolean store_urgent_step(struct store *st, gint64 id, const char *what,
    const char *email, const char *detail, const char *token, gint64 now,
    GError **error);
/* Urgent ID; STORE_ERROR_NOT_FOUND when there is none. */
struct urgent *store_urgent_get(struct store *st, gint64 id, GError **error);
/* The urgent mail of TEAM (every team's when NULL), newest first. */
GPtrArray *store_urgent_list(struct store *st, const char *team,
    GError **error);
/* Open urgent mail whose next escalation is due at NOW. */
GPtrArray *store_urgent_due(struct store *st, gint64 now, GError **error);
/* Urgent ID's steps, oldest first. */
GPtrArray *store_urgent_steps(struct store *st, gint64 id, GError **error);
/* The copy whose reply address had TOKEN (any case): its urgent mail in
 * *ID and its recipient in *EMAIL (caller frees); *ID 0 when none. */
gboolean store_urgent_by_token(struct store *st, const char *token,
    gint64 *id, char **email, GError **error);
/* How many urgent mails SENDER (or, when NULL, anyone to TEAM_ID) sent
 * since SINCE; -1 on failure. */
gint64 store_urgent_count(struct store *st, const char *sender,
    gint64 team_id, gint64 since, GError **error);

#endif
