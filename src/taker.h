/* Takers: what tidings does with a received mail once the filters have
 * read it (meeting replies, out-of-office auto-replies, bounces, list
 * requests, digest comments, mail commands, check-in answers).  Each taker
 * is one file, take-*.c, exporting one const struct taker (take-command.c
 * two: the commands that change state and those that only ask;
 * take-comment.c two: comments and replies to a digest with no text of
 * their own; take-answer.c two: answers, and the member's confirmation of
 * answers that came to the team's address); takers.c holds their ordered
 * table and the dispatcher (takers.h). */
#ifndef TIDINGS_TAKER_H
#define TIDINGS_TAKER_H

#include <glib.h>

#include "message.h"

struct tidings_ctx;

/* One received mail as it is taken: handed to the taker, and to every
 * flow that may answer it (replies.h). */
struct take {
	const struct message *msg;
	gint64 id;		/* the stored mail's */
	gint64 now;
	/* The trust verdict (trust.h), decided once by the dispatcher, and
	 * why it holds or not. */
	gboolean trusted;
	const char *why;
	/* The memo of the reply policy (reply_may()): 0 not weighed yet,
	 * 1 it may be answered, -1 it may not. */
	int may_answer;
	/* What the taker's prepare made of the mail, or NULL. */
	gpointer prepared;
};

struct taker {
	const char *name;
	/* Whether the mail T takes is this taker's; the first taker of the
	 * table that says yes takes it, and no other. */
	gboolean (*match)(struct tidings_ctx *ctx, const struct take *t);
	/* Whether it changes what tidings holds or does for someone: then
	 * the dispatcher hands it the mail only when the trust verdict
	 * holds, and otherwise records why not. */
	gboolean changes_state;
	/* May be NULL.  The taker's own proof that the sender is who the
	 * mail speaks for, which the dispatcher asks before the trust rule
	 * (trust_verdict_proof()): TRUE when the mail came to an address
	 * tidings gave that person alone for what the mail is about (an
	 * attendee's address for a meeting).  *why (caller frees) says why
	 * or why not. */
	gboolean (*vouch)(struct tidings_ctx *ctx, const struct take *t,
	    char **why);
	/* Acts on the mail, in the caller's transaction; FALSE with ERROR
	 * set undoes what it did (a store error is tried again later,
	 * anything else quarantines the mail). */
	gboolean (*take)(struct tidings_ctx *ctx, struct take *t,
	    GError **error);
	/* May be NULL.  Reads and computes, before the transaction and
	 * writing nothing, what take will store (the calendars of an
	 * availability mail), so that the write lock is held only for the
	 * writes; take finds it in t->prepared, and prepared_free frees it. */
	gpointer (*prepare)(struct tidings_ctx *ctx, const struct take *t);
	void (*prepared_free)(gpointer prepared);
};

extern const struct taker taker_itip;
extern const struct taker taker_accept;
extern const struct taker taker_autoreply;
extern const struct taker taker_bounce;
extern const struct taker taker_list;
extern const struct taker taker_comment;
extern const struct taker taker_comment_empty;
extern const struct taker taker_command;
extern const struct taker taker_query;
extern const struct taker taker_blocker;
extern const struct taker taker_urgent;
extern const struct taker taker_urgent_reply;
extern const struct taker taker_answer;
extern const struct taker taker_answer_confirm;

/* The vouch of mail that came back to a bounce address (verp.h) of a
 * mail tidings sent to its From: only that mailbox, and its responder,
 * saw the address (take-bounce.c).  An out-of-office reply goes to the
 * envelope sender, so this is how a real responder's reply is known. */
gboolean take_bounce_vouch(struct tidings_ctx *ctx, const struct take *t,
    char **why);

#endif
