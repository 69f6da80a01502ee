/* The store: one SQLite database holding everything tidings knows.  Only
 * store*.c speak SQL.  Every function returns a status and sets a GError
 * in STORE_ERROR on failure; the codes tell callers what to do (retry
 * later, refuse, report). */
#ifndef TIDINGS_STORE_H
#define TIDINGS_STORE_H

#include <glib.h>

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);
enum store_error {
	STORE_ERROR_FAILED,
	STORE_ERROR_IO,		/* cannot open, read or write the file */
	STORE_ERROR_BUSY,	/* locked past the busy timeout: retry later */
	STORE_ERROR_FULL,	/* the disk is full: retry later */
	STORE_ERROR_CORRUPT,	/* not a tidings database, or damaged */
	STORE_ERROR_VERSION,	/* written by a newer tidings */
	STORE_ERROR_NOT_FOUND,
	STORE_ERROR_EXISTS,
	STORE_ERROR_QUERY,	/* a search query the index cannot read */
	STORE_ERROR_READONLY,	/* cannot be written (file mode, owner, a
				   read-only file system): retry once fixed */
};

struct store;

/* Opens PATH, creating it and its directory when missing, and brings its
 * schema up to date step by step.  Close with store_close(). */
struct store *store_open(const char *path, GError **error);
void store_close(struct store *st);
typedef struct store Store;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)

const char *store_path(const struct store *st);
/* How long to wait for another process's lock before STORE_ERROR_BUSY. */
void store_set_busy_timeout(struct store *st, int ms);
/* The schema version of the open database and the newest this build knows. */
int store_schema_version(struct store *st);
int store_schema_latest(void);

/* One write transaction at a time; BEGIN IMMEDIATE takes the write lock at
 * once, so a busy database fails here and not halfway through. */
gboolean store_begin(struct store *st, GError **error);
gboolean store_commit(struct store *st, GError **error);
/* A transaction for many mails: the mail it processes is indexed for
 * search in one go when it commits, which is much faster than one mail at
 * a time (nothing changes for readers, who see only what is committed).
 * Searching inside such a transaction misses its mail. */
gboolean store_begin_batch(struct store *st, GError **error);
void store_rollback(struct store *st);
/* Whether the next commits wait until they are on disk (the default) or
 * only until the system has them (synchronous = NORMAL): a crash of tidings
 * loses neither, a power cut may lose the commits made since the last one
 * on disk, whole and in order.  For records of work that is harmless to
 * do again.  Outside a transaction. */
gboolean store_set_durable(struct store *st, gboolean durable,
    GError **error);
/* Pages of WAL after which a bulk load checkpoints: 64 MiB of 4 KiB. */
#define STORE_BULK_CHECKPOINT 16384
/* Whether many batches are about to be written (imports).  A store that
 * has the database to itself then writes it directly, with a rollback
 * journal, rather than through the WAL, which writes every page twice
 * (once to the log, once when checkpointed); with others connected, the
 * WAL is checkpointed rarely instead.  Temporary tables and indexes are
 * kept in memory.  Turning it off returns to the WAL, checkpointed as
 * usual.  Commits are as durable either way (synchronous = FULL).
 * Outside a transaction. */
gboolean store_set_bulk(struct store *st, gboolean bulk, GError **error);
/* A savepoint NAME (a constant SQL name) inside or outside a transaction:
 * part of a change undone without the rest. */
gboolean store_savepoint(struct store *st, const char *name, GError **error);
gboolean store_release(struct store *st, const char *name, GError **error);
/* Undoes everything since savepoint NAME and ends it. */
void store_rollback_to(struct store *st, const char *name);

/* --- teams, people and memberships (store-team.c) ------------------- */

struct team {
	gint64 id;
	char *name;
	char *title;
	char *zone;
	gint64 created_at;
	int members;
	char *digest_rrule;	/* in the team's zone; NULL: no digests */
	char *digest_empty;	/* skip or notice: a period without news */
	int around_day;		/* 0 Monday .. 6 Sunday: that day's digest
				   shows who is around that week; -1: none */
};
void team_free(struct team *team);
typedef struct team Team;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Team, team_free)

struct person {
	gint64 id;
	char *email;
	char *name;
	char *zone;
	int work_start;		/* minutes after local midnight */
	int work_end;
	unsigned workdays;	/* bit 0 Monday .. bit 6 Sunday */
	gint64 created_at;
	gint64 paused_until;	/* no prompts before this; 0: not paused */
	char *role;		/* in a team's listing: member or owner */
	char *teams;		/* in a listing: the person's teams, "a, b" */
};
/* A person with the defaults of the schema. */
struct person *person_new(const char *email);
void person_free(struct person *p);
typedef struct person Person;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Person, person_free)

