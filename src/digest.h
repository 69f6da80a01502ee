/* Digests: what a team's answers of one period become.  digest_build()
 * gathers them from the store (per check-in, per question, per person;
 * who has not answered; blockers first, with how long each has stood; the
 * comments made on answers by replying to earlier digests; who was away),
 * and digest_mail() renders them for one subscriber, in the format the
 * subscriber chose, through render.c and the templates digest*.
 *
 * Building reads only; sending (which subscribers, when, queued once per
 * subscriber and period) is the caller's. */
#ifndef TIDINGS_DIGEST_H
#define TIDINGS_DIGEST_H

#include <glib.h>

struct digest_sent;
struct grid;
struct message;
struct pulse;
struct render;
struct render_headers;
struct store;

/* A comment made on an answer (or on a digest) by replying to a digest. */
struct digest_comment {
	gint64 id;
	char *author;		/* display name, or the address */
	char *text;
	gint64 at;
};

/* One answer to one question. */
struct digest_answer {
	gint64 id;		/* answers.id */
	gint64 message;		/* the stored reply it came in (messages.id) */
	char *email;
	char *name;		/* display name, or the address */
	char *zone;
	char *text;		/* the answer as written (plain text) */
	gint64 at;		/* when it was received */
	gboolean late;		/* after its prompt closed */
	int blocked_days;	/* a blocker: days it has stood (>= 1),
				   from the first of an unbroken run of
				   the person's prompts with a blocker, that
				   day included; 0 when no blocker */
	GPtrArray *comments;	/* of struct digest_comment *, oldest first */
	const char *checkin;	/* its check-in's title (borrowed) */
	const char *question;	/* its question's text (borrowed) */
};

/* A blocker followed until it is gone (blocker.c), as a digest shows it:
 * those open at the period's end and those resolved within it. */
struct digest_blocker {
	gint64 id;
	struct digest_answer *answer;	/* the member, the blocker's text and
					   the last answer that said it (the
					   one a reply quoting it comments on) */
	char *state;		/* open, escalated, or resolved (within the
				   period) */
	int days;		/* how long it stood, at least 1 */
	char *helpers;		/* who commented on it, "Ana, Bo", or "" */
	char *checkin;		/* the title of the check-in it came from */
};

struct digest_question {
	int position;		/* 1, 2, ...; 0 for a retired question */
	char *text;
	gboolean blocker;	/* the check-in's blocker question */
	GPtrArray *answers;	/* of struct digest_answer *, by name */
};

struct digest_checkin {
	gint64 id;
	char *title;
	GPtrArray *questions;	/* of struct digest_question *, in order */
	GPtrArray *missing;	/* of char *: names asked and not answering */
	GPtrArray *skipped;	/* of char *: names who said skip */
};

struct digest {
	char *team;
	char *team_title;	/* the title, or the name when it has none */
	char *zone;		/* the team's, for dates */
	gint64 start;		/* the period, [start, end) UTC */
	gint64 end;
	/* Blockers first: the answers that are blockers (to a blocker
	 * question and not "none", or saying they are blocked), longest
	 * standing first; the same answers also stay in their check-in. */
	GPtrArray *blockers;	/* of struct digest_answer * (borrowed) */
	/* Before them, the blockers followed until they are gone; an answer
	 * that said one of them is not in BLOCKERS again. */
	GPtrArray *tracked;	/* of struct digest_blocker * */
	GPtrArray *checkins;	/* of struct digest_checkin * */
	/* Answers of earlier periods commented on in this one, grouped the
	 * same way, each with the comments made in the period. */
	GPtrArray *earlier;	/* of struct digest_checkin * */
	GPtrArray *away;	/* of char *: "Ana Lima (until 3 January)" */
	/* Members not asked because their mail bounces: "mail to Ana Lima
	 * <ana@example.org> bounces since Monday 30 March". */
	GPtrArray *bouncing;	/* of char * */
	GPtrArray *comments;	/* of struct digest_comment * on the team's
				   digests themselves */
	guint answers;		/* how many answers in all */
	struct pulse *pulse;	/* the answer rate against the period
				   before, a streak (pulse.h) */
	/* Who is around the week from the day the digest ends, on the
	 * team's around day: an hour a cell for the HTML part, three for
	 * the text part (grid.h); NULL on other days. */
	struct grid *around_html;
	struct grid *around_text;
};
void digest_free(struct digest *d);
typedef struct digest Digest;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Digest, digest_free)

/* Gathers TEAM's digest for [START, END): every counted, current answer
 * received in the period (late answers to earlier prompts included),
 * comments made in the period, prompts due in the period unanswered. */
struct digest *digest_build(struct store *st, const char *team,
    gint64 start, gint64 end, GError **error);

/* Whether there is nothing to tell: no answers and no comments (on
 * answers, earlier ones included, or on digests). */
gboolean digest_empty(const struct digest *d);

/* What a digest's Message-ID begins with, before "-" (token.h): tidings
 * has made no other since its first digest. */
#define DIGEST_ID_KIND "digest"

/* The digest MSG answers: the first of its parents (message_parents())
 * that is a digest tidings sent, or NULL.  Only Message-IDs a digest's
 * may be (DIGEST_ID_KIND) are looked up. */
struct digest_sent *digest_replied(struct store *st,
    const struct message *msg);

/* Whether TEXT, an answer, is a blocker: an answer to the blocker question
 * (BLOCKER) that is not "none" in one of the ways people write it ("No
 * blockers.", "nope", "n/a", "-", "all good", "Nothing so far, thanks"),
 * or an answer to any question with a sentence that starts by saying its
 * writer is blocked ("Blocked on ...", "Waiting for ...", "Stuck on
 * ..."); case and punctuation do not matter. */
gboolean digest_is_blocker(gboolean blocker, const char *text);

enum digest_format {
	DIGEST_ALTERNATIVE,	/* text/plain (format=flowed, 72 columns) and
				   text/html of the same content */
	DIGEST_MIME,		/* multipart/digest of the original replies
				   (RFC 2046 5.1.5), with a text summary */
	DIGEST_PLAIN,		/* one text/plain digest (RFC 1153) */
};
/* "alternative", "mime", "plain" as the subscriptions table spells them;
 * FALSE for anything else. */
gboolean digest_format_parse(const char *name, enum digest_format *f);
const char *digest_format_name(enum digest_format f);

/* The digest as a mail to one subscriber, in format F, with the headers of
 * H (To, Message-ID, the List-* headers, ...).  An empty digest renders
 * as a one-line "no updates" notice.  Caller frees. */
GBytes *digest_mail(struct render *r, struct store *st,
    const struct digest *d, enum digest_format f,
    const struct render_headers *h, char **subject, GError **error);

/* The digest as text, as the text part of the alternative format has it:
 * for `tidings digest --print`.  Caller frees. */
char *digest_text(struct render *r, const struct digest *d, GError **error);

#endif
