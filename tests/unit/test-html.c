/* Unit tests for HTML to text: ordinary mail HTML is parsed as before, and
 * hostile HTML (deep nesting, many tags, much of it) gives its text in
 * bounded time and memory, without a parser where a bound is passed; the
 * texts of one parse are those of a parse each; HTML read directly gives
 * the texts of gumbo's tree, over the cases here and every HTML part of
 * the test mail and the shared corpora. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "html.h"
#include "message.h"

/* HTML read directly gives the texts gumbo's tree gives, with each set of
 * flags; TRUE when the direct reading took it. */
static gboolean
check_direct(const char *html)
{
	static const enum html_flags flags[] = { HTML_KEEP_QUOTES,
	    HTML_MARK_QUOTES, HTML_SKIP_QUOTES };
	char *direct[G_N_ELEMENTS(flags)], *parsed[G_N_ELEMENTS(flags)];
	const char *scanned = NULL;

	if (!html_to_texts_direct(html, flags, direct, G_N_ELEMENTS(flags)))
		return FALSE;
	html_to_texts_parsed(html, flags, parsed, G_N_ELEMENTS(flags),
	    &scanned);
	g_assert_null(scanned);
	for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
		if (g_strcmp0(direct[i], parsed[i]) != 0)
			g_test_message("read directly with flags %d: %s",
			    flags[i], html);
		g_assert_cmpstr(direct[i], ==, parsed[i]);
		g_free(direct[i]);
		g_free(parsed[i]);
	}
	return TRUE;
}

/* HTML of OPEN N times, TEXT, then CLOSE N times; caller frees. */
static char *
nested(const char *open, int n, const char *text, const char *close)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < n; i++)
		g_string_append(s, open);
	g_string_append(s, text);
	for (int i = 0; close != NULL && i < n; i++)
		g_string_append(s, close);
	return g_string_free(s, FALSE);
}

/* The texts of HTML made from one parse are those of one parse each, and
 * it is scanned or parsed alike. */
static void
check_texts(const char *html)
{
	static const enum html_flags flags[] = { HTML_KEEP_QUOTES,
	    HTML_MARK_QUOTES, HTML_SKIP_QUOTES, HTML_KEEP_QUOTES };
	char *texts[G_N_ELEMENTS(flags)];
	const char *scanned = NULL, *each = NULL;

	html_to_texts(html, flags, texts, G_N_ELEMENTS(flags), &scanned);
	for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
		g_autofree char *one = html_to_text_checked(html, flags[i],
		    &each);

		g_assert_cmpstr(texts[i], ==, one);
		g_assert_cmpstr(scanned, ==, each);
		g_free(texts[i]);
	}
	check_direct(html);
}

/* The text of HTML must be EXPECT; whether it was parsed, PARSED. */
static void
check(const char *html, const char *expect, gboolean parsed)
{
	const char *scanned = NULL;
	g_autofree char *text = html_to_text_checked(html, HTML_KEEP_QUOTES,
	    &scanned);

	g_assert_cmpstr(text, ==, expect);
	if (parsed)
		g_assert_null(scanned);
	else
		g_assert_nonnull(scanned);
	/* The quote-skipping walk reads the same HTML the same way. */
	g_free(text);
	text = html_to_text(html, HTML_SKIP_QUOTES);
	g_assert_cmpstr(text, ==, expect);
	check_texts(html);
}

/* What mail programs write: parsed, as it always was. */
static void
test_ordinary(void)
{
	check("<html><head><style>p { color: red }</style><title>t</title>"
	    "</head><body><p>Hello <b>there</b>,</p><p>the list:</p>"
	    "<ul><li>one</li><li>two</li></ul><ol><li>first</li>"
	    "<li>second</li></ol><p>See <a href=\"https://example.org/x\">"
	    "this</a>.<br>Bye</p><script>alert(1)</script></body></html>",
	    "Hello there,\n\nthe list:\n\n- one\n- two\n\n1. first\n"
	    "2. second\n\nSee this <https://example.org/x>.\nBye\n", TRUE);
	/* Outlook's tables and unclosed cells and paragraphs. */
	check("<table><tr><td><font face=Arial>a<td><p>b<p>c</table>"
	    "<div><div><span>d</span></div></div>",
	    "a\n\nb\n\nc\n\nd\n", TRUE);
	/* Older Outlook writes its tags in capitals. */
	check("<DIV><FONT face=Arial><P>Hi</P></FONT></DIV><DIV>there</DIV>",
	    "Hi\n\nthere\n", TRUE);
	check("", "", TRUE);
}

