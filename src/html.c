/* HTML to plain text with gumbo; see html.h. */
#include "config.h"

#include <gumbo.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "html.h"

struct html_out {
	GString *text;
	int pending;		/* line breaks owed before the next text */
	gboolean space;		/* a space owed before the next word */
	int pre;		/* inside <pre>: whitespace is kept */
	enum html_flags flags;
	gboolean stop;		/* the rest of the document is quoted */
	int quote_depth;	/* HTML_MARK_QUOTES: quotes open here */
	gboolean reject;	/* the direct reading cannot follow it */
};

static void
out_break(struct html_out *o, int n)
{
	if (o->text->len > 0 && n > o->pending)
		o->pending = n;
	o->space = FALSE;
}

static gboolean
out_at_line_start(const struct html_out *o)
{
	return o->text->len == 0 || o->text->str[o->text->len - 1] == '\n';
}

static void
out_flush(struct html_out *o)
{
	for (; o->pending > 0; o->pending--)
		g_string_append_c(o->text, '\n');
	/* A line of quoted text begins with its marks, as in plain mail;
	 * past a few levels, more marks tell nothing and would only make
	 * hostile nesting large. */
	if (o->quote_depth > 0 && out_at_line_start(o)) {
		for (int i = 0; i < MIN(o->quote_depth, 8); i++)
			g_string_append_c(o->text, '>');
		g_string_append_c(o->text, ' ');
		o->space = FALSE;
	}
	if (o->space && o->text->len > 0 &&
	    o->text->str[o->text->len - 1] != '\n')
		g_string_append_c(o->text, ' ');
	o->space = FALSE;
}

static void
out_text_len(struct html_out *o, const char *s, size_t len)
{
	const char *end = s + len;

	if (o->pre) {
		out_flush(o);
		g_string_append_len(o->text, s, (gssize)len);
		return;
	}
	/* A word at a time: after the flush before its first character,
	 * the flushes before the others would do nothing. */
	for (const char *p = s, *q; p < end; p = q) {
		if (g_ascii_isspace(*p)) {
			o->space = TRUE;
			q = p + 1;
			continue;
		}
		for (q = p + 1; q < end && !g_ascii_isspace(*q); q++)
			;
		out_flush(o);
		g_string_append_len(o->text, p, q - p);
	}
}

static void
out_text(struct html_out *o, const char *s)
{
	out_text_len(o, s, strlen(s));
}

static void
out_line_break(struct html_out *o)
{
	if (o->text->len > 0 && o->pending < 2)
		o->pending++;
	o->space = FALSE;
}

/* Whether the space-separated words of CLS hold WORD. */
static gboolean
has_word(const char *cls, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cls; (p = strstr(p, word)) != NULL; p += n)
		if ((p == cls || g_ascii_isspace(p[-1])) &&
		    (p[n] == '\0' || g_ascii_isspace(p[n])))
			return TRUE;
	return FALSE;
}

/* Gmail, Outlook, Apple Mail, Thunderbird and Yahoo wrap what they quote in
 * these.  Returns 2 when everything from here on is quoted (Outlook puts
 * the quoted mail after a marker, not inside it), 1 for this element.  ID
 * and CLS may be NULL. */
static int
quote_kind(GumboTag tag, const char *id, const char *cls)
{
	static const char *const classes[] = { "gmail_quote",
	    "gmail_quote_container", "gmail_extra", "yahoo_quoted",
	    "moz-cite-prefix", "protonmail_quote" };

	if (tag == GUMBO_TAG_BLOCKQUOTE)
		return 1;
	for (size_t i = 0; cls != NULL && i < G_N_ELEMENTS(classes); i++)
		if (has_word(cls, classes[i]))
			return 1;
	if (id != NULL && (strcmp(id, "appendonsend") == 0 ||
	    strcmp(id, "divRplyFwdMsg") == 0 ||
	    g_str_has_prefix(id, "x_divRplyFwdMsg") ||
	    strcmp(id, "mail-editor-reference-message-container") == 0))
		return 2;
	return 0;
}

/* For HTML_MARK_QUOTES: 1 for what holds quoted text (a blockquote, the
 * containers of Yahoo and Proton that quote without one), 2 for Outlook's
 * markers after which everything is quoted, 3 for a signature a mail
 * program set apart (Gmail, Thunderbird, Outlook), 0 for the rest: Gmail's
 * and Thunderbird's containers hold the attribution line, which the quote
 * filter reads, and the writer's own text between its quotes. */
static int
mark_kind(GumboTag tag, const char *id, const char *cls)
{
	static const char *const quoting[] = { "yahoo_quoted",
	    "protonmail_quote" };
	static const char *const signatures[] = { "gmail_signature",
	    "moz-signature" };
	int q = quote_kind(tag, id, cls);

	if (q == 2 || tag == GUMBO_TAG_BLOCKQUOTE)
		return q == 2 ? 2 : 1;
	for (size_t i = 0; cls != NULL && i < G_N_ELEMENTS(quoting); i++)
		if (has_word(cls, quoting[i]))
			return 1;
	for (size_t i = 0; cls != NULL && i < G_N_ELEMENTS(signatures); i++)
		if (has_word(cls, signatures[i]))
			return 3;
	if (id != NULL && (strcmp(id, "Signature") == 0 ||
	    strcmp(id, "ms-outlook-mobile-signature") == 0))
		return 3;
	return 0;
}

static int
block_breaks(GumboTag tag)
{
	switch (tag) {
	case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
	case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
	case GUMBO_TAG_H6: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
	case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_TABLE:
	case GUMBO_TAG_HR:
		return 2;
	case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_TR:
	case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER:
	case GUMBO_TAG_FOOTER: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
	case GUMBO_TAG_DD: case GUMBO_TAG_ADDRESS:
		return 1;
	default:
		return 0;
	}
}

static gboolean
skipped(GumboTag tag)
{
	return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE ||
	    tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_TITLE ||
	    tag == GUMBO_TAG_TEMPLATE || tag == GUMBO_TAG_NOSCRIPT ||
	    tag == GUMBO_TAG_IFRAME || tag == GUMBO_TAG_OBJECT;
}

/* --- the parsed tree --------------------------------------------------- */

static const char *
attr(const GumboElement *e, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);

	return a != NULL ? a->value : NULL;
}

/* A node being walked.  The walk keeps its own stack, as deep as the tree:
 * recursion would overflow the C stack on hostile nesting.  The direct
 * reading (below) walks its elements with the same frames, made from the
 * tags as they stand rather than from gumbo's nodes. */
struct frame {
	const GumboNode *node;		/* gumbo's, or NULL */
	const GumboVector *children;	/* NULL until entered */
	unsigned next;			/* the next child to walk */
	GumboTag tag;			/* GUMBO_TAG_LAST: the document */
	/* The direct reading's element: its name, by which an end tag is
	 * matched, and its attributes as they stand. */
	const char *name;
	size_t name_len;
	const char *attrs;
	size_t attrs_len;
	gboolean entered;		/* the direct reading: enter() took it */
	int list_depth;			/* lists open around the children */
	int item;			/* an <ol>'s items so far */
	int breaks;			/* block_breaks() owed on leaving */
	gboolean numbered;		/* an <li> of an <ol>, numbered */
	gsize before;			/* the text's length on entering */
	gboolean quoting;		/* opened a quote (HTML_MARK_QUOTES) */
	gboolean label;			/* <b> or <strong> at a line's start */
};

static char *direct_attr(struct html_out *o, const char *attrs, size_t len,
    const char *name);

/* The attribute NAME of F's element, its character references decoded, or
 * NULL; *OWNED is what to free. */
static const char *
frame_attr(struct html_out *o, const struct frame *f, const char *name,
    char **owned)
{
	*owned = NULL;
	if (f->node != NULL)
		return attr(&f->node->v.element, name);
	return *owned = direct_attr(o, f->attrs, f->attrs_len, name);
}

/* The kind of quote (quote_kind() or mark_kind(), as KIND) of F. */
static int
frame_quote(struct html_out *o, const struct frame *f,
    int (*kind)(GumboTag, const char *, const char *))
{
	g_autofree char *id_owned = NULL, *cls_owned = NULL;
	const char *id = frame_attr(o, f, "id", &id_owned);
	const char *cls = frame_attr(o, f, "class", &cls_owned);

	return kind(f->tag, id, cls);
}

/* Enters F, an element: what comes before its children.  FALSE when it
 * has none to walk. */
static gboolean
enter_element(struct html_out *o, struct frame *f, struct frame *parent)
{
	if (parent != NULL && parent->tag == GUMBO_TAG_OL &&
	    f->tag == GUMBO_TAG_LI) {
		out_break(o, 1);
		out_flush(o);
		g_string_append_printf(o->text, "%*s%d. ",
		    2 * (f->list_depth - 1), "", ++parent->item);
		f->numbered = TRUE;
		return TRUE;
	}
	if (skipped(f->tag))
		return FALSE;
	if (o->flags & HTML_SKIP_QUOTES) {
		int q = frame_quote(o, f, quote_kind);
		if (q == 2)
			o->stop = TRUE;
		if (q != 0)
			return FALSE;
	} else if (o->flags & HTML_MARK_QUOTES) {
		int q = frame_quote(o, f, mark_kind);
		if (q == 2 || q == 3) {
			o->stop = q == 2;
			return FALSE;
		}
		/* A rule under the writer's text, at the top level, sets
		 * off what they answer, as Outlook.com and others do. */
		if (f->tag == GUMBO_TAG_HR && o->quote_depth == 0 &&
		    o->text->len > 0) {
			o->stop = TRUE;
			return FALSE;
		}
		/* A line break or an image is not left: it quotes nothing. */
		if (q == 1 && f->tag != GUMBO_TAG_BR && f->tag != GUMBO_TAG_IMG) {
			out_break(o, 2);
			o->quote_depth++;
			f->quoting = TRUE;
		}
		/* "<b>What is next?</b> The imports": the label is a line of
		 * its own, as the question it repeats. */
		if ((f->tag == GUMBO_TAG_B || f->tag == GUMBO_TAG_STRONG) &&
		    (o->pending > 0 || out_at_line_start(o)))
			f->label = TRUE;
	}
	switch (f->tag) {
	case GUMBO_TAG_BR:
		out_line_break(o);
		return FALSE;
	case GUMBO_TAG_IMG: {
		g_autofree char *owned = NULL;
		const char *alt = frame_attr(o, f, "alt", &owned);
		if (alt != NULL && *alt != '\0') {
			g_autofree char *shown = g_strdup_printf("[%s]", alt);
			out_text(o, shown);
		}
		return FALSE;
	}
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
		o->space = TRUE;
		break;
	default:
		break;
	}
	f->breaks = block_breaks(f->tag);
	if (f->breaks)
		out_break(o, f->breaks);
	if (f->tag == GUMBO_TAG_UL || f->tag == GUMBO_TAG_OL)
		f->list_depth++;
	if (f->tag == GUMBO_TAG_LI) {
		out_flush(o);
		g_string_append_printf(o->text, "%*s- ",
		    2 * MAX(f->list_depth - 1, 0), "");
	}
	if (f->tag == GUMBO_TAG_PRE)
		o->pre++;
	f->before = o->text->len;
	return TRUE;
}

