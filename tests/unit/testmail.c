/* Mail for the unit tests; see testmail.h. */
#include "config.h"

#include <glib.h>

#include "testmail.h"

struct message *
testmail_parse_file(const char *name)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "data",
	    "mail", name, NULL);
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(path, &data, &len, &error));
	g_autoptr(GBytes) raw = g_bytes_new_take(g_steal_pointer(&data), len);
	struct message *msg = message_parse(raw, ARRIVAL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(msg);
	return msg;
}