/* The same HTML nested 40 deep, as mail programs nest it, stays with the
 * parser. */
static void
test_ordinary_depth(void)
{
	g_autofree char *divs = nested("<div><table><tr><td>", 40, "deep",
	    "</td></tr></table></div>");
	g_autofree char *fonts = nested("<p><font color=red>", 200, "x", NULL);

	check(divs, "deep\n", TRUE);
	/* Formatting left open across paragraphs, reopened by the parser. */
	g_autofree char *text = html_to_text(fonts, HTML_KEEP_QUOTES);
	g_assert_nonnull(strstr(text, "x"));
}

/* 60,000 nested divisions, closed and unclosed: their text, without the
 * parser. */
static void
test_deep_div(void)
{
	g_autofree char *closed = nested("<div>", 60000, "x", "</div>");
	g_autofree char *open = nested("<div>", 60000, "x", NULL);
	g_autofree char *mixed = nested("<div>a", 60000, "", NULL);

	check(closed, "x\n", FALSE);
	check(open, "x\n", FALSE);
	g_autofree char *text = html_to_text(mixed, HTML_KEEP_QUOTES);
	g_assert_cmpuint(strlen(text), ==, 2 * 60000);
}

static void
test_deep_inline(void)
{
	g_autofree char *b = nested("<b>", 60000, "bold", NULL);
	g_autofree char *bc = nested("<b>", 60000, "bold", "</b>");
	g_autofree char *spans = nested("<span><div></span>", 20000, "x",
	    NULL);
	g_autofree char *a = nested("<a><div></a>", 20000, "x", NULL);

	check(b, "bold\n", FALSE);
	check(bc, "bold\n", FALSE);
	check(spans, "x\n", FALSE);
	check(a, "x\n", FALSE);
}

static void
test_deep_table(void)
{
	g_autofree char *cells = nested("<table><tr><td>", 20000, "cell",
	    NULL);
	g_autofree char *closed = nested("<table><tr><td>", 20000, "cell",
	    "</td></tr></table>");
	g_autofree char *bare = nested("<table>", 60000, "t", NULL);

	check(cells, "cell\n", FALSE);
	check(closed, "cell\n", FALSE);
	check(bare, "t\n", FALSE);
}

static void
test_deep_list(void)
{
	g_autofree char *items = nested("<ul><li>", 30000, "item", NULL);
	g_autofree char *closed = nested("<ol><li>", 30000, "item",
	    "</li></ol>");
	g_autofree char *text = html_to_text(items, HTML_KEEP_QUOTES);

	/* An item in each of the lists, indented no deeper than a few. */
	g_assert_true(g_str_has_suffix(text, "- item\n"));
	g_assert_cmpuint(strlen(text), <, 30000 * 24);
	g_free(text);
	text = html_to_text(closed, HTML_KEEP_QUOTES);
	g_assert_true(g_str_has_suffix(text, "- item\n"));
}

/* SVG's self-closing elements are not open; HTML's are. */
static void
test_deep_foreign(void)
{
	g_autofree char *svg = nested("<svg><g>", 20000, "x", NULL);
	g_autofree char *slash = nested("<div/>", 60000, "x", NULL);

	check(svg, "x\n", FALSE);
	check(slash, "x\n", FALSE);
}