/* Enters F, a node of gumbo's tree.  FALSE when it has no children to
 * walk. */
static gboolean
enter(struct html_out *o, struct frame *f, struct frame *parent)
{
	const GumboNode *n = f->node;

	switch (n->type) {
	case GUMBO_NODE_DOCUMENT:
		f->tag = GUMBO_TAG_LAST;
		f->children = &n->v.document.children;
		return TRUE;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		f->tag = n->v.element.tag;
		f->children = &n->v.element.children;
		return enter_element(o, f, parent);
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_CDATA:
	case GUMBO_NODE_WHITESPACE:
		out_text(o, n->v.text.text);
		return FALSE;
	default:
		return FALSE;
	}
}

/* Leaves F, entered, after its children. */
static void
leave(struct html_out *o, const struct frame *f)
{
	g_autofree char *owned = NULL;
	const char *href;

	if (f->tag == GUMBO_TAG_LAST)
		return;
	if (f->numbered) {
		out_break(o, 1);
		return;
	}
	if (f->tag == GUMBO_TAG_PRE)
		o->pre--;
	if (f->label && o->text->len > f->before) {
		g_autofree char *l = g_strndup(o->text->str + f->before,
		    o->text->len - f->before);
		g_strchomp(l);
		if (*l != '\0' && strchr("?:", l[strlen(l) - 1]) != NULL)
			out_line_break(o);
	}
	/* A link shows where it goes, unless its text already says so. */
	href = f->tag == GUMBO_TAG_A ? frame_attr(o, f, "href", &owned) : NULL;
	if (href != NULL && (g_str_has_prefix(href, "http://") ||
	    g_str_has_prefix(href, "https://") ||
	    g_str_has_prefix(href, "mailto:"))) {
		const char *shown = g_str_has_prefix(href, "mailto:") ?
		    href + 7 : href;
		g_autofree char *label = g_strndup(o->text->str + f->before,
		    o->text->len - f->before);
		if (strstr(label, shown) == NULL) {
			g_autofree char *s = g_strdup_printf(" <%s>", shown);
			out_text(o, s);
		}
	}
	if (f->breaks)
		out_break(o, f->breaks);
	if (f->quoting) {
		out_break(o, 2);
		o->quote_depth--;
	}
}

static void
walk(struct html_out *o, const GumboNode *root)
{
	g_autoptr(GArray) stack = g_array_new(FALSE, TRUE,
	    sizeof(struct frame));
	struct frame top = { .node = root };

	if (!enter(o, &top, NULL))
		return;
	g_array_append_val(stack, top);
	while (stack->len > 0) {
		struct frame *f = &g_array_index(stack, struct frame,
		    stack->len - 1);
		struct frame child = { 0 };

		if (o->stop || f->next >= f->children->length) {
			leave(o, f);
			g_array_set_size(stack, stack->len - 1);
			continue;
		}
		child.node = f->children->data[f->next++];
		child.list_depth = f->list_depth;
		if (enter(o, &child, f))
			g_array_append_val(stack, child);
	}
}

/* --- a linear look at the tags ----------------------------------------- */

/* HTML read as a flat list of tokens, as HTML5's tokenizer delimits them
 * (quoted attribute values, comments, bogus comments), without building
 * anything.  Both the estimate before parsing and the text scan read it,
 * each in one pass. */
enum token_kind {
	TOKEN_TEXT,
	TOKEN_START,
	TOKEN_END,
	TOKEN_OTHER,		/* a comment, a doctype */
};

struct token {
	enum token_kind kind;
	const char *s;		/* the text, or the tag's name */
	size_t len;
	GumboTag tag;		/* GUMBO_TAG_UNKNOWN for other names */
	const char *attrs;	/* a tag's attributes, as they stand */
	size_t attrs_len;
	size_t n_attrs;		/* attributes, duplicates counted */
	gboolean self_closing;
	gboolean unclosed;	/* a tag the end of the HTML cut */
};

/* Raw text elements, whose content is text up to their end tag. */
static const GumboTag raw_tags[] = { GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE,
    GUMBO_TAG_XMP, GUMBO_TAG_IFRAME, GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES,
    GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEXTAREA, GUMBO_TAG_TITLE };

struct scanner {
	const char *p, *end;
	/* Where the end tag of each raw text element was last found (or
	 * END): P only grows, so each is searched for once. */
	const char *raw_end[G_N_ELEMENTS(raw_tags)];
};

static gboolean
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Past a tag's attributes from P: at its '>', or END. */
static const char *
tag_close(const char *p, const char *end, gboolean *self_closing,
    size_t *n_attrs)
{
	const char *slash = NULL;

	for (;;) {
		while (p < end && (is_space(*p) || *p == '/')) {
			if (*p == '/')
				slash = p;
			p++;
		}
		if (p >= end)
			return end;
		if (*p == '>') {
			*self_closing = slash == p - 1;
			return p;
		}
		/* An attribute: its name, then perhaps = and a value. */
		(*n_attrs)++;
		p++;
		while (p < end && !is_space(*p) && *p != '/' && *p != '>' &&
		    *p != '=')
			p++;
		while (p < end && is_space(*p))
			p++;
		if (p >= end || *p != '=')
			continue;
		p++;
		while (p < end && is_space(*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			if (q == NULL)
				return end;
			p = q + 1;
		} else
			while (p < end && !is_space(*p) && *p != '>')
				p++;
	}
}

/* The end of the comment that begins "<!--" at P. */
static const char *
comment_close(const char *p, const char *end)
{
	p += 4;
	if (p < end && *p == '>')
		return p + 1;
	if (end - p >= 2 && p[0] == '-' && p[1] == '>')
		return p + 2;
	while ((p = memchr(p, '-', (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && p[1] == '-' && p[2] == '>')
			return p + 3;
		if (end - p >= 4 && p[1] == '-' && p[2] == '!' && p[3] == '>')
			return p + 4;
		p++;
	}
	return end;
}

static const char *
after(const char *p, const char *end)
{
	return p < end ? p + 1 : end;
}

/* The next token from S, into T; FALSE at the end. */
static gboolean
scan_next(struct scanner *s, struct token *t)
{
	const char *p = s->p, *end = s->end, *q;

	if (p >= end)
		return FALSE;
	memset(t, 0, sizeof *t);
	if (*p != '<' || end - p < 2) {
		q = memchr(p + 1, '<', (size_t)(end - p - 1));
		t->kind = TOKEN_TEXT;
		t->s = p;
		t->len = (size_t)((q != NULL ? q : end) - p);
		s->p = p + t->len;
		return TRUE;
	}
	if (g_ascii_isalpha(p[1]) || (p[1] == '/' && end - p >= 3 &&
	    g_ascii_isalpha(p[2]))) {
		t->kind = p[1] == '/' ? TOKEN_END : TOKEN_START;
		t->s = q = p + (t->kind == TOKEN_END ? 2 : 1);
		while (q < end && !is_space(*q) && *q != '/' && *q != '>')
			q++;
		t->len = (size_t)(q - t->s);
		t->tag = gumbo_tagn_enum(t->s, (unsigned)MIN(t->len, 64));
		t->attrs = q;
		q = tag_close(q, end, &t->self_closing, &t->n_attrs);
		t->attrs_len = (size_t)(q - t->attrs);
		t->unclosed = q == end;
		s->p = after(q, end);
		return TRUE;
	}
	t->kind = TOKEN_OTHER;
	t->s = p;
	if (end - p >= 4 && p[1] == '!' && p[2] == '-' && p[3] == '-') {
		s->p = comment_close(p, end);
		t->len = (size_t)(s->p - p);
	} else if (p[1] == '!' || p[1] == '?' || p[1] == '/') {
		q = memchr(p, '>', (size_t)(end - p));
		s->p = after(q != NULL ? q : end, end);
		t->len = (size_t)(s->p - p);
	} else {
		/* A '<' that begins no tag is text. */
		q = memchr(p + 1, '<', (size_t)(end - p - 1));
		t->kind = TOKEN_TEXT;
		t->s = p;
		t->len = (size_t)((q != NULL ? q : end) - p);
		s->p = p + t->len;
	}
	return TRUE;
}

/* Whether TAG's content is raw text; its index in raw_tags in *I. */
static gboolean
raw_text(GumboTag tag, size_t *i)
{
	for (*i = 0; *i < G_N_ELEMENTS(raw_tags); (*i)++)
		if (raw_tags[*i] == tag)
			return TRUE;
	return FALSE;
}

/* Moves S past the raw text of the element T began, to its end tag. */
static void
scan_raw(struct scanner *s, const struct token *t, size_t i)
{
	const char *p = s->raw_end[i];

	if (p == NULL || p < s->p) {
		for (p = s->p; (p = memchr(p, '<', (size_t)(s->end - p))) != NULL;
		    p++) {
			const char *c = p + 2 + t->len;
			if (s->end - p >= (ptrdiff_t)t->len + 2 && p[1] == '/' &&
			    g_ascii_strncasecmp(p + 2, t->s, t->len) == 0 &&
			    (c == s->end || is_space(*c) || *c == '/' ||
			    *c == '>'))
				break;
		}
		s->raw_end[i] = p != NULL ? p : s->end;
	}
	s->p = s->raw_end[i];
}

/* The attribute at *P (before END, a tag's attributes): its name and
 * value (empty when it has none) as they stand; *P moves past it.  FALSE
 * when there is none left. */
static gboolean
attr_next(const char **pp, const char *end, const char **name, size_t *nlen,
    const char **v, size_t *vlen)
{
	const char *p = *pp;

	while (p < end && (is_space(*p) || *p == '/'))
		p++;
	if (p >= end)
		return FALSE;
	*name = p++;
	while (p < end && !is_space(*p) && *p != '/' && *p != '=')
		p++;
	*nlen = (size_t)(p - *name);
	while (p < end && is_space(*p))
		p++;
	*v = p;
	*vlen = 0;
	if (p < end && *p == '=') {
		p++;
		while (p < end && is_space(*p))
			p++;
		*v = p;
		if (p < end && (*p == '"' || *p == '\'')) {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			*v = p + 1;
			p = q != NULL ? q : end;
			*vlen = (size_t)(p - *v);
			p = after(p, end);
		} else {
			while (p < end && !is_space(*p))
				p++;
			*vlen = (size_t)(p - *v);
		}
	}
	*pp = p;
	return TRUE;
}

/* Where the value of the attribute NAME stands in ATTRS (LEN bytes, a
 * tag's), the first if it is there more than once: *V and *VLEN; FALSE
 * when it is not there. */
static gboolean
attr_span(const char *attrs, size_t len, const char *name, const char **v,
    size_t *vlen)
{
	const char *p = attrs, *end = attrs + len, *a;
	size_t n = strlen(name), alen;

	while (attr_next(&p, end, &a, &alen, v, vlen))
		if (alen == n && g_ascii_strncasecmp(a, name, n) == 0)
			return TRUE;
	return FALSE;
}

/* The value of the attribute NAME of a tag, or NULL; caller frees.  Its
 * character references are left as they stand. */
static char *
token_attr(const struct token *t, const char *name)
{
	const char *v;
	size_t n;

	if (!attr_span(t->attrs, t->attrs_len, name, &v, &n))
		return NULL;
	return g_strndup(v, n);
}

/* --- the estimate before parsing --------------------------------------- */

static gboolean
tag_in(GumboTag tag, const GumboTag *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == tag)
			return TRUE;
	return FALSE;
}

#define TAG_IN(tag, ...) tag_in((tag), (const GumboTag[]){ __VA_ARGS__ }, \
    sizeof((const GumboTag[]){ __VA_ARGS__ }) / sizeof(GumboTag))

static gboolean
is_void(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_AREA, GUMBO_TAG_BASE, GUMBO_TAG_BASEFONT,
	    GUMBO_TAG_BGSOUND, GUMBO_TAG_BR, GUMBO_TAG_COL, GUMBO_TAG_EMBED,
	    GUMBO_TAG_FRAME, GUMBO_TAG_HR, GUMBO_TAG_IMAGE, GUMBO_TAG_IMG,
	    GUMBO_TAG_INPUT, GUMBO_TAG_KEYGEN, GUMBO_TAG_LINK, GUMBO_TAG_META,
	    GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK, GUMBO_TAG_WBR);
}

