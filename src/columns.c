/* Aligned columns; see columns.h. */
#include "config.h"

#include <stdarg.h>

#include "columns.h"
#include "utf8.h"

struct columns {
	guint n;
	GPtrArray *rows;	/* of GStrv */
};

struct columns *
columns_new(const char *const *headings)
{
	struct columns *c = g_new0(struct columns, 1);

	c->n = g_strv_length((char **)headings);
	c->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_ptr_array_add(c->rows, g_strdupv((char **)headings));
	return c;
}

void
columns_add(struct columns *c, ...)
{
	char **row = g_new0(char *, c->n + 1);
	va_list ap;

	va_start(ap, c);
	for (guint i = 0; i < c->n; i++) {
		const char *cell = va_arg(ap, const char *);
		/* A cell may hold what a mail said (a sender, a status):
		 * its control characters are shown, never sent. */
		row[i] = utf8_visible(cell != NULL ? cell : "", FALSE);
	}
	va_end(ap);
	g_ptr_array_add(c->rows, row);
}

void
columns_print(struct columns *c, FILE *f)
{
	g_autofree glong *width = g_new0(glong, c->n);

	for (guint r = 0; r < c->rows->len; r++) {
		char **row = c->rows->pdata[r];
		for (guint i = 0; i < c->n; i++)
			width[i] = MAX(width[i], g_utf8_strlen(row[i], -1));
	}
	for (guint r = 0; r < c->rows->len; r++) {
		char **row = c->rows->pdata[r];
		for (guint i = 0; i < c->n; i++) {
			gboolean last = i + 1 == c->n;
			fputs(row[i], f);
			if (!last)
				fprintf(f, "%*s", (int)(width[i] -
				    g_utf8_strlen(row[i], -1) + 2), "");
		}
		fputc('\n', f);
	}
	columns_free(c);
}

void
columns_free(struct columns *c)
{
	g_ptr_array_free(c->rows, TRUE);
	g_free(c);
}
