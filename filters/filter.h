/* The filter interface.  Each filter is one file exporting one
 * const struct filter; filters.c runs them in order on every parsed mail.
 * A filter reads and annotates struct message: it knows nothing of sockets
 * or SQL. */
#ifndef TIDINGS_FILTER_H
#define TIDINGS_FILTER_H

#include <glib.h>

#include "message.h"

enum verdict {
	FILTER_NEXT,	/* go on with the next filter */
	FILTER_DONE,	/* the mail is handled; stop */
	FILTER_DROP,	/* nothing more to do; the raw mail is kept, with why */
	FILTER_DEFER,	/* a temporary failure: try the whole mail again later */
};

/* Every mail tidings sends carries this header, so that it knows its own
 * mail when it comes back. */
#define FILTER_MARKER_HEADER "X-Tidings"

struct conf;

/* What the answer filter learns of a prompt a mail answers. */
struct filter_prompt {
	gint64 id;
	char *person;		/* the address the prompt was sent to */
	GPtrArray *questions;	/* of char *, in order */
};
void filter_prompt_free(struct filter_prompt *p);

struct filter_ctx;
/* Finds the prompt with reply-address TOKEN, or else the one whose
 * Message-ID is among IDS (of char *, newest first); NULL when none.
 * Either may be NULL. */
typedef struct filter_prompt *(*filter_prompt_lookup)(struct filter_ctx *ctx,
    const char *token, GPtrArray *ids);

/* What filters may consult besides the message. */
struct filter_ctx {
	const struct conf *conf;
	const char *address;	/* tidings' own address, or NULL */
	const char *domain;	/* of reply addresses; NULL: the address's */
	filter_prompt_lookup lookup; /* NULL: no prompts to answer */
	gpointer lookup_data;
	GError *error;		/* set by a filter that defers */
};

struct filter {
	const char *name;
	enum verdict (*run)(struct message *msg, struct filter_ctx *ctx);
	/* Runs where the mail is stored, one mail after another: it asks
	 * the store (answer) or acts outside tidings (exec).  The others
	 * read only the mail and the configuration, and may run on any
	 * thread, ahead of the store. */
	gboolean at_commit;
};

extern const struct filter filter_loop;
extern const struct filter filter_auth;
extern const struct filter filter_autoreply;
extern const struct filter filter_bounce;
extern const struct filter filter_quote;
extern const struct filter filter_signature;
extern const struct filter filter_answer;
extern const struct filter filter_exec;

/* Runs every filter in order until one ends the pipeline; returns the last
 * verdict (FILTER_NEXT when every filter passed). */
enum verdict filters_run(struct message *msg, struct filter_ctx *ctx);
/* filters_run() in two steps, for ingesting on two threads: the filters
 * that are not at_commit, which need of CTX only conf and address, and
 * return their last verdict as it is (FILTER_DONE included); then, where
 * the mail is stored, the rest when that verdict was FILTER_NEXT, and the
 * verdict filters_run() would have returned. */
enum verdict filters_prepare(struct message *msg, struct filter_ctx *ctx);
enum verdict filters_finish(struct message *msg, struct filter_ctx *ctx,
    enum verdict v);
const char *filter_verdict_name(enum verdict v);

/* The auth filter's part, for tests: reads MSG's topmost
 * Authentication-Results header when its authserv-id is among TRUSTED
 * (lower case, NULL-terminated) and sets msg->auth_id, dkim_aligned,
 * dmarc_pass and auth_result. */
void auth_check(struct message *msg, const char *const *trusted);

/* The answer filter's parts, for tests.  The mail commands; their words,
 * argument parsers, trust and handlers are rows of the mail commands'
 * table (src/mail-command.c). */
enum answer_command {
	ANSWER_COMMAND_NONE,
	ANSWER_COMMAND_SKIP,
	ANSWER_COMMAND_PAUSE,	/* with a date text: "until 2026-12-24" */
	ANSWER_COMMAND_RESUME,
	ANSWER_COMMAND_HELP,
	ANSWER_COMMAND_UNKNOWN,	/* a command address tidings does not know */
	/* The digest lists'.  The team comes from the address
	 * (LOCAL+TEAM-subscribe@) or, for a reply to a digest, from the
	 * digest; the token from LOCAL+TEAM-confirm-TOKEN@ and
	 * LOCAL+TEAM-unsubscribe-TOKEN@; a subscriber's own settings from
	 * LOCAL+TEAM-settings-TOKEN@. */
	ANSWER_COMMAND_SUBSCRIBE,
	ANSWER_COMMAND_UNSUBSCRIBE,
	ANSWER_COMMAND_CONFIRM,
	ANSWER_COMMAND_SETTINGS,
	/* Availability (src/avail-mail.c): LOCAL+availability@ or a reply
	 * to a prompt whose first line is one ("hours 08:00-16:00"); and
	 * who, the team directory. */
	ANSWER_COMMAND_AVAILABILITY,
	ANSWER_COMMAND_WHO,
	/* Urgent mail (src/urgent.c): LOCAL+urgent-TEAM@, or LOCAL+urgent@
	 * for the sender's own team (command_team NULL). */
	ANSWER_COMMAND_URGENT,
};
/* The command that LINE (a reply's first line, or a subject) is, by the
 * mail commands' table, with *arg (caller frees) what follows its word;
 * NONE when it is none.  The list commands subscribe and unsubscribe are
 * among them, and availability lines whose value reads. */
enum answer_command answer_parse_command(const char *line, char **arg);
/* The list command of an address detail: "TEAM-subscribe",
 * "TEAM-unsubscribe", "TEAM-unsubscribe-TOKEN", "TEAM-confirm-TOKEN";
 * *team and *token (caller frees; *token may stay NULL) are set.  NONE
 * when DETAIL is none of these. */
enum answer_command answer_parse_list_address(const char *detail,
    char **team, char **token);
const char *answer_command_name(enum answer_command c);
/* Whether DETAIL is an urgent address, "urgent" or "urgent-TEAM"; *team
 * (caller frees) is TEAM, or NULL for the first. */
gboolean answer_parse_urgent_address(const char *detail, char **team);
/* Splits REPLY into one answer per question of QUESTIONS (of char *): by
 * the question lines the person kept, quoted or not, else by the numbers
 * they gave their answers, else the whole reply answers the first.  An
 * array as long as QUESTIONS, of char * or NULL for unanswered. */
GPtrArray *answer_split(const char *reply, GPtrArray *questions);

#endif