static gboolean
is_formatting(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_A, GUMBO_TAG_B, GUMBO_TAG_BIG,
	    GUMBO_TAG_CODE, GUMBO_TAG_EM, GUMBO_TAG_FONT, GUMBO_TAG_I,
	    GUMBO_TAG_NOBR, GUMBO_TAG_S, GUMBO_TAG_SMALL, GUMBO_TAG_STRIKE,
	    GUMBO_TAG_STRONG, GUMBO_TAG_TT, GUMBO_TAG_U);
}

/* Where an end tag's search for its element stops (HTML5's scopes), for
 * any end tag and for a table's. */
static gboolean
is_scope_barrier(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION, GUMBO_TAG_HTML,
	    GUMBO_TAG_TABLE, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_MARQUEE,
	    GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_MI, GUMBO_TAG_MO,
	    GUMBO_TAG_MN, GUMBO_TAG_MS, GUMBO_TAG_MTEXT,
	    GUMBO_TAG_ANNOTATION_XML, GUMBO_TAG_FOREIGNOBJECT, GUMBO_TAG_DESC,
	    GUMBO_TAG_TITLE, GUMBO_TAG_SELECT, GUMBO_TAG_BUTTON);
}

static gboolean
is_table_part(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_THEAD,
	    GUMBO_TAG_TFOOT, GUMBO_TAG_TR, GUMBO_TAG_TD, GUMBO_TAG_TH,
	    GUMBO_TAG_CAPTION, GUMBO_TAG_COLGROUP);
}

/* HTML5's "special" elements, less the void ones, which are never open. */
static gboolean
is_special(GumboTag t)
{
	return is_scope_barrier(t) || is_table_part(t) ||
	    block_breaks(t) != 0 || skipped(t) || TAG_IN(t, GUMBO_TAG_ASIDE,
	    GUMBO_TAG_BODY, GUMBO_TAG_CENTER, GUMBO_TAG_DETAILS,
	    GUMBO_TAG_DIR, GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
	    GUMBO_TAG_FIGURE, GUMBO_TAG_FORM, GUMBO_TAG_FRAMESET,
	    GUMBO_TAG_HGROUP, GUMBO_TAG_LISTING, GUMBO_TAG_MAIN,
	    GUMBO_TAG_MENU, GUMBO_TAG_NAV, GUMBO_TAG_NOEMBED,
	    GUMBO_TAG_NOFRAMES, GUMBO_TAG_PLAINTEXT, GUMBO_TAG_SUMMARY,
	    GUMBO_TAG_TEXTAREA, GUMBO_TAG_XMP);
}

/* Start tags that close an open <p> first. */
static gboolean
closes_p(GumboTag t)
{
	return (block_breaks(t) != 0 && t != GUMBO_TAG_TABLE) ||
	    TAG_IN(t, GUMBO_TAG_ASIDE, GUMBO_TAG_CENTER, GUMBO_TAG_DETAILS,
	    GUMBO_TAG_DIR, GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
	    GUMBO_TAG_FIGURE, GUMBO_TAG_FORM, GUMBO_TAG_HGROUP,
	    GUMBO_TAG_LISTING, GUMBO_TAG_MAIN, GUMBO_TAG_MENU, GUMBO_TAG_NAV,
	    GUMBO_TAG_SUMMARY, GUMBO_TAG_XMP);
}

/* HTML start tags that end SVG or MathML content. */
static gboolean
leaves_foreign(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_B, GUMBO_TAG_BIG, GUMBO_TAG_BLOCKQUOTE,
	    GUMBO_TAG_BODY, GUMBO_TAG_BR, GUMBO_TAG_CENTER, GUMBO_TAG_CODE,
	    GUMBO_TAG_DD, GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_DT,
	    GUMBO_TAG_EM, GUMBO_TAG_EMBED, GUMBO_TAG_H1, GUMBO_TAG_H2,
	    GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6,
	    GUMBO_TAG_HEAD, GUMBO_TAG_HR, GUMBO_TAG_I, GUMBO_TAG_IMG,
	    GUMBO_TAG_LI, GUMBO_TAG_LISTING, GUMBO_TAG_MENU, GUMBO_TAG_META,
	    GUMBO_TAG_NOBR, GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_PRE,
	    GUMBO_TAG_RUBY, GUMBO_TAG_S, GUMBO_TAG_SMALL, GUMBO_TAG_SPAN,
	    GUMBO_TAG_STRONG, GUMBO_TAG_STRIKE, GUMBO_TAG_SUB, GUMBO_TAG_SUP,
	    GUMBO_TAG_TABLE, GUMBO_TAG_TT, GUMBO_TAG_U, GUMBO_TAG_UL,
	    GUMBO_TAG_VAR, GUMBO_TAG_FONT);
}

/* Elements in SVG or MathML whose content is HTML again. */
static gboolean
html_inside(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_FOREIGNOBJECT, GUMBO_TAG_DESC,
	    GUMBO_TAG_TITLE, GUMBO_TAG_MI, GUMBO_TAG_MO, GUMBO_TAG_MN,
	    GUMBO_TAG_MS, GUMBO_TAG_MTEXT, GUMBO_TAG_ANNOTATION_XML);
}

/* An element the estimate takes for open. */
struct open_element {
	GumboTag tag;
	const char *name;	/* for GUMBO_TAG_UNKNOWN */
	size_t len;
	int weight;		/* elements the parser opens for it */
	gboolean foreign;	/* SVG or MathML */
};

/* The parser's stack of open elements, as the tags suggest it: elements
 * close only when HTML5 would certainly close them, so that the depth
 * found is at least gumbo's, give or take the elements it adds. */
struct shape {
	struct open_element open[HTML_MAX_DEPTH + 1];
	int n;
	int depth;		/* the weights of the open elements */
	/* Formatting elements closed by another's end: gumbo opens them
	 * again (up to three alike) before the next text. */
	int reopened[GUMBO_TAG_LAST + 1];
	int reopened_all;
	size_t tags;
};

static gboolean
same_element(const struct open_element *e, const struct token *t)
{
	return e->tag == t->tag && (t->tag != GUMBO_TAG_UNKNOWN ||
	    (e->len == t->len && g_ascii_strncasecmp(e->name, t->s,
	    t->len) == 0));
}

