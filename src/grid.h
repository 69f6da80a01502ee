/* The team's day (or week) at a glance: one band a member, aligned in the
 * viewer's zone, each cell what the member is doing then (working, busy,
 * deep work, away, off: avail.h), and under the bands the cells every
 * member is there (shared) or all but a few are (near misses), by the
 * rule of `tidings overlap`.  Drawn as text (plain ASCII, or Unicode
 * blocks and colour for a terminal) and as HTML table cells for mail. */
#ifndef TIDINGS_GRID_H
#define TIDINGS_GRID_H

#include <glib.h>

#include "avail.h"

struct store;

/* The near misses of "who is around this week" (the digest's and the
 * archive's): all but at most this many members there. */
#define GRID_AROUND_NEAR 2

enum grid_mark {
	GRID_APART,		/* fewer are there */
	GRID_NEAR,		/* all but at most NEAR are there */
	GRID_SHARED,		/* every member is there */
};

struct grid {
	char *zone;		/* the viewer's */
	gint64 from;		/* the first cell's start, UTC */
	gint64 step;		/* seconds a cell */
	guint n;		/* cells a band */
	GPtrArray *names;	/* char *, a member a band */
	GPtrArray *zones;	/* char *, each member's */
	enum avail_state *cells; /* n a band, band after band */
	enum grid_mark *marks;	/* n */
	/* For grid_text(), set by the caller: the columns of the names (0:
	 * 18), and whether each band ends with the member's zone. */
	guint name_width;
	gboolean no_zones;
};
void grid_free(struct grid *g);
typedef struct grid Grid;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Grid, grid_free)

/* TEAM's bands of N cells of STEP seconds from FROM, seen from ZONE, and
 * the marks with up to NEAR members missing.  NULL with ERROR set. */
struct grid *grid_build(struct store *st, const char *team, const char *zone,
    gint64 from, gint64 step, guint n, guint near, GError **error);

/* Marks each cell of G from its bands (grid_build() does it). */
void grid_mark(struct grid *g, guint near);

enum grid_style {
	GRID_ASCII,		/* # working, + busy, = deep work, x away,
				   . off; ^ shared, ~ near miss */
	GRID_TERMINAL,		/* Unicode blocks in colour */
};

/* The grid as lines of text: a ruler of the viewer's hours (or, with
 * DAYS, of days), the bands with each member's name and zone, the marks,
 * and a legend.  Names are made visible (utf8_visible()).  Caller frees. */
char *grid_text(const struct grid *g, enum grid_style style, gboolean days);

/* The grid as an HTML table of coloured cells, with a ruler and a legend,
 * under TITLE: no image, no style sheet, values escaped.  Caller frees. */
char *grid_html(const struct grid *g, gboolean days, const char *title);

#endif
