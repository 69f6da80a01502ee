/* Subject keys: what is left of a subject when reply and forward
 * prefixes and list tags are gone, for threading replies whose references
 * were lost.  Pure: no store, no I/O, so that filters may use it. */
#ifndef TIDINGS_SUBJECT_H
#define TIDINGS_SUBJECT_H

#include <glib.h>

struct message;

/* The subject without reply and forward prefixes in the common languages
 * or list tags, lower-cased; sets *reply when a prefix was removed.
 * Caller frees. */
char *subject_key(const char *subject, gboolean *reply);
/* Makes MSG's subject_key and subject_reply, once: ingest's workers do,
 * so that the thread that stores mail need not (threading and the
 * filters use them when made). */
void subject_key_prepare(struct message *msg);
/* MSG's subject key, made now into *own (caller frees) when not made. */
const char *subject_key_of(const struct message *msg, gboolean *reply,
    char **own);

#endif