/* Closes the open elements from the Ith up, as BY (an end tag or an
 * implied end) does. */
static void
shape_pop(struct shape *sh, int i, GumboTag by)
{
	/* Closing a cell, a caption or an object forgets the formatting
	 * opened inside. */
	gboolean marker = TAG_IN(by, GUMBO_TAG_TD, GUMBO_TAG_TH,
	    GUMBO_TAG_CAPTION, GUMBO_TAG_APPLET, GUMBO_TAG_OBJECT,
	    GUMBO_TAG_MARQUEE, GUMBO_TAG_TEMPLATE);

	for (int k = sh->n - 1; k >= i; k--) {
		GumboTag t = sh->open[k].tag;
		sh->depth -= sh->open[k].weight;
		if (k > i && !marker && is_formatting(t) && sh->reopened[t] < 3) {
			sh->reopened[t]++;
			sh->reopened_all++;
		}
	}
	sh->n = i;
}

/* Closes the nearest open element one of TAGS (N of them) unless one of
 * STOP (a function of the tags) comes first, as BY does. */
static void
shape_close(struct shape *sh, const GumboTag *tags, size_t n,
    gboolean (*stop)(GumboTag), GumboTag by)
{
	for (int i = sh->n - 1; i >= 0; i--) {
		const struct open_element *e = &sh->open[i];
		if (!e->foreign && tag_in(e->tag, tags, n)) {
			shape_pop(sh, i, by);
			return;
		}
		if (e->foreign || stop(e->tag))
			return;
	}
}

static gboolean
stop_button_scope(GumboTag t)
{
	return is_scope_barrier(t);
}

static gboolean
stop_list_item(GumboTag t)
{
	return is_special(t) && t != GUMBO_TAG_ADDRESS && t != GUMBO_TAG_DIV &&
	    t != GUMBO_TAG_P;
}

static gboolean
stop_table_scope(GumboTag t)
{
	return t == GUMBO_TAG_TABLE || t == GUMBO_TAG_TEMPLATE ||
	    t == GUMBO_TAG_HTML;
}

#define SHAPE_CLOSE(sh, stop, by, ...) shape_close((sh), \
    (const GumboTag[]){ __VA_ARGS__ }, \
    sizeof((const GumboTag[]){ __VA_ARGS__ }) / sizeof(GumboTag), (stop), (by))

/* The ends a start tag implies. */
static void
shape_implied_ends(struct shape *sh, GumboTag t)
{
	GumboTag top = sh->n > 0 ? sh->open[sh->n - 1].tag : GUMBO_TAG_LAST;

	if (t == GUMBO_TAG_LI)
		SHAPE_CLOSE(sh, stop_list_item, t, GUMBO_TAG_LI);
	else if (t == GUMBO_TAG_DD || t == GUMBO_TAG_DT)
		SHAPE_CLOSE(sh, stop_list_item, t, GUMBO_TAG_DD, GUMBO_TAG_DT);
	else if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH)
		SHAPE_CLOSE(sh, stop_table_scope, GUMBO_TAG_TD, GUMBO_TAG_TD,
		    GUMBO_TAG_TH);
	else if (t == GUMBO_TAG_TR)
		SHAPE_CLOSE(sh, stop_table_scope, GUMBO_TAG_TD, GUMBO_TAG_TR);
	else if (t == GUMBO_TAG_TBODY || t == GUMBO_TAG_THEAD ||
	    t == GUMBO_TAG_TFOOT)
		SHAPE_CLOSE(sh, stop_table_scope, GUMBO_TAG_TD, GUMBO_TAG_TBODY,
		    GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT);
	else if ((t == GUMBO_TAG_OPTION || t == GUMBO_TAG_OPTGROUP) &&
	    top == GUMBO_TAG_OPTION)
		shape_pop(sh, sh->n - 1, t);
	if (closes_p(t))
		SHAPE_CLOSE(sh, stop_button_scope, t, GUMBO_TAG_P);
}

/* Elements the parser opens with T: a table's body and row. */
static int
shape_weight(const struct shape *sh, GumboTag t)
{
	GumboTag top = sh->n > 0 ? sh->open[sh->n - 1].tag : GUMBO_TAG_LAST;
	gboolean in_section = top == GUMBO_TAG_TBODY ||
	    top == GUMBO_TAG_THEAD || top == GUMBO_TAG_TFOOT;

	if (t == GUMBO_TAG_TR && top == GUMBO_TAG_TABLE)
		return 2;
	if ((t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) && top == GUMBO_TAG_TABLE)
		return 3;
	if ((t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) && in_section)
		return 2;
	return 1;
}

/* A start tag.  FALSE when the depth passes HTML_MAX_DEPTH. */
static gboolean
shape_start(struct shape *sh, struct scanner *s, const struct token *t)
{
	const struct open_element *parent = sh->n > 0 ?
	    &sh->open[sh->n - 1] : NULL;
	struct open_element *e;
	gboolean foreign = t->tag == GUMBO_TAG_SVG ||
	    t->tag == GUMBO_TAG_MATH || (parent != NULL && parent->foreign &&
	    !html_inside(parent->tag) && !leaves_foreign(t->tag));
	size_t raw;
	int weight;

	if (t->tag == GUMBO_TAG_HTML || t->tag == GUMBO_TAG_HEAD ||
	    t->tag == GUMBO_TAG_BODY || t->tag == GUMBO_TAG_FRAMESET)
		return TRUE;
	if (!foreign && is_void(t->tag))
		return TRUE;
	/* Only SVG and MathML elements close themselves with "/>". */
	if (foreign && t->self_closing)
		return TRUE;
	if (!foreign)
		shape_implied_ends(sh, t->tag);
	if (sh->n >= HTML_MAX_DEPTH)
		return FALSE;
	weight = shape_weight(sh, t->tag);
	e = &sh->open[sh->n++];
	e->tag = t->tag;
	e->name = t->s;
	e->len = t->len;
	e->foreign = foreign;
	e->weight = weight;
	sh->depth += weight;
	if (!foreign && raw_text(t->tag, &raw))
		scan_raw(s, t, raw);
	if (!foreign && t->tag == GUMBO_TAG_PLAINTEXT)
		s->p = s->end;
	return sh->depth + sh->reopened_all <= HTML_MAX_DEPTH;
}

/* An end tag: closes its element when HTML5 certainly would. */
static void
shape_end(struct shape *sh, const struct token *t)
{
	gboolean special = is_special(t->tag);
	gboolean table = is_table_part(t->tag);

	for (int i = sh->n - 1; i >= 0; i--) {
		const struct open_element *e = &sh->open[i];
		if (same_element(e, t)) {
			shape_pop(sh, i, t->tag);
			return;
		}
		if (table ? stop_table_scope(e->tag) : special ?
		    is_scope_barrier(e->tag) : is_special(e->tag))
			return;
	}
}

/* Why HTML (LEN bytes) is not to be given to gumbo, or NULL. */
static const char *
html_unsafe(const char *html, size_t len)
{
	g_autofree struct shape *sh = NULL;
	struct scanner s = { .p = html, .end = html + len };
	struct token t;

	if (len > HTML_MAX_BYTES)
		return "the HTML is too large to parse";
	sh = g_new0(struct shape, 1);
	while (scan_next(&s, &t)) {
		if (t.kind != TOKEN_START && t.kind != TOKEN_END)
			continue;
		if (++sh->tags > HTML_MAX_TAGS)
			return "the HTML has too many tags to parse";
		if (t.kind == TOKEN_END)
			shape_end(sh, &t);
		else if (!shape_start(sh, &s, &t))
			return "the HTML is nested too deep to parse";
	}
	return NULL;
}

/* --- text without parsing ---------------------------------------------- */

/* The character references mail uses most; others stay as written. */
static const struct {
	const char *name;
	const char *utf8;
} entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
	{ "apos", "'" }, { "nbsp", "\xc2\xa0" }, { "copy", "\xc2\xa9" },
	{ "reg", "\xc2\xae" }, { "trade", "\xe2\x84\xa2" },
	{ "hellip", "\xe2\x80\xa6" }, { "mdash", "\xe2\x80\x94" },
	{ "ndash", "\xe2\x80\x93" }, { "lsquo", "\xe2\x80\x98" },
	{ "rsquo", "\xe2\x80\x99" }, { "ldquo", "\xe2\x80\x9c" },
	{ "rdquo", "\xe2\x80\x9d" }, { "bull", "\xe2\x80\xa2" },
	{ "middot", "\xc2\xb7" }, { "euro", "\xe2\x82\xac" },
	{ "laquo", "\xc2\xab" }, { "raquo", "\xc2\xbb" }, { "shy", "" },
	{ "zwnj", "\xe2\x80\x8c" }, { "zwj", "\xe2\x80\x8d" },
};

/* The character reference at P ('&'), decoded into OUT; returns its
 * length, or 0 when it is none that is known. */
static size_t
entity(const char *p, const char *end, GString *out)
{
	const char *q = p + 1;
	gunichar c = 0;

	if (q < end && *q == '#') {
		gboolean hex = ++q < end && (*q == 'x' || *q == 'X');
		const char *digits = q += hex;
		for (; q < end && (hex ? g_ascii_isxdigit(*q) :
		    g_ascii_isdigit(*q)); q++)
			if (c <= 0x10ffff)
				c = c * (hex ? 16 : 10) + (gunichar)(hex ?
				    g_ascii_xdigit_value(*q) :
				    g_ascii_digit_value(*q));
		if (q == digits)
			return 0;
		if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			c = 0xfffd;
		g_string_append_unichar(out, c);
		return (size_t)(q < end && *q == ';' ? q + 1 - p : q - p);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(entities); i++) {
		size_t n = strlen(entities[i].name);
		if ((size_t)(end - q) > n && memcmp(q, entities[i].name, n) == 0 &&
		    q[n] == ';') {
			g_string_append(out, entities[i].utf8);
			return n + 2;
		}
	}
	return 0;
}

