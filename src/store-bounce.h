/* The store's bounces (store-bounce.c; the logic is take-bounce.c's):
 * which mail tidings sent a bounce address stands for, and the bounce
 * score of a person's address. */
#ifndef TIDINGS_STORE_BOUNCE_H
#define TIDINGS_STORE_BOUNCE_H

#include <glib.h>

struct store;

/* One recipient of a mail tidings sent, found by its bounce token. */
struct bounce_mail {
	gint64 outbox_id;
	char *key;		/* the outbox's dedupe key, which the token signs */
	char *kind;		/* prompt, reminder, digest, ... */
	char *address;		/* the recipient */
	gint64 sent_at;
};
void bounce_mail_free(struct bounce_mail *b);
typedef struct bounce_mail BounceMail;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BounceMail, bounce_mail_free)

/* The recipient whose mail was sent with the bounce address of TOKEN
 * (lower case); STORE_ERROR_NOT_FOUND when no mail sent has it. */
struct bounce_mail *store_bounce_mail(struct store *st, const char *token,
    GError **error);

/* Records a counted bounce of mail MESSAGE (stored), reporting outbox
 * mail OUTBOX (0: unknown) to RECIPIENT. */
gboolean store_bounce_record(struct store *st, const char *recipient,
    gint64 message, gint64 outbox, const char *status, gboolean hard,
    gint64 at, GError **error);

/* Whether a bounce of outbox mail OUTBOX was counted already. */
gboolean store_bounce_counted(struct store *st, gint64 outbox,
    gboolean *counted, GError **error);

/* What is known of the mail to one person's address. */
struct mail_health {
	double score;		/* bounce score since mail last got through */
	gint64 since;		/* the first of those bounces; 0: none */
	gint64 dead_at;		/* past the threshold; 0: alive */
};

/* Adds SCORE to the bounce score of the person with address EMAIL (a
 * known person: FALSE with STORE_ERROR_NOT_FOUND otherwise), the first
 * bounce setting since to NOW; *out gets the result. */
gboolean store_person_bounce(struct store *st, const char *email,
    double score, gint64 now, struct mail_health *out, GError **error);

/* Marks EMAIL's address dead at NOW (FALSE: it was dead already). */
gboolean store_person_mail_dead(struct store *st, const char *email,
    gint64 now, gboolean *changed, GError **error);

/* Clears EMAIL's bounces: mail gets through again. */
gboolean store_person_mail_ok(struct store *st, const char *email,
    GError **error);

/* What is known of EMAIL's mail; all zero for an unknown address. */
gboolean store_person_mail_health(struct store *st, const char *email,
    struct mail_health *out, GError **error);

/* A member whose address is dead, for a team's listings. */
struct mail_dead {
	char *email;
	char *name;
	gint64 since;		/* the first bounce counted */
	gint64 dead_at;
};
void mail_dead_free(struct mail_dead *m);

/* The members of team TEAM_ID whose address is dead, by address: an
 * array of struct mail_dead *, freeing its elements. */
GPtrArray *store_team_mail_dead(struct store *st, gint64 team_id,
    GError **error);

#endif