gboolean store_team_add(struct store *st, const char *name, const char *title,
    const char *zone, GError **error);
/* Returns NULL with STORE_ERROR_NOT_FOUND for an unknown team.  Caller
 * frees. */
struct team *store_team_get(struct store *st, const char *name,
    GError **error);
/* Saves the title, zone and digest settings of TEAM (by id). */
gboolean store_team_set(struct store *st, const struct team *team,
    GError **error);
/* Every team, by name; an array of struct team *, freeing its elements. */
GPtrArray *store_team_list(struct store *st, GError **error);
/* Removes the team and its memberships (people stay). */
gboolean store_team_remove(struct store *st, const char *name,
    GError **error);

struct person *store_person_get(struct store *st, const char *email,
    GError **error);
/* Inserts P (p->id is set) or, when its address is known, updates it. */
gboolean store_person_save(struct store *st, struct person *p,
    GError **error);
/* Adds P to TEAM; STORE_ERROR_EXISTS when already a member. */
gboolean store_member_add(struct store *st, const char *team,
    const char *email, const char *role, GError **error);
/* The members of TEAM (with role), or every person with memberships
 * (with teams) when TEAM is NULL; an array of struct person *. */
GPtrArray *store_member_list(struct store *st, const char *team,
    GError **error);
/* Removes EMAIL from TEAM, or, with TEAM NULL, forgets the person. */
gboolean store_member_remove(struct store *st, const char *email,
    const char *team, GError **error);

/* --- mail (store-message.c) ---------------------------------------- */

struct message;

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

/* --- IMAP position (store-sync.c) ----------------------------------- */

/* Where a folder was read up to.  The position advances in the same
 * transaction as the mail it covers. */
struct sync_state {
	char *account;		/* user@host */
	char *folder;
	guint32 uidvalidity;
	guint32 last_uid;
	gint64 last_sync_at;	/* 0: never */
	char *last_error;	/* NULL when the last attempt worked */
	gint64 last_error_at;
};
void sync_state_free(struct sync_state *s);
typedef struct sync_state SyncState;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SyncState, sync_state_free)

/* The state of ACCOUNT's FOLDER, or NULL (no error) when never synced. */
struct sync_state *store_sync_get(struct store *st, const char *account,
    const char *folder, GError **error);
/* Records the position, and a successful sync now. */
gboolean store_sync_set(struct store *st, const char *account,
    const char *folder, guint32 uidvalidity, guint32 last_uid,
    GError **error);
/* Records why the last attempt failed (NULL clears it). */
gboolean store_sync_error(struct store *st, const char *account,
    const char *folder, const char *message, GError **error);
/* Every folder's state, for tidings status. */
GPtrArray *store_sync_list(struct store *st, GError **error);
/* Mail received since T (UTC seconds). */
gint64 store_message_count_since(struct store *st, gint64 t, GError **error);

/* --- threads (store-message.c; the decisions are thread.c's) -------- */

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

/* --- the outbox (store-outbox.c; delivery is outbox.c's) ------------- */

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
 * outbox_entry *, freeing its elements. */
GPtrArray *store_outbox_due(struct store *st, gint64 now, guint limit,
    GError **error);
/* Queued mail (every mail with ALL), by id, with every recipient and
 * without the raw mail; as store_outbox_due(). */
GPtrArray *store_outbox_list(struct store *st, gboolean all, GError **error);
/* When the next queued mail is due (UTC seconds; maybe in the past); -1
 * when none is queued, or with error set on failure. */
gint64 store_outbox_next_due(struct store *st, GError **error);

/* Records the reply to recipient ADDRESS of mail ID: STATE pending, sent or
 * failed, the reply CODE (0: none) and ERROR_TEXT (may be NULL).  A failed
 * recipient who is a known person gets people.delivery_error set; a sent
 * one has it cleared. */
gboolean store_outbox_rcpt_set(struct store *st, gint64 id,
    const char *address, const char *state, int code, const char *error_text,
    gint64 now, GError **error);
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
/* --- check-ins, prompts and answers (store-checkin.c) ---------------- */

struct question {
	gint64 id;
	int position;		/* 1, 2, ... */
	char *text;
	gboolean blocker;	/* the question that asks for blockers */
};
void question_free(struct question *q);

