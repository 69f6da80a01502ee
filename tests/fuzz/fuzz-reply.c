/* libFuzzer target: text as a reply's body through what reads it: quote and
 * signature cutting, the split into answers per question, the mail
 * commands and the dates of "pause until".  Seeds are tests/data/mail. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "value.h"
#include "filter.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_utf8_make_valid((const char *)data,
	    (gssize)size);
	g_autofree char *forwarded = NULL, *reply = NULL, *arg = NULL;
	g_autoptr(GPtrArray) questions = g_ptr_array_new();
	g_autoptr(GPtrArray) answers = NULL;
	g_autoptr(GError) error = NULL;
	const char *nl;

	reply = reply_extract(text, &forwarded);
	if (reply == NULL || !g_utf8_validate(reply, -1, NULL))
		__builtin_trap();
	g_ptr_array_add(questions, "What did you work on?");
	g_ptr_array_add(questions, "What will you work on next?");
	g_ptr_array_add(questions, "Is anything blocking you?");
	answers = answer_split(reply, questions);
	if (answers->len != questions->len)
		__builtin_trap();
	for (guint i = 0; i < answers->len; i++)
		if (answers->pdata[i] != NULL &&
		    !g_utf8_validate(answers->pdata[i], -1, NULL))
			__builtin_trap();
	/* The first line as a command, and as a date. */
	nl = strchr(text, '\n');
	{
		g_autofree char *line = nl != NULL ?
		    g_strndup(text, (gsize)(nl - text)) : g_strdup(text);
		g_autofree char *team = NULL, *token = NULL;
		answer_parse_command(line, &arg);
		value_parse_until(line, "Europe/Berlin", 1774569600, &error);
		answer_parse_list_address(line, &team, &token);
	}
	return 0;
}
