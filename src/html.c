/* HTML to plain text with gumbo, or by a scan of its tokens past the
 * bounds; HTML that nests as written is read directly (html-direct.c).
 * See html.h. */
#include "config.h"

#include <gumbo.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "html-private.h"


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

void
html_out_text_len(struct html_out *o, const char *s, size_t len)
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
	html_out_text_len(o, s, strlen(s));
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


/* The attribute NAME of F's element, its character references decoded, or
 * NULL; *OWNED is what to free. */
static const char *
frame_attr(struct html_out *o, const struct frame *f, const char *name,
    char **owned)
{
	*owned = NULL;
	if (f->node != NULL)
		return attr(&f->node->v.element, name);
	return *owned = html_direct_attr(o, f->attrs, f->attrs_len, name);
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
gboolean
html_enter_element(struct html_out *o, struct frame *f, struct frame *parent)
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
		if (q == 1 && f->tag != GUMBO_TAG_BR &&
		    f->tag != GUMBO_TAG_IMG) {
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
		return html_enter_element(o, f, parent);
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
void
html_leave(struct html_out *o, const struct frame *f)
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
			html_leave(o, f);
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



/* Raw text elements, whose content is text up to their end tag. */
static const GumboTag raw_tags[] = { GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE,
    GUMBO_TAG_XMP, GUMBO_TAG_IFRAME, GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES,
    GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEXTAREA, GUMBO_TAG_TITLE };
G_STATIC_ASSERT(G_N_ELEMENTS(raw_tags) == HTML_RAW_TAGS);



/* Past a tag's attributes from P: at its '>', or END. */
static const char *
tag_close(const char *p, const char *end, gboolean *self_closing,
    size_t *n_attrs)
{
	const char *slash = NULL;

	for (;;) {
		while (p < end && (html_is_space(*p) || *p == '/')) {
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
		while (p < end && !html_is_space(*p) && *p != '/' && *p != '>' &&
		    *p != '=')
			p++;
		while (p < end && html_is_space(*p))
			p++;
		if (p >= end || *p != '=')
			continue;
		p++;
		while (p < end && html_is_space(*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			if (q == NULL)
				return end;
			p = q + 1;
		} else
			while (p < end && !html_is_space(*p) && *p != '>')
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
gboolean
html_scan_next(struct scanner *s, struct token *t)
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
		while (q < end && !html_is_space(*q) && *q != '/' && *q != '>')
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
			    (c == s->end || html_is_space(*c) || *c == '/' ||
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
gboolean
html_attr_next(const char **pp, const char *end, const char **name,
    size_t *nlen, const char **v, size_t *vlen)
{
	const char *p = *pp;

	while (p < end && (html_is_space(*p) || *p == '/'))
		p++;
	if (p >= end)
		return FALSE;
	*name = p++;
	while (p < end && !html_is_space(*p) && *p != '/' && *p != '=')
		p++;
	*nlen = (size_t)(p - *name);
	while (p < end && html_is_space(*p))
		p++;
	*v = p;
	*vlen = 0;
	if (p < end && *p == '=') {
		p++;
		while (p < end && html_is_space(*p))
			p++;
		*v = p;
		if (p < end && (*p == '"' || *p == '\'')) {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			*v = p + 1;
			p = q != NULL ? q : end;
			*vlen = (size_t)(p - *v);
			p = after(p, end);
		} else {
			while (p < end && !html_is_space(*p))
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
gboolean
html_attr_span(const char *attrs, size_t len, const char *name, const char **v,
    size_t *vlen)
{
	const char *p = attrs, *end = attrs + len, *a;
	size_t n = strlen(name), alen;

	while (html_attr_next(&p, end, &a, &alen, v, vlen))
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

	if (!html_attr_span(t->attrs, t->attrs_len, name, &v, &n))
		return NULL;
	return g_strndup(v, n);
}

/* --- the estimate before parsing --------------------------------------- */

gboolean
html_tag_in(GumboTag tag, const GumboTag *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == tag)
			return TRUE;
	return FALSE;
}


gboolean
html_is_void(GumboTag t)
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
gboolean
html_is_scope_barrier(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION, GUMBO_TAG_HTML,
	    GUMBO_TAG_TABLE, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_MARQUEE,
	    GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_MI, GUMBO_TAG_MO,
	    GUMBO_TAG_MN, GUMBO_TAG_MS, GUMBO_TAG_MTEXT,
	    GUMBO_TAG_ANNOTATION_XML, GUMBO_TAG_FOREIGNOBJECT, GUMBO_TAG_DESC,
	    GUMBO_TAG_TITLE, GUMBO_TAG_SELECT, GUMBO_TAG_BUTTON);
}

gboolean
html_is_table_part(GumboTag t)
{
	return TAG_IN(t, GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_THEAD,
	    GUMBO_TAG_TFOOT, GUMBO_TAG_TR, GUMBO_TAG_TD, GUMBO_TAG_TH,
	    GUMBO_TAG_CAPTION, GUMBO_TAG_COLGROUP);
}

/* HTML5's "special" elements, less the void ones, which are never open. */
static gboolean
is_special(GumboTag t)
{
	return html_is_scope_barrier(t) || html_is_table_part(t) ||
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
		if (!e->foreign && html_tag_in(e->tag, tags, n)) {
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
	return html_is_scope_barrier(t);
}

static gboolean
stop_list_item(GumboTag t)
{
	return is_special(t) && t != GUMBO_TAG_ADDRESS && t != GUMBO_TAG_DIV &&
	    t != GUMBO_TAG_P;
}

gboolean
html_stop_table_scope(GumboTag t)
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
		SHAPE_CLOSE(sh, html_stop_table_scope, GUMBO_TAG_TD,
		    GUMBO_TAG_TD, GUMBO_TAG_TH);
	else if (t == GUMBO_TAG_TR)
		SHAPE_CLOSE(sh, html_stop_table_scope, GUMBO_TAG_TD,
		    GUMBO_TAG_TR);
	else if (t == GUMBO_TAG_TBODY || t == GUMBO_TAG_THEAD ||
	    t == GUMBO_TAG_TFOOT)
		SHAPE_CLOSE(sh, html_stop_table_scope, GUMBO_TAG_TD,
		    GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT);
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
gboolean
html_shape_start(struct shape *sh, struct scanner *s, const struct token *t)
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
	if (!foreign && html_is_void(t->tag))
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
void
html_shape_end(struct shape *sh, const struct token *t)
{
	gboolean special = is_special(t->tag);
	gboolean table = html_is_table_part(t->tag);

	for (int i = sh->n - 1; i >= 0; i--) {
		const struct open_element *e = &sh->open[i];
		if (same_element(e, t)) {
			shape_pop(sh, i, t->tag);
			return;
		}
		if (table ? html_stop_table_scope(e->tag) : special ?
		    html_is_scope_barrier(e->tag) : is_special(e->tag))
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
	while (html_scan_next(&s, &t)) {
		if (t.kind != TOKEN_START && t.kind != TOKEN_END)
			continue;
		if (++sh->tags > HTML_MAX_TAGS)
			return "the HTML has too many tags to parse";
		if (t.kind == TOKEN_END)
			html_shape_end(sh, &t);
		else if (!html_shape_start(sh, &s, &t))
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
		html_out_text_len(o, s->p, (size_t)(s->end - s->p));
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
			html_out_text_len(o, st->buf->str, st->buf->len);
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

	while (!o->stop && html_scan_next(&s, &t)) {
		if (st.dropping > 0) {
			if (t.kind == TOKEN_START || t.kind == TOKEN_END)
				scan_dropped(&st, &t);
			continue;
		}
		switch (t.kind) {
		case TOKEN_TEXT:
			decode_text(buf, t.s, t.len);
			html_out_text_len(o, buf->str, buf->len);
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
	ok = html_direct_read(o, n, html, len);
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