struct checkin {
	gint64 id;
	gint64 team_id;
	char *team;		/* the team's name */
	char *title;
	char *rrule;		/* evaluated in each member's zone */
	gint64 reminder_after;	/* seconds after the prompt; 0: none */
	gint64 close_after;	/* seconds after the prompt */
	gboolean active;
	gint64 created_at;
	GPtrArray *questions;	/* of struct question *, by position */
};
void checkin_free(struct checkin *c);
typedef struct checkin Checkin;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Checkin, checkin_free)

/* Adds C (c->questions' texts and blocker flags are used; ids are set),
 * to the team named c->team; STORE_ERROR_EXISTS when the team has a
 * check-in of that title. */
gboolean store_checkin_add(struct store *st, struct checkin *c,
    GError **error);
/* Updates title, rule, reminder, close and active of C.  With QUESTIONS
 * (of char *, may be NULL), the question list becomes QUESTIONS, with
 * BLOCKER (1-based, 0: none) the blocker question: texts change in place
 * by position, and a question dropped from a check-in with answers is
 * retired so that its answers stay. */
gboolean store_checkin_update(struct store *st, const struct checkin *c,
    GPtrArray *questions, int blocker, GError **error);
/* A check-in by id, with its questions; STORE_ERROR_NOT_FOUND. */
struct checkin *store_checkin_get(struct store *st, gint64 id,
    GError **error);
/* A check-in by team and title; STORE_ERROR_NOT_FOUND. */
struct checkin *store_checkin_find(struct store *st, const char *team,
    const char *title, GError **error);
/* The check-ins of TEAM (NULL: all), active or not, with questions. */
GPtrArray *store_checkin_list(struct store *st, const char *team,
    GError **error);
gboolean store_checkin_remove(struct store *st, gint64 id, GError **error);
/* How many answers a check-in has. */
gint64 store_checkin_answers(struct store *st, gint64 id, GError **error);

/* One occurrence of a check-in for one person. */
struct prompt {
	gint64 id;
	gint64 checkin_id;
	gint64 person_id;
	char *email;		/* the person's */
	char *name;
	char *zone;
	gint64 occurrence;	/* local YYYYMMDDHHMM */
	gint64 due_at;
	gint64 closes_at;
	gint64 sent_at;		/* 0: not yet */
	gint64 reminded_at;
	gint64 answered_at;
	char *state;		/* pending, sent, answered, skipped, missed */
	char *skip_reason;
	char *token;
	char *message_id;
};
void prompt_free(struct prompt *p);
typedef struct prompt Prompt;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Prompt, prompt_free)

/* Claims occurrence P->occurrence of P->checkin_id for P->person_id: inserts
 * P (with its state, token and Message-ID) unless that occurrence was
 * claimed before, in which case *claimed is FALSE and nothing changes.
 * Sets p->id. */
gboolean store_prompt_claim(struct store *st, struct prompt *p,
    gboolean *claimed, GError **error);
/* Sets the state of prompt ID (and sent_at, reminded_at or answered_at to
 * AT when the state is sent, or answered; with REMINDED, reminded_at). */
gboolean store_prompt_set_state(struct store *st, gint64 id,
    const char *state, const char *reason, gint64 at, GError **error);
gboolean store_prompt_reminded(struct store *st, gint64 id, gint64 at,
    GError **error);
/* A prompt by id, by its token (any case) or by its Message-ID; NULL with
 * STORE_ERROR_NOT_FOUND when there is none. */
struct prompt *store_prompt_get(struct store *st, gint64 id, GError **error);
struct prompt *store_prompt_by_token(struct store *st, const char *token,
    GError **error);
struct prompt *store_prompt_by_message_id(struct store *st,
    const char *message_id, GError **error);
/* Sent, unanswered prompts of check-ins with a reminder, whose reminder is
 * due at NOW and which have not closed. */
GPtrArray *store_prompt_reminders_due(struct store *st, gint64 now,
    GError **error);
/* Marks sent prompts that closed by NOW unanswered as missed; returns
 * how many, or -1. */
gint64 store_prompt_close_due(struct store *st, gint64 now, GError **error);
/* The open (sent, not closed at NOW) prompts of PERSON_ID. */
GPtrArray *store_prompt_open(struct store *st, gint64 person_id, gint64 now,
    GError **error);
/* Prompts of TEAM (NULL: all) due since SINCE, newest first. */
GPtrArray *store_prompt_list(struct store *st, const char *team,
    gint64 since, GError **error);
/* The newest occurrence claimed for CHECKIN_ID and PERSON_ID, or 0. */
gint64 store_prompt_last_due(struct store *st, gint64 checkin_id,
    gint64 person_id, GError **error);

