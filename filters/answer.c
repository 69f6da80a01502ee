/* answer: a reply to a check-in prompt, or a mail command.
 *
 * The prompt is found by the token of the reply address the mail came to
 * (To, Cc, Delivered-To: LOCAL+TOKEN@DOMAIN), or else by the prompt's
 * Message-ID in In-Reply-To or References.  A mail command is the first
 * line of the reply ("skip", "pause until 2026-12-24", "resume", "help")
 * or the detail of the address it came to (LOCAL+help@DOMAIN).  A mail
 * to an attendee's own meeting address (LOCAL+meet-TOKEN@DOMAIN, the
 * ORGANIZER of their invitations) is neither: its token is kept for the
 * meetings' taker to weigh (take-itip.c).  The
 * filter splits the reply into one answer per question.  It only
 * recognises a command, by the mail commands' table (mail-command.h);
 * whether the sender may answer, and what a command does, is for the
 * takers (take-answer.c, take-command.c), which know the people. */
#include "config.h"

#include <string.h>

#include "filter.h"
#include "mail-command.h"
#include "token.h"

void
filter_prompt_free(struct filter_prompt *p)
{
	if (p == NULL)
		return;
	g_free(p->person);
	if (p->questions != NULL)
		g_ptr_array_unref(p->questions);
	g_free(p);
}

const char *
answer_command_name(enum answer_command c)
{
	const struct mail_command *row = mail_command_find(c);

	if (row != NULL)
		return row->words[0];
	if (c == ANSWER_COMMAND_URGENT)
		return "urgent";
	return c == ANSWER_COMMAND_CONFIRM ? "confirm" :
	    c == ANSWER_COMMAND_SETTINGS ? "settings" :
	    c == ANSWER_COMMAND_UNKNOWN ? "unknown" : "none";
}

/* A look-up in the mail commands' table (mail-command.h): its word alone
 * on the line, or followed by punctuation ("Skip!", "help?") or by the
 * argument it takes ("pause until ..."), or an availability line whose
 * value reads; "skipped the tests" is an answer, not a command. */
enum answer_command
answer_parse_command(const char *line, char **arg)
{
	const struct mail_command *c = mail_command_parse(line,
	    MAIL_COMMAND_LINE, arg);

	return c != NULL ? c->command : ANSWER_COMMAND_NONE;
}

static gboolean
is_token(const char *s)
{
	return strlen(s) == TOKEN_LENGTH && strspn(s,
	    "abcdefghijklmnopqrstuvwxyz234567ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
	    TOKEN_LENGTH;
}

enum answer_command
answer_parse_list_address(const char *detail, char **team, char **token)
{
	static const struct {
		const char *suffix;
		gboolean with_token;
		enum answer_command command;
	} forms[] = {
		{ "-subscribe", FALSE, ANSWER_COMMAND_SUBSCRIBE },
		{ "-unsubscribe", FALSE, ANSWER_COMMAND_UNSUBSCRIBE },
		{ "-unsubscribe-", TRUE, ANSWER_COMMAND_UNSUBSCRIBE },
		{ "-confirm-", TRUE, ANSWER_COMMAND_CONFIRM },
		{ "-settings-", TRUE, ANSWER_COMMAND_SETTINGS },
	};
	g_autofree char *d = g_ascii_strdown(detail, -1);
	size_t len = strlen(d);

	*team = *token = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		size_t n = strlen(forms[i].suffix);
		size_t tail = n + (forms[i].with_token ? TOKEN_LENGTH : 0);
		const char *at = d + len - tail;

		if (len <= tail || strncmp(at, forms[i].suffix, n) != 0 ||
		    (forms[i].with_token && !is_token(at + n)) ||
		    (!forms[i].with_token && at[n] != '\0'))
			continue;
		*team = g_strndup(d, len - tail);
		if (forms[i].with_token)
			*token = g_strdup(at + n);
		return forms[i].command;
	}
	return ANSWER_COMMAND_NONE;
}

/* The token of a meeting address's detail, "meet-TOKEN" (lower case), or
 * NULL.  Caller frees. */
static char *
meet_token_of(const char *detail)
{
	if (g_ascii_strncasecmp(detail, "meet-", 5) != 0 ||
	    !is_token(detail + 5))
		return NULL;
	return g_ascii_strdown(detail + 5, -1);
}

gboolean
answer_parse_urgent_address(const char *detail, char **team)
{
	g_autofree char *d = g_ascii_strdown(detail, -1);

	*team = NULL;
	if (strcmp(d, "urgent") == 0)
		return TRUE;
	if (!g_str_has_prefix(d, "urgent-") || d[7] == '\0')
		return FALSE;
	*team = g_strdup(d + 7);
	return TRUE;
}

