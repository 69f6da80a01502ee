/* The store's check-ins, prompts and answers, written and read by
 * store-checkin.c; the store itself (opening, transactions, errors) is
 * store.h's. */
#ifndef TIDINGS_STORE_CHECKIN_H
#define TIDINGS_STORE_CHECKIN_H

#include <glib.h>

#include "states.h"
#include "store.h"

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
	enum prompt_state state;
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
    enum prompt_state state, const char *reason, gint64 at,
    GError **error);
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
/* Makes answer ID, kept uncounted, count (its reason cleared) from now
 * on, as if counted when it came: it supersedes the earlier counted
 * answers to its question, and is superseded by a later one. */
gboolean store_answer_count(struct store *st, gint64 id, GError **error);
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

#endif
