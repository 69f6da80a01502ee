/* Bar charts; see chart.h. */
#include "config.h"

#include "chart.h"

#define BAR_COLOUR "#3b7dd8"
#define EMPTY_COLOUR "#e4e8ee"
#define HTML_WIDTH 200		/* pixels of a full bar */

/* V, from 0 to 1, in SCALE steps, rounded. */
static int
scaled(double v, int scale)
{
	return (int)(CLAMP(v, 0, 1) * scale + 0.5);
}

static int
percent(double v)
{
	return scaled(v, 100);
}

char *
chart_text(const struct chart_bar *bars, guint n)
{
	static const char *const blocks[] = {
		"\u2581", "\u2582", "\u2583", "\u2584",
		"\u2585", "\u2586", "\u2587", "\u2588",
	};
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < n; i++) {
		if (bars[i].value < 0) {
			g_string_append_c(out, ' ');
			continue;
		}
		g_string_append(out, blocks[scaled(bars[i].value, 7)]);
	}
	return g_string_free(out, FALSE);
}

/* The cells of one bar of WIDTH pixels out of HTML_WIDTH: a table of its
 * own, so that no client stretches it. */
static void
html_bar(GString *out, int width)
{
	g_string_append_printf(out, "<table role=\"presentation\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" width=\"%d\" "
	    "style=\"border-collapse:collapse;width:%dpx\"><tr>",
	    HTML_WIDTH, HTML_WIDTH);
	if (width > 0)
		g_string_append_printf(out, "<td width=\"%d\" height=\"12\" "
		    "bgcolor=\"" BAR_COLOUR "\" style=\"width:%dpx;height:12px;"
		    "background-color:" BAR_COLOUR ";font-size:1px;"
		    "line-height:1px\">&nbsp;</td>", width, width);
	if (width < HTML_WIDTH)
		g_string_append_printf(out, "<td width=\"%d\" height=\"12\" "
		    "bgcolor=\"" EMPTY_COLOUR "\" style=\"width:%dpx;"
		    "height:12px;background-color:" EMPTY_COLOUR ";"
		    "font-size:1px;line-height:1px\">&nbsp;</td>",
		    HTML_WIDTH - width, HTML_WIDTH - width);
	g_string_append(out, "</tr></table>");
}

char *
chart_html(const struct chart_bar *bars, guint n, const char *title)
{
	g_autofree char *caption = g_markup_escape_text(title != NULL ?
	    title : "", -1);
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "<table role=\"presentation\" "
	    "class=\"chart\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"border-collapse:collapse;margin:8px 0\">"
	    "<tr><td colspan=\"3\" style=\"padding:0 0 4px 0;"
	    "font-weight:bold\">%s</td></tr>", caption);
	for (guint i = 0; i < n; i++) {
		g_autofree char *label = g_markup_escape_text(
		    bars[i].label != NULL ? bars[i].label : "", -1);
		g_autofree char *value = bars[i].value < 0 ? g_strdup("-") :
		    g_strdup_printf("%d%%", percent(bars[i].value));
		g_string_append_printf(out, "<tr><td style=\"padding:1px 8px "
		    "1px 0;white-space:nowrap\">%s</td><td style=\"padding:1px "
		    "0\">", label);
		html_bar(out, bars[i].value < 0 ? 0 :
		    scaled(bars[i].value, HTML_WIDTH));
		g_string_append_printf(out, "</td><td align=\"right\" "
		    "style=\"padding:1px 0 1px 8px;white-space:nowrap\">%s</td>"
		    "</tr>", value);
	}
	g_string_append(out, "</table>");
	return g_string_free(out, FALSE);
}

#define SVG_BAR 28		/* width of a bar */
#define SVG_GAP 12
#define SVG_HEIGHT 120		/* of a full bar */
#define SVG_TOP 40		/* room for the title and a percentage */
#define SVG_LEFT 16

char *
chart_svg(const struct chart_bar *bars, guint n, const char *title)
{
	g_autofree char *t = g_markup_escape_text(title != NULL ? title : "",
	    -1);
	int width = SVG_LEFT * 2 + (int)n * (SVG_BAR + SVG_GAP);
	int base = SVG_TOP + SVG_HEIGHT;
	GString *out = g_string_new(NULL);

	width = MAX(width, 240);
	g_string_append_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "font-family=\"sans-serif\" font-size=\"11\">\n"
	    "<title>%s</title>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
	    "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">"
	    "%s</text>\n"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999999\"/>\n",
	    width, base + 24, width, base + 24, t, SVG_LEFT, t,
	    SVG_LEFT, base, width - SVG_LEFT, base);
	for (guint i = 0; i < n; i++) {
		g_autofree char *label = g_markup_escape_text(
		    bars[i].label != NULL ? bars[i].label : "", -1);
		int x = SVG_LEFT + (int)i * (SVG_BAR + SVG_GAP) + SVG_GAP / 2;
		int mid = x + SVG_BAR / 2;
		int h = bars[i].value < 0 ? 0 :
		    scaled(bars[i].value, SVG_HEIGHT);
		g_string_append_printf(out, "<rect x=\"%d\" y=\"%d\" "
		    "width=\"%d\" height=\"%d\" fill=\"" EMPTY_COLOUR "\"/>\n",
		    x, SVG_TOP, SVG_BAR, SVG_HEIGHT);
		if (h > 0)
			g_string_append_printf(out, "<rect x=\"%d\" y=\"%d\" "
			    "width=\"%d\" height=\"%d\" fill=\"" BAR_COLOUR
			    "\"><title>%s: %d%%</title></rect>\n", x, base - h,
			    SVG_BAR, h, label, percent(bars[i].value));
		if (bars[i].value >= 0)
			g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" "
			    "text-anchor=\"middle\">%d%%</text>\n", mid,
			    base - h - 4, percent(bars[i].value));
		g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n", mid, base + 16, label);
	}
	g_string_append(out, "</svg>\n");
	return g_string_free(out, FALSE);
}