/* A line with its quote marks and surrounding blanks removed; *depth gets
 * the number of '>'. */
static const char *
unquote(const char *line, int *depth)
{
	*depth = 0;
	for (;; line++) {
		if (*line == '>')
			(*depth)++;
		else if (*line != ' ' && *line != '\t')
			return line;
	}
}

/* Lower case, blanks folded, trailing punctuation and blanks gone: the
 * form in which question lines are compared. */
static char *
normalise(const char *text)
{
	g_autofree char *down = g_utf8_casefold(text, -1);
	GString *out = g_string_new(NULL);
	gboolean blank = FALSE;

	for (const char *p = down; *p != '\0'; p++) {
		if (g_ascii_isspace(*p)) {
			blank = out->len > 0;
			continue;
		}
		if (blank)
			g_string_append_c(out, ' ');
		blank = FALSE;
		g_string_append_c(out, *p);
	}
	while (out->len > 0 && strchr("?:.!* ", out->str[out->len - 1]))
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

/* The number a line starts with, as "2." "2)" "2:" "2 -" or "(2)", and
 * where the text after it begins; 0 when it starts with none. */
static int
leading_number(const char *line, const char **after)
{
	const char *p = line;
	int n = 0;

	if (*p == '(')
		p++;
	if (!g_ascii_isdigit(*p))
		return 0;
	while (g_ascii_isdigit(*p) && n < 1000)
		n = n * 10 + (*p++ - '0');
	if (*p == '.' || *p == ')' || *p == ':')
		p++;
	else if (*p == ' ' && p[1] == '-')
		p += 2;
	else
		return 0;
	if (*p != '\0' && !g_ascii_isspace(*p))
		return 0;
	while (g_ascii_isspace(*p))
		p++;
	*after = p;
	return n;
}

/* Which question LINE repeats (0-based), or -1: "2. Any blockers?" or the
 * question's text alone, quoted or not, also when a mail program wrapped
 * it (the start of the question, at least 12 characters of it). */
static int
question_line(const char *line, GPtrArray *norm)
{
	int depth, n;
	const char *text = unquote(line, &depth), *after = text;
	g_autofree char *l = NULL;

	n = leading_number(text, &after);
	l = normalise(after);
	if (*l == '\0')
		return -1;
	for (guint i = 0; i < norm->len; i++) {
		const char *q = norm->pdata[i];
		size_t len = strlen(l);

		if (n != 0 && n != (int)i + 1)
			continue;
		if (strcmp(l, q) == 0 ||
		    (len >= MIN(12, strlen(q)) && strncmp(q, l, len) == 0))
			return (int)i;
	}
	return -1;
}

/* The unquoted lines of LINES[FROM, TO), trimmed of blank lines. */
static char *
segment_text(char **lines, guint from, guint to)
{
	GString *out = g_string_new(NULL);
	int depth;

	for (guint i = from; i < to; i++) {
		unquote(lines[i], &depth);
		if (depth > 0)
			continue;
		g_string_append(out, lines[i]);
		g_string_append_c(out, '\n');
	}
	g_strstrip(out->str);
	out->len = strlen(out->str);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

static GPtrArray *
answers_new(guint n)
{
	GPtrArray *a = g_ptr_array_new_full(n, g_free);

	g_ptr_array_set_size(a, (gint)n);
	return a;
}

/* Split by the question lines the person kept: each answer is what they
 * wrote below its question, up to the next one. */
static gboolean
split_by_questions(char **lines, GPtrArray *questions, GPtrArray *answers)
{
	g_autoptr(GPtrArray) norm = g_ptr_array_new_with_free_func(g_free);
	guint n = g_strv_length(lines), start = 0;
	int current = -1, found = 0;
	gboolean any = FALSE;

	for (guint i = 0; i < questions->len; i++)
		g_ptr_array_add(norm, normalise(questions->pdata[i]));
	for (guint i = 0; i <= n; i++) {
		int q = i < n ? question_line(lines[i], norm) : -2;
		if (q == -1 || (q >= 0 && q <= current && i < n))
			continue;
		if (current >= 0) {
			char *text = segment_text(lines, start, i);
			if (text != NULL) {
				g_free(answers->pdata[current]);
				answers->pdata[current] = text;
				any = TRUE;
			}
		} else if (q >= 0 && i > 0 && answers->pdata[0] == NULL) {
			/* Words before the first question line. */
			answers->pdata[0] = segment_text(lines, 0, i);
		}
		if (q >= 0) {
			current = q;
			start = i + 1;
			found++;
		}
	}
	return found > 0 && any;
}

/* Split by numbered answers "1. ...", "2) ...": numbers that run from 1
 * without a gap, no more than there are questions. */
static gboolean
split_by_numbers(char **lines, GPtrArray *questions, GPtrArray *answers)
{
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(guint));
	guint n = g_strv_length(lines);
	const char *after;

	if (questions->len < 2)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		int depth;
		const char *t = unquote(lines[i], &depth);
		if (depth > 0 || leading_number(t, &after) !=
		    (int)starts->len + 1)
			continue;
		if (starts->len == questions->len)
			return FALSE;	/* a list, not answers */
		g_array_append_val(starts, i);
	}
	if (starts->len < 2)
		return FALSE;
	for (guint k = 0; k < starts->len; k++) {
		guint from = g_array_index(starts, guint, k);
		guint to = k + 1 < starts->len ?
		    g_array_index(starts, guint, k + 1) : n;
		g_autofree char *first = NULL;
		int depth;

		/* The number goes; the rest of its line stays. */
		leading_number(unquote(lines[from], &depth), &after);
		first = g_strdup(after);
		g_free(lines[from]);
		lines[from] = g_steal_pointer(&first);
		answers->pdata[k] = segment_text(lines, from, to);
	}
	return TRUE;
}

