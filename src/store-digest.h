/* The store's digests, written and read by store-digest.c; the store itself
 * (opening, transactions, errors) is store.h's. */
#ifndef TIDINGS_STORE_DIGEST_H
#define TIDINGS_STORE_DIGEST_H

#include <glib.h>

#include "store.h"

/* A counted, current answer (counted = 1, not superseded) as a digest
 * reads it, with its check-in, question, person and prompt. */
struct digest_row {
	gint64 checkin_id;
	char *checkin;		/* the check-in's title */
	gint64 question_id;
	int position;		/* the question's; negative when retired */
	char *question;
	gboolean blocker;	/* the check-in's blocker question */
	gboolean retired;
	gint64 answer_id;
	gint64 message;		/* the stored reply */
	gint64 prompt_id;
	gint64 person_id;
	char *email;
	char *name;		/* "" when the person has none */
	char *zone;
	char *text;
	gint64 created_at;
	gint64 due_at;		/* the prompt's */
	gint64 closes_at;
};
void digest_row_free(struct digest_row *row);

/* The counted, current answers to TEAM_ID's check-ins received in
 * [START, END), by check-in (title), question (current ones by position,
 * retired ones after), person (name or address, any case) and time; an
 * array of struct digest_row *, freeing its elements.  With COMMENTED,
 * instead the answers received before START that have comments made in
 * [START, END). */
GPtrArray *store_digest_answers(struct store *st, gint64 team_id,
    gint64 start, gint64 end, gboolean commented, GError **error);

/* One earlier prompt's answer, for how long a blocker has stood. */
struct digest_history {
	gint64 prompt_id;
	gint64 due_at;
	gboolean blocker;	/* an answer to the blocker question */
	char *text;		/* NULL: the prompt has no counted answer */
};
void digest_history_free(struct digest_history *h);
/* The counted, current answers of PERSON_ID to the prompts of CHECKIN_ID
 * due before BEFORE, newest prompt first (a prompt without answers once,
 * with text NULL), at most LIMIT rows. */
GPtrArray *store_digest_history(struct store *st, gint64 checkin_id,
    gint64 person_id, gint64 before, int limit, GError **error);

/* The prompts of TEAM_ID's check-ins due in [START, END) in state sent,
 * missed or skipped, by check-in and name: struct prompt *, with
 * checkin_id, person_id, email, name, state and skip_reason set. */
GPtrArray *store_digest_prompts(struct store *st, gint64 team_id,
    gint64 start, gint64 end, GError **error);

/* A member away (availability of kind away, not recurring) at some time
 * in a period. */
struct digest_away_row {
	gint64 person_id;
	char *email;
	char *name;
	gint64 until;		/* 0: no end given */
	char *summary;		/* may be NULL */
};
void digest_away_row_free(struct digest_away_row *row);
/* The members of TEAM_ID away at some time in [START, END), by name. */
GPtrArray *store_digest_away(struct store *st, gint64 team_id, gint64 start,
    gint64 end, GError **error);

/* A comment made by replying to a digest. */
struct digest_comment_row {
	gint64 id;
	gint64 answer_id;	/* 0: on a digest */
	gint64 digest_id;	/* 0: on an answer */
	char *author;		/* display name, address, or the sender's */
	char *text;
	gint64 created_at;
};
void digest_comment_row_free(struct digest_comment_row *row);
/* The comments made in [START, END) on answers to TEAM_ID's check-ins or
 * on TEAM_ID's digests, oldest first. */
GPtrArray *store_digest_comments(struct store *st, gint64 team_id,
    gint64 start, gint64 end, GError **error);

#endif
