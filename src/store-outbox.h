/* The store's the outbox, written and read by store-outbox.c; the store
 * itself (opening, transactions, errors) is store.h's. */
#ifndef TIDINGS_STORE_OUTBOX_H
#define TIDINGS_STORE_OUTBOX_H

#include <glib.h>

#include "store.h"

/* A mail to send.  Strings and RAW are copied. */
struct outbox_mail {
	const char *dedupe_key;	/* the same key is never queued twice */
	const char *kind;	/* prompt, reminder, reply, digest, ... */
	const char *sender;	/* envelope MAIL FROM */
	const char *const *recipients;	/* NULL-terminated envelope RCPT TO */
	GBytes *raw;		/* the whole mail, CRLF or LF line ends */
	const char *message_id;	/* for listings; without <> */
	const char *subject;	/* for listings */
	/* A body shared by many mails (a digest's copies): RAW is then only
	 * this mail's header block, ending with its blank line, and BODY
	 * what follows; it is stored once under BODY_KEY, which must name
	 * that content alone. */
	GBytes *body;
	const char *body_key;
	/* When it is meant to leave, if later than it is queued (a digest
	 * copy in its reader's morning); 0: at once. */
	gint64 due_at;
	/* Not sent at all when its first try would come after this (tidings
	 * was not running at its time); 0: no such limit. */
	gint64 expires_at;
};

/* Queues MAIL, due at NOW (or its due_at), in the caller's transaction
 * (so that it is written with the change that causes it).  When
 * DEDUPE_KEY is queued already, nothing is written and *queued (may be
 * NULL) is FALSE. */
gboolean store_outbox_add(struct store *st, const struct outbox_mail *mail,
    gint64 now, gboolean *queued, GError **error);

/* One recipient of a mail in the outbox. */
struct outbox_rcpt {
	char *address;
	char *state;		/* pending, sent, failed */
	int code;		/* the server's last reply code; 0: none yet */
	char *last_error;	/* its text when it was no 2xx, or why */
	gint64 updated_at;
};

/* A mail in the outbox as delivery and listings see it. */
struct outbox_entry {
	gint64 id;
	char *dedupe_key;
	char *kind;
	char *sender;
	char *state;		/* queued, sent, failed */
	int attempts;		/* tries that did not end it */
	gint64 next_try_at;
	char *last_error;	/* why the last try did not end it */
	gint64 created_at;
	gint64 due_at;		/* when it was first due: the retry period
				 * begins */
	gint64 sent_at;		/* 0 unless sent */
	char *message_id;
	char *subject;
	GBytes *raw;		/* store_outbox_due() only, else NULL */
	GPtrArray *rcpts;	/* struct outbox_rcpt *, by address */
};
void outbox_entry_free(struct outbox_entry *e);
typedef struct outbox_entry OutboxEntry;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutboxEntry, outbox_entry_free)

/* When the next queued mail of KIND to ADDRESS is due, 0 when none
 * waits, or -1. */
gint64 store_outbox_waiting(struct store *st, const char *kind,
    const char *address, GError **error);
/* Fails the queued mail never tried whose expires_at passed before NOW,
 * saying so, and returns it (struct outbox_entry *, without raw mail), in
 * the caller's transaction. */
GPtrArray *store_outbox_expire(struct store *st, gint64 now, GError **error);
/* Queued mail due at NOW, soonest due first, at most LIMIT (0: no limit),
 * with its raw mail and its recipients.  An array of struct
 * outbox_entry *, freeing its elements.  The mail is claimed for this
 * store for STORE_OUTBOX_CLAIM seconds, so that no other process sends it
 * meanwhile (a process that dies with it in hand leaves it to another once
 * the claim has passed: each mail at least once); store_outbox_set()
 * ends the claim of a mail and, once a quarter of the claim has passed,
 * extends that of the others to STORE_OUTBOX_CLAIM from its NOW (the
 * sender makes progress), and the next call, or closing the store, puts back
 * what the last one claimed and did not try. */
#define STORE_OUTBOX_CLAIM 60
GPtrArray *store_outbox_due(struct store *st, gint64 now, guint limit,
    GError **error);
/* As store_outbox_due(), but what the last call claimed stays claimed
 * (and is renewed with what this one claims): the next chunk of one
 * delivery, claimed while the last one's mail is still being sent. */
GPtrArray *store_outbox_due_more(struct store *st, gint64 now, guint limit,
    GError **error);
/* Ends every claim: for the one process that sends (a tidings run that
 * holds an SQLite database's lock), what its killed forerunner held. */
gboolean store_outbox_unclaim_all(struct store *st, GError **error);
/* Each claim ST makes from now on starts with OWNER (a process's name in
 * the database, say), so that store_outbox_unclaim_owner() can end the
 * claims of an owner known to be gone at once. */
void store_outbox_set_owner(struct store *st, const char *owner);
gboolean store_outbox_unclaim_owner(struct store *st, const char *owner,
    GError **error);
/* Queued mail (every mail with ALL), by id, with every recipient and
 * without the raw mail; as store_outbox_due(). */
GPtrArray *store_outbox_list(struct store *st, gboolean all, GError **error);
/* When the next queued mail is due (UTC seconds; maybe in the past); -1
 * when none is queued, or with error set on failure. */
gint64 store_outbox_next_due(struct store *st, GError **error);

/* Records the reply to recipient ADDRESS of mail ID: STATE pending, sent or
 * failed, the reply CODE (0: none) and ERROR_TEXT (may be NULL), and, when
 * not NULL, the VERP token of the bounce address it went with (a bounce
 * to that address is then of a mail really sent: take-bounce.c).  A
 * failed recipient who is a known person gets people.delivery_error set;
 * a sent one has it cleared. */
gboolean store_outbox_rcpt_set(struct store *st, gint64 id,
    const char *address, const char *state, int code, const char *error_text,
    const char *verp, gint64 now, GError **error);
/* Records the state of mail ID after a try: STATE (queued, sent, failed),
 * ATTEMPTS, when it is due next, and LAST_ERROR (may be NULL); sent_at is
 * set to NOW for sent. */
gboolean store_outbox_set(struct store *st, gint64 id, const char *state,
    int attempts, gint64 next_try_at, const char *last_error, gint64 now,
    GError **error);
/* Makes mail ID due at NOW.  A failed mail is queued again, its failed
 * recipients pending, its attempts at 0 and its retry period begun anew
 * (created_at = NOW).  STORE_ERROR_NOT_FOUND when no mail ID is queued or
 * failed. */
gboolean store_outbox_retry(struct store *st, gint64 id, gint64 now,
    GError **error);
/* Deletes sent mail sent before BEFORE; returns how many, or -1. */
gint64 store_outbox_purge_sent(struct store *st, gint64 before,
    GError **error);

#endif
