/* Template syntax; see template-check.h. */
#include "config.h"

#include <string.h>

#include "render-error.h"
#include "template-check.h"

/* Blocks open at once, at most: deeper is a mistake, not a template. */
#define CHECK_MAX_DEPTH 32

struct check {
	const char *text;	/* the whole template */
	const char *display;
	int line, column;	/* where text starts */
	GError **error;
	gboolean failed;
};

/* Sets the error at AT, once. */
static gboolean
fail(struct check *c, const char *at, const char *what)
{
	int line = c->line, column = c->column;

	if (c->failed)
		return FALSE;
	c->failed = TRUE;
	for (const char *p = c->text; p < at; p++) {
		if (*p == '\n') {
			line++;
			column = 1;
		} else if (((guchar)*p & 0xc0) != 0x80)
			column++;
	}
	g_set_error(c->error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
	    "%s:%d:%d: %s", c->display, line, column, what);
	return FALSE;
}

/* --- expressions ------------------------------------------------------ */

/* An expression between P and END, as a cursor. */
struct expr {
	struct check *c;
	const char *p, *end;
};

static void
skip_space(struct expr *e)
{
	while (e->p < e->end && (*e->p == ' ' || *e->p == '\t'))
		e->p++;
}

static gboolean
is_name_start(char ch)
{
	return g_ascii_isalpha(ch) || ch == '_';
}

static gboolean
is_name_char(char ch)
{
	return g_ascii_isalnum(ch) || ch == '_';
}

/* The length of the name at P, or 0. */
static size_t
name_len(const char *p, const char *end)
{
	size_t n = 0;

	if (p >= end || !is_name_start(*p))
		return 0;
	while (p + n < end && is_name_char(p[n]))
		n++;
	return n;
}

static gboolean
reserved(const char *p, size_t n)
{
	static const char *const words[] = { "if", "else", "end", "for",
	    "in", NULL };

	for (const char *const *w = words; *w != NULL; w++)
		if (strlen(*w) == n && strncmp(p, *w, n) == 0)
			return TRUE;
	return FALSE;
}

/* The length of the binary operator at P, or 0. */
static size_t
operator_len(const char *p, const char *end)
{
	static const char *const two[] = { "==", "!=", "<=", ">=", "&&", "||",
	    NULL };

	if (p + 1 < end)
		for (const char *const *o = two; *o != NULL; o++)
			if (p[0] == (*o)[0] && p[1] == (*o)[1])
				return 2;
	if (p < end && strchr("+-*/%<>", *p) != NULL)
		return 1;
	return 0;
}

static gboolean expression(struct expr *e, int depth);

/* A number, a string, a name with its indexes, or an expression in
 * parentheses, with a sign before it or not. */
static gboolean
operand(struct expr *e, int depth)
{
	size_t n;

	skip_space(e);
	if (e->p < e->end && (*e->p == '+' || *e->p == '-')) {
		e->p++;
		skip_space(e);
	}
	if (e->p >= e->end)
		return fail(e->c, e->p, "a value is missing");
	if (g_ascii_isdigit(*e->p)) {
		while (e->p < e->end && g_ascii_isdigit(*e->p))
			e->p++;
		if (e->p < e->end && *e->p == '.') {
			e->p++;
			if (e->p >= e->end || !g_ascii_isdigit(*e->p))
				return fail(e->c, e->p, "a number ends in '.'");
			while (e->p < e->end && g_ascii_isdigit(*e->p))
				e->p++;
		}
		return TRUE;
	}
	if (*e->p == '"') {
		const char *open = e->p++;
		while (e->p < e->end && *e->p != '"')
			e->p += *e->p == '\\' && e->p + 1 < e->end ? 2 : 1;
		if (e->p >= e->end)
			return fail(e->c, open, "a string that is never closed");
		e->p++;
		return TRUE;
	}
	if (*e->p == '(') {
		const char *open = e->p++;
		if (!expression(e, depth + 1))
			return FALSE;
		skip_space(e);
		if (e->p >= e->end || *e->p != ')')
			return fail(e->c, open, "a '(' that is never closed");
		e->p++;
		return TRUE;
	}
	if ((n = name_len(e->p, e->end)) == 0)
		return fail(e->c, e->p, "a name, a number or a string is "
		    "expected here");
	if (reserved(e->p, n))
		return fail(e->c, e->p, "if, else, end, for and in are not "
		    "names of values");
	e->p += n;
	for (;;) {
		const char *open;
		skip_space(e);
		if (e->p >= e->end || *e->p != '[')
			return TRUE;
		open = e->p++;
		if (!expression(e, depth + 1))
			return FALSE;
		skip_space(e);
		if (e->p >= e->end || *e->p != ']')
			return fail(e->c, open, "a '[' that is never closed");
		e->p++;
	}
}

