/* The store's mail, written and read by store-message.c; the store itself
 * (opening, transactions, errors) is store.h's. */
#ifndef TIDINGS_STORE_MESSAGE_H
#define TIDINGS_STORE_MESSAGE_H

#include <glib.h>

#include "store.h"

struct message;
struct rawfile;

/* A stored mail as listings and commands see it. */
struct message_row {
	gint64 id;
	char *message_id;
	char *content_hash;
	gboolean conflict;	/* another mail has the same Message-ID */
	gint64 thread_id;	/* 0 when not threaded */
	char *parent;		/* Message-ID of the parent, or NULL */
	char *in_reply_to;
	char *refs;		/* space-separated */
	char *sender;
	char *sender_name;
	char *subject;
	gint64 date;
	gint64 received_at;
	char *source;		/* mda, import, imap:FOLDER */
	char *kind;		/* reply, autoreply, bounce, ... */
	char *state;		/* new, processed, dropped, quarantined */
	char *reason;
	char *body_text;
	char *snippet;		/* search results only */
	gint64 size;		/* of the raw mail */
	/* Whether it speaks for the member it is bound to, and why (or why
	 * not); trust_reason is NULL for mail bound to nobody. */
	gboolean trusted;
	char *trust_reason;
	/* Attempts to process it that started and did not finish: 0 once
	 * processed, 1 while the first runs. */
	int attempts;
};
void message_row_free(struct message_row *row);
typedef struct message_row MessageRow;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MessageRow, message_row_free)

/*
 * Keeps RAW, the mail exactly as received, in state "new" (or, with REASON
 * set, "quarantined").  Sets *id.  When the same Message-ID with the same
 * content is already stored, nothing is written, *duplicate is set and *id
 * and *state name the stored copy (caller frees *state); the same
 * Message-ID with other content is stored and flagged as a conflict.
 */
gboolean store_message_add(struct store *st, const char *message_id,
    const char *content_hash, GBytes *raw, const char *source,
    gint64 received_at, const char *reason, gint64 *id, gboolean *duplicate,
    char **state, GError **error);
/* store_message_add() of the mail in FILE, read from it a piece at a
 * time (rawfile.h).  It fails, with a G_FILE_ERROR, when the file no
 * longer reads as it did: the caller's transaction, rolled back, then
 * keeps nothing of the mail. */
gboolean store_message_add_file(struct store *st, const char *message_id,
    const char *content_hash, const struct rawfile *file, const char *source,
    gint64 received_at, const char *reason, gint64 *id, gboolean *duplicate,
    char **state, GError **error);
/* The stored copy of a mail with this Message-ID and content: sets *id,
 * and *state (caller frees), or *id to 0 when there is none, with
 * *other_content set when copies with other content are stored. */
gboolean store_message_find_copy(struct store *st, const char *message_id,
    const char *content_hash, gint64 *id, char **state,
    gboolean *other_content, GError **error);
/* Stores mail processed in the same transaction that keeps it, in one
 * write of each row: MSG's raw bytes and what parsing and the filters made
 * of it, in STATE (processed or dropped) and THREAD, with its references
 * for threading.  For mail store_message_find_copy() found no copy of;
 * CONFLICT is its *other_content.  Sets *id. */
gboolean store_message_add_processed(struct store *st,
    const struct message *msg, const char *source, gint64 received_at,
    const char *state, gint64 thread, gboolean conflict, gint64 *id,
    GError **error);
/* Records what parsing and the filters made of stored mail ID, in STATE
 * (processed or dropped) and THREAD, with its references for threading. */
gboolean store_message_processed(struct store *st, gint64 id,
    const struct message *msg, const char *state, gint64 thread,
    GError **error);
gboolean store_message_quarantine(struct store *st, gint64 id,
    const char *reason, GError **error);
/* The reason of mail that waits, "new", to be processed again. */
#define STORE_DEFERRED_PREFIX "deferred: "