GPtrArray *
answer_split(const char *reply, GPtrArray *questions)
{
	GPtrArray *answers = answers_new(questions->len);
	g_auto(GStrv) lines = g_strsplit(reply != NULL ? reply : "", "\n", -1);

	if (questions->len == 0)
		return answers;
	if (split_by_questions(lines, questions, answers))
		return answers;
	for (guint i = 0; i < answers->len; i++)
		g_clear_pointer(&answers->pdata[i], g_free);
	if (split_by_numbers(lines, questions, answers))
		return answers;
	answers->pdata[0] = segment_text(lines, 0, g_strv_length(lines));
	return answers;
}

/* --- the filter ------------------------------------------------------- */

/* The first detail of tidings' own subaddresses among ADDRS. */
static char *
own_detail(GPtrArray *addrs, struct filter_ctx *ctx)
{
	for (guint i = 0; addrs != NULL && i < addrs->len; i++) {
		char *d = token_subaddress(addrs->pdata[i], ctx->address,
		    ctx->domain);
		if (d != NULL)
			return d;
	}
	return NULL;
}

/* The token of the first of tidings' meeting addresses among ADDRS, or
 * NULL.  Caller frees. */
static char *
own_meet_token(GPtrArray *addrs, struct filter_ctx *ctx)
{
	for (guint i = 0; addrs != NULL && i < addrs->len; i++) {
		g_autofree char *d = token_subaddress(addrs->pdata[i],
		    ctx->address, ctx->domain);
		char *t = d != NULL ? meet_token_of(d) : NULL;
		if (t != NULL)
			return t;
	}
	return NULL;
}

static char *
first_line(const char *text)
{
	const char *p = text != NULL ? text : "";
	const char *end;

	while (*p == '\n' || *p == ' ' || *p == '\t')
		p++;
	end = strchr(p, '\n');
	return end != NULL ? g_strndup(p, (gsize)(end - p)) : g_strdup(p);
}

/* A command by address: LOCAL+help@, with its argument from the subject
 * or the first line ("pause" wants a date). */
static gboolean
command_by_address(struct message *msg, const char *detail)
{
	g_autofree char *line = NULL, *arg = NULL;
	const struct mail_command *row;
	enum answer_command c;

	if (answer_parse_urgent_address(detail, &msg->command_team)) {
		msg->command = ANSWER_COMMAND_URGENT;
		return TRUE;
	}
	row = mail_command_parse(detail, MAIL_COMMAND_ADDRESS, &arg);
	c = row != NULL ? row->command : ANSWER_COMMAND_NONE;

	if (c == ANSWER_COMMAND_NONE)
		c = answer_parse_list_address(detail, &msg->command_team,
		    &msg->command_token);
	if (c == ANSWER_COMMAND_NONE) {
		/* A token is 16 characters of base32 (or, stale or cut, has
		 * digits); a word was meant as a command, or names a team
		 * (whose list commands come in the subject or first line). */
		if (strlen(detail) == TOKEN_LENGTH ||
		    strpbrk(detail, "0123456789") != NULL)
			return FALSE;
		msg->command = ANSWER_COMMAND_UNKNOWN;
		msg->command_arg = g_strdup(detail);
		return TRUE;
	}
	msg->command = c;
	if (c == ANSWER_COMMAND_PAUSE) {
		line = first_line(msg->reply != NULL ? msg->reply : msg->text);
		g_free(arg);
		arg = NULL;
		if (answer_parse_command(line, &arg) != ANSWER_COMMAND_PAUSE &&
		    answer_parse_command(msg->subject, &arg) !=
		    ANSWER_COMMAND_PAUSE)
			arg = g_strdup(*line != '\0' ? line : msg->subject);
	}
	msg->command_arg = g_steal_pointer(&arg);
	return TRUE;
}

