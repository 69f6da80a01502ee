/* Unit tests for reading replies to prompts: answers split per question,
 * mail commands, and the dates of "pause until". */
#include "config.h"

#include <glib.h>

#include "value.h"
#include "filter.h"
#include "mail-command.h"
#include "testtime.h"

static GPtrArray *
three_questions(void)
{
	GPtrArray *q = g_ptr_array_new();

	g_ptr_array_add(q, "What did you work on?");
	g_ptr_array_add(q, "What will you work on next?");
	g_ptr_array_add(q, "Is anything blocking you?");
	return q;
}

static void
assert_answers(const char *reply, const char *a1, const char *a2,
    const char *a3)
{
	g_autoptr(GPtrArray) q = three_questions();
	g_autoptr(GPtrArray) a = answer_split(reply, q);

	g_assert_cmpuint(a->len, ==, 3);
	g_assert_cmpstr(a->pdata[0], ==, a1);
	g_assert_cmpstr(a->pdata[1], ==, a2);
	g_assert_cmpstr(a->pdata[2], ==, a3);
}

/* Answers written under the quoted questions, as mail programs quote. */
static void
test_inline_quoted(void)
{
	assert_answers(
	    "> 1. What did you work on?\n"
	    "The billing migration.\n"
	    "Also code review.\n"
	    ">\n"
	    "> 2. What will you work on next?\n"
	    "Invoices.\n"
	    "> 3. Is anything blocking you?\n"
	    "Waiting for the staging database.\n",
	    "The billing migration.\nAlso code review.", "Invoices.",
	    "Waiting for the staging database.");
}

/* The question lines kept as they were, not quoted, and one left empty. */
static void
test_kept_question_lines(void)
{
	assert_answers(
	    "1. What did you work on?\n"
	    "Docs\n\n"
	    "2. What will you work on next?\n\n"
	    "3. Is anything blocking you?\n"
	    "No\n",
	    "Docs", NULL, "No");
}

/* A mail program wrapped a long question over two quoted lines; the
 * second half is no question line of its own. */
static void
test_wrapped_question(void)
{
	g_autoptr(GPtrArray) q = g_ptr_array_new();
	g_autoptr(GPtrArray) a = NULL;

	g_ptr_array_add(q, "Which customer conversations did you have this "
	    "week, and what did you learn from them?");
	g_ptr_array_add(q, "Any blockers?");
	a = answer_split("> 1. Which customer conversations did you have this\n"
	    "> week, and what did you learn from them?\n"
	    "Two calls with Acme.\n"
	    "> 2. Any blockers?\n"
	    "None.\n", q);
	g_assert_cmpstr(a->pdata[0], ==, "Two calls with Acme.");
	g_assert_cmpstr(a->pdata[1], ==, "None.");
}

/* Numbered answers without the questions. */
static void
test_numbered(void)
{
	assert_answers("1. Fixed the login bug\n2) Start on search\n"
	    "3: nothing", "Fixed the login bug", "Start on search", "nothing");
	assert_answers("1. Fixed the login bug\nand its test\n2. Search",
	    "Fixed the login bug\nand its test", "Search", NULL);
}

/* A numbered list longer than the questions is one answer; so is text. */
static void
test_whole(void)
{
	assert_answers("1. a\n2. b\n3. c\n4. d", "1. a\n2. b\n3. c\n4. d",
	    NULL, NULL);
	assert_answers("Mostly meetings today.\n\nNothing blocks me.",
	    "Mostly meetings today.\n\nNothing blocks me.", NULL, NULL);
	assert_answers("Worked on 2. the parser", "Worked on 2. the parser",
	    NULL, NULL);
	assert_answers("", NULL, NULL, NULL);
}

/* Words before the first question line answer the first question when
 * it has no answer of its own. */
static void
test_preface(void)
{
	assert_answers("Short week for me.\n"
	    "> 3. Is anything blocking you?\nThe VPN.\n",
	    "Short week for me.", NULL, "The VPN.");
}

/* Question lines in the quote of a top-posted reply, with no answers
 * under them, leave the reply whole. */
static void
test_top_posted(void)
{
	assert_answers("All good, nothing new.\n\n"
	    "> 1. What did you work on?\n> 2. What will you work on next?\n",
	    "All good, nothing new.", NULL, NULL);
}

