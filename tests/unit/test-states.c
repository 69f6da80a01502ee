/* Unit tests for the states' name tables: every state has its name and
 * back, and the names are the ones the schema's CHECK constraints allow
 * (a state added on one side only fails here). */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "states.h"

/* The words of the CHECK (state IN (...)) of TABLE in the first schema
 * file, in order. */
static GPtrArray *
schema_names(const char *table)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "..",
	    "src", "schema", "001-initial.sql", NULL);
	g_autofree char *sql = NULL, *head = NULL, *list = NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *t, *c, *end;
	g_auto(GStrv) words = NULL;

	g_assert_true(g_file_get_contents(path, &sql, NULL, NULL));
	head = g_strdup_printf("CREATE TABLE %s (", table);
	t = strstr(sql, head);
	g_assert_nonnull(t);
	c = strstr(t, "CHECK (state IN (");
	g_assert_nonnull(c);
	c += strlen("CHECK (state IN (");
	end = strchr(c, ')');
	g_assert_nonnull(end);
	list = g_strndup(c, (gsize)(end - c));
	words = g_strsplit(list, ",", -1);
	for (char **w = words; *w != NULL; w++)
		g_ptr_array_add(names, g_strdup(g_strstrip(g_strdelimit(*w,
		    "'", ' '))));
	return names;
}

static void
test_subscriptions(void)
{
	g_autoptr(GPtrArray) names = schema_names("subscriptions");
	enum sub_state s;

	g_assert_cmpuint(names->len, ==, SUB_DISABLED + 1);
	for (guint i = 0; i < names->len; i++) {
		g_assert_cmpstr(sub_state_name((enum sub_state)i), ==,
		    names->pdata[i]);
		g_assert_true(sub_state_parse(names->pdata[i], &s));
		g_assert_cmpint(s, ==, i);
	}
	s = SUB_ACTIVE;
	g_assert_false(sub_state_parse("Active", &s));
	g_assert_false(sub_state_parse(NULL, &s));
	g_assert_cmpint(s, ==, SUB_ACTIVE);
	g_assert_cmpstr(sub_state_name((enum sub_state)99), ==, "unknown");
}

static void
test_prompts(void)
{
	g_autoptr(GPtrArray) names = schema_names("prompts");
	enum prompt_state s;

	g_assert_cmpuint(names->len, ==, PROMPT_MISSED + 1);
	for (guint i = 0; i < names->len; i++) {
		g_assert_cmpstr(prompt_state_name((enum prompt_state)i), ==,
		    names->pdata[i]);
		g_assert_true(prompt_state_parse(names->pdata[i], &s));
		g_assert_cmpint(s, ==, i);
	}
	g_assert_false(prompt_state_parse("closed", &s));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/states/subscriptions", test_subscriptions);
	g_test_add_func("/states/prompts", test_prompts);
	return g_test_run();
}
