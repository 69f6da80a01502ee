/* The mail commands' table; see mail-command.h. */
#include "config.h"

#include <string.h>

#include "mail-command.h"
#include "value.h"

/* --- the parsers of arguments --------------------------------------------- */

static gboolean
parse_date(const char *arg, GError **error)
{
	return value_date(arg, error);
}

static gboolean
parse_zone(const char *arg, GError **error)
{
	return value_zone(arg, error);
}

static gboolean
parse_hours(const char *arg, GError **error)
{
	int start, end;

	return value_hours(arg, &start, &end, error);
}

static gboolean
parse_days(const char *arg, GError **error)
{
	unsigned days;

	return value_workdays(arg, &days, error);
}

static gboolean
is_clear(const char *arg)
{
	return g_ascii_strcasecmp(arg, "clear") == 0 ||
	    g_ascii_strcasecmp(arg, "none") == 0;
}

void
mail_command_range(const char *arg, char **from, char **to)
{
	static const char *const seps[] = { "..", " to ", " until ", " - ",
	    " bis " };

	*from = *to = NULL;
	if (g_ascii_strncasecmp(arg, "until ", 6) == 0) {
		*from = g_strdup("today");
		*to = g_strdup(arg + 6);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(seps); i++) {
		const char *s = strstr(arg, seps[i]);
		if (s != NULL) {
			*from = g_strndup(arg, (gsize)(s - arg));
			*to = g_strdup(s + strlen(seps[i]));
			return;
		}
	}
	*from = g_strdup(arg);
	*to = g_strdup(arg);
}

/* "2026-12-20..2027-01-03", "until friday", "clear". */
static gboolean
parse_ooo(const char *arg, GError **error)
{
	g_autofree char *from = NULL, *to = NULL;

	if (is_clear(arg))
		return TRUE;
	mail_command_range(arg, &from, &to);
	return value_date(from, error) && value_date(to, error);
}

/* "mon-fri 09:00-12:00", "09:00-12:00", "clear". */
static gboolean
parse_deep(const char *arg, GError **error)
{
	g_auto(GStrv) w = g_strsplit_set(arg, " \t", -1);
	const char *hours = NULL, *days = NULL;

	if (is_clear(arg))
		return TRUE;
	for (char **p = w; *p != NULL; p++) {
		if (**p == '\0')
			continue;
		if (g_ascii_isdigit(**p) && hours == NULL)
			hours = *p;
		else if (days == NULL)
			days = *p;
		else
			hours = NULL;
	}
	if (hours == NULL) {
		g_set_error_literal(error, VALUE_ERROR, VALUE_ERROR_INVALID,
		    "expected days and hours, like \"deep work mon-fri "
		    "09:00-12:00\"");
		return FALSE;
	}
	return (days == NULL || parse_days(days, error)) &&
	    parse_hours(hours, error);
}

/* --- the table ------------------------------------------------------------ */

#define LINE MAIL_COMMAND_LINE
#define ADDRESS MAIL_COMMAND_ADDRESS
#define AVAIL MAIL_COMMAND_AVAIL

const struct mail_command mail_commands[] = {
	{ { "skip" }, ANSWER_COMMAND_SKIP, AVAIL_NONE, LINE | ADDRESS,
	  MAIL_ARG_NONE, NULL, TRUE, command_act_skip,
	  "skip", "Skip this check-in (or, sent on its own, the check-ins "
	  "you have open)." },
	{ { "pause" }, ANSWER_COMMAND_PAUSE, AVAIL_NONE, LINE | ADDRESS,
	  MAIL_ARG_VALUE, parse_date, TRUE, command_act_pause,
	  "pause until DATE", "No questions until DATE, e.g. \"pause until "
	  "14 April\", \"pause until monday\" or \"pause for 2 weeks\"." },
	{ { "resume" }, ANSWER_COMMAND_RESUME, AVAIL_NONE, LINE | ADDRESS,
	  MAIL_ARG_NONE, NULL, TRUE, command_act_resume,
	  "resume", "Start again after a pause." },
	{ { "help" }, ANSWER_COMMAND_HELP, AVAIL_NONE, LINE | ADDRESS,
	  MAIL_ARG_NONE, NULL, FALSE, command_act_help,
	  "help", "Send this message again." },
	{ { "who" }, ANSWER_COMMAND_WHO, AVAIL_NONE, LINE | ADDRESS,
	  MAIL_ARG_NONE, NULL, FALSE, avail_mail_take,
	  "who", "Who of your teams works now, and their local time." },
	{ { "availability" }, ANSWER_COMMAND_AVAILABILITY, AVAIL_NONE,
	  LINE | ADDRESS, MAIL_ARG_NONE, NULL, TRUE, avail_mail_take,
	  "availability", "What tidings holds of your time; write the lines "
	  "below to change it, or attach an .ics file." },
	{ { "subscribe" }, ANSWER_COMMAND_SUBSCRIBE, AVAIL_NONE,
	  LINE | ADDRESS,
	  MAIL_ARG_NONE, NULL, FALSE, NULL,
	  "subscribe", "In a reply to a digest: get the team's digests." },
	{ { "unsubscribe" }, ANSWER_COMMAND_UNSUBSCRIBE, AVAIL_NONE,
	  LINE | ADDRESS,
	  MAIL_ARG_NONE, NULL, FALSE, NULL,
	  "unsubscribe", "In a reply to a digest: get no more of them." },

	/* The lines of an availability mail. */
	{ { "zone" }, ANSWER_COMMAND_AVAILABILITY, AVAIL_ZONE, AVAIL,
	  MAIL_ARG_VALUE, parse_zone, TRUE, avail_mail_take,
	  "zone Europe/Lisbon", "Your time zone, by its IANA name." },
	{ { "hours" }, ANSWER_COMMAND_AVAILABILITY, AVAIL_HOURS, AVAIL,
	  MAIL_ARG_VALUE, parse_hours, TRUE, avail_mail_take,
	  "hours 08:00-16:00", "Your working hours, in your zone." },
	{ { "days" }, ANSWER_COMMAND_AVAILABILITY, AVAIL_DAYS, AVAIL,
	  MAIL_ARG_VALUE, parse_days, TRUE, avail_mail_take,
	  "days mon-thu", "Your working days." },
	{ { "ooo", "out of office" }, ANSWER_COMMAND_AVAILABILITY, AVAIL_OOO,
	  AVAIL, MAIL_ARG_VALUE, parse_ooo, TRUE, avail_mail_take,
	  "ooo 2026-12-20..2027-01-03", "Out of office on these days (also "
	  "\"ooo until friday\"; \"ooo clear\" ends it)." },
	{ { "deep work", "deep-work" }, ANSWER_COMMAND_AVAILABILITY,
	  AVAIL_DEEP, AVAIL, MAIL_ARG_VALUE, parse_deep, TRUE,
	  avail_mail_take,
	  "deep work mon-fri 09:00-12:00", "Hours not to be disturbed, every "
	  "week (\"deep work clear\" ends them)." },
	{ { "status" }, ANSWER_COMMAND_AVAILABILITY, AVAIL_STATUS, AVAIL,
	  MAIL_ARG_TEXT, NULL, TRUE, avail_mail_take,
	  "status traveling until friday", "A few words on where you are "
	  "(\"status clear\" clears it)." },
};
const gsize mail_commands_len = G_N_ELEMENTS(mail_commands);