/* Many tags in a flat document, and much text: read in one pass. */
static void
test_large_flat(void)
{
	GString *s = g_string_new(NULL);
	g_autofree char *text = NULL;
	const char *scanned = NULL;

	for (int i = 0; i < 60000; i++)
		g_string_append_printf(s, "<p>para %d &amp; <b>more</b></p>", i);
	text = html_to_text_checked(s->str, HTML_KEEP_QUOTES, &scanned);
	g_assert_nonnull(scanned);
	g_assert_true(g_str_has_prefix(text, "para 0 & more\n\npara 1 & more"));
	g_assert_true(g_str_has_suffix(text, "\n\npara 59999 & more\n"));
	g_string_free(s, TRUE);

	/* More bytes than HTML_MAX_BYTES, in few tags. */
	s = g_string_new("<p>");
	while (s->len <= HTML_MAX_BYTES)
		g_string_append(s, "words words words ");
	g_string_append(s, "end</p>");
	g_clear_pointer(&text, g_free);
	text = html_to_text_checked(s->str, HTML_KEEP_QUOTES, &scanned);
	g_assert_nonnull(scanned);
	g_assert_true(g_str_has_suffix(text, "words end\n"));
	g_string_free(s, TRUE);
}

/* The text read without a parser: scripts and styles left out, entities
 * decoded, blocks on lines of their own, quotes left out on request. */
static void
test_scan(void)
{
	g_autofree char *deep = nested("<div>", 1000, "", NULL);
	g_autofree char *html = g_strconcat(deep, "<head><title>T</title>"
	    "<style>p { x: '<b>' }</style></head><body><p>caf&eacute; "
	    "&lt;ok&gt; &#233;&#x263A; a&nbsp;b</p><script>if (a<b) x()"
	    "</script><div>line<br>two</div><img alt=\"pic\">"
	    "<!-- <p>hidden</p> --><ul><li>one<li>two</ul>"
	    "<blockquote>quoted <blockquote>inner</blockquote> still"
	    "</blockquote><p>after</p>", NULL);
	const char *scanned = NULL;
	g_autofree char *text = html_to_text_checked(html, HTML_KEEP_QUOTES,
	    &scanned);
	g_autofree char *reply = html_to_text(html, HTML_SKIP_QUOTES);

	g_assert_nonnull(scanned);
	g_assert_cmpstr(text, ==, "caf&eacute; <ok> \xc3\xa9\xe2\x98\xba "
	    "a\xc2\xa0" "b\n\nline\ntwo\n[pic]\n\n- one\n- two\n\n"
	    "quoted\n\ninner\n\nstill\n\nafter\n");
	g_assert_cmpstr(reply, ==, "caf&eacute; <ok> \xc3\xa9\xe2\x98\xba "
	    "a\xc2\xa0" "b\n\nline\ntwo\n[pic]\n\n- one\n- two\n\nafter\n");
}

/* For reply extraction: quotes marked as in plain mail, what a mail
 * program sets apart (a signature, a rule under the text, Outlook's
 * marker) left out, bold labels on lines of their own. */
