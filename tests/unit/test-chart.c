/* Unit tests for the bar charts: the bar characters, the HTML cells for
 * mail (widths in proportion, every text escaped, nothing fetched), and
 * the SVG, read back by GLib's XML parser. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "chart.h"

static const struct chart_bar bars[] = {
	{ "30 Nov", 0.0 },
	{ "7 Dec", 0.5 },
	{ "<b>&", 1.0 },
	{ "21 Dec", -1 },
};

static void
test_text(void)
{
	g_autofree char *line = chart_text(bars, G_N_ELEMENTS(bars));

	g_assert_cmpstr(line, ==, "\u2581\u2585\u2588 ");
}

static void
test_html(void)
{
	g_autofree char *html = chart_html(bars, G_N_ELEMENTS(bars),
	    "Answers \"per\" week");

	g_assert_nonnull(strstr(html, "Answers &quot;per&quot; week"));
	g_assert_nonnull(strstr(html, "&lt;b&gt;&amp;"));
	g_assert_null(strstr(html, "<b>"));
	/* Half of 200 pixels, then the rest empty. */
	g_assert_nonnull(strstr(html, "width=\"100\" height=\"12\" "
	    "bgcolor=\"#3b7dd8\""));
	g_assert_nonnull(strstr(html, ">50%<"));
	g_assert_nonnull(strstr(html, ">100%<"));
	g_assert_nonnull(strstr(html, ">-<"));
	/* No image, no link, no style sheet: nothing to fetch. */
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "http"));
	g_assert_null(strstr(html, "url("));
	g_assert_null(strstr(html, "<style"));
}

static void
test_svg(void)
{
	g_autofree char *svg = chart_svg(bars, G_N_ELEMENTS(bars),
	    "A & B's week");
	g_autoptr(GError) error = NULL;
	static const GMarkupParser none = { 0 };
	g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&none,
	    0, NULL, NULL);
	/* After the XML declaration, which GMarkup does not take. */
	const char *root = strstr(svg, "<svg");

	g_assert_nonnull(root);
	g_assert_true(g_markup_parse_context_parse(ctx, root, -1, &error));
	g_assert_true(g_markup_parse_context_end_parse(ctx, &error));
	g_assert_no_error(error);
	g_assert_nonnull(strstr(svg, "<title>A &amp; B&apos;s week</title>"));
	/* The full bar is 120 high, the half 60, the empty none. */
	g_assert_nonnull(strstr(svg, "height=\"120\" fill=\"#3b7dd8\""));
	g_assert_nonnull(strstr(svg, "height=\"60\" fill=\"#3b7dd8\""));
	g_assert_nonnull(strstr(svg, ">&lt;b&gt;&amp;</text>"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/chart/text", test_text);
	g_test_add_func("/chart/html", test_html);
	g_test_add_func("/chart/svg", test_svg);
	return g_test_run();
}
