/* Unit tests for the two-thread ingest pipeline: order, bounds, the end,
 * a reader that fails, and stopping early with mail in flight or handed
 * back and not yet freed. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "ingest-pipe.h"

/* A reader of COUNT small mails, then the end (failed, with FAIL). */
struct fake_reader {
	guint count;
	guint next;
	gboolean fail;
};

static GBytes *
fake_read(gpointer data, guint64 *tag, GError **error)
{
	struct fake_reader *fr = data;
	char *mail;

	if (fr->next == fr->count) {
		if (fr->fail)
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
			    "read failed after %u mails", fr->count);
		return NULL;
	}
	*tag = ++fr->next;
	mail = g_strdup_printf("Message-ID: <m%u@example.org>\r\n"
	    "From: a@example.org\r\nSubject: mail %u\r\n\r\nHello.\r\n",
	    fr->next, fr->next);
	return g_bytes_new_take(mail, strlen(mail));
}

static void
read_all(gboolean fail)
{
	struct fake_reader fr = { 500, 0, fail };
	g_autoptr(IngestPipe) pipe = ingest_pipe_new(NULL, fake_read, NULL, NULL, &fr);
	g_autoptr(GError) error = NULL;
	struct ingest_prepared *prep;
	guint64 tag, want = 0;

	while ((prep = ingest_pipe_next(pipe, &tag, &error)) != NULL) {
		g_assert_cmpuint(tag, ==, ++want);
		ingest_pipe_done(pipe, prep);
	}
	g_assert_cmpuint(want, ==, 500);
	if (fail)
		g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_IO);
	else
		g_assert_no_error(error);
	/* The end stays the end. */
	g_assert_null(ingest_pipe_next(pipe, &tag, NULL));
}

/* A loader of the mails fake_read() names, that finds every seventh gone
 * (moved away between naming and loading). */
static GBytes *
fake_load(gpointer data, GBytes *name)
{
	const char *mail = g_bytes_get_data(name, NULL);
	guint n;

	g_assert_nonnull(strstr(mail, "<m"));
	n = (guint)g_ascii_strtoull(strstr(mail, "<m") + 2, NULL, 10);
	if (n % 7 == 0)
		return NULL;
	return g_bytes_ref(name);
}

/* Loaded mail comes in order; what the loader skips is skipped, and only
 * that. */
static void
load_all(void)
{
	struct fake_reader fr = { 500, 0, FALSE };
	g_autoptr(IngestPipe) pipe = ingest_pipe_new(NULL, fake_read,
	    fake_load, NULL, &fr);
	g_autoptr(GError) error = NULL;
	struct ingest_prepared *prep;
	guint64 tag, want = 0;

	while ((prep = ingest_pipe_next(pipe, &tag, &error)) != NULL) {
		if (++want % 7 == 0)
			want++;
		g_assert_cmpuint(tag, ==, want);
		ingest_pipe_done(pipe, prep);
	}
	g_assert_no_error(error);
	g_assert_cmpuint(want, ==, 500);
}

static void
test_load_skips(void)
{
	load_all();
	g_setenv("TIDINGS_SEQUENTIAL", "1", TRUE);
	load_all();
	g_unsetenv("TIDINGS_SEQUENTIAL");
}

static void
test_read_in_order(void)
{
	read_all(FALSE);
}

static void
test_read_fails(void)
{
	read_all(TRUE);
}

static void
test_sequential(void)
{
	g_setenv("TIDINGS_SEQUENTIAL", "1", TRUE);
	read_all(FALSE);
	read_all(TRUE);
	g_unsetenv("TIDINGS_SEQUENTIAL");
}

/* Mails named by fake_read() that a size function says are large: every
 * third is three times INGEST_PIPE_BYTES, the others a quarter of it.
 * The loader counts the bytes loaded and not yet handed back by the store
 * (the test's count, never more than the pipe's), and the most seen. */
static GMutex big_lock;
static gsize big_flight, big_most;

static gsize
big_size(G_GNUC_UNUSED gpointer data, GBytes *name)
{
	const char *mail = g_bytes_get_data(name, NULL);
	guint n = (guint)g_ascii_strtoull(strstr(mail, "<m") + 2, NULL, 10);

	return n % 3 == 0 ? 3 * INGEST_PIPE_BYTES : INGEST_PIPE_BYTES / 4;
}

static GBytes *
big_load(gpointer data, GBytes *name)
{
	gsize size = big_size(data, name);

	g_mutex_lock(&big_lock);
	big_flight += size;
	big_most = MAX(big_most, big_flight);
	g_mutex_unlock(&big_lock);
	/* Long enough for another worker to load meanwhile, if it may. */
	g_usleep(2000);
	return g_bytes_ref(name);
}

/* Mail larger than INGEST_PIPE_BYTES is loaded one at a time, with no
 * more than INGEST_PIPE_BYTES of others beside it, counting the one the
 * store holds until it hands it back, and all of it comes, in order: the
 * next the store waits for never waits for a later one. */
