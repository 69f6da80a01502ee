/* The team's day at a glance; see grid.h. */
#include "config.h"

#include <string.h>

#include "grid.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "utf8.h"

#define NAME_WIDTH 18

void
grid_free(struct grid *g)
{
	if (g == NULL)
		return;
	g_free(g->zone);
	g_ptr_array_unref(g->names);
	g_ptr_array_unref(g->zones);
	g_free(g->cells);
	g_free(g->marks);
	g_free(g);
}

/* Whether S counts as there, as for `tidings overlap`. */
static gboolean
present(enum avail_state s)
{
	return s == AVAIL_WORKING || s == AVAIL_BUSY || s == AVAIL_DEEP_WORK;
}

void
grid_mark(struct grid *g, guint near)
{
	guint members = g->names->len;

	for (guint i = 0; i < g->n; i++) {
		guint missing = 0;
		for (guint m = 0; m < members; m++)
			if (!present(g->cells[m * g->n + i]))
				missing++;
		if (members > 0 && missing == 0)
			g->marks[i] = GRID_SHARED;
		/* A near miss still has two people who meet. */
		else if (missing <= near && members - missing >= 2)
			g->marks[i] = GRID_NEAR;
		else
			g->marks[i] = GRID_APART;
	}
}

struct grid *
grid_build(struct store *st, const char *team, const char *zone,
    gint64 from, gint64 step, guint n, guint near, GError **error)
{
	g_autoptr(GPtrArray) people = store_member_list(st, team, error);
	g_autoptr(Grid) g = NULL;

	if (people == NULL)
		return NULL;
	g = g_new0(struct grid, 1);
	g->zone = g_strdup(zone);
	g->from = from;
	g->step = step;
	g->n = n;
	g->names = g_ptr_array_new_with_free_func(g_free);
	g->zones = g_ptr_array_new_with_free_func(g_free);
	g->cells = g_new0(enum avail_state, (gsize)n * MAX(people->len, 1));
	g->marks = g_new0(enum grid_mark, n);
	for (guint i = 0; i < people->len; i++) {
		const struct person *p = people->pdata[i];
		g_ptr_array_add(g->names, g_strdup(*p->name != '\0' ? p->name :
		    p->email));
		g_ptr_array_add(g->zones, g_strdup(p->zone));
		if (!avail_band(st, p, from, step, n, g->cells + i * n, error))
			return NULL;
	}
	grid_mark(g, near);
	return g_steal_pointer(&g);
}

/* --- text -------------------------------------------------------------- */

struct glyph {
	const char *ascii;
	const char *block;
	const char *colour;	/* SGR parameters */
};

static const struct glyph state_glyphs[] = {
	[AVAIL_OFF] = { ".", "\u00b7", "2" },
	[AVAIL_WORKING] = { "#", "\u2588", "32" },
	[AVAIL_BUSY] = { "+", "\u2593", "33" },
	[AVAIL_DEEP_WORK] = { "=", "\u2593", "34" },
	[AVAIL_AWAY] = { "x", "\u2591", "31" },
};

static const struct glyph mark_glyphs[] = {
	[GRID_APART] = { " ", " ", NULL },
	[GRID_NEAR] = { "~", "\u25b3", "33" },
	[GRID_SHARED] = { "^", "\u25b2", "32;1" },
};

/* COUNT of GL: in colour, one escape sequence for the run. */
static void
put_run(GString *out, const struct glyph *gl, guint count,
    enum grid_style style)
{
	gboolean colour = style == GRID_TERMINAL && gl->colour != NULL;

	if (colour)
		g_string_append_printf(out, "\033[%sm", gl->colour);
	for (guint i = 0; i < count; i++)
		g_string_append(out, style == GRID_ASCII ? gl->ascii :
		    gl->block);
	if (colour)
		g_string_append(out, "\033[0m");
}

static void
put(GString *out, const struct glyph *gl, enum grid_style style)
{
	put_run(out, gl, 1, style);
}

/* States and marks are read as the unsigned ints they are stored as. */
G_STATIC_ASSERT(sizeof(enum avail_state) == sizeof(unsigned));
G_STATIC_ASSERT(sizeof(enum grid_mark) == sizeof(unsigned));