struct answer {
	gint64 id;
	gint64 prompt_id;
	gint64 question_id;
	int position;		/* the question's */
	char *question;
	gint64 message;		/* the stored mail */
	char *text;
	gboolean counted;
	char *reason;		/* why not counted */
	gboolean superseded;	/* a later answer counts instead */
	gint64 created_at;
};
void answer_free(struct answer *a);

/* Records TEXT as the answer of mail MESSAGE to question QUESTION_ID of
 * PROMPT_ID.  A counted answer supersedes the earlier counted answer to
 * the same question, which is kept. */
gboolean store_answer_add(struct store *st, gint64 prompt_id,
    gint64 question_id, gint64 message, const char *text, gboolean counted,
    const char *reason, gint64 now, GError **error);
/* Every answer of PROMPT_ID, by question, oldest first. */
GPtrArray *store_answer_list(struct store *st, gint64 prompt_id,
    GError **error);
/* The rate limits on answers to mail: counts one answer to SENDER in the
 * hour of NOW unless SENDER has had PER_SENDER of them that hour, or all
 * senders together PER_HOUR; *allowed says which.  When held back, *first
 * is TRUE the first time that hour for SENDER (to log it once). */
gboolean store_reply_limit(struct store *st, const char *sender, gint64 now,
    gint64 per_sender, gint64 per_hour, gboolean *allowed, gboolean *first,
    GError **error);

/* Binds stored mail ID to PROMPT_ID, with whether it counts and why. */
gboolean store_message_bind(struct store *st, gint64 id, gint64 prompt_id,
    gboolean trusted, const char *trust_reason, GError **error);

/* When the next reminder is due, or 0 when none waits. */
gint64 store_prompt_next_reminder(struct store *st, GError **error);

/* Sets or clears (UNTIL 0) the pause of PERSON_ID. */
gboolean store_person_pause(struct store *st, gint64 person_id,
    gint64 until, GError **error);

/* --- digest lists (store-subscription.c) ---------------------------- */

/* Someone's subscription to a team's digests; members need none to be
 * asked, and subscribers need not be members. */
struct subscription {
	gint64 id;
	gint64 team_id;
	gint64 person_id;
	char *team;
	char *email;
	char *name;
	char *state;		/* pending, active, unsubscribed, disabled */
	char *format;		/* alternative, mime, plain */
	char *token;		/* of its unsubscribe address */
	double bounce_score;
	gint64 requested_at;
	gint64 confirmed_at;	/* 0: never */
	gint64 ended_at;	/* 0: not ended */
	/* When the copies leave (subscription_copy_time()): its own zone
	 * and minute of the day, if set (NULL, -1), else the person's zone
	 * and the start of their working hours when they are a member. */
	char *zone;
	int at_minute;
	char *person_zone;
	int work_start;
	unsigned workdays;	/* bit 0 Monday .. bit 6 Sunday */
	gboolean member;	/* of any team */
	char *ended_by;		/* how it ended, for its owner; or NULL */
};
void subscription_free(struct subscription *s);
typedef struct subscription Subscription;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Subscription, subscription_free)

/* Records EMAIL's wish to follow TEAM (the person is made known when
 * new): a subscription that is not active becomes pending, with TOKEN,
 * FORMAT (NULL: as it was, or alternative) and a new request time; an
 * active one stays active.  Returns the subscription as it now stands. */
struct subscription *store_subscription_request(struct store *st,
    const char *team, const char *email, const char *token,
    const char *format, gint64 now, GError **error);
/* STATE active (confirmed now), unsubscribed or disabled (ended now). */
gboolean store_subscription_set_state(struct store *st, gint64 id,
    const char *state, gint64 now, GError **error);
/* Records how subscription ID ended ("a one-click link", ...). */
gboolean store_subscription_ended_by(struct store *st, gint64 id,
    const char *how, GError **error);
/* By team and address, or by its token; STORE_ERROR_NOT_FOUND. */
struct subscription *store_subscription_get(struct store *st,
    const char *team, const char *email, GError **error);
struct subscription *store_subscription_by_token(struct store *st,
    const char *token, GError **error);
/* TEAM's subscriptions (NULL: every team's), or with ACTIVE only those
 * that receive digests; by team and address. */
GPtrArray *store_subscription_list(struct store *st, const char *team,
    gboolean active, GError **error);
/* The active subscriptions of the person with address EMAIL. */
GPtrArray *store_subscription_of(struct store *st, const char *email,
    GError **error);
