/* The states things tidings keeps pass through, as enums with their names:
 * the names are what the database holds (its CHECK constraints list the
 * same words) and what listings and JSON print; code compares the enums.
 * Pure: no store, no I/O. */
#ifndef TIDINGS_STATES_H
#define TIDINGS_STATES_H

#include <glib.h>

/* A subscription to a team's digests. */
enum sub_state {
	SUB_PENDING,		/* asked to confirm */
	SUB_ACTIVE,		/* receives the digests */
	SUB_UNSUBSCRIBED,	/* ended by the subscriber or an owner */
	SUB_DISABLED,		/* ended by its bounces */
};
const char *sub_state_name(enum sub_state s);
/* FALSE for a name that is none of them (*s left as it was). */
gboolean sub_state_parse(const char *name, enum sub_state *s);

/* A prompt: one member asked one occurrence of a check-in. */
enum prompt_state {
	PROMPT_PENDING,		/* claimed, not yet sent */
	PROMPT_SENT,		/* asked, waiting for the answer */
	PROMPT_ANSWERED,
	PROMPT_SKIPPED,		/* not asked (away, paused) or skipped by mail */
	PROMPT_MISSED,		/* closed unanswered */
};
const char *prompt_state_name(enum prompt_state s);
gboolean prompt_state_parse(const char *name, enum prompt_state *s);

#endif
