/* Threading: which conversation a stored mail belongs to.  JWZ's rules:
 * References, then In-Reply-To; a thread grows to take in mail that
 * arrived before its parent; replies whose references were lost join by
 * subject, but only a recent thread, so that weekly "Re: status" mails
 * weeks apart stay apart. */
#ifndef TIDINGS_THREAD_H
#define TIDINGS_THREAD_H

#include <glib.h>

struct store;
struct message;

/* Replies join a thread by subject only if it was active this recently. */
#define THREAD_SUBJECT_WINDOW (3 * 24 * 3600)

/* The thread of mail parsed as MSG, found or made, merging threads it
 * joins and widening the thread's dates to take it in; sets *thread.  The
 * caller stores the mail with it (store_message_processed()), in the same
 * transaction. */
gboolean thread_place(struct store *st, const struct message *msg,
    gint64 *thread, GError **error);

/* The subject without reply and forward prefixes in the common languages
 * or list tags, lower-cased; sets *reply when a prefix was removed.
 * Caller frees. */
char *thread_subject_key(const char *subject, gboolean *reply);
/* Makes MSG's subject_key and subject_reply, once: ingest's workers do,
 * so that the thread that stores mail need not (thread_place() and the
 * filters use them when made). */
void thread_key_prepare(struct message *msg);
/* MSG's subject key, made now into *own (caller frees) when not made. */
const char *thread_key_of(const struct message *msg, gboolean *reply,
    char **own);

#endif
