/* Check-ins at work: asking each member at the right local time, reminding
 * those who have not answered, closing what is over, and taking what the
 * answer filter found in a reply (answers per question, mail commands).
 *
 * Everything tidings says here goes to the outbox in the same transaction
 * as the change that causes it: a prompt row is claimed and its mail
 * queued together, or neither. */
#ifndef TIDINGS_CHECKIN_H
#define TIDINGS_CHECKIN_H

#include <glib.h>

#include "message.h"

struct conf;
struct render;
struct render_vars;
struct store;

/* What asking and answering need; fill it with checkin_env_init(). */
struct checkin_env {
	struct store *st;
	const struct conf *conf;
	struct render *render;
	const char *address;	/* tidings' own, From of every mail */
	char *domain;		/* of reply addresses and Message-IDs */
	GBytes *secret;		/* the key of tokens; read when first needed */
	gint64 catch_up;	/* seconds a missed prompt may still go late */
	gint64 digest_catch_up;	/* and a missed digest */
	/* The mail checkin_take() is taking, whose answers
	 * checkin_may_answer() weighs once: 0 not yet, 1 yes, -1 no. */
	const struct message *taking;
	int may_answer;
};

/* Fails with CONF_ERROR when the configuration has no address. */
gboolean checkin_env_init(struct checkin_env *env, struct store *st,
    const struct conf *conf, GError **error);
void checkin_env_clear(struct checkin_env *env);

struct checkin_stats {
	guint prompted;		/* prompts queued */
	guint skipped;		/* occurrences skipped: not a workday, away,
				   paused */
	guint reminded;
	guint closed;		/* prompts closed unanswered */
};

/* Asks everyone whose prompt is due at NOW (or was due within catch-up),
 * sends the reminders that are due and closes what is over.  Each prompt
 * is claimed once, in its own transaction with its mail. */
gboolean checkin_tick(struct checkin_env *env, gint64 now,
    struct checkin_stats *stats, GError **error);

/* When the next prompt or reminder is due after NOW, or 0 when nothing is
 * scheduled. */
gint64 checkin_next_due(struct checkin_env *env, gint64 now, GError **error);

/* The mail that the next prompt of each of EMAIL's check-ins would be
 * (not stored, not sent), in a GPtrArray of GBytes; *when gets the first
 * one's time. */
GPtrArray *checkin_preview(struct checkin_env *env, const char *email,
    gint64 now, gint64 *when, GError **error);

/* The lookup of the answer filter (filter_prompt_lookup); DATA is the
 * env. */
struct filter_ctx;
struct filter_prompt *checkin_lookup(struct filter_ctx *ctx,
    const char *token, GPtrArray *ids);

/* Records what the answer filter made of MSG, stored as mail ID: its
 * answers, or the effect of its command, with the reply that says so
 * queued.  Runs inside the caller's transaction. */
gboolean checkin_take(struct checkin_env *env, const struct message *msg,
    gint64 id, gint64 now, GError **error);

/* What the mail of check-ins and digest lists share. */
struct team;
/* The key of tokens, read from the secret file when first needed. */
GBytes *checkin_secret(struct checkin_env *env, GError **error);
/* "Title <team.DOMAIN>", TEAM's List-Id.  Caller frees. */
char *checkin_list_id(struct checkin_env *env, const struct team *team);
/* Queues RAW to TO in the outbox under dedupe KEY. */
gboolean checkin_queue(struct checkin_env *env, const char *kind,
    const char *key, const char *to, GBytes *raw, const char *message_id,
    const char *subject, gint64 now, GError **error);
/* Why tidings must never answer MSG, or NULL when it may: it has no From,
 * a null Return-Path, or is the mail of a machine (auto-replies, bounces,
 * reports: RFC 3834 Auto-Submitted and kin), of a list (List-Id,
 * List-Unsubscribe, Precedence: list, bulk or junk) or of tidings itself
 * (its marker header, its own address).  A static string. */
const char *checkin_no_answer(const struct checkin_env *env,
    const struct message *msg);
/* Whether the mail being taken may have an answer: every mail that a
 * received one causes tidings to send to anyone (replies to commands, list
 * notices, comment notices) asks here first.  TRUE when no mail is being
 * taken.  Otherwise checkin_no_answer(), then the rate limits of [limits],
 * counted in the store once per mail; past them the mail is still acted
 * on, its answer held back and logged once per sender and hour. */
gboolean checkin_may_answer(struct checkin_env *env, gint64 now,
    gboolean *may, GError **error);
/* Queues the answer to the command of MSG (stored as ID): template NAME
 * with VARS, to its sender, Auto-Submitted: auto-replied; nothing when
 * checkin_may_answer() says no. */
gboolean checkin_reply(struct checkin_env *env, const struct message *msg,
    gint64 id, const char *name, struct render_vars *vars, gint64 now,
    GError **error);

/* Parses the date of "pause until DATE" (2026-12-24, 24 December, monday,
 * tomorrow, "2 weeks") in ZONE: the start of that local day, after NOW.
 * Returns 0 with error set when the text is not a date. */
gint64 checkin_parse_until(const char *text, const char *zone, gint64 now,
    GError **error);

#endif
