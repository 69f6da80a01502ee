/* The clock; see clock.h. */
#include "config.h"

#include <stdlib.h>

#include "clock.h"

static gint64 offset;		/* seconds added to the real time */
static gboolean initialised;

gint64
clock_parse(const char *text)
{
	g_autoptr(GDateTime) dt = NULL;
	char *end;
	gint64 t;

	if (text == NULL || *text == '\0')
		return -1;
	t = g_ascii_strtoll(text, &end, 10);
	if (*end == '\0' && t >= 0)
		return t;
	dt = g_date_time_new_from_iso8601(text, NULL);
	return dt != NULL ? g_date_time_to_unix(dt) : -1;
}

static gint64
real_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

void
clock_set(gint64 t)
{
	initialised = TRUE;
	offset = t == 0 ? 0 : t - real_now();
}

gint64
clock_now(void)
{
	if (!initialised) {
		gint64 t = clock_parse(g_getenv("TIDINGS_NOW"));
		clock_set(t > 0 ? t : 0);
	}
	return real_now() + offset;
}
