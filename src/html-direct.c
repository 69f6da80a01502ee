/* HTML read directly: the walk of src/html.c over the tags as they stand,
 * without gumbo's tree; see html.h and the comment below. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "html-private.h"

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
		for (; q < end && q - digits < 7 && (hex ?
		    g_ascii_isxdigit(*q) : g_ascii_isdigit(*q)); q++)
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

/* S (N bytes) with its character references decoded as HTML5 reads them
 * in text or, IN_ATTR, in an attribute's value, appended to OUT; FALSE
 * when one is a reference the direct reading cannot tell. */
static gboolean
direct_decode(GString *out, const char *s, size_t n, gboolean in_attr)
{
	const char *p = s, *end = s + n, *amp;
	size_t used;

	while ((amp = memchr(p, '&', (size_t)(end - p))) != NULL) {
		g_string_append_len(out, p, amp - p);
		if ((used = direct_ref(amp, end, in_attr, out)) == 0)
			return FALSE;
		p = amp + used;
	}
	g_string_append_len(out, p, end - p);
	return TRUE;
}

char *
html_direct_attr(struct html_out *o, const char *attrs, size_t len,
    const char *name)
{
	const char *v;
	size_t vlen;
	GString *out;

	if (!html_attr_span(attrs, len, name, &v, &vlen))
		return NULL;
	/* The parser makes each CR a line feed. */
	if (memchr(v, '\r', vlen) != NULL) {
		o->reject = TRUE;
		return NULL;
	}
	out = g_string_sized_new(vlen);
	if (!direct_decode(out, v, vlen, TRUE)) {
		o->reject = TRUE;
		return g_string_free(out, TRUE);
	}
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
	GString *buf;
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
		const struct frame *f = &g_array_index(d->open, struct frame,
		    i);
		if (f->entered)
			html_leave(d->o, f);
	}
	d->stopped = TRUE;
}