/* --- reading -------------------------------------------------------------- */

/* Whether LINE starts with WORD as a word of its own; *rest is after it. */
static gboolean
starts_with_word(const char *line, const char *word, const char **rest)
{
	size_t n = strlen(word);

	if (g_ascii_strncasecmp(line, word, n) != 0 ||
	    (line[n] != '\0' && !g_ascii_isspace(line[n]) &&
	    strchr(".!?:;,", line[n]) == NULL))
		return FALSE;
	*rest = line + n;
	return TRUE;
}

/* Whether REST (after the word of row C) makes LINE the command C, and
 * its argument. */
static gboolean
argument(const struct mail_command *c, enum mail_command_place place,
    const char *rest, char **arg)
{
	const char *p = rest;

	while (*p != '\0' && strchr(".!?:;, \t", *p) != NULL)
		p++;
	if (*p == '\0')	/* the word alone; not an answer's first word */
		return place != MAIL_COMMAND_LINE ||
		    !(c->places & MAIL_COMMAND_AVAIL);
	if (c->arg == MAIL_ARG_NONE)
		return FALSE;	/* "skipped the tests", "help Ana" */
	/* "pause until ...", "zone: Europe/Lisbon"; "paused" is no pause. */
	if (!g_ascii_isspace(*rest) && *rest != ':')
		return FALSE;
	*arg = g_strstrip(g_strdup(*rest == ':' ? rest + 1 : rest));
	/* An answer may begin with a word of the table ("zone of the
	 * release..."): at the start of a reply to a prompt only a line that
	 * reads is taken for one. */
	if (place == MAIL_COMMAND_LINE && (c->places & MAIL_COMMAND_AVAIL) &&
	    (c->parse == NULL || !c->parse(*arg, NULL))) {
		g_clear_pointer(arg, g_free);
		return FALSE;
	}
	return TRUE;
}

const struct mail_command *
mail_command_parse(const char *line, enum mail_command_place place,
    char **arg)
{
	g_autofree char *l = g_strstrip(g_strdup(line != NULL ? line : ""));

	*arg = NULL;
	for (gsize i = 0; i < mail_commands_len; i++) {
		const struct mail_command *c = &mail_commands[i];
		unsigned places = c->places;
		const char *rest;

		/* The availability lines also open a reply to a prompt. */
		if (place == MAIL_COMMAND_LINE && (places & MAIL_COMMAND_AVAIL) &&
		    c->arg != MAIL_ARG_TEXT)
			places |= MAIL_COMMAND_LINE;
		if (!(places & place))
			continue;
		for (gsize w = 0; w < G_N_ELEMENTS(c->words) &&
		    c->words[w] != NULL; w++)
			if (starts_with_word(l, c->words[w], &rest) &&
			    argument(c, place, rest, arg))
				return c;
	}
	return NULL;
}

const struct mail_command *
mail_command_find(enum answer_command c)
{
	for (gsize i = 0; i < mail_commands_len; i++)
		if (mail_commands[i].command == c)
			return &mail_commands[i];
	return NULL;
}

GPtrArray *
mail_command_help(enum mail_command_place place)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (gsize i = 0; i < mail_commands_len; i++)
		if (mail_commands[i].places & place)
			g_ptr_array_add(out, g_strdup_printf("%s\n%s",
			    mail_commands[i].usage, mail_commands[i].help));
	return out;
}
