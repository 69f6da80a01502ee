/* The mail commands: the words members write to tidings, in one table
 * (mail-command.c).  Each row has its word(s), where they may stand, the
 * parser of its argument, whether it changes state (then it needs the
 * trust verdict), the handler that carries it out, and its line of the
 * help mail, which is made from the table.
 *
 * The answer filter only recognises a command (a look-up in the table and
 * its argument's parser, nothing of the store); the command taker
 * (take-command.c) acts, through the row's handler. */
#ifndef TIDINGS_MAIL_COMMAND_H
#define TIDINGS_MAIL_COMMAND_H

#include <glib.h>

#include "filter.h"

struct person;
struct take;
struct tidings_ctx;

/* Where a command's word may stand (bits). */
enum mail_command_place {
	/* The first line of a reply to a prompt, of a mail to a token
	 * address or to tidings' own address, or the subject. */
	MAIL_COMMAND_LINE = 1 << 0,
	/* The detail of the address: LOCAL+WORD@DOMAIN. */
	MAIL_COMMAND_ADDRESS = 1 << 1,
	/* A line of an availability mail (LOCAL+availability@, or the
	 * leading lines of a reply to a prompt). */
	MAIL_COMMAND_AVAIL = 1 << 2,
};

/* What follows a command's word. */
enum mail_command_arg {
	MAIL_ARG_NONE,		/* nothing but punctuation ("Skip!") */
	MAIL_ARG_VALUE,		/* a value its parser reads; the word alone
				   is the command too, answered with what
				   it lacks */
	MAIL_ARG_TEXT,		/* any text ("status at a conference") */
};

/* The lines of an availability mail, by what they set. */
enum avail_verb {
	AVAIL_NONE,
	AVAIL_ZONE,
	AVAIL_HOURS,
	AVAIL_DAYS,
	AVAIL_OOO,
	AVAIL_DEEP,
	AVAIL_STATUS,
};

/* Carries out the command of the mail T takes for PERSON, who sent it,
 * and answers it.  In the caller's transaction. */
typedef gboolean (*mail_command_act)(struct tidings_ctx *ctx, struct take *t,
    const struct person *person, GError **error);

struct mail_command {
	const char *words[3];		/* the first is its name */
	enum answer_command command;
	enum avail_verb verb;		/* of an availability line */
	unsigned places;		/* enum mail_command_place bits */
	enum mail_command_arg arg;
	/* Whether ARG (not empty) reads as its argument; NULL: anything.
	 * Pure: no store, no clock. */
	gboolean (*parse)(const char *arg, GError **error);
	gboolean needs_trust;		/* it changes state */
	mail_command_act act;		/* NULL: the list taker's */
	const char *usage;		/* "pause until DATE" */
	const char *help;		/* its line in the help mail */
};

/* The handlers: take-command.c's, and avail-mail.c's for availability
 * and who, which carries out the command of the mail T takes for PERSON
 * and queues the answer.  In the caller's transaction. */
gboolean avail_mail_take(struct tidings_ctx *ctx, struct take *t,
    const struct person *person, GError **error);
gboolean command_act_skip(struct tidings_ctx *ctx, struct take *t,
    const struct person *person, GError **error);
gboolean command_act_pause(struct tidings_ctx *ctx, struct take *t,
    const struct person *person, GError **error);
gboolean command_act_resume(struct tidings_ctx *ctx, struct take *t,
    const struct person *person, GError **error);
gboolean command_act_help(struct tidings_ctx *ctx, struct take *t,
    const struct person *person, GError **error);

extern const struct mail_command mail_commands[];
extern const gsize mail_commands_len;

/* The row of the table that LINE (a line, a subject, or an address's
 * detail) is a command of, standing at PLACE; *arg (caller frees; NULL
 * when there is none) is what follows its word.  NULL when LINE is no
 * command there: a command is its word alone, or followed by punctuation
 * or, if it takes one, by an argument; an availability line read at the
 * start of a reply to a prompt only when its argument reads. */
const struct mail_command *mail_command_parse(const char *line,
    enum mail_command_place place, char **arg);
/* The first row of command C, or NULL. */
const struct mail_command *mail_command_find(enum answer_command c);

/* Splits a range of days "A..B", "A to B", "until B" (A is today), or
 * one day "A" (B is A too).  Both caller's. */
void mail_command_range(const char *arg, char **from, char **to);

/* The help mail's entries for the commands of PLACE, each the command's
 * usage on a line of its own and its help below, neither indented: a
 * client that re-wraps flowed text (at 60 columns, say) joins or breaks
 * the help's words but never moves a command off the start of its line.
 * Caller frees. */
GPtrArray *mail_command_help(enum mail_command_place place);

#endif