/* Makes quarantined mail ID "new" again, to be processed once more. */
gboolean store_message_retry(struct store *st, gint64 id, GError **error);
/* Notes why mail ID waits, leaving it "new" to be processed again, with no
 * attempt counted against it. */
gboolean store_message_defer(struct store *st, gint64 id, const char *reason,
    GError **error);
/* Quarantines, with REASON, the mail of content hash HASH that is still
 * "new"; returns how many rows, or -1 with error set.  A scan: for the
 * rare mail tidings crashed on. */
gint64 store_message_quarantine_hash(struct store *st, const char *hash,
    const char *reason, GError **error);
/* Counts an attempt to process mail ID as started; returns how many have
 * started and not finished, this one included, or -1 with error set. */
int store_message_attempt(struct store *st, gint64 id, GError **error);
/* Gives stored mail ID the Message-ID its parse found (it was kept under
 * one made of its hash); CONFLICT: other content has that Message-ID. */
gboolean store_message_rename(struct store *st, gint64 id,
    const char *message_id, gboolean conflict, GError **error);
/* Removes mail ID, kept before parsing, when it proves to be a copy of
 * mail stored already; only mail still "new" is removed. */
gboolean store_message_forget(struct store *st, gint64 id, GError **error);

/* One mail by row id or by Message-ID (the first stored). */
struct message_row *store_message_get(struct store *st, gint64 id,
    GError **error);
struct message_row *store_message_find(struct store *st,
    const char *message_id, GError **error);
GBytes *store_message_raw(struct store *st, gint64 id, GError **error);
/* Rows in STATE, one of those of mail not processed ("quarantined",
 * "new", "dropped"), newest first. */
GPtrArray *store_message_list_state(struct store *st, const char *state,
    GError **error);
/* Full-text search (FTS5 syntax) over subject, sender and text; newest
 * first, with snippets.  A malformed query fails with
 * STORE_ERROR_QUERY, its message worded for people. */
GPtrArray *store_message_search(struct store *st, const char *query,
    int limit, GError **error);
/* QUERY's words as FTS5 reads them as they are: each a quoted string, all
 * to match ("OPS-881" the phrase OPS 881, not a column filter).  NULL
 * when QUERY has no word.  Caller frees. */
char *store_search_words(const char *query);
/* Calls FN for every stored mail received since SINCE (0: all), oldest
 * first; FN returns FALSE to stop.  RAW is passed when WITH_RAW. */
gboolean store_message_foreach(struct store *st, gint64 since,
    gboolean with_raw, gboolean (*fn)(const struct message_row *row,
    GBytes *raw, gpointer data), gpointer data, GError **error);
/* Counts of stored mail by state and kind, for summaries. */
gint64 store_message_count(struct store *st, const char *state,
    GError **error);


/* The distinct threads of stored mail whose Message-ID is in IDS, or
 * which name one of IDS in their references.  Returns thread ids
 * (gint64 in a GArray), smallest first. */
GArray *store_thread_relatives(struct store *st, const char *message_id,
    GPtrArray *ids, GError **error);
/* The most recent thread with SUBJECT_KEY active since SINCE, or 0. */
gint64 store_thread_by_subject(struct store *st, const char *subject_key,
    gint64 since, GError **error);
gint64 store_thread_new(struct store *st, const char *root,
    const char *subject, const char *subject_key, gint64 date,
    GError **error);
/* Moves every mail of thread FROM into INTO and deletes FROM. */
gboolean store_thread_merge(struct store *st, gint64 into, gint64 from,
    GError **error);
/* Widens THREAD's dates to take in DATE. */
gboolean store_thread_widen(struct store *st, gint64 thread, gint64 date,
    GError **error);
/* The mail of a thread, oldest first. */
GPtrArray *store_thread_messages(struct store *st, gint64 thread,
    GError **error);

#endif