/* A band of N cells of VALUES (states or marks) drawn with GLYPHS. */
static void
put_band(GString *out, const struct glyph *glyphs, const unsigned *values,
    guint n, enum grid_style style)
{
	for (guint i = 0; i < n;) {
		guint run = 1;
		while (i + run < n && values[i + run] == values[i])
			run++;
		put_run(out, &glyphs[values[i]], run, style);
		i += run;
	}
}

/* NAME made visible, cut or padded to WIDTH columns. */
static void
put_name(GString *out, const char *name, guint width)
{
	g_autofree char *v = utf8_visible(name, FALSE);
	glong len = g_utf8_strlen(v, -1);

	if ((guint)len > width) {
		const char *end = g_utf8_offset_to_pointer(v, (glong)width - 1);
		g_string_append_len(out, v, end - v);
		g_string_append(out, "\u2026");
		return;
	}
	g_string_append(out, v);
	for (glong i = len; i < (glong)width; i++)
		g_string_append_c(out, ' ');
}

/* Where a ruler label goes: the cell starts a day (DAYS) or an hour
 * that is a multiple of three, in the viewer's zone. */
static char *
label_at(const struct grid *g, guint i, gboolean days)
{
	gint64 t = g->from + (gint64)i * g->step;
	int wd, min;

	sched_local(g->zone, t, &wd, &min);
	if (days)
		return min < g->step / 60 ? sched_format(g->zone, t, "%a") :
		    NULL;
	if (min % 60 != 0 || (min / 60) % 3 != 0)
		return NULL;
	return g_strdup_printf("%02d", min / 60);
}

static void
ruler(GString *out, const struct grid *g, gboolean days, guint width)
{
	guint col = 0;

	for (guint i = 0; i < width + 1; i++)
		g_string_append_c(out, ' ');
	for (guint i = 0; i < g->n; i++) {
		g_autofree char *l = NULL;
		if (col > i)
			continue;
		if ((l = label_at(g, i, days)) != NULL) {
			g_string_append(out, l);
			col = i + (guint)strlen(l);
		} else {
			g_string_append_c(out, ' ');
			col = i + 1;
		}
	}
	g_strchomp(out->str);
	out->len = strlen(out->str);
	g_string_append_c(out, '\n');
}

char *
grid_text(const struct grid *g, enum grid_style style, gboolean days)
{
	GString *out = g_string_new(NULL);
	g_autofree char *first = sched_format(g->zone, g->from,
	    days ? "%a %-d %b" : "%a %-d %b %Y");
	g_autofree char *last = sched_format(g->zone, g->from +
	    (gint64)(g->n - 1) * g->step, "%a %-d %b %Y");
	guint width = g->name_width > 0 ? g->name_width : NAME_WIDTH;
	guint minutes = (guint)(g->step / 60);

	if (days)
		g_string_append_printf(out, "%s to %s", first, last);
	else
		g_string_append(out, first);
	g_string_append_printf(out, " in %s, %u %s a cell\n", g->zone,
	    minutes % 60 == 0 ? minutes / 60 : minutes,
	    minutes % 60 == 0 ? (minutes == 60 ? "hour" : "hours") : "min");
	ruler(out, g, days, width);
	for (guint m = 0; m < g->names->len; m++) {
		put_name(out, g->names->pdata[m], width);
		g_string_append_c(out, ' ');
		put_band(out, state_glyphs, (const unsigned *)g->cells +
		    m * g->n, g->n, style);
		if (!g->no_zones)
			g_string_append_printf(out, " %s",
			    (char *)g->zones->pdata[m]);
		g_string_append_c(out, '\n');
	}
	put_name(out, "everyone", width);
	g_string_append_c(out, ' ');
	put_band(out, mark_glyphs, (const unsigned *)g->marks, g->n, style);
	g_strchomp(out->str);
	out->len = strlen(out->str);
	g_string_append(out, "\n\n");
	for (int s = AVAIL_WORKING; s <= AVAIL_AWAY; s++) {
		put(out, &state_glyphs[s], style);
		g_string_append_printf(out, " %s  ", avail_state_name(s));
	}
	put(out, &state_glyphs[AVAIL_OFF], style);
	g_string_append(out, " off\n");
	put(out, &mark_glyphs[GRID_SHARED], style);
	g_string_append(out, " everyone is there  ");
	put(out, &mark_glyphs[GRID_NEAR], style);
	g_string_append(out, " a near miss\n");
	return g_string_free(out, FALSE);
}