/* Operands joined by operators. */
static gboolean
expression(struct expr *e, int depth)
{
	size_t n;

	if (depth > CHECK_MAX_DEPTH)
		return fail(e->c, e->p, "an expression nested too deep");
	if (!operand(e, depth))
		return FALSE;
	for (;;) {
		skip_space(e);
		if ((n = operator_len(e->p, e->end)) == 0)
			return TRUE;
		e->p += n;
		if (!operand(e, depth))
			return FALSE;
	}
}

/* The whole of P..END is one expression. */
static gboolean
whole_expression(struct check *c, const char *p, const char *end)
{
	struct expr e = { c, p, end };

	if (!expression(&e, 0))
		return FALSE;
	skip_space(&e);
	if (e.p < e.end)
		return fail(c, e.p, "an operator or the end of the tag is "
		    "expected here");
	return TRUE;
}

/* --- tags and blocks -------------------------------------------------- */

enum block { BLOCK_IF, BLOCK_ELSE, BLOCK_FOR };

struct blocks {
	enum block kind[CHECK_MAX_DEPTH];
	const char *at[CHECK_MAX_DEPTH];
	int n;
};

/* Whether P..END begins with the word WORD, then a blank or the end. */
static gboolean
keyword(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && strncmp(p, word, n) == 0 &&
	    (p + n == end || p[n] == ' ' || p[n] == '\t' ||
	    (p[n] == '(' && strcmp(word, "if") == 0));
}

/* "{for NAME in NAME}" less its braces and "for". */
static gboolean
for_clause(struct check *c, const char *p, const char *end)
{
	struct expr e = { c, p, end };
	size_t n;

	skip_space(&e);
	if ((n = name_len(e.p, end)) == 0 || reserved(e.p, n))
		return fail(c, e.p, "a loop's variable is expected here");
	e.p += n;
	skip_space(&e);
	if (!keyword(e.p, end, "in"))
		return fail(c, e.p, "\"in\" is expected here");
	e.p += 2;
	skip_space(&e);
	if ((n = name_len(e.p, end)) == 0 || reserved(e.p, n))
		return fail(c, e.p, "the name of a list is expected here");
	e.p += n;
	skip_space(&e);
	if (e.p < end)
		return fail(c, e.p, "the end of the tag is expected here");
	return TRUE;
}

static gboolean
push(struct check *c, struct blocks *b, enum block kind, const char *at)
{
	if (b->n == CHECK_MAX_DEPTH)
		return fail(c, at, "blocks nested too deep");
	b->kind[b->n] = kind;
	b->at[b->n] = at;
	b->n++;
	return TRUE;
}

/* The tag whose text is P..END (without its braces), at AT. */
static gboolean
tag(struct check *c, struct blocks *b, const char *at, const char *p,
    const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p == end)
		return fail(c, at, "an empty tag");
	if (keyword(p, end, "end") && p + 3 == end) {
		if (b->n == 0)
			return fail(c, at, "an {end} with no block to close");
		b->n--;
		return TRUE;
	}
	if (keyword(p, end, "else") && p + 4 == end) {
		if (b->n == 0 || b->kind[b->n - 1] != BLOCK_IF)
			return fail(c, at, "an {else} outside an {if}, or a "
			    "second one");
		b->kind[b->n - 1] = BLOCK_ELSE;
		return TRUE;
	}
	if (keyword(p, end, "if"))
		return whole_expression(c, p + 2, end) &&
		    push(c, b, BLOCK_IF, at);
	if (keyword(p, end, "for"))
		return for_clause(c, p + 3, end) && push(c, b, BLOCK_FOR, at);
	return whole_expression(c, p, end);
}

gboolean
template_check(const char *text, const char *display, int line,
    int column, GError **error)
{
	struct check c = { text, display, line, column, error, FALSE };
	struct blocks b = { .n = 0 };
	const char *p = text;

	while (*p != '\0') {
		const char *open, *q;
		if (*p == '\\') {
			if (p[1] == '\0')
				return fail(&c, p, "a '\\' at the end: write "
				    "\"\\\\\" for one");
			p += 2;
			continue;
		}
		if (*p == '}')
			return fail(&c, p, "a '}' that closes no tag: write "
			    "\"\\}\" for one");
		if (*p != '{') {
			p++;
			continue;
		}
		open = p;
		/* The tag's end: its '}', past any string. */
		for (q = p + 1; *q != '\0' && *q != '}'; q++) {
			if (*q == '{' || *q == '\n')
				break;
			if (*q == '"')
				for (q++; *q != '\0' && *q != '"' &&
				    *q != '\n'; q++)
					if (*q == '\\' && q[1] != '\0')
						q++;
			if (*q == '\0' || *q == '\n')
				break;
		}
		if (*q != '}')
			return fail(&c, open, "a '{' whose tag is not closed "
			    "by '}' on its line: write \"\\{\" for one");
		if (!tag(&c, &b, open, p + 1, q))
			return FALSE;
		p = q + 1;
	}
	if (b.n > 0)
		return fail(&c, b.at[b.n - 1], b.kind[b.n - 1] == BLOCK_FOR ?
		    "a {for} that no {end} closes" :
		    "an {if} that no {end} closes");
	return TRUE;
}
