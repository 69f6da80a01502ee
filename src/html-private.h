/* What the two readings of HTML in src/html.c (gumbo's tree, and the
 * tokens' scan) and src/html-direct.c (the tags read directly) share:
 * the text being written, the walk's frames, the tokens, the estimate of
 * the nesting.  Private to those files. */
#ifndef TIDINGS_HTML_PRIVATE_H
#define TIDINGS_HTML_PRIVATE_H

#include <gumbo.h>
#include <stddef.h>

#include <glib.h>

#include "html.h"

/* A text being written from HTML. */
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

/* A node being walked.  The walk keeps its own stack, as deep as the tree:
 * recursion would overflow the C stack on hostile nesting.  The direct
 * reading (html-direct.c) walks its elements with the same frames, made
 * from the tags as they stand rather than from gumbo's nodes. */
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
	gboolean entered;		/* the direct reading: entered */
	int list_depth;			/* lists open around the children */
	int item;			/* an <ol>'s items so far */
	int breaks;			/* block_breaks() owed on leaving */
	gboolean numbered;		/* an <li> of an <ol>, numbered */
	gsize before;			/* the text's length on entering */
	gboolean quoting;		/* opened a quote (HTML_MARK_QUOTES) */
	gboolean label;			/* <b> or <strong> at a line's start */
};

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

/* The raw text elements (html.c's raw_tags). */
#define HTML_RAW_TAGS 9

struct scanner {
	const char *p, *end;
	/* Where the end tag of each raw text element was last found (or
	 * END): P only grows, so each is searched for once. */
	const char *raw_end[HTML_RAW_TAGS];
};

/* HTML5's white space. */
static inline gboolean
html_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Whether TAG is one of the tags that follow it. */
#define TAG_IN(tag, ...) html_tag_in((tag), \
    (const GumboTag[]){ __VA_ARGS__ }, \
    sizeof((const GumboTag[]){ __VA_ARGS__ }) / sizeof(GumboTag))

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

/* The text: a run of it (html.c). */
void html_out_text_len(struct html_out *o, const char *s, size_t len);
/* The walk (html.c): entering an element (FALSE when its children are not
 * walked) and leaving one entered. */
gboolean html_enter_element(struct html_out *o, struct frame *f,
    struct frame *parent);
void html_leave(struct html_out *o, const struct frame *f);
/* The tokens (html.c). */
gboolean html_scan_next(struct scanner *s, struct token *t);
gboolean html_attr_next(const char **pp, const char *end, const char **name,
    size_t *nlen, const char **v, size_t *vlen);
gboolean html_attr_span(const char *attrs, size_t len, const char *name,
    const char **v, size_t *vlen);
/* Sets of tags (html.c). */
gboolean html_tag_in(GumboTag tag, const GumboTag *set, size_t n);
gboolean html_is_void(GumboTag t);
gboolean html_is_table_part(GumboTag t);
gboolean html_is_scope_barrier(GumboTag t);
gboolean html_stop_table_scope(GumboTag t);
/* The estimate before parsing (html.c): a start tag (FALSE past the
 * depth bound), an end tag. */
gboolean html_shape_start(struct shape *sh, struct scanner *s,
    const struct token *t);
void html_shape_end(struct shape *sh, const struct token *t);

/* The direct reading (html-direct.c): an attribute of a tag as the parser
 * reads it, its character references decoded (NULL when it is not there,
 * or when the reading cannot tell, O->reject then set); the texts of HTML
 * into N outputs, FALSE when gumbo is to parse it. */
char *html_direct_attr(struct html_out *o, const char *attrs, size_t len,
    const char *name);
gboolean html_direct_read(struct html_out *o, size_t n, const char *html,
    size_t len);

#endif