static void
test_commands(void)
{
	static const struct {
		const char *line;
		enum answer_command c;
		const char *arg;
	} cases[] = {
		{ "skip", ANSWER_COMMAND_SKIP, NULL },
		{ "  Skip! ", ANSWER_COMMAND_SKIP, NULL },
		{ "SKIP.", ANSWER_COMMAND_SKIP, NULL },
		{ "skipped the tests today", ANSWER_COMMAND_NONE, NULL },
		{ "pause until 2026-12-24", ANSWER_COMMAND_PAUSE,
		  "until 2026-12-24" },
		{ "Pause until Monday", ANSWER_COMMAND_PAUSE, "until Monday" },
		{ "pause", ANSWER_COMMAND_PAUSE, NULL },
		{ "paused work on X", ANSWER_COMMAND_NONE, NULL },
		{ "resume", ANSWER_COMMAND_RESUME, NULL },
		{ "help?", ANSWER_COMMAND_HELP, NULL },
		{ "helping Ana with the release", ANSWER_COMMAND_NONE, NULL },
		{ "", ANSWER_COMMAND_NONE, NULL },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *arg = NULL;
		g_assert_cmpint(answer_parse_command(cases[i].line, &arg), ==,
		    cases[i].c);
		g_assert_cmpstr(arg, ==, cases[i].arg);
	}
	g_assert_cmpstr(answer_command_name(ANSWER_COMMAND_PAUSE), ==,
	    "pause");
}