/* Sets when subscription ID's copies leave: ZONE (NULL: as it was, "":
 * none of its own), AT_MINUTE (-2: as it was, -1: none of its own, else
 * minutes after local midnight), FORMAT (NULL: as it was). */
gboolean store_subscription_set_delivery(struct store *st, gint64 id,
    const char *zone, int at_minute, const char *format, GError **error);
/* Adds SCORE to subscription ID's bounce score; returns the new score,
 * or -1. */
double store_subscription_bounce(struct store *st, gint64 id, double score,
    GError **error);
/* Records a bounce of mail MESSAGE for RECIPIENT. */
gboolean store_bounce_add(struct store *st, const char *recipient,
    gint64 message, const char *status, gboolean hard, gint64 at,
    GError **error);

/* A digest sent: one team's period. */
struct digest_sent {
	gint64 id;
	gint64 team_id;
	char *team;
	gint64 start;
	gint64 end;
	char *message_id;
};
void digest_sent_free(struct digest_sent *d);
typedef struct digest_sent DigestSent;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DigestSent, digest_sent_free)

/* Claims TEAM_ID's digest of the period starting at START: inserts it
 * (*id set) unless it was claimed before (*claimed FALSE). */
gboolean store_digest_claim(struct store *st, gint64 team_id, gint64 start,
    gint64 end, const char *message_id, gint64 now, gint64 *id,
    gboolean *claimed, GError **error);
/* The end of TEAM_ID's last digest, or 0 when it has had none. */
gint64 store_digest_last_end(struct store *st, gint64 team_id,
    GError **error);
/* The digest with MESSAGE_ID; NULL with STORE_ERROR_NOT_FOUND. */
struct digest_sent *store_digest_find(struct store *st,
    const char *message_id, GError **error);
/* Records a comment by PERSON_ID (0: unknown) made in mail MESSAGE, on
 * answer ANSWER_ID or, with 0, on digest DIGEST_ID. */
gboolean store_comment_add(struct store *st, gint64 answer_id,
    gint64 digest_id, gint64 message, gint64 person_id, const char *text,
    gint64 now, GError **error);

/* --- digests (store-digest.c; the logic is digest.c's) --------------- */

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

/* --- availability (store-avail.c; the logic is avail.c's) ----------- */

/* A block of time a person stated: a single range, or with RRULE a
 * recurring block whose first instance is [starts_at, ends_at). */
struct availability {
	gint64 id;
	gint64 person_id;
	char *kind;		/* working, away, deep-work, busy */
	gint64 starts_at;	/* 0: since always */
	gint64 ends_at;		/* 0: open-ended */
	char *rrule;		/* NULL: a single range */
	char *zone;		/* of the RRULE */
	char *summary;
	char *source;		/* cli, mail, ics, autoreply */
	char *uid;		/* iCalendar UID, or NULL */
};
void availability_free(struct availability *a);

/* PERSON_ID's blocks that may matter at or after SINCE (recurring ones
 * always), by start. */
GPtrArray *store_availability_list(struct store *st, gint64 person_id,
    gint64 since, GError **error);
/* Adds A (a->id is set); with a UID already stored for the person and
 * source, that block is replaced (an updated invitation). */
gboolean store_availability_add(struct store *st, struct availability *a,
    gint64 now, GError **error);
/* Removes PERSON_ID's blocks of KIND (NULL: all) from SOURCE (NULL: all)
 * that end after NOW or recur; returns how many, or -1. */
gint64 store_availability_clear(struct store *st, gint64 person_id,
    const char *kind, const char *source, gint64 now, GError **error);
/* Removes PERSON_ID's blocks from SOURCE stored under UID or as its
 * instances ("UID#..."); returns how many, or -1. */
gint64 store_availability_forget(struct store *st, gint64 person_id,
    const char *source, const char *uid, GError **error);
/* PERSON_ID's stated status ("traveling") and until when (0: no end), or
 * NULL (no error) when none stands at NOW.  Caller frees. */
char *store_person_status(struct store *st, gint64 person_id, gint64 now,
    gint64 *until, GError **error);
/* Sets PERSON_ID's status, or clears it with STATUS NULL. */
gboolean store_person_set_status(struct store *st, gint64 person_id,
    const char *status, gint64 until, GError **error);
/* Sets the note of processed mail ID: what of it was not applied (past
 * the caps of an availability mail), shown with its state. */
gboolean store_message_note(struct store *st, gint64 id, const char *note,
    GError **error);
/* The steps SQLite has run for ST's statements so far: the store's work,
 * which tests compare where a time could not be asserted. */
gint64 store_work_done(struct store *st);

#endif
