/* Unit tests for the team's day at a glance: which cells are shared and
 * which are near misses (two people at least, at most NEAR missing), the
 * text in ASCII and for a terminal, and the HTML cells for mail, built
 * by hand so that every cell is known. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "grid.h"

/* Three members, six cells of an hour from Tuesday 1 December 2026 00:00
 * UTC: W working, B busy, D deep work, A away, . off. */
static struct grid *
grid_of(const char *const *bands, guint members, guint n, guint near)
{
	struct grid *g = g_new0(struct grid, 1);

	g->zone = g_strdup("UTC");
	g->from = 1764547200;	/* 2026-12-01T00:00:00Z */
	g->step = 3600;
	g->n = n;
	g->names = g_ptr_array_new_with_free_func(g_free);
	g->zones = g_ptr_array_new_with_free_func(g_free);
	g->cells = g_new0(enum avail_state, members * n);
	g->marks = g_new0(enum grid_mark, n);
	for (guint m = 0; m < members; m++) {
		g_ptr_array_add(g->names, g_strdup_printf("Member <%u>", m));
		g_ptr_array_add(g->zones, g_strdup("UTC"));
		for (guint i = 0; i < n; i++)
			g->cells[m * n + i] = strchr(".WBDA", bands[m][i]) -
			    ".WBDA";
	}
	grid_mark(g, near);
	return g;
}

static void
test_marks(void)
{
	static const char *const bands[] = { "WWBD.A", "WDW..W", "WWWW.W" };
	g_autoptr(Grid) g = grid_of(bands, 3, 6, 1);
	g_autoptr(Grid) none = grid_of(bands, 3, 6, 0);

	/* Busy and deep work count as there; one missing is near. */
	g_assert_cmpint(g->marks[0], ==, GRID_SHARED);
	g_assert_cmpint(g->marks[1], ==, GRID_SHARED);
	g_assert_cmpint(g->marks[2], ==, GRID_SHARED);
	g_assert_cmpint(g->marks[3], ==, GRID_NEAR);
	g_assert_cmpint(g->marks[4], ==, GRID_APART);
	g_assert_cmpint(g->marks[5], ==, GRID_NEAR);
	g_assert_cmpint(none->marks[3], ==, GRID_APART);
}

static void
test_two(void)
{
	/* Of two members, one alone is no near miss: nobody to meet. */
	static const char *const bands[] = { "W.", "WW" };
	g_autoptr(Grid) g = grid_of(bands, 2, 2, 2);

	g_assert_cmpint(g->marks[0], ==, GRID_SHARED);
	g_assert_cmpint(g->marks[1], ==, GRID_APART);
}

static void
test_text(void)
{
	static const char *const bands[] = { "WWBD.A", "WDW..W", "WWWW.W" };
	g_autoptr(Grid) g = grid_of(bands, 3, 6, 1);
	g_autofree char *ascii = grid_text(g, GRID_ASCII, FALSE);
	g_autofree char *term = grid_text(g, GRID_TERMINAL, FALSE);

	g_assert_nonnull(strstr(ascii, "\nMember <0>         ##+=.x UTC\n"));
	g_assert_nonnull(strstr(ascii, "\nMember <1>         #=#..# UTC\n"));
	g_assert_nonnull(strstr(ascii, "\neveryone           ^^^~ ~\n"));
	g_assert_nonnull(strstr(ascii, "\n                   00 03\n"));
	g_assert_null(strchr(ascii, '\033'));
	/* A run of one state is one colour sequence. */
	g_assert_nonnull(strstr(term, "\033[32m\u2588\u2588\033[0m"
	    "\033[33m\u2593\033[0m\033[34m\u2593\033[0m"));
	g_assert_nonnull(strstr(term, "\033[32;1m\u25b2\u25b2\u25b2\033[0m"));
}

static void
test_html(void)
{
	static const char *const bands[] = { "WWBD.A", "WDW..W", "WWWW.W" };
	g_autoptr(Grid) g = grid_of(bands, 3, 6, 1);
	g_autofree char *html = grid_html(g, FALSE, "Who is around");
	const char *p = html;
	guint cells = 0;

	while ((p = strstr(p, "height=\"14\"")) != NULL) {
		cells++;
		p++;
	}
	/* Six cells a band, three bands and the marks. */
	g_assert_cmpuint(cells, ==, 24);
	g_assert_nonnull(strstr(html, "Member &lt;0&gt;"));
	g_assert_null(strstr(html, "<0>"));
	g_assert_nonnull(strstr(html, "bgcolor=\"#d4574e\""));
	g_assert_nonnull(strstr(html, "bgcolor=\"#1f7a3d\""));
	g_assert_nonnull(strstr(html, ">Who is around</td>"));
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "http"));
	g_assert_null(strstr(html, "<style"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/grid/marks", test_marks);
	g_test_add_func("/grid/two", test_two);
	g_test_add_func("/grid/text", test_text);
	g_test_add_func("/grid/html", test_html);
	return g_test_run();
}
