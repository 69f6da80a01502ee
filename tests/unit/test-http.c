/* Unit tests for the helpers of the HTTP face that need no server: HTTP
 * dates written and read in the three forms of RFC 9110, escaping,
 * links under [http] base-url, the watch that tells the server of
 * changed files, and the log lines held for one turn of the server. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "http.h"
#include "log.h"
#include "watch.h"

static void
test_date_write(void)
{
	g_autofree char *a = http_date(784111777);
	g_autofree char *b = http_date(0);
	g_autofree char *c = http_date(1796688000);

	g_assert_cmpstr(a, ==, "Sun, 06 Nov 1994 08:49:37 GMT");
	g_assert_cmpstr(b, ==, "Thu, 01 Jan 1970 00:00:00 GMT");
	g_assert_cmpstr(c, ==, "Tue, 08 Dec 2026 00:00:00 GMT");
}

static void
test_date_read(void)
{
	static const char *const same[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT",	/* IMF-fixdate */
		"Sunday, 06-Nov-94 08:49:37 GMT",	/* RFC 850 */
		"Sun Nov  6 08:49:37 1994",		/* asctime */
		"Sun, 06 Nov 1994 08:49:37 GMT  ",	/* trailing blanks */
	};
	static const char *const bad[] = {
		"", "yesterday", "Sun, 06 Nov 1994 08:49:37",
		"Sun, 06 Nov 1994 08:49:37 GMT x", "Sun, 06 Foo 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1969 08:49:37 GMT",
		"Sun, 31 Feb 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37",
		"Sun Nov  6 08:49:37", "Sun, 06 Nov 1994 08:61:37 GMT",
	};
	gint64 t;

	for (gsize i = 0; i < G_N_ELEMENTS(same); i++) {
		t = -1;
		g_assert_true(http_date_parse(same[i], &t));
		g_assert_cmpint(t, ==, 784111777);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(http_date_parse(bad[i], &t));
	/* RFC 850's two-digit years: 70 and later are the 1900s. */
	g_assert_true(http_date_parse("Thursday, 01-Jan-70 00:00:00 GMT", &t));
	g_assert_cmpint(t, ==, 0);
	g_assert_true(http_date_parse("Tuesday, 08-Dec-26 00:00:00 GMT", &t));
	g_assert_cmpint(t, ==, 1796688000);
}

static void
test_date_round_trip(void)
{
	for (gint64 t = 0; t < 4102444800; t += 86400 * 37 + 3601) {
		g_autofree char *s = http_date(t);
		gint64 back = -1;

		g_assert_true(http_date_parse(s, &back));
		g_assert_cmpint(back, ==, t);
	}
}

