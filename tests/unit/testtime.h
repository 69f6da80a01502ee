/* Times for the unit tests. */
#ifndef TIDINGS_TESTTIME_H
#define TIDINGS_TESTTIME_H

#include <glib.h>

/* ISO (an ISO 8601 time with its zone, "2026-03-27T08:00:30Z") as UTC
 * seconds; a test's own text, so a bad one fails the test. */
static inline gint64
utc(const char *iso)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(iso, NULL);

	g_assert_nonnull(t);
	return g_date_time_to_unix(t);
}

#endif
