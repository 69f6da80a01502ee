/* States and their names; see states.h. */
#include "config.h"

#include <string.h>

#include "states.h"

/* The index of NAME among the N NAMES, or -1. */
static int
find(const char *const *names, gsize n, const char *name)
{
	for (gsize i = 0; name != NULL && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *const sub_states[] = {
	[SUB_PENDING] = "pending",
	[SUB_ACTIVE] = "active",
	[SUB_UNSUBSCRIBED] = "unsubscribed",
	[SUB_DISABLED] = "disabled",
};

const char *
sub_state_name(enum sub_state s)
{
	return (gsize)s < G_N_ELEMENTS(sub_states) ? sub_states[s] : "unknown";
}

gboolean
sub_state_parse(const char *name, enum sub_state *s)
{
	int i = find(sub_states, G_N_ELEMENTS(sub_states), name);

	if (i < 0)
		return FALSE;
	*s = (enum sub_state)i;
	return TRUE;
}

static const char *const prompt_states[] = {
	[PROMPT_PENDING] = "pending",
	[PROMPT_SENT] = "sent",
	[PROMPT_ANSWERED] = "answered",
	[PROMPT_SKIPPED] = "skipped",
	[PROMPT_MISSED] = "missed",
};

const char *
prompt_state_name(enum prompt_state s)
{
	return (gsize)s < G_N_ELEMENTS(prompt_states) ? prompt_states[s] :
	    "unknown";
}

gboolean
prompt_state_parse(const char *name, enum prompt_state *s)
{
	int i = find(prompt_states, G_N_ELEMENTS(prompt_states), name);

	if (i < 0)
		return FALSE;
	*s = (enum prompt_state)i;
	return TRUE;
}
