/* Threading: which conversation a stored mail belongs to, by JWZ's rules:
 * References, then In-Reply-To; a thread grows to take in mail that
 * arrived before its parent; replies whose references were lost join by
 * subject, but only a recent thread, so that weekly "Re: status" mails
 * weeks apart stay apart.  This file decides; it reads and writes
 * nothing.  Ingest asks the store what the decision needs and carries it
 * out (ingest.c, place_thread()). */
#ifndef TIDINGS_THREAD_H
#define TIDINGS_THREAD_H

#include <glib.h>

struct message;

/* Replies join a thread by subject only if it was active this recently. */
#define THREAD_SUBJECT_WINDOW (3 * 24 * 3600)

/* How a mail finds its thread. */
enum thread_step {
	THREAD_JOIN,		/* the threads of its relatives, merged */
	THREAD_BY_SUBJECT,	/* a recent thread of its subject, if any */
	THREAD_NEW,		/* a thread of its own, at thread_root() */
};

/* The Message-IDs that place MSG: its own (for a thread rooted at it, or
 * another copy), its references and In-Reply-To unless already among them.  The array
 * points into MSG. */
GPtrArray *thread_placing_ids(const struct message *msg);
/* The step for a mail with NIDS placing ids, of which the store knows
 * threads for NRELATIVES, whose subject key is KEY (REPLY when it had a
 * reply prefix).  Only mail with no references at all is threaded by
 * subject: one whose parent is merely unseen gets its own thread, which
 * mends when the parent comes. */
enum thread_step thread_plan(guint nids, guint nrelatives, const char *key,
    gboolean reply);
/* Where a new thread for MSG is rooted: where its references start. */
const char *thread_root(const struct message *msg);

#endif