/* Whether tidings' own address itself (no subaddress) is among ADDRS. */
static gboolean
to_own_address(GPtrArray *addrs, const char *address)
{
	for (guint i = 0; addrs != NULL && i < addrs->len; i++)
		if (g_ascii_strcasecmp(addrs->pdata[i], address) == 0)
			return TRUE;
	return FALSE;
}

static GPtrArray *
parent_ids(const struct message *msg)
{
	GPtrArray *ids = g_ptr_array_new();

	if (msg->in_reply_to != NULL)
		g_ptr_array_add(ids, msg->in_reply_to);
	for (guint i = msg->references != NULL ? msg->references->len : 0;
	    i > 0; i--)
		g_ptr_array_add(ids, msg->references->pdata[i - 1]);
	return ids;
}

static enum verdict
answer_run(struct message *msg, struct filter_ctx *ctx)
{
	g_autofree char *detail = NULL, *line = NULL, *arg = NULL;
	g_autoptr(GPtrArray) ids = NULL;
	struct filter_prompt *p;
	enum answer_command c;
	gboolean own;

	if (ctx->address == NULL)
		return FILTER_NEXT;
	detail = own_detail(msg->to, ctx);
	if (detail == NULL)
		detail = own_detail(msg->cc, ctx);
	if (detail == NULL)
		detail = own_detail(msg->delivered_to, ctx);
	msg->meet_token = own_meet_token(msg->to, ctx);
	if (msg->meet_token == NULL)
		msg->meet_token = own_meet_token(msg->delivered_to, ctx);
	if (msg->meet_token == NULL)
		msg->meet_token = own_meet_token(msg->cc, ctx);
	if (msg->meet_token != NULL && detail != NULL) {
		/* A meeting address is neither a command nor a prompt's. */
		g_autofree char *t = meet_token_of(detail);
		if (t != NULL)
			g_clear_pointer(&detail, g_free);
	}
	if (detail != NULL && command_by_address(msg, detail)) {
		msg->kind = MESSAGE_COMMAND;
		return FILTER_NEXT;
	}
	msg->token = g_steal_pointer(&detail);

	ids = parent_ids(msg);
	p = ctx->lookup != NULL ? ctx->lookup(ctx, msg->token, ids) : NULL;
	if (p != NULL) {
		msg->prompt_id = p->id;
		msg->prompt_person = g_strdup(p->person);
	}
	line = first_line(msg->reply != NULL ? msg->reply : msg->text);
	c = answer_parse_command(line, &arg);
	/* Sent on its own to tidings' address, a command may also be the
	 * subject. */
	own = p == NULL && msg->token == NULL &&
	    (to_own_address(msg->to, ctx->address) ||
	    to_own_address(msg->cc, ctx->address) ||
	    to_own_address(msg->delivered_to, ctx->address));
	if (c == ANSWER_COMMAND_NONE && own) {
		g_clear_pointer(&arg, g_free);
		c = answer_parse_command(msg->subject, &arg);
	}
	/* Commands stand for themselves in a reply to a prompt (or a mail to
	 * a token address) and in a mail to tidings' own address (whose
	 * sender the trust rule then weighs); subscribe and unsubscribe also
	 * in a reply to a digest, whose team the recording finds. */
	if (c != ANSWER_COMMAND_NONE && (p != NULL || msg->token != NULL ||
	    own || ((c == ANSWER_COMMAND_SUBSCRIBE ||
	    c == ANSWER_COMMAND_UNSUBSCRIBE) && ids->len > 0))) {
		msg->command = c;
		msg->command_arg = g_steal_pointer(&arg);
		msg->kind = MESSAGE_COMMAND;
	} else if (p != NULL) {
		msg->answers = answer_split(msg->reply != NULL ? msg->reply :
		    msg->text, p->questions);
		msg->kind = MESSAGE_REPLY;
	}
	filter_prompt_free(p);
	return FILTER_NEXT;
}

const struct filter filter_answer = {
	.name = "answer",
	.run = answer_run,
	.at_commit = TRUE,
};