static void
test_load_bounded(void)
{
	struct fake_reader fr = { 60, 0, FALSE };
	g_autoptr(IngestPipe) pipe = ingest_pipe_new(NULL, fake_read,
	    big_load, big_size, &fr);
	struct ingest_prepared *prep;
	guint64 tag, want = 0;

	if (g_get_num_processors() < 2) {
		g_test_skip("one core: one worker, nothing loads at once");
		return;
	}
	while ((prep = ingest_pipe_next(pipe, &tag, NULL)) != NULL) {
		g_assert_cmpuint(tag, ==, ++want);
		/* The store takes its time with a large one: it is in
		 * memory until handed back. */
		if (tag % 3 == 0)
			g_usleep(3000);
		g_mutex_lock(&big_lock);
		big_flight -= tag % 3 == 0 ? 3 * INGEST_PIPE_BYTES :
		    INGEST_PIPE_BYTES / 4;
		g_mutex_unlock(&big_lock);
		ingest_pipe_done(pipe, prep);
	}
	g_assert_cmpuint(want, ==, 60);
	g_assert_cmpuint(big_most, >=, 3 * INGEST_PIPE_BYTES);
	g_assert_cmpuint(big_most, <=, 4 * INGEST_PIPE_BYTES);
}

/* Freed with the worker waiting for room, and with mail it never gave. */
static void
test_stop_early(void)
{
	struct fake_reader fr = { 10000, 0, FALSE };
	IngestPipe *pipe = ingest_pipe_new(NULL, fake_read, NULL, NULL, &fr);
	struct ingest_prepared *prep;
	guint64 tag;

	for (guint i = 1; i <= 3; i++) {
		prep = ingest_pipe_next(pipe, &tag, NULL);
		g_assert_nonnull(prep);
		g_assert_cmpuint(tag, ==, i);
		/* Handed back, and freed with the pipe if not before. */
		ingest_pipe_done(pipe, prep);
	}
	/* Room for the worker to fill. */
	g_usleep(50000);
	ingest_pipe_free(pipe);
	g_assert_cmpuint(fr.next, <, fr.count);
	g_assert_cmpuint(fr.next, <=, 3 + INGEST_PIPE_AHEAD + 1);
}

static void
push_some(gboolean take_all)
{
	g_autoptr(IngestPipe) pipe = ingest_pipe_new(NULL, NULL, NULL, NULL, NULL);
	struct ingest_prepared *prep;
	guint64 tag, want = 100;

	g_assert_null(ingest_pipe_next(pipe, &tag, NULL));
	for (guint64 uid = 101; uid <= 400; uid++) {
		g_autofree char *mail = g_strdup_printf("Message-ID: "
		    "<u%" G_GUINT64_FORMAT "@example.org>\r\n\r\nHi.\r\n", uid);
		g_autoptr(GBytes) raw = g_bytes_new(mail, strlen(mail));

		ingest_pipe_push(pipe, raw, uid);
		while (ingest_pipe_pending(pipe) >= INGEST_PIPE_DEPTH ||
		    ingest_pipe_ready(pipe)) {
			prep = ingest_pipe_next(pipe, &tag, NULL);
			g_assert_nonnull(prep);
			g_assert_cmpuint(tag, ==, ++want);
			ingest_pipe_done(pipe, prep);
		}
		g_assert_cmpuint(ingest_pipe_pending(pipe), <,
		    INGEST_PIPE_DEPTH);
	}
	if (!take_all)
		return;		/* freed with mail pushed and not taken */
	while ((prep = ingest_pipe_next(pipe, &tag, NULL)) != NULL) {
		g_assert_cmpuint(tag, ==, ++want);
		ingest_pipe_done(pipe, prep);
	}
	g_assert_cmpuint(want, ==, 400);
	g_assert_cmpuint(ingest_pipe_pending(pipe), ==, 0);
}

static void
test_push_in_order(void)
{
	push_some(TRUE);
	g_setenv("TIDINGS_SEQUENTIAL", "1", TRUE);
	push_some(TRUE);
	g_unsetenv("TIDINGS_SEQUENTIAL");
}

static void
test_push_stop_early(void)
{
	push_some(FALSE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_unsetenv("TIDINGS_SEQUENTIAL");
	g_test_add_func("/ingest-pipe/read-in-order", test_read_in_order);
	g_test_add_func("/ingest-pipe/load-skips", test_load_skips);
	g_test_add_func("/ingest-pipe/read-fails", test_read_fails);
	g_test_add_func("/ingest-pipe/sequential", test_sequential);
	g_test_add_func("/ingest-pipe/load-bounded", test_load_bounded);
	g_test_add_func("/ingest-pipe/stop-early", test_stop_early);
	g_test_add_func("/ingest-pipe/push-in-order", test_push_in_order);
	g_test_add_func("/ingest-pipe/push-stop-early", test_push_stop_early);
	return g_test_run();
}