/* LEN bytes of text at S with their character references decoded. */
static void
decode_text(GString *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *amp;

	g_string_truncate(out, 0);
	while ((amp = memchr(p, '&', (size_t)(end - p))) != NULL) {
		size_t n;
		g_string_append_len(out, p, amp - p);
		n = entity(amp, end, out);
		if (n == 0) {
			g_string_append_c(out, '&');
			n = 1;
		}
		p = amp + n;
	}
	g_string_append_len(out, p, end - p);
}

/* What the text scan is inside of. */
struct scan_state {
	struct html_out *o;
	GString *buf;
	int lists;		/* lists open */
	/* A quote or a head left out: its tag, and how many of it are open
	 * (0: none). */
	GumboTag drop;
	const char *drop_name;
	size_t drop_len;
	int dropping;
};

static gboolean
same_name(const struct token *t, GumboTag tag, const char *name, size_t len)
{
	return t->tag == tag && (tag != GUMBO_TAG_UNKNOWN || (t->len == len &&
	    g_ascii_strncasecmp(t->s, name, len) == 0));
}

/* Whether T begins what is left out; sets what closes it. */
static gboolean
scan_drop(struct scan_state *st, const struct token *t)
{
	int q = 0;

	if (t->tag == GUMBO_TAG_HEAD || t->tag == GUMBO_TAG_TEMPLATE ||
	    t->tag == GUMBO_TAG_OBJECT)
		q = 1;
	else if (st->o->flags & (HTML_SKIP_QUOTES | HTML_MARK_QUOTES)) {
		/* Scanned, the quotes are left out rather than marked. */
		g_autofree char *id = token_attr(t, "id");
		g_autofree char *cls = token_attr(t, "class");
		q = quote_kind(t->tag, id, cls);
	}
	if (q == 2)
		st->o->stop = TRUE;
	if (q != 1 || t->self_closing)
		return q != 0;
	st->drop = t->tag;
	st->drop_name = t->s;
	st->drop_len = t->len;
	st->dropping = 1;
	return TRUE;
}

/* A tag met while something is left out. */
static void
scan_dropped(struct scan_state *st, const struct token *t)
{
	if (!same_name(t, st->drop, st->drop_name, st->drop_len)) {
		/* A head without its end tag ends where the body begins. */
		if (st->drop == GUMBO_TAG_HEAD && t->tag == GUMBO_TAG_BODY)
			st->dropping = 0;
		return;
	}
	if (t->kind == TOKEN_START)
		st->dropping++;
	else
		st->dropping--;
}

static void
scan_start(struct scan_state *st, struct scanner *s, const struct token *t)
{
	struct html_out *o = st->o;
	int breaks = block_breaks(t->tag);
	size_t raw;

	if (raw_text(t->tag, &raw)) {
		/* Scripts, styles, titles: their text is left out. */
		scan_raw(s, t, raw);
		return;
	}
	if (t->tag == GUMBO_TAG_PLAINTEXT) {
		out_break(o, 1);
		out_text_len(o, s->p, (size_t)(s->end - s->p));
		s->p = s->end;
		return;
	}
	if (scan_drop(st, t))
		return;
	if (breaks)
		out_break(o, breaks);
	switch (t->tag) {
	case GUMBO_TAG_BR:
		out_line_break(o);
		break;
	case GUMBO_TAG_IMG: {
		g_autofree char *alt = token_attr(t, "alt");
		if (alt != NULL && *alt != '\0') {
			decode_text(st->buf, alt, strlen(alt));
			g_string_prepend_c(st->buf, '[');
			g_string_append_c(st->buf, ']');
			out_text_len(o, st->buf->str, st->buf->len);
		}
		break;
	}
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
		o->space = TRUE;
		break;
	case GUMBO_TAG_UL:
	case GUMBO_TAG_OL:
		st->lists++;
		break;
	case GUMBO_TAG_LI:
		out_flush(o);
		g_string_append_printf(o->text, "%*s- ",
		    2 * MIN(MAX(st->lists - 1, 0), 8), "");
		break;
	case GUMBO_TAG_PRE:
		o->pre++;
		break;
	default:
		break;
	}
}

static void
scan_end(struct scan_state *st, const struct token *t)
{
	struct html_out *o = st->o;
	int breaks = block_breaks(t->tag);

	if ((t->tag == GUMBO_TAG_UL || t->tag == GUMBO_TAG_OL) &&
	    st->lists > 0)
		st->lists--;
	if (t->tag == GUMBO_TAG_PRE && o->pre > 0)
		o->pre--;
	if (breaks)
		out_break(o, breaks);
}

/* The text of HTML (LEN bytes), read in one pass without a parser. */
static void
scan_text(struct html_out *o, const char *html, size_t len)
{
	struct scanner s = { .p = html, .end = html + len };
	g_autoptr(GString) buf = g_string_new(NULL);
	struct scan_state st = { .o = o, .buf = buf };
	struct token t;

	while (!o->stop && scan_next(&s, &t)) {
		if (st.dropping > 0) {
			if (t.kind == TOKEN_START || t.kind == TOKEN_END)
				scan_dropped(&st, &t);
			continue;
		}
		switch (t.kind) {
		case TOKEN_TEXT:
			decode_text(buf, t.s, t.len);
			out_text_len(o, buf->str, buf->len);
			break;
		case TOKEN_START:
			scan_start(&st, &s, &t);
			break;
		case TOKEN_END:
			scan_end(&st, &t);
			break;
		default:
			break;
		}
	}
}

/* --- reading the tags directly ----------------------------------------- */

/* Most HTML mail is written by programs, its tags closed in the order they
 * were opened.  For such HTML gumbo's tree is the nesting of the tags as
 * they stand, and the walk can follow the tags without the tree, at a
 * fraction of the cost of building it.  The direct reading does that, and
 * gives up on the first token after which gumbo's tree could differ from
 * the tags: a misnested or stray end tag, text or a tag where HTML5 moves
 * it out of a table, an element whose parsing HTML5 treats apart (forms,
 * scripts, SVG, ...), a character reference it does not know, a character
 * the parser would replace.  What it gives up on is parsed by gumbo.  It
 * closes elements by itself only where HTML5 certainly does so and nothing
 * else changes: an open <p>, <li>, <dd>, <dt>, table cell or row, closed
 * by the tag that would close it when it is the innermost element.
 * test-html holds its texts to gumbo's walk over every document of the
 * tests and corpora. */

/* The character references the direct reading knows: the legacy ones,
 * which HTML5 reads without their ';' too, and some that mail uses. */
static const char *const latin1_refs[] = {
	"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
	"uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
	"deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
	"cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34",
	"iquest",
	"Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig",
	"Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute",
	"Icirc", "Iuml",
	"ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml",
	"times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
	"THORN", "szlig",
	"agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig",
	"ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute",
	"icirc", "iuml",
	"eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
	"divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute",
	"thorn", "yuml",
};

static const struct named_ref {
	const char *name;
	gunichar c;
	gboolean legacy;	/* read without its ';' too */
} named_refs[] = {
	{ "amp", '&', TRUE }, { "lt", '<', TRUE }, { "gt", '>', TRUE },
	{ "quot", '"', TRUE }, { "AMP", '&', TRUE }, { "LT", '<', TRUE },
	{ "GT", '>', TRUE }, { "QUOT", '"', TRUE }, { "COPY", 0xa9, TRUE },
	{ "REG", 0xae, TRUE },
	{ "apos", '\'', FALSE }, { "trade", 0x2122, FALSE },
	{ "hellip", 0x2026, FALSE }, { "mdash", 0x2014, FALSE },
	{ "ndash", 0x2013, FALSE }, { "lsquo", 0x2018, FALSE },
	{ "rsquo", 0x2019, FALSE }, { "sbquo", 0x201a, FALSE },
	{ "ldquo", 0x201c, FALSE }, { "rdquo", 0x201d, FALSE },
	{ "bdquo", 0x201e, FALSE }, { "bull", 0x2022, FALSE },
	{ "euro", 0x20ac, FALSE }, { "zwnj", 0x200c, FALSE },
	{ "zwj", 0x200d, FALSE }, { "lrm", 0x200e, FALSE },
	{ "rlm", 0x200f, FALSE }, { "ensp", 0x2002, FALSE },
	{ "emsp", 0x2003, FALSE }, { "thinsp", 0x2009, FALSE },
	{ "dagger", 0x2020, FALSE }, { "Dagger", 0x2021, FALSE },
	{ "permil", 0x2030, FALSE }, { "lsaquo", 0x2039, FALSE },
	{ "rsaquo", 0x203a, FALSE }, { "larr", 0x2190, FALSE },
	{ "uarr", 0x2191, FALSE }, { "rarr", 0x2192, FALSE },
	{ "darr", 0x2193, FALSE }, { "minus", 0x2212, FALSE },
	{ "hearts", 0x2665, FALSE }, { "check", 0x2713, FALSE },
};

/* The known reference NAME (LEN bytes): its character, 0 if unknown. */
static gunichar
named_ref(const char *name, size_t len, gboolean legacy_only)
{
	for (size_t i = 0; i < G_N_ELEMENTS(named_refs); i++)
		if ((named_refs[i].legacy || !legacy_only) &&
		    strlen(named_refs[i].name) == len &&
		    memcmp(named_refs[i].name, name, len) == 0)
			return named_refs[i].c;
	for (size_t i = 0; i < G_N_ELEMENTS(latin1_refs); i++)
		if (strlen(latin1_refs[i]) == len &&
		    memcmp(latin1_refs[i], name, len) == 0)
			return 0xa0 + (gunichar)i;
	return 0;
}

/* Whether the parser takes C as it stands: not a control, a C1 control or
 * a noncharacter, which it replaces. */
static gboolean
plain_char(gunichar c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n' || c == '\f' || c == '\r';
	return !(c >= 0x7f && c <= 0x9f) && !(c >= 0xfdd0 && c <= 0xfdef) &&
	    (c & 0xfffe) != 0xfffe;
}