static void
test_mark_quotes(void)
{
	static const struct {
		const char *html, *text;
	} cases[] = {
		{ "<div>Top</div><blockquote>q1<br>q2<blockquote>deeper"
		    "</blockquote></blockquote><div>answer</div>",
		    "Top\n\n> q1\n> q2\n\n>> deeper\n\nanswer\n" },
		{ "<div class=\"gmail_quote\"><div class=\"gmail_attr\">On "
		    "Mon, Ana wrote:<br></div><blockquote class=\"gmail_quote"
		    "\">Q?</blockquote><div>A.</div></div>",
		    "On Mon, Ana wrote:\n\n> Q?\n\nA.\n" },
		{ "<div>Done.</div><div class=\"gmail_signature\">Ana<br>"
		    "Platform</div>", "Done.\n" },
		{ "<div>Done.</div><div id=\"Signature\">Bob</div>",
		    "Done.\n" },
		{ "<p>Done.</p><hr><p>Hi Priya</p>", "Done.\n" },
		{ "<hr><p>Done.</p>", "Done.\n" },
		{ "<p>Done.</p><div id=\"divRplyFwdMsg\">From: x</div><p>Hi"
		    "</p>", "Done.\n" },
		{ "<div><b>What is next?</b> The imports.</div><div><strong>"
		    "Blockers:</strong> none</div><div>A <b>bold</b> word? "
		    "<b>Yes:</b> really</div>", "What is next?\nThe imports.\n"
		    "Blockers:\nnone\nA bold word? Yes: really\n" },
		{ "<div class=\"yahoo_quoted\"><div>On Friday, Ana wrote:"
		    "</div><div>Q</div></div>", "> On Friday, Ana wrote:\n> Q\n" },
		/* What is never left opens no quote. */
		{ "<p>a<br class=\"yahoo_quoted\">b<img class=\"yahoo_quoted\" "
		    "alt=\"c\"></p><p>d</p>", "a\nb[c]\n\nd\n" },
	};

	/* Marks stop at eight levels, however deep the nesting. */
	{
		g_autofree char *deep = nested("<blockquote>", 200, "x<br>y",
		    NULL);
		g_autofree char *text = html_to_text(deep, HTML_MARK_QUOTES);
		g_assert_cmpstr(text, ==, ">>>>>>>> x\n>>>>>>>> y\n");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = html_to_text(cases[i].html,
		    HTML_MARK_QUOTES);
		g_autofree char *kept = html_to_text(cases[i].html,
		    HTML_KEEP_QUOTES);

		g_test_message("%s", cases[i].html);
		g_assert_cmpstr(text, ==, cases[i].text);
		/* The mail's own text keeps everything, unmarked. */
		g_assert_null(strstr(kept, "> "));
		check_texts(cases[i].html);
	}
}


/* What the direct reading takes (the tags nest as written; elements closed
 * where HTML5 certainly closes them) and what it leaves to gumbo: what
 * gumbo's tree moves, replaces or reads otherwise. */