/* --- HTML -------------------------------------------------------------- */

static const char *const state_colours[] = {
	[AVAIL_OFF] = "#eef0f3",
	[AVAIL_WORKING] = "#3c9d5d",
	[AVAIL_BUSY] = "#e0a526",
	[AVAIL_DEEP_WORK] = "#3b6fd8",
	[AVAIL_AWAY] = "#d4574e",
};

static const char *const mark_colours[] = {
	[GRID_APART] = "#ffffff",
	[GRID_NEAR] = "#f3d98b",
	[GRID_SHARED] = "#1f7a3d",
};

static void
html_cell(GString *out, const char *colour, int width)
{
	g_string_append_printf(out, "<td width=\"%d\" height=\"14\" "
	    "bgcolor=\"%s\" style=\"width:%dpx;height:14px;padding:0;"
	    "background-color:%s;font-size:1px;line-height:1px\">&nbsp;</td>",
	    width, colour, width, colour);
}

static void
html_text_cell(GString *out, const char *text, const char *attrs)
{
	g_autofree char *e = g_markup_escape_text(text, -1);

	g_string_append_printf(out, "<td %s style=\"padding:0 8px 0 0;"
	    "font-size:12px;line-height:16px;white-space:nowrap\">%s</td>",
	    attrs, e);
}

char *
grid_html(const struct grid *g, gboolean days, const char *title)
{
	GString *out = g_string_new(NULL);
	g_autofree char *caption = g_markup_escape_text(title, -1);
	int width = days ? 3 : 8;

	g_string_append_printf(out, "<table role=\"presentation\" "
	    "class=\"grid\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"border-collapse:collapse;margin:8px 0\">"
	    "<tr><td colspan=\"%u\" style=\"padding:0 0 4px 0;"
	    "font-weight:bold\">%s</td></tr>\n<tr><td></td>", g->n + 2,
	    caption);
	for (guint i = 0; i < g->n;) {
		g_autofree char *l = label_at(g, i, days);
		guint span = 1;
		while (i + span < g->n) {
			g_autofree char *next = label_at(g, i + span, days);
			if (next != NULL)
				break;
			span++;
		}
		g_string_append_printf(out, "<td colspan=\"%u\" style=\""
		    "padding:0;font-size:11px;line-height:14px;color:#666666;"
		    "white-space:nowrap\">%s</td>", span, l != NULL ? l : "");
		i += span;
	}
	g_string_append(out, "<td></td></tr>\n");
	for (guint m = 0; m < g->names->len; m++) {
		g_string_append(out, "<tr>");
		html_text_cell(out, g->names->pdata[m], "");
		for (guint i = 0; i < g->n; i++)
			html_cell(out, state_colours[g->cells[m * g->n + i]],
			    width);
		html_text_cell(out, g->zones->pdata[m], "");
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "<tr>");
	html_text_cell(out, "everyone", "");
	for (guint i = 0; i < g->n; i++)
		html_cell(out, mark_colours[g->marks[i]], width);
	g_string_append(out, "<td></td></tr>\n");
	g_string_append_printf(out, "<tr><td colspan=\"%u\" style=\""
	    "padding:6px 0 0 0;font-size:12px;color:#666666\">", g->n + 2);
	for (int s = AVAIL_WORKING; s <= AVAIL_AWAY + 1; s++) {
		int st = s <= AVAIL_AWAY ? s : AVAIL_OFF;
		g_string_append_printf(out, "<span style=\"color:%s;"
		    "background-color:%s\">&#9608;&#9608;</span> %s &nbsp; ",
		    state_colours[st], state_colours[st],
		    avail_state_name((enum avail_state)st));
	}
	g_string_append_printf(out, "<span style=\"color:%s;"
	    "background-color:%s\">&#9608;&#9608;</span> everyone is there "
	    "&nbsp; <span style=\"color:%s;background-color:%s\">&#9608;"
	    "&#9608;</span> a near miss</td></tr>\n</table>",
	    mark_colours[GRID_SHARED], mark_colours[GRID_SHARED],
	    mark_colours[GRID_NEAR], mark_colours[GRID_NEAR]);
	return g_string_free(out, FALSE);
}