/* The character reference at P ('&'), decoded into OUT as HTML5 reads it
 * in text or, IN_ATTR, in an attribute's value; a '&' that begins none is
 * itself.  Returns the bytes read, 0 when the direct reading cannot tell
 * what the parser would make of it. */
static size_t
direct_ref(const char *p, const char *end, gboolean in_attr, GString *out)
{
	const char *q = p + 1, *run;
	size_t n, best = 0;
	gunichar c = 0;

	if (q < end && *q == '#') {
		gboolean hex = ++q < end && (*q == 'x' || *q == 'X');
		const char *digits = q += hex;
		for (; q < end && q - digits < 7 && (hex ? g_ascii_isxdigit(*q) :
		    g_ascii_isdigit(*q)); q++)
			c = c * (hex ? 16 : 10) + (gunichar)(hex ?
			    g_ascii_xdigit_value(*q) : g_ascii_digit_value(*q));
		/* Without its ';', out of range or replaced by the parser
		 * (C1 controls by their windows-1252 characters). */
		if (q == digits || q >= end || *q != ';' || c == 0 ||
		    c == '\r' || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    !plain_char(c))
			return 0;
		g_string_append_unichar(out, c);
		return (size_t)(q + 1 - p);
	}
	for (run = q; q < end && g_ascii_isalnum(*q); q++)
		;
	n = (size_t)(q - run);
	if (n == 0) {
		g_string_append_c(out, '&');
		return 1;
	}
	if (q < end && *q == ';') {
		/* Unknown here, it may be one of HTML5's two thousand. */
		if ((c = named_ref(run, n, FALSE)) == 0)
			return 0;
		g_string_append_unichar(out, c);
		return n + 2;
	}
	/* Without ';', the longest legacy name that begins the run. */
	for (size_t len = 2; len <= MIN(n, 6); len++)
		if (named_ref(run, len, TRUE) != 0)
			best = len;
	/* In an attribute's value it stays as written when a letter, a digit
	 * or '=' follows. */
	if (best == 0 || (in_attr && (best < n || (q < end && *q == '=')))) {
		g_string_append_c(out, '&');
		return 1;
	}
	g_string_append_unichar(out, named_ref(run, best, TRUE));
	return best + 1;
}

static char *
direct_attr(struct html_out *o, const char *attrs, size_t len,
    const char *name)
{
	const char *v, *p, *end, *amp;
	size_t vlen;
	GString *out;

	if (!attr_span(attrs, len, name, &v, &vlen))
		return NULL;
	/* The parser makes each CR a line feed. */
	if (memchr(v, '\r', vlen) != NULL) {
		o->reject = TRUE;
		return NULL;
	}
	out = g_string_sized_new(vlen);
	for (p = v, end = v + vlen; (amp = memchr(p, '&',
	    (size_t)(end - p))) != NULL; p = amp + vlen) {
		g_string_append_len(out, p, amp - p);
		if ((vlen = direct_ref(amp, end, TRUE, out)) == 0) {
			o->reject = TRUE;
			return g_string_free(out, TRUE);
		}
	}
	g_string_append_len(out, p, end - p);
	return g_string_free(out, FALSE);
}

/* Whether the parser would read HTML (LEN bytes) as it stands: UTF-8, with
 * no character it replaces. */
static gboolean
direct_readable(const char *html, size_t len)
{
	const char *p = html, *end = html + len;

	while (p < end) {
		unsigned char b = (unsigned char)*p;
		gunichar c;
		if (b >= 0x20 && b < 0x7f) {
			p++;
			continue;
		}
		if (b < 0x80) {
			if (!plain_char(b))
				return FALSE;
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2 || !plain_char(c))
			return FALSE;
		p = g_utf8_next_char(p);
	}
	return TRUE;
}

/* The reading: its elements open, in frames (the first is the document). */
struct direct {
	struct html_out *o;
	GArray *open;
	guint hidden;		/* frames from here on are left out */
	gboolean stopped;	/* the text is done; the rest is only read */
	gboolean pre_lf;	/* a <pre> just began */
	GString *buf;
	size_t tags, allocs;
};

#define NONE_HIDDEN G_MAXUINT

static struct frame *
direct_top(const struct direct *d)
{
	return &g_array_index(d->open, struct frame, d->open->len - 1);
}

static GumboTag
direct_top_tag(const struct direct *d)
{
	return direct_top(d)->tag;
}

static gboolean
writing(const struct direct *d)
{
	return !d->stopped && d->hidden == NONE_HIDDEN && !d->o->reject;
}

/* The text is done (HTML_SKIP_QUOTES, HTML_MARK_QUOTES): what is open is
 * left, as the walk leaves it. */
static void
direct_stop(struct direct *d)
{
	for (guint i = d->open->len; i-- > 0;) {
		const struct frame *f = &g_array_index(d->open, struct frame, i);
		if (f->entered)
			leave(d->o, f);
	}
	d->stopped = TRUE;
}

/* Closes the open elements from the Ith up. */
static void
direct_pop(struct direct *d, guint i)
{
	for (guint k = d->open->len; k-- > i;) {
		const struct frame *f = &g_array_index(d->open, struct frame, k);
		if (f->entered && !d->stopped)
			leave(d->o, f);
	}
	g_array_set_size(d->open, i);
	if (d->hidden != NONE_HIDDEN && d->hidden >= i)
		d->hidden = NONE_HIDDEN;
}

/* The text at S (N bytes), its character references decoded: given to
 * the output whole, as gumbo's text node would be (inside <pre>, quote
 * marks begin only the first line of each). */
static void
direct_text(struct direct *d, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *amp;
	size_t used;

	if (n == 0)
		return;
	if (d->o->pre > 0 && memchr(s, '\r', n) != NULL) {
		d->o->reject = TRUE;
		return;
	}
	if ((amp = memchr(p, '&', n)) == NULL) {
		out_text_len(d->o, s, n);
		return;
	}
	g_string_truncate(d->buf, 0);
	do {
		g_string_append_len(d->buf, p, amp - p);
		if ((used = direct_ref(amp, end, FALSE, d->buf)) == 0) {
			d->o->reject = TRUE;
			return;
		}
		p = amp + used;
	} while ((amp = memchr(p, '&', (size_t)(end - p))) != NULL);
	g_string_append_len(d->buf, p, end - p);
	out_text_len(d->o, d->buf->str, d->buf->len);
}

static gboolean
in_table(GumboTag t)
{
	return t == GUMBO_TAG_TABLE || t == GUMBO_TAG_TBODY ||
	    t == GUMBO_TAG_THEAD || t == GUMBO_TAG_TFOOT || t == GUMBO_TAG_TR;
}

static void
direct_chars(struct direct *d, const char *s, size_t n, gboolean after_pre)
{
	/* A line feed right after <pre> is not the text's. */
	if (after_pre && n > 0 && *s == '\n') {
		s++;
		n--;
	} else if (after_pre && n > 0 && (*s == '\r' || *s == '&')) {
		d->o->reject = TRUE;
		return;
	}
	d->allocs += 2;
	/* In a table, only white space stays where it is written. */
	if (in_table(direct_top_tag(d)))
		for (size_t i = 0; i < n; i++)
			if (!is_space(s[i])) {
				d->o->reject = TRUE;
				return;
			}
	if (writing(d))
		direct_text(d, s, n);
}

static gboolean
is_heading(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3,
	    GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6);
}

/* Start tags whose elements HTML5 parses apart. */
static gboolean
parsed_apart(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_SCRIPT, GUMBO_TAG_NOSCRIPT,
	    GUMBO_TAG_TEMPLATE, GUMBO_TAG_IFRAME, GUMBO_TAG_OBJECT,
	    GUMBO_TAG_APPLET, GUMBO_TAG_MARQUEE, GUMBO_TAG_FORM,
	    GUMBO_TAG_BUTTON, GUMBO_TAG_INPUT, GUMBO_TAG_SELECT,
	    GUMBO_TAG_OPTION, GUMBO_TAG_OPTGROUP, GUMBO_TAG_TEXTAREA,
	    GUMBO_TAG_XMP, GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES,
	    GUMBO_TAG_PLAINTEXT, GUMBO_TAG_LISTING, GUMBO_TAG_FRAMESET,
	    GUMBO_TAG_FRAME, GUMBO_TAG_IMAGE, GUMBO_TAG_ISINDEX,
	    GUMBO_TAG_NOBR, GUMBO_TAG_SVG, GUMBO_TAG_MATH, GUMBO_TAG_RB,
	    GUMBO_TAG_RP, GUMBO_TAG_RT, GUMBO_TAG_RTC, GUMBO_TAG_CAPTION,
	    GUMBO_TAG_COL, GUMBO_TAG_COLGROUP, GUMBO_TAG_MENUITEM,
	    /* Special in MathML and SVG only, and taken for special here. */
	    GUMBO_TAG_MI, GUMBO_TAG_MO, GUMBO_TAG_MN, GUMBO_TAG_MS,
	    GUMBO_TAG_MTEXT, GUMBO_TAG_ANNOTATION_XML,
	    GUMBO_TAG_FOREIGNOBJECT, GUMBO_TAG_DESC);
}

/* HTML5's special elements that the direct reading opens. */
static gboolean
special_open(GumboTag t)
{
	return is_heading(t) || TAG_IN(t, GUMBO_TAG_ADDRESS,
	    GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE, GUMBO_TAG_BLOCKQUOTE,
	    GUMBO_TAG_CENTER, GUMBO_TAG_DD, GUMBO_TAG_DETAILS, GUMBO_TAG_DIR,
	    GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_DT, GUMBO_TAG_FIELDSET,
	    GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER,
	    GUMBO_TAG_HEADER, GUMBO_TAG_HGROUP, GUMBO_TAG_LI, GUMBO_TAG_MENU,
	    GUMBO_TAG_NAV, GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_PRE,
	    GUMBO_TAG_SECTION, GUMBO_TAG_STYLE, GUMBO_TAG_SUMMARY,
	    GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_TD, GUMBO_TAG_TFOOT,
	    GUMBO_TAG_TH, GUMBO_TAG_THEAD, GUMBO_TAG_TITLE, GUMBO_TAG_TR,
	    GUMBO_TAG_UL);
}

