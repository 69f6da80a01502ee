/* Unit tests for the crash notes' file: beside an SQLite database, in the
 * state directory for a database on a server, and noted there by a
 * process that crashes and read by the next one. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "crashnote.h"

#define URI "postgresql://team:***@db.example.org/tidings"

static char *state;		/* $XDG_STATE_HOME of the tests */

static void
test_path_file(void)
{
	g_autofree char *path = crashnote_path("/var/lib/tidings/t.db");

	g_assert_cmpstr(path, ==, "/var/lib/tidings/t.db-crashed");
}

/* One file per database in the state directory, its name a file name
 * that shows neither user nor host. */
static void
test_path_uri(void)
{
	g_autofree char *dir = g_build_filename(state, "tidings", NULL);
	g_autofree char *path = crashnote_path(URI);
	g_autofree char *again = crashnote_path(URI);
	g_autofree char *other = crashnote_path("postgres:///other?host="
	    "/run/postgresql");
	g_autofree char *parent = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);

	g_assert_cmpstr(parent, ==, dir);
	g_assert_true(g_str_has_prefix(base, "crashed-"));
	g_assert_cmpuint(strlen(base), ==, strlen("crashed-") + 16);
	g_assert_null(strstr(base, "example"));
	g_assert_cmpstr(path, ==, again);
	g_assert_cmpstr(path, !=, other);
}

/* In a child: opens the notes of URI, and crashes (SIGABRT, which the
 * sanitizers leave alone) on the mail "deadbeef" when told to, or says
 * what it knows of that mail. */
static void
child(void)
{
	crashnote_open(URI);
	if (g_getenv("CRASHNOTE_TEST_CRASH") != NULL) {
		crashnote_working_on("deadbeef");
		raise(SIGABRT);
	}
	printf("crashed %d\n", crashnote_crashed("deadbeef"));
	fflush(stdout);
}

/* A process that crashes on a mail notes it in the state directory (made
 * for it); the next one opened on the same database knows the mail. */
static void
test_uri_notes(void)
{
	g_autofree char *path = NULL, *text = NULL;

	if (g_test_subprocess()) {
		child();
		return;
	}
	path = crashnote_path(URI);
	g_setenv("CRASHNOTE_TEST_CRASH", "1", TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_unsetenv("CRASHNOTE_TEST_CRASH");
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "deadbeef 6\n");

	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("crashed 6\n");
	g_remove(path);
}

int
main(int argc, char **argv)
{
	g_autofree char *dir = NULL;
	int rc;

	g_test_init(&argc, &argv, NULL);
	/* The children inherit it: each run has a state directory of its
	 * own, given by the first. */
	if (g_getenv("CRASHNOTE_TEST_STATE") == NULL) {
		dir = g_dir_make_tmp("tidings-crashnote-XXXXXX", NULL);
		g_assert_nonnull(dir);
		g_setenv("CRASHNOTE_TEST_STATE", dir, TRUE);
	}
	state = g_strdup(g_getenv("CRASHNOTE_TEST_STATE"));
	g_setenv("XDG_STATE_HOME", state, TRUE);
	g_test_add_func("/crashnote/path/file", test_path_file);
	g_test_add_func("/crashnote/path/uri", test_path_uri);
	g_test_add_func("/crashnote/uri-notes", test_uri_notes);
	rc = g_test_run();
	if (dir != NULL) {
		g_autofree char *sub = g_build_filename(dir, "tidings", NULL);

		g_rmdir(sub);
		g_rmdir(dir);
	}
	g_free(state);
	return rc;
}