/* Closes the open elements from the Ith up. */
static void
direct_pop(struct direct *d, guint i)
{
	for (guint k = d->open->len; k-- > i;) {
		const struct frame *f = &g_array_index(d->open, struct frame,
		    k);
		if (f->entered && !d->stopped)
			html_leave(d->o, f);
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
	if (n == 0)
		return;
	if (d->o->pre > 0 && memchr(s, '\r', n) != NULL) {
		d->o->reject = TRUE;
		return;
	}
	if (memchr(s, '&', n) == NULL) {
		html_out_text_len(d->o, s, n);
		return;
	}
	g_string_truncate(d->buf, 0);
	if (!direct_decode(d->buf, s, n, FALSE)) {
		d->o->reject = TRUE;
		return;
	}
	html_out_text_len(d->o, d->buf->str, d->buf->len);
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
	/* In a table, only white space stays where it is written. */
	if (in_table(direct_top_tag(d)))
		for (size_t i = 0; i < n; i++)
			if (!html_is_space(s[i])) {
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
		const struct frame *f = &g_array_index(d->open, struct frame,
		    i);
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
		if (html_tag_in(t, tags, n))
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
		    1, html_is_scope_barrier)) != 0) {
			/* A <table> keeps it open in quirks mode. */
			if (i != top || t == GUMBO_TAG_TABLE)
				return FALSE;
			direct_pop(d, top);
			continue;
		}
		if (t == GUMBO_TAG_LI && (i = direct_open_in(d,
		    (const GumboTag[]){ GUMBO_TAG_LI }, 1,
		    stop_list_scope)) != 0) {
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
		    GUMBO_TAG_TH }, 2, html_stop_table_scope) != 0)
			return FALSE;
		if (is_heading(t) && is_heading(cur))
			return FALSE;
		if (t == GUMBO_TAG_A && direct_open_in(d, (const GumboTag[]){
		    GUMBO_TAG_A }, 1, html_stop_table_scope) != 0)
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
	return t == GUMBO_TAG_TABLE || !html_is_table_part(t);
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
	while (n < G_N_ELEMENTS(names) && html_attr_next(&p, end, &names[n],
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
	    (html_attr_span(t->attrs, t->attrs_len, "id", &v, &n) ||
	    html_attr_span(t->attrs, t->attrs_len, "class", &v, &n));
}

static void
direct_start(struct direct *d, const struct token *t)
{
	struct frame f = { .tag = t->tag, .name = t->s, .name_len = t->len,
	    .attrs = t->attrs, .attrs_len = t->attrs_len };
	struct frame *parent;

	if (parsed_apart(t->tag) || repeated_attr(t) || head_marked(t)) {
		d->o->reject = TRUE;
		return;
	}
	/* The document's own elements are there once, whatever the tags;
	 * the walk reads the id and class of <html> and <body>. */
	if (t->tag == GUMBO_TAG_HTML || t->tag == GUMBO_TAG_BODY) {
		const char *v;
		size_t n;
		if (html_attr_span(t->attrs, t->attrs_len, "id", &v, &n) ||
		    html_attr_span(t->attrs, t->attrs_len, "class", &v, &n))
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
		f.entered = html_enter_element(d->o, &f, parent);
	if (html_is_void(t->tag)) {
		if (f.entered)
			html_leave(d->o, &f);
	} else {
		if (!f.entered && d->hidden == NONE_HIDDEN)
			d->hidden = d->open->len;
		g_array_append_val(d->open, f);
	}
	if (d->o->stop && !d->stopped)
		direct_stop(d);
}

/* Elements an end tag closes on its way to its own, as HTML5 closes them,
 * by what the tag ends. */
static gboolean
closed_on_the_way(GumboTag end, GumboTag t)
{
	if (html_is_table_part(end))
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
	if ((i = direct_find(d, t)) == 0 || html_is_void(t->tag)) {
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
gboolean
html_direct_read(struct html_out *o, size_t n, const char *html, size_t len)
{
	g_autofree struct shape *sh = g_new0(struct shape, 1);
	g_autoptr(GString) buf = g_string_new(NULL);
	struct scanner s = { .p = html, .end = html + len };
	struct direct d[n];
	struct token t;
	gboolean ok = TRUE, text_run = FALSE, pre_lf = FALSE;
	size_t allocs = 0;

	if (len > HTML_MAX_BYTES || !direct_readable(html, len))
		return FALSE;
	for (size_t k = 0; k < n; k++) {
		struct frame doc = { .tag = GUMBO_TAG_LAST, .entered = TRUE };
		d[k] = (struct direct){ .o = &o[k], .hidden = NONE_HIDDEN,
		    .buf = buf,
		    .open = g_array_new(FALSE, TRUE, sizeof(struct frame)) };
		g_array_append_val(d[k].open, doc);
	}
	while (ok && html_scan_next(&s, &t)) {
		gboolean after_pre = pre_lf, kept;
		/* "</" at the end is text to the parser; "</>" is nothing,
		 * not even a token. */
		if (t.kind == TOKEN_OTHER && t.len == 2 && t.s[1] == '/') {
			ok = FALSE;
			break;
		}
		if (t.kind == TOKEN_OTHER && t.len == 3 && t.s[1] == '/')
			continue;
		/* The next token may come right after a <pre>. */
		pre_lf = t.kind == TOKEN_START && t.tag == GUMBO_TAG_PRE;
		/* The parser's text node runs on over a token that adds no
		 * node; inside <pre>, where each piece of text would begin
		 * with quote marks at a line's start, the pieces would show. */
		kept = text_kept(&t);
		if (t.kind == TOKEN_TEXT && text_run && pre_open(d, n))
			ok = FALSE;
		text_run = t.kind == TOKEN_TEXT || (text_run && kept);
		/* What gumbo allocates for the token, about. */
		allocs += t.kind == TOKEN_TEXT ? 2 : t.kind == TOKEN_START ?
		    4 + 3 * t.n_attrs : 3 + 3 * t.n_attrs;
		if (t.kind == TOKEN_START || t.kind == TOKEN_END) {
			/* As many tags, as deep, as gumbo is given. */
			if (t.unclosed || ++sh->tags > HTML_MAX_TAGS ||
			    (t.kind == TOKEN_START &&
			    !html_shape_start(sh, &s, &t)))
				ok = FALSE;
			else if (t.kind == TOKEN_END)
				html_shape_end(sh, &t);
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
		if (allocs > HTML_MAX_ALLOCS / 4 ||
		    len + 64 * allocs > HTML_MAX_HEAP / 4)
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