/* Start tags that close an open <p> (HTML5's "in body"); a <table> does
 * too, unless the document is in quirks mode. */
static gboolean
closes_open_p(GumboTag t)
{
	return is_heading(t) || TAG_IN(t, GUMBO_TAG_ADDRESS,
	    GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE, GUMBO_TAG_BLOCKQUOTE,
	    GUMBO_TAG_CENTER, GUMBO_TAG_DETAILS, GUMBO_TAG_DIR, GUMBO_TAG_DIV,
	    GUMBO_TAG_DL, GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
	    GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER, GUMBO_TAG_HEADER,
	    GUMBO_TAG_HGROUP, GUMBO_TAG_MENU, GUMBO_TAG_MAIN, GUMBO_TAG_NAV,
	    GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,
	    GUMBO_TAG_UL, GUMBO_TAG_PRE, GUMBO_TAG_LI, GUMBO_TAG_DD,
	    GUMBO_TAG_DT, GUMBO_TAG_HR, GUMBO_TAG_TABLE);
}

/* The open element, the innermost, that an end tag T names; 0 (the
 * document) when none is. */
static guint
direct_find(const struct direct *d, const struct token *t)
{
	for (guint i = d->open->len; --i > 0;) {
		const struct frame *f = &g_array_index(d->open, struct frame, i);
		if (f->tag == t->tag && (t->tag != GUMBO_TAG_UNKNOWN ||
		    (f->name_len == t->len && g_ascii_strncasecmp(f->name, t->s,
		    t->len) == 0)))
			return i;
	}
	return 0;
}

/* Where the innermost of TAGS (N) is open before anything else STOP names
 * (or, ALL, anything else at all); 0 when it is not. */
static guint
direct_open_in(const struct direct *d, const GumboTag *tags, size_t n,
    gboolean (*stop)(GumboTag))
{
	for (guint i = d->open->len; --i > 0;) {
		GumboTag t = g_array_index(d->open, struct frame, i).tag;
		if (tag_in(t, tags, n))
			return i;
		if (stop(t))
			return 0;
	}
	return 0;
}

static gboolean
stop_list_scope(GumboTag t)
{
	return special_open(t) && !TAG_IN(t, GUMBO_TAG_ADDRESS, GUMBO_TAG_DIV,
	    GUMBO_TAG_P);
}

/* The ends HTML5 implies before the start tag T, where the direct reading
 * follows them: FALSE where it does not. */
static gboolean
direct_implied_ends(struct direct *d, GumboTag t)
{
	for (;;) {
		guint top = d->open->len - 1, i;
		GumboTag cur = direct_top_tag(d);

		if (closes_open_p(t) &&
		    (i = direct_open_in(d, (const GumboTag[]){ GUMBO_TAG_P },
		    1, is_scope_barrier)) != 0) {
			/* A <table> keeps it open in quirks mode. */
			if (i != top || t == GUMBO_TAG_TABLE)
				return FALSE;
			direct_pop(d, top);
			continue;
		}
		if (t == GUMBO_TAG_LI && (i = direct_open_in(d,
		    (const GumboTag[]){ GUMBO_TAG_LI }, 1, stop_list_scope)) != 0) {
			if (i != top)
				return FALSE;
			direct_pop(d, top);
			continue;
		}
		if ((t == GUMBO_TAG_DD || t == GUMBO_TAG_DT) &&
		    (i = direct_open_in(d, (const GumboTag[]){ GUMBO_TAG_DD,
		    GUMBO_TAG_DT }, 2, stop_list_scope)) != 0) {
			if (i != top)
				return FALSE;
			direct_pop(d, top);
			continue;
		}
		/* A cell ends before a cell, a row or a section begins, a
		 * row before a row or a section. */
		if (TAG_IN(t, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_TR,
		    GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT) &&
		    (TAG_IN(cur, GUMBO_TAG_TD, GUMBO_TAG_TH) ||
		    (cur == GUMBO_TAG_TR && t != GUMBO_TAG_TD &&
		    t != GUMBO_TAG_TH) ||
		    (TAG_IN(cur, GUMBO_TAG_TBODY, GUMBO_TAG_THEAD,
		    GUMBO_TAG_TFOOT) && !TAG_IN(t, GUMBO_TAG_TD, GUMBO_TAG_TH,
		    GUMBO_TAG_TR)))) {
			direct_pop(d, top);
			continue;
		}
		if (TAG_IN(t, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_TR) &&
		    direct_open_in(d, (const GumboTag[]){ GUMBO_TAG_TD,
		    GUMBO_TAG_TH }, 2, stop_table_scope) != 0)
			return FALSE;
		if (is_heading(t) && is_heading(cur))
			return FALSE;
		if (t == GUMBO_TAG_A && direct_open_in(d, (const GumboTag[]){
		    GUMBO_TAG_A }, 1, stop_table_scope) != 0)
			return FALSE;
		return TRUE;
	}
}

/* Whether T may begin where it does: in a table only its parts (and
 * styles) stay where they are written, and they only there. */
static gboolean
direct_placed(const struct direct *d, GumboTag t)
{
	GumboTag cur = direct_top_tag(d);

	if (cur == GUMBO_TAG_TABLE)
		return TAG_IN(t, GUMBO_TAG_TBODY, GUMBO_TAG_THEAD,
		    GUMBO_TAG_TFOOT, GUMBO_TAG_TR, GUMBO_TAG_STYLE);
	if (in_table(cur) && cur != GUMBO_TAG_TR)
		return t == GUMBO_TAG_TR || t == GUMBO_TAG_STYLE;
	if (cur == GUMBO_TAG_TR)
		return TAG_IN(t, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_STYLE);
	return t == GUMBO_TAG_TABLE || !is_table_part(t);
}

/* Whether a name is there twice among T's attributes.  gumbo keeps the
 * first, but with no error records (as it is run here) it then takes the
 * repeated name for the beginning of the next one. */
static gboolean
repeated_attr(const struct token *t)
{
	const char *p = t->attrs, *end = t->attrs + t->attrs_len, *v;
	const char *names[16];
	size_t lens[16], n = 0, vlen;

	if (t->n_attrs < 2)
		return FALSE;
	if (t->n_attrs > G_N_ELEMENTS(names))
		return TRUE;
	while (n < G_N_ELEMENTS(names) && attr_next(&p, end, &names[n],
	    &lens[n], &v, &vlen)) {
		for (size_t i = 0; i < n; i++)
			if (lens[i] == lens[n] && g_ascii_strncasecmp(names[i],
			    names[n], lens[n]) == 0)
				return TRUE;
		n++;
	}
	return FALSE;
}

/* Whether T is a tag that gumbo puts in <head> before the body begins
 * (where the walk does not look) and that carries what the walk reads of
 * it in the body: its id or class, Outlook's marker, say. */
static gboolean
head_marked(const struct token *t)
{
	const char *v;
	size_t n;

	return TAG_IN(t->tag, GUMBO_TAG_META, GUMBO_TAG_LINK, GUMBO_TAG_BASE,
	    GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND) &&
	    (attr_span(t->attrs, t->attrs_len, "id", &v, &n) ||
	    attr_span(t->attrs, t->attrs_len, "class", &v, &n));
}

static void
direct_start(struct direct *d, const struct token *t)
{
	struct frame f = { .tag = t->tag, .name = t->s, .name_len = t->len,
	    .attrs = t->attrs, .attrs_len = t->attrs_len };
	struct frame *parent;

	d->allocs += 4 + 3 * t->n_attrs;
	if (parsed_apart(t->tag) || repeated_attr(t) || head_marked(t)) {
		d->o->reject = TRUE;
		return;
	}
	/* The document's own elements are there once, whatever the tags;
	 * the walk reads the id and class of <html> and <body>. */
	if (t->tag == GUMBO_TAG_HTML || t->tag == GUMBO_TAG_BODY) {
		const char *v;
		size_t n;
		if (attr_span(t->attrs, t->attrs_len, "id", &v, &n) ||
		    attr_span(t->attrs, t->attrs_len, "class", &v, &n))
			d->o->reject = TRUE;
		return;
	}
	if (t->tag == GUMBO_TAG_HEAD)
		return;
	if (!direct_implied_ends(d, t->tag) || !direct_placed(d, t->tag) ||
	    d->open->len > HTML_MAX_DEPTH) {
		d->o->reject = TRUE;
		return;
	}
	parent = direct_top(d);
	f.list_depth = parent->list_depth;
	if (writing(d))
		f.entered = enter_element(d->o, &f, parent);
	if (is_void(t->tag)) {
		if (f.entered)
			leave(d->o, &f);
	} else {
		if (!f.entered && d->hidden == NONE_HIDDEN)
			d->hidden = d->open->len;
		g_array_append_val(d->open, f);
		d->pre_lf = t->tag == GUMBO_TAG_PRE;
	}
	if (d->o->stop && !d->stopped)
		direct_stop(d);
}

/* Elements an end tag closes on its way to its own, as HTML5 closes them,
 * by what the tag ends. */
static gboolean
closed_on_the_way(GumboTag end, GumboTag t)
{
	if (is_table_part(end))
		return TAG_IN(t, GUMBO_TAG_P, GUMBO_TAG_LI, GUMBO_TAG_DD,
		    GUMBO_TAG_DT, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_TR,
		    GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT);
	if (closes_open_p(end) || end == GUMBO_TAG_P)
		return TAG_IN(t, GUMBO_TAG_P, GUMBO_TAG_LI, GUMBO_TAG_DD,
		    GUMBO_TAG_DT);
	return FALSE;
}