static void
test_direct(void)
{
	static const char *const taken[] = {
		"<p>Hello <b>world</b></p>",
		"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>"
		    "p{margin:0}</style><title>News</title></head><body><table "
		    "class=\"wrap\"><tr><td align=\"center\"><table><tr><td><p>"
		    "One &amp; two <a href=\"https://e.example/r/1?a=1&amp;b=2"
		    "&c=3\">Read more</a></p></td></tr></table></td></tr></table>"
		    "<img src=\"https://e.example/o.gif\" alt=\"\"></body></html>\n",
		"<div dir=\"ltr\"><div>a</div><div><br></div><div>b</div></div>",
		"<ul><li>one<li>two</ul><ol><li>a</li><li>b<ol><li>c</li>"
		    "</ol></li></ol>",
		"<p>one<p>two<div>three</div><h1>four</h1><hr>five",
		"<table><tr><td>a<td>b<tr><th>c</table>after",
		"<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>x"
		    "</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot>"
		    "</table>",
		"<table><tr><td><p>cell<li>item</table>",
		"<pre>\nline one\n  two</pre><pre>kept\n</pre>",
		"<blockquote class=\"gmail_quote\">quoted</blockquote>reply",
		"<div>Done.</div><div id=\"divRplyFwdMsg\">From: x</div>more",
		"<p>Done.</p><hr><p>Hi</p>",
		"<div><b>What?</b> This. <strong>Why:</strong> that</div>",
		"<a href=\"mailto:ana@example.org\">Ana</a>, <a href=\"https:"
		    "//e.example/?x=1&copy=2&amp=3&ampx\">link</a>",
		"caf&eacute; &copy 2024 &amp;&lt;&#233;&#x263A;&#39; "
		    "& &; &#10; AT&T &AElig;",
		"<dl><dt>a<dd>b<dt>c</dl>",
		"text first<head><title>t</title></head><body>after</body>"
		    "</html> trailing",
		"<p>a</p></body></html><p>after the end</p>",
		"x\r\ny<p>z\r</p>",
		"<x-card>x</x-card><Foo>y</fOO><SPAN>z</span>",
		"<h1>t</h1><h2>s <em>e</em></h2>",
		"<p>one</p><!-- a comment --><p>two<!-- open",
		"<img alt=\"A &amp; B\"><br/><p/>x",
		"\xef\xbb\xbf" "BOM, then text",
		"<li>a<div>b</div></li><li>c",
		"<table><tr><td>x</td></tr>  \n  </table>",
		"<div class=\"yahoo_quoted\"><div>On Friday:</div>Q</div>",
		"a<pre></>\nb</pre><pre></>\n\nc</pre>",
		"<blockquote><pre>a\n<!-- c -->b\n<i>c</i></pre></blockquote>",
	};
	static const char *const given[] = {
		"<b><p>x</b>y</p>",
		"<table>text<tr><td>x</td></tr></table>",
		"<table><td>x</td></table>",
		"<p><table><tr><td>x</td></tr></table>",
		"<a href=\"x\">1<a href=\"y\">2</a></a>",
		"<pre>\r\nx</pre>",
		"<pre>a\r\nb</pre>",
		"<pre>&#10;x</pre>",
		"<p>&notin; &hearts;x</p>",
		"<p>&notit; I tell you</p>",
		"<p>&foo;</p>",
		"<script>x</script>",
		"<p>a</div>",
		"<li><div>x<li>y",
		"<ul><li><span>a<li>b</ul>",
		"<h1><h2>x</h2></h1>",
		"<p>\x01</p>",
		"<p>\xc2\x85</p>",
		"<svg><p>x</p></svg>",
		"<p>&#150;</p>",
		"<p>&#x1;</p>",
		"<p>x<div",
		"<p>x</",
		"<a href=\"https://e.example/?a&aop;b\">open to the end",
		"<div x x class=\"gmail_quote\">quoted</div>",
		"<meta id=\"divRplyFwdMsg\">text",
		"<head></head><link id=appendonsend><p>text</p>",
		"<a h h ref=\"https://e.example/\">link</a>",
		"<blockquote><pre>a\n< b</pre></blockquote>",
		"<blockquote><pre>x\n</body>y</pre></blockquote>",
		"<blockquote><pre>x\n<!DOCTYPE html>y</pre></blockquote>",
		"<body class=\"gmail_quote\">quoted</body>",
		"<p>a</p><html id=\"divRplyFwdMsg\">b",
		"<td>x</td>",
		"<p>x</br>",
		"<p>\xff</p>",
		"<form>x</form>",
		"<table><tr><td>a</td></tr><div>b</div></table>",
		"<a href=\"h\r\ttp://x\">x</a>",
		"<b><i>x</b></i>",
		"<div><span>a</div>",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(taken); i++) {
		g_test_message("taken: %s", taken[i]);
		g_assert_true(check_direct(taken[i]));
		check_texts(taken[i]);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(given); i++) {
		g_test_message("given to gumbo: %s", given[i]);
		g_assert_false(check_direct(given[i]));
		check_texts(given[i]);
	}
	/* Comments cost gumbo memory too: half a million of them pass its
	 * bound on allocations, and the HTML is scanned. */
	{
		g_autofree char *many = nested("<!>", 500000, "", NULL);
		g_autofree char *html = g_strconcat("<ol><li>a</li></ol>", many,
		    NULL);
		g_assert_false(check_direct(html));
		check_texts(html);
	}
}

/* Every character reference the direct reading knows, and names it does
 * not, in text and in a link, with and without ';', read as gumbo reads
 * them. */
