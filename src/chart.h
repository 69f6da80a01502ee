/* Small bar charts of rates (the answer rate per week) in the three forms
 * tidings shows them: a line of bar characters for text and terminals,
 * HTML table cells for mail (no images, no style sheet, no remote
 * content: what Gmail, Outlook and Apple Mail all draw the same), and SVG
 * for a page or a slide. */
#ifndef TIDINGS_CHART_H
#define TIDINGS_CHART_H

#include <glib.h>

/* One bar: a rate from 0 to 1, or below 0 for no data (drawn empty). */
struct chart_bar {
	const char *label;	/* "30 Nov", on the axis */
	double value;
};

/* One character a bar, from U+2581 to U+2588 (a space without data).
 * Caller frees. */
char *chart_text(const struct chart_bar *bars, guint n);

/* An HTML table of one row a bar: its label, the bar as a coloured cell
 * of a width in proportion, and the percentage.  TITLE is its caption.
 * Every text is escaped.  Caller frees. */
char *chart_html(const struct chart_bar *bars, guint n, const char *title);

/* A standalone SVG document of vertical bars with their labels and
 * percentages, under TITLE.  Every text is escaped.  Caller frees. */
char *chart_svg(const struct chart_bar *bars, guint n, const char *title);

#endif