/* Dates are the start of the local day in the member's zone. */
static void
test_until(void)
{
	/* Friday 27 November 2026, 10:00 in Berlin. */
	gint64 now = utc("2026-11-27T09:00:00Z");
	static const struct {
		const char *text;
		const char *zone;
		const char *want;
	} cases[] = {
		{ "until 2026-12-24", "Europe/Berlin", "2026-12-23T23:00:00Z" },
		{ "2026-12-24", "America/New_York", "2026-12-24T05:00:00Z" },
		{ "tomorrow", "Europe/Berlin", "2026-11-27T23:00:00Z" },
		{ "until Monday", "Europe/Berlin", "2026-11-29T23:00:00Z" },
		{ "friday", "Europe/Berlin", "2026-12-03T23:00:00Z" },
		{ "for 2 weeks", "Asia/Kolkata", "2026-12-10T18:30:00Z" },
		{ "3 days", "UTC", "2026-11-30T00:00:00Z" },
		{ "until 24 December", "UTC", "2026-12-24T00:00:00Z" },
		{ "January 6", "UTC", "2027-01-06T00:00:00Z" },
		{ "6 jan 2027", "UTC", "2027-01-06T00:00:00Z" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		gint64 t = value_parse_until(cases[i].text, cases[i].zone,
		    now, &error);
		g_assert_no_error(error);
		g_assert_cmpint(t, ==, utc(cases[i].want));
	}
	for (const char *const *bad = (const char *const[]){ "whenever",
	    "2026-02-30", "until 2025-01-01", "until", "13 smarch", NULL };
	    *bad != NULL; bad++) {
		g_autoptr(GError) error = NULL;
		g_assert_cmpint(value_parse_until(*bad, "UTC", now, &error),
		    ==, 0);
		g_assert_nonnull(error);
	}
}

/* The mail commands' table is whole: every row has a name, a usage and
 * a line of help (the help mail is made of them, so a command without
 * them would be one no member learns of), a usage that fits a line, and
 * a handler or the list taker's. */
static void
test_table(void)
{
	g_assert_cmpuint(mail_commands_len, >, 0);
	for (gsize i = 0; i < mail_commands_len; i++) {
		const struct mail_command *c = &mail_commands[i];

		g_assert_nonnull(c->words[0]);
		if (c->usage == NULL || *c->usage == '\0' || c->help == NULL ||
		    *c->help == '\0')
			g_error("the mail command \"%s\" has no help text",
			    c->words[0]);
		g_assert_true(g_str_has_prefix(c->usage, c->words[0]));
		g_assert_cmpuint(g_utf8_strlen(c->usage, -1), <=, 60);
		g_assert_false(g_ascii_isspace(*c->help));
		g_assert_true(c->act != NULL ||
		    c->command == ANSWER_COMMAND_SUBSCRIBE ||
		    c->command == ANSWER_COMMAND_UNSUBSCRIBE);
		g_assert_true(c->verb == AVAIL_NONE ||
		    c->command == ANSWER_COMMAND_AVAILABILITY);
		/* Its word alone is found where it may stand. */
		if (c->places & MAIL_COMMAND_ADDRESS) {
			g_autofree char *arg = NULL;
			g_assert_true(mail_command_parse(c->words[0],
			    MAIL_COMMAND_ADDRESS, &arg) == c);
		}
	}
	g_assert_true(mail_command_find(ANSWER_COMMAND_PAUSE)->needs_trust);
	g_assert_false(mail_command_find(ANSWER_COMMAND_HELP)->needs_trust);
}

/* An availability line opens a reply to a prompt only when its value
 * reads: "zone Europe/Lisbon" is a command, "zone of the release slipped"
 * an answer; in an availability mail every line is read as one. */
static void
test_lines(void)
{
	static const struct {
		const char *line;
		enum mail_command_place place;
		enum answer_command c;
		enum avail_verb verb;
		const char *arg;
	} cases[] = {
		{ "zone Europe/Lisbon", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_ZONE, "Europe/Lisbon" },
		{ "Zone: Europe/Lisbon", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_ZONE, "Europe/Lisbon" },
		{ "zone of the release slipped", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_NONE, AVAIL_NONE, NULL },
		{ "zone", MAIL_COMMAND_LINE, ANSWER_COMMAND_NONE, AVAIL_NONE,
		  NULL },
		{ "zone", MAIL_COMMAND_AVAIL, ANSWER_COMMAND_AVAILABILITY,
		  AVAIL_ZONE, NULL },
		{ "hours 08:00-16:00", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_HOURS, "08:00-16:00" },
		{ "hours were long this week", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_NONE, AVAIL_NONE, NULL },
		{ "out of office 2026-12-20..2027-01-03", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_OOO,
		  "2026-12-20..2027-01-03" },
		{ "ooo until friday", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_OOO, "until friday" },
		{ "deep work mon-fri 09:00-12:00", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_DEEP, "mon-fri 09:00-12:00" },
		{ "deep work on the parser", MAIL_COMMAND_LINE,
		  ANSWER_COMMAND_NONE, AVAIL_NONE, NULL },
		{ "status traveling", MAIL_COMMAND_LINE, ANSWER_COMMAND_NONE,
		  AVAIL_NONE, NULL },
		{ "status traveling", MAIL_COMMAND_AVAIL,
		  ANSWER_COMMAND_AVAILABILITY, AVAIL_STATUS, "traveling" },
		{ "skip", MAIL_COMMAND_AVAIL, ANSWER_COMMAND_NONE, AVAIL_NONE,
		  NULL },
		{ "who", MAIL_COMMAND_ADDRESS, ANSWER_COMMAND_WHO, AVAIL_NONE,
		  NULL },
		{ "zone", MAIL_COMMAND_ADDRESS, ANSWER_COMMAND_NONE, AVAIL_NONE,
		  NULL },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *arg = NULL;
		const struct mail_command *c = mail_command_parse(
		    cases[i].line, cases[i].place, &arg);

		if ((c != NULL ? c->command : ANSWER_COMMAND_NONE) !=
		    cases[i].c)
			g_error("\"%s\": %s, not %s", cases[i].line,
			    answer_command_name(c != NULL ? c->command :
			    ANSWER_COMMAND_NONE),
			    answer_command_name(cases[i].c));
		g_assert_cmpint(c != NULL ? c->verb : AVAIL_NONE, ==,
		    cases[i].verb);
		g_assert_cmpstr(arg, ==, cases[i].arg);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/answer/inline-quoted", test_inline_quoted);
	g_test_add_func("/answer/kept-question-lines",
	    test_kept_question_lines);
	g_test_add_func("/answer/wrapped-question", test_wrapped_question);
	g_test_add_func("/answer/numbered", test_numbered);
	g_test_add_func("/answer/whole", test_whole);
	g_test_add_func("/answer/preface", test_preface);
	g_test_add_func("/answer/top-posted", test_top_posted);
	g_test_add_func("/answer/commands", test_commands);
	g_test_add_func("/answer/until", test_until);
	g_test_add_func("/answer/command-table", test_table);
	g_test_add_func("/answer/command-lines", test_lines);
	return g_test_run();
}
