/* HTML to plain text with gumbo; see html.h. */
#include "config.h"

#include <gumbo.h>
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
};

static void
out_break(struct html_out *o, int n)
{
	if (o->text->len > 0 && n > o->pending)
		o->pending = n;
	o->space = FALSE;
}

static void
out_flush(struct html_out *o)
{
	for (; o->pending > 0; o->pending--)
		g_string_append_c(o->text, '\n');
	if (o->space && o->text->len > 0 &&
	    o->text->str[o->text->len - 1] != '\n')
		g_string_append_c(o->text, ' ');
	o->space = FALSE;
}

static void
out_text(struct html_out *o, const char *s)
{
	if (o->pre) {
		out_flush(o);
		g_string_append(o->text, s);
		return;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (g_ascii_isspace(*p)) {
			o->space = TRUE;
			continue;
		}
		out_flush(o);
		g_string_append_c(o->text, *p);
	}
}

static const char *
attr(const GumboElement *e, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);

	return a != NULL ? a->value : NULL;
}

static gboolean
has_class(const GumboElement *e, const char *cls)
{
	const char *c = attr(e, "class");
	g_auto(GStrv) words = NULL;

	if (c == NULL)
		return FALSE;
	words = g_strsplit_set(c, " \t\n", -1);
	return g_strv_contains((const char *const *)words, cls);
}

/* Gmail, Outlook, Apple Mail, Thunderbird and Yahoo wrap what they quote in
 * these.  Returns 2 when everything from here on is quoted (Outlook puts
 * the quoted mail after a marker, not inside it), 1 for this element. */
static int
quote_container(const GumboElement *e)
{
	const char *id = attr(e, "id");

	if (e->tag == GUMBO_TAG_BLOCKQUOTE)
		return 1;
	if (has_class(e, "gmail_quote") || has_class(e, "gmail_quote_container") ||
	    has_class(e, "gmail_extra") || has_class(e, "yahoo_quoted") ||
	    has_class(e, "moz-cite-prefix") || has_class(e, "protonmail_quote"))
		return 1;
	if (id != NULL && (strcmp(id, "appendonsend") == 0 ||
	    strcmp(id, "divRplyFwdMsg") == 0 ||
	    g_str_has_prefix(id, "x_divRplyFwdMsg") ||
	    strcmp(id, "mail-editor-reference-message-container") == 0))
		return 2;
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

static void walk(struct html_out *o, const GumboNode *n, int list_depth);

static void
walk_children(struct html_out *o, const GumboElement *e, int list_depth)
{
	int item = 0;

	for (unsigned i = 0; i < e->children.length && !o->stop; i++) {
		const GumboNode *c = e->children.data[i];
		if (e->tag == GUMBO_TAG_OL && c->type == GUMBO_NODE_ELEMENT &&
		    c->v.element.tag == GUMBO_TAG_LI) {
			g_autofree char *num = g_strdup_printf("%d. ", ++item);
			out_break(o, 1);
			out_flush(o);
			g_string_append_printf(o->text, "%*s%s", 2 * (list_depth - 1),
			    "", num);
			walk_children(o, &c->v.element, list_depth);
			out_break(o, 1);
			continue;
		}
		walk(o, c, list_depth);
	}
}

static void
walk_element(struct html_out *o, const GumboElement *e, int list_depth)
{
	int breaks = block_breaks(e->tag);
	const char *href;

	if (skipped(e->tag))
		return;
	if (o->flags & HTML_SKIP_QUOTES) {
		int q = quote_container(e);
		if (q == 2)
			o->stop = TRUE;
		if (q != 0)
			return;
	}
	switch (e->tag) {
	case GUMBO_TAG_BR:
		if (o->text->len > 0 && o->pending < 2)
			o->pending++;
		o->space = FALSE;
		return;
	case GUMBO_TAG_IMG:
		if (attr(e, "alt") != NULL && *attr(e, "alt") != '\0') {
			g_autofree char *alt = g_strdup_printf("[%s]",
			    attr(e, "alt"));
			out_text(o, alt);
		}
		return;
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
		o->space = TRUE;
		break;
	default:
		break;
	}
	if (breaks)
		out_break(o, breaks);
	if (e->tag == GUMBO_TAG_UL || e->tag == GUMBO_TAG_OL)
		list_depth++;
	if (e->tag == GUMBO_TAG_LI) {
		out_flush(o);
		g_string_append_printf(o->text, "%*s- ", 2 * MAX(list_depth - 1, 0),
		    "");
	}
	if (e->tag == GUMBO_TAG_PRE)
		o->pre++;
	gsize before = o->text->len;
	walk_children(o, e, list_depth);
	if (e->tag == GUMBO_TAG_PRE)
		o->pre--;
	/* A link shows where it goes, unless its text already says so. */
	href = e->tag == GUMBO_TAG_A ? attr(e, "href") : NULL;
	if (href != NULL && (g_str_has_prefix(href, "http://") ||
	    g_str_has_prefix(href, "https://") ||
	    g_str_has_prefix(href, "mailto:"))) {
		const char *shown = g_str_has_prefix(href, "mailto:") ?
		    href + 7 : href;
		g_autofree char *label = g_strndup(o->text->str + before,
		    o->text->len - before);
		if (strstr(label, shown) == NULL) {
			g_autofree char *s = g_strdup_printf(" <%s>", shown);
			out_text(o, s);
		}
	}
	if (breaks)
		out_break(o, breaks);
}

static void
walk(struct html_out *o, const GumboNode *n, int list_depth)
{
	switch (n->type) {
	case GUMBO_NODE_DOCUMENT:
		for (unsigned i = 0; i < n->v.document.children.length; i++)
			walk(o, n->v.document.children.data[i], list_depth);
		break;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		walk_element(o, &n->v.element, list_depth);
		break;
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_CDATA:
	case GUMBO_NODE_WHITESPACE:
		out_text(o, n->v.text.text);
		break;
	default:
		break;
	}
}

char *
html_to_text(const char *html, enum html_flags flags)
{
	GumboOutput *doc = gumbo_parse_with_options(&kGumboDefaultOptions,
	    html, strlen(html));
	struct html_out o = { .text = g_string_new(NULL), .flags = flags };

	walk(&o, doc->root, 0);
	gumbo_destroy_output(&kGumboDefaultOptions, doc);
	while (o.text->len > 0 && g_ascii_isspace(o.text->str[o.text->len - 1]))
		g_string_truncate(o.text, o.text->len - 1);
	if (o.text->len > 0)
		g_string_append_c(o.text, '\n');
	return g_string_free(o.text, FALSE);
}