static void
test_direct_references(void)
{
	static const char *const known[] = {
		"amp", "lt", "gt", "quot", "AMP", "LT", "GT", "QUOT", "COPY",
		"REG", "apos", "trade", "hellip", "mdash", "ndash", "lsquo",
		"rsquo", "sbquo", "ldquo", "rdquo", "bdquo", "bull", "euro",
		"zwnj", "zwj", "lrm", "rlm", "ensp", "emsp", "thinsp",
		"dagger", "Dagger", "permil", "lsaquo", "rsaquo", "larr",
		"uarr", "rarr", "darr", "minus", "hearts", "check",
		"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar",
		"sect", "uml", "copy", "ordf", "laquo", "not", "shy", "reg",
		"macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
		"para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14",
		"frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
		"Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave",
		"Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
		"ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml",
		"times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml",
		"Yacute", "THORN", "szlig", "agrave", "aacute", "acirc",
		"atilde", "auml", "aring", "aelig", "ccedil", "egrave",
		"eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
		"eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
		"divide", "oslash", "ugrave", "uacute", "ucirc", "uuml",
		"yacute", "thorn", "yuml",
	};
	static const char *const odd[] = { "ampx", "copyright", "notin",
	    "zz", "Amp", "euroz", "eur", "a1", "x" };
	guint taken = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
		const char *n = known[i];
		g_autofree char *html = g_strdup_printf("<p>[&%s;][&%s]"
		    "[&%s=]</p><a href=\"https://e.example/?&%s;&%s=1\">l</a>"
		    "<a href=\"https://e.example/&%s\">m</a>", n, n, n, n, n, n);
		g_autofree char *word = g_strdup_printf("<p>&%sx y</p>", n);

		g_test_message("%s", html);
		g_assert_true(check_direct(html));
		taken += check_direct(word);
	}
	/* Legacy names are read without ';' too, and then before a letter
	 * in text: most of these are taken. */
	g_assert_cmpuint(taken, >, 100);
	for (size_t i = 0; i < G_N_ELEMENTS(odd); i++) {
		g_autofree char *html = g_strdup_printf("<p>[&%s][&%s=]</p>"
		    "<a href=\"https://e.example/?&%s=1&%s\">l</a>", odd[i],
		    odd[i], odd[i], odd[i]);
		check_direct(html);
	}
}

/* The HTML parts of the mails under DIR, read directly where the direct
 * reading takes them; counted into *PARTS and *TAKEN. */
static void
check_direct_dir(const char *dir, guint *parts, guint *taken)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autoptr(GBytes) raw = NULL;
		g_autoptr(Message) msg = NULL;
		char *data;
		gsize len;

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			check_direct_dir(path, parts, taken);
			continue;
		}
		if (!g_file_get_contents(path, &data, &len, NULL))
			continue;
		raw = g_bytes_new_take(data, len);
		msg = message_parse(raw, 0, NULL);
		if (msg == NULL || msg->html == NULL)
			continue;
		(*parts)++;
		if (check_direct(msg->html))
			(*taken)++;
	}
}

static void
test_direct_corpus(void)
{
	g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "..", "data",
	    NULL);
	const char *shared = g_getenv("SHARED_DIR");
	guint parts = 0, taken = 0;

	check_direct_dir(dir, &parts, &taken);
	g_test_message("tests/data: %u HTML parts, %u read directly", parts,
	    taken);
	g_assert_cmpuint(parts, >=, 5);
	g_assert_cmpuint(taken, >, 0);
	if (shared != NULL) {
		g_autofree char *corpus = g_build_filename(shared, "corpus",
		    NULL);
		parts = taken = 0;
		check_direct_dir(corpus, &parts, &taken);
		g_test_message("corpora: %u HTML parts, %u read directly",
		    parts, taken);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/html/ordinary", test_ordinary);
	g_test_add_func("/html/ordinary-depth", test_ordinary_depth);
	g_test_add_func("/html/deep-div", test_deep_div);
	g_test_add_func("/html/deep-inline", test_deep_inline);
	g_test_add_func("/html/deep-table", test_deep_table);
	g_test_add_func("/html/deep-list", test_deep_list);
	g_test_add_func("/html/deep-foreign", test_deep_foreign);
	g_test_add_func("/html/large-flat", test_large_flat);
	g_test_add_func("/html/scan", test_scan);
	g_test_add_func("/html/mark-quotes", test_mark_quotes);
	g_test_add_func("/html/direct", test_direct);
	g_test_add_func("/html/direct-references", test_direct_references);
	g_test_add_func("/html/direct-corpus", test_direct_corpus);
	return g_test_run();
}