static void
test_escape(void)
{
	g_autofree char *e = http_escape("<a href=\"x\">'&'</a>");
	g_autofree char *n = http_escape(NULL);

	g_assert_cmpstr(e, ==,
	    "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
	g_assert_cmpstr(n, ==, "");
}

static struct conf *
conf_with(const char *text)
{
	g_autofree char *dir = g_dir_make_tmp("test-http-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "tidings.conf", NULL);
	g_autoptr(GError) error = NULL;
	struct conf *conf;

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	conf = conf_load(path, &error);
	g_assert_no_error(error);
	g_unlink(path);
	g_rmdir(dir);
	return conf;
}

static void
test_url(void)
{
	struct conf *slash = conf_with("[tidings]\naddress = s@example.org\n"
	    "[http]\nbase-url = https://standup.example.org/\n");
	struct conf *bare = conf_with("[tidings]\naddress = s@example.org\n"
	    "[http]\nbase-url = https://example.org/standup\n");
	struct conf *none = conf_with("[tidings]\naddress = s@example.org\n");
	g_autofree char *a = http_url(slash, "u/TOKEN");
	g_autofree char *b = http_url(bare, "ics/t.ics");
	g_autofree char *c = http_url(none, "u/TOKEN");

	g_assert_cmpstr(a, ==, "https://standup.example.org/u/TOKEN");
	g_assert_cmpstr(b, ==, "https://example.org/standup/ics/t.ics");
	g_assert_null(c);
	conf_free(slash);
	conf_free(bare);
	conf_free(none);
}

/* Written, replaced, deleted: each told once; another file of the same
 * directory is not; a directory that cannot be watched fails (the server
 * then looks for itself). */
static void
test_watch(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-http-XXXXXX", NULL);
	g_autofree char *db = g_build_filename(dir, "t.db", NULL);
	g_autofree char *other = g_build_filename(dir, "t.db-shm", NULL);
	g_autofree char *wal = g_build_filename(dir, "t.db-wal", NULL);
	g_autofree char *tmp = g_build_filename(dir, "t.db.new", NULL);
	g_autofree char *none = g_build_filename(dir, "no", "such", NULL);
	struct watch *w;

	g_assert_nonnull(dir);
	g_assert_true(g_file_set_contents(db, "a", -1, NULL));
	w = watch_new();
#ifndef __linux__
	g_assert_null(w);
	g_test_skip("no inotify");
	return;
#endif
	g_assert_nonnull(w);
	g_assert_true(watch_add(w, db));
	g_assert_false(watch_changed(w));
	g_assert_true(g_file_set_contents(other, "x", -1, NULL));
	g_assert_false(watch_changed(w));
	g_assert_true(g_file_set_contents(tmp, "b", -1, NULL));
	g_assert_false(watch_changed(w));
	g_assert_cmpint(g_rename(tmp, db), ==, 0);
	g_assert_true(watch_changed(w));
	g_assert_false(watch_changed(w));
	{
		FILE *f = fopen(db, "a");
		g_assert_nonnull(f);
		fputs("c", f);
		fflush(f);
		g_assert_true(watch_changed(w));
		fclose(f);
	}
	g_assert_true(watch_changed(w));	/* closed after writing */
	g_assert_false(watch_changed(w));
	g_assert_true(g_chmod(db, 0600) == 0);
	g_assert_true(watch_changed(w));	/* its mode */
	g_assert_cmpint(g_unlink(db), ==, 0);
	g_assert_true(watch_changed(w));
	g_assert_false(watch_changed(w));
	/* Not there when the watch began: watched once made. */
	g_assert_true(watch_add(w, wal));
	g_assert_false(watch_changed(w));
	g_assert_true(g_file_set_contents(wal, "w", -1, NULL));
	g_assert_true(watch_changed(w));
	g_assert_false(watch_changed(w));
	{
		int fd = open(wal, O_WRONLY | O_APPEND);
		g_assert_cmpint(fd, >=, 0);
		g_assert_cmpint(write(fd, "x", 1), ==, 1);
		g_assert_true(watch_changed(w));	/* written, not closed */
		close(fd);
	}
	g_assert_true(watch_changed(w));
	g_assert_false(watch_changed(w));
	g_assert_false(watch_add(w, none));
	watch_free(w);
	/* A directory moved away: changed, each time asked from then on. */
	{
		g_autofree char *sub = g_build_filename(dir, "sub", NULL);
		g_autofree char *moved = g_build_filename(dir, "moved", NULL);
		g_autofree char *in = g_build_filename(sub, "t.db", NULL);

		g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
		w = watch_new();
		g_assert_true(watch_add(w, in));
		g_assert_false(watch_changed(w));
		g_assert_cmpint(g_rename(sub, moved), ==, 0);
		g_assert_true(watch_changed(w));
		g_assert_true(watch_changed(w));
		watch_free(w);
		g_rmdir(moved);
	}
	g_unlink(wal);
	g_unlink(other);
	g_rmdir(dir);
}

/* Held lines reach stderr at the release, in order and in the usual
 * form; nested holds wait for the outer release; then lines go at once
 * again. */
static void
test_log_held(void)
{
	g_autofree char *path = NULL;
	g_autofree char *text = NULL;
	int fd = g_file_open_tmp("test-http-log-XXXXXX", &path, NULL);
	int saved = dup(STDERR_FILENO);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(saved, >=, 0);
	fflush(stderr);
	g_assert_cmpint(dup2(fd, STDERR_FILENO), ==, STDERR_FILENO);
	log_init("tidings", 0);
	log_hold();
	log_info("http: 127.0.0.1 \"GET %s\" %u %d", "/a", 200u, 10);
	log_hold();
	log_warnx("second");
	log_release();
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "");
	g_clear_pointer(&text, g_free);
	log_release();
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "tidings: http: 127.0.0.1 \"GET /a\" 200 10\n"
	    "tidings: second\n");
	g_clear_pointer(&text, g_free);
	log_release();		/* one too many: nothing */
	log_info("third");
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_true(g_str_has_suffix(text, "second\ntidings: third\n"));
	fflush(stderr);
	g_assert_cmpint(dup2(saved, STDERR_FILENO), ==, STDERR_FILENO);
	close(saved);
	close(fd);
	g_unlink(path);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http/date-write", test_date_write);
	g_test_add_func("/http/date-read", test_date_read);
	g_test_add_func("/http/date-round-trip", test_date_round_trip);
	g_test_add_func("/http/escape", test_escape);
	g_test_add_func("/http/url", test_url);
	g_test_add_func("/http/watch", test_watch);
	g_test_add_func("/http/log-held", test_log_held);
	return g_test_run();
}