static void
direct_end(struct direct *d, const struct token *t)
{
	guint i;

	if (t->tag == GUMBO_TAG_HTML || t->tag == GUMBO_TAG_HEAD ||
	    t->tag == GUMBO_TAG_BODY)
		return;
	if ((i = direct_find(d, t)) == 0 || is_void(t->tag)) {
		d->o->reject = TRUE;
		return;
	}
	for (guint k = i + 1; k < d->open->len; k++)
		if (!closed_on_the_way(t->tag,
		    g_array_index(d->open, struct frame, k).tag)) {
			d->o->reject = TRUE;
			return;
		}
	direct_pop(d, i);
}

/* Whether the parser's current text node runs on over T: a doctype and
 * the tags of <html>, <head> and <body> add no node. */
static gboolean
text_kept(const struct token *t)
{
	if (t->kind == TOKEN_START || t->kind == TOKEN_END)
		return t->tag == GUMBO_TAG_HTML || t->tag == GUMBO_TAG_HEAD ||
		    t->tag == GUMBO_TAG_BODY;
	return t->kind == TOKEN_OTHER && t->len >= 9 &&
	    g_ascii_strncasecmp(t->s, "<!doctype", 9) == 0;
}

/* Whether any of the N readings D is inside <pre>. */
static gboolean
pre_open(const struct direct *d, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (d[k].o->pre > 0)
			return TRUE;
	return FALSE;
}

/* The texts of HTML (LEN bytes) into the N outputs O, read directly; FALSE
 * when it is to be parsed instead (O's texts are then to be dropped). */
static gboolean
direct_read(struct html_out *o, size_t n, const char *html, size_t len)
{
	g_autofree struct shape *sh = g_new0(struct shape, 1);
	g_autoptr(GString) buf = g_string_new(NULL);
	struct scanner s = { .p = html, .end = html + len };
	struct direct d[n];
	struct token t;
	gboolean ok = TRUE, text_run = FALSE;

	if (len > HTML_MAX_BYTES || !direct_readable(html, len))
		return FALSE;
	for (size_t k = 0; k < n; k++) {
		struct frame doc = { .tag = GUMBO_TAG_LAST, .entered = TRUE };
		d[k] = (struct direct){ .o = &o[k], .hidden = NONE_HIDDEN,
		    .buf = buf,
		    .open = g_array_new(FALSE, TRUE, sizeof(struct frame)) };
		g_array_append_val(d[k].open, doc);
	}
	while (ok && scan_next(&s, &t)) {
		gboolean after_pre = d[0].pre_lf, kept;
		/* "</" at the end is text to the parser; "</>" is nothing,
		 * not even a token. */
		if (t.kind == TOKEN_OTHER && t.len == 2 && t.s[1] == '/') {
			ok = FALSE;
			break;
		}
		if (t.kind == TOKEN_OTHER && t.len == 3 && t.s[1] == '/')
			continue;
		for (size_t k = 0; k < n; k++)
			d[k].pre_lf = FALSE;
		/* The parser's text node runs on over a token that adds no
		 * node; inside <pre>, where each piece of text would begin
		 * with quote marks at a line's start, the pieces would show. */
		kept = text_kept(&t);
		if (t.kind == TOKEN_TEXT && text_run && pre_open(d, n))
			ok = FALSE;
		text_run = t.kind == TOKEN_TEXT || (text_run && kept);
		if (t.kind == TOKEN_OTHER || t.kind == TOKEN_END)
			d[0].allocs += 3 + 3 * t.n_attrs;
		if (t.kind == TOKEN_START || t.kind == TOKEN_END) {
			/* As many tags, as deep, as gumbo is given. */
			if (t.unclosed || ++sh->tags > HTML_MAX_TAGS ||
			    (t.kind == TOKEN_START && !shape_start(sh, &s, &t)))
				ok = FALSE;
			else if (t.kind == TOKEN_END)
				shape_end(sh, &t);
		}
		for (size_t k = 0; ok && k < n; k++) {
			switch (t.kind) {
			case TOKEN_TEXT:
				direct_chars(&d[k], t.s, t.len, after_pre);
				break;
			case TOKEN_START:
				direct_start(&d[k], &t);
				break;
			case TOKEN_END:
				direct_end(&d[k], &t);
				break;
			default:
				break;
			}
			ok = !o[k].reject;
		}
		/* Far from gumbo's bounds on its memory. */
		if (d[0].allocs > HTML_MAX_ALLOCS / 4 ||
		    len + 64 * d[0].allocs > HTML_MAX_HEAP / 4)
			ok = FALSE;
	}
	/* What is open at the end is left, and may yet give up (a link's
	 * address). */
	for (size_t k = 0; k < n; k++) {
		if (ok && !d[k].stopped)
			direct_pop(&d[k], 0);
		ok = ok && !o[k].reject;
		g_array_unref(d[k].open);
	}
	return ok;
}

/* --- gumbo, bounded ---------------------------------------------------- */

/* Every block gumbo allocates, in a list, so that a parse can be abandoned
 * and its tree freed at once, without gumbo_destroy_output(), which
 * recurses once per level of the tree. */
union block {
	struct {
		union block *prev, *next;
		size_t size;
	} b;
	max_align_t align;
};

struct heap {
	union block *blocks;
	size_t used;		/* bytes in use */
	size_t allocs;		/* allocations so far */
	jmp_buf full;		/* where a parse is abandoned */
};

static void *
heap_alloc(void *data, size_t size)
{
	struct heap *h = data;
	union block *b;

	/* gumbo cannot fail an allocation: the parse is left, and everything
	 * it allocated is in the list to free. */
	if (size > HTML_MAX_HEAP - h->used || ++h->allocs > HTML_MAX_ALLOCS)
		longjmp(h->full, 1);
	b = g_malloc(sizeof *b + size);
	b->b.size = size;
	b->b.prev = NULL;
	b->b.next = h->blocks;
	if (h->blocks != NULL)
		h->blocks->b.prev = b;
	h->blocks = b;
	h->used += size;
	return b + 1;
}

static void
heap_free(void *data, void *ptr)
{
	struct heap *h = data;
	union block *b = ptr;

	if (ptr == NULL)
		return;
	b--;
	if (b->b.prev != NULL)
		b->b.prev->b.next = b->b.next;
	else
		h->blocks = b->b.next;
	if (b->b.next != NULL)
		b->b.next->b.prev = b->b.prev;
	h->used -= b->b.size;
	g_free(b);
}

static void
heap_clear(struct heap *h)
{
	while (h->blocks != NULL) {
		union block *next = h->blocks->b.next;
		g_free(h->blocks);
		h->blocks = next;
	}
	h->used = 0;
}

/* gumbo's tree of HTML, in H; NULL when a bound of H was reached. */
static GumboOutput *
parse(struct heap *h, const char *html, size_t len)
{
	GumboOptions options = kGumboDefaultOptions;

	options.allocator = heap_alloc;
	options.deallocator = heap_free;
	options.userdata = h;
	/* No error records: each holds a copy of the stack of open
	 * elements. */
	options.max_errors = 0;
	if (setjmp(h->full) != 0)
		return NULL;
	return gumbo_parse_with_options(&options, html, len);
}

/* O's text, its trailing space cut and its last line ended. */
static char *
out_finish(struct html_out *o)
{
	while (o->text->len > 0 &&
	    g_ascii_isspace(o->text->str[o->text->len - 1]))
		g_string_truncate(o->text, o->text->len - 1);
	if (o->text->len > 0)
		g_string_append_c(o->text, '\n');
	return g_string_free(o->text, FALSE);
}

/* The texts as gumbo's tree gives them. */
static void
parsed_texts(const char *html, size_t len, const enum html_flags *flags,
    char **texts, size_t n, const char **scanned)
{
	struct heap heap = { 0 };
	const char *why = html_unsafe(html, len);
	GumboOutput *doc = NULL;

	if (why == NULL && (doc = parse(&heap, html, len)) == NULL)
		why = "the HTML needs too much memory to parse";
	/* The walk reads the tree and changes nothing in it. */
	for (size_t i = 0; i < n; i++) {
		struct html_out o = { .text = g_string_new(NULL),
		    .flags = flags[i] };

		if (doc != NULL)
			walk(&o, doc->root);
		else
			scan_text(&o, html, len);
		texts[i] = out_finish(&o);
	}
	heap_clear(&heap);
	if (scanned != NULL)
		*scanned = why;
}

/* The texts as the direct reading gives them; FALSE when it gives up. */
static gboolean
direct_texts(const char *html, size_t len, const enum html_flags *flags,
    char **texts, size_t n)
{
	struct html_out o[n];
	gboolean ok;

	for (size_t i = 0; i < n; i++)
		o[i] = (struct html_out){ .text = g_string_new(NULL),
		    .flags = flags[i] };
	ok = direct_read(o, n, html, len);
	for (size_t i = 0; i < n; i++)
		if (ok)
			texts[i] = out_finish(&o[i]);
		else
			g_string_free(o[i].text, TRUE);
	return ok;
}

void
html_to_texts(const char *html, const enum html_flags *flags, char **texts,
    size_t n, const char **scanned)
{
	size_t len = strlen(html);

	if (direct_texts(html, len, flags, texts, n)) {
		if (scanned != NULL)
			*scanned = NULL;
		return;
	}
	parsed_texts(html, len, flags, texts, n, scanned);
}

void
html_to_texts_parsed(const char *html, const enum html_flags *flags,
    char **texts, size_t n, const char **scanned)
{
	parsed_texts(html, strlen(html), flags, texts, n, scanned);
}

bool
html_to_texts_direct(const char *html, const enum html_flags *flags,
    char **texts, size_t n)
{
	return direct_texts(html, strlen(html), flags, texts, n);
}

char *
html_to_text_checked(const char *html, enum html_flags flags,
    const char **scanned)
{
	char *text;

	html_to_texts(html, &flags, &text, 1, scanned);
	return text;
}

char *
html_to_text(const char *html, enum html_flags flags)
{
	return html_to_text_checked(html, flags, NULL);
}
