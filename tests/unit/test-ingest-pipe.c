/* Unit tests for the two-thread ingest pipeline: order, bounds, the end,
 * a reader that fails, stopping early with mail in flight or handed back
 * and not yet freed, and large mail left in its file. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest-pipe.h"
#include "rawfile.h"
#include "store.h"
#include "store-message.h"

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
fake_load(gpointer data, GBytes *name, G_GNUC_UNUSED struct rawfile **file)
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
big_load(gpointer data, GBytes *name, G_GNUC_UNUSED struct rawfile **file)
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

/* Mails named by fake_read(): the second three times INGEST_PIPE_BYTES and
 * slow to load, the others a quarter of it.  The loader notes the last
 * mail loaded while the second was loading. */
static gint slow_loading;
static guint slow_beside;

static gsize
slow_size(G_GNUC_UNUSED gpointer data, GBytes *name)
{
	const char *mail = g_bytes_get_data(name, NULL);
	guint n = (guint)g_ascii_strtoull(strstr(mail, "<m") + 2, NULL, 10);

	return n == 2 ? 3 * INGEST_PIPE_BYTES : INGEST_PIPE_BYTES / 4;
}

static GBytes *
slow_load(G_GNUC_UNUSED gpointer data, GBytes *name,
    G_GNUC_UNUSED struct rawfile **file)
{
	const char *mail = g_bytes_get_data(name, NULL);
	guint n = (guint)g_ascii_strtoull(strstr(mail, "<m") + 2, NULL, 10);

	if (n == 2) {
		g_atomic_int_set(&slow_loading, 1);
		g_usleep(100000);
		g_atomic_int_set(&slow_loading, 0);
	} else if (g_atomic_int_get(&slow_loading))
		slow_beside = MAX(slow_beside, n);
	return g_bytes_ref(name);
}

/* While a large mail loads, the other workers go on with the mails after
 * it, within INGEST_PIPE_BYTES: they do not wait for it to be stored. */
static void
test_load_beside_large(void)
{
	struct fake_reader fr = { 40, 0, FALSE };
	g_autoptr(IngestPipe) pipe = NULL;
	struct ingest_prepared *prep;
	guint64 tag, want = 0;

	if (g_get_num_processors() < 2) {
		g_test_skip("one core: one worker, nothing loads at once");
		return;
	}
	pipe = ingest_pipe_new(NULL, fake_read, slow_load, slow_size, &fr);
	while ((prep = ingest_pipe_next(pipe, &tag, NULL)) != NULL) {
		g_assert_cmpuint(tag, ==, ++want);
		ingest_pipe_done(pipe, prep);
	}
	g_assert_cmpuint(want, ==, 40);
	g_assert_cmpuint(slow_beside, >=, 3);
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

/* Mails in files, named one by one, and loaded as an import loads a
 * Maildir's: into memory, or left in their files when larger than
 * INGEST_PIPE_BYTES.  Every fourth is large (an attachment of a
 * megabyte); the file of SHRINK shrinks once opened.  The loader notes
 * each file it opened, to see it closed after. */
struct file_reader {
	char *dir;
	guint count;
	guint next;
	guint shrink;
	GMutex lock;		/* guards what follows */
	GArray *opened;		/* of struct stat: descriptor, inode */
	GArray *fds;		/* of int */
};

static char *
file_path(const struct file_reader *fr, guint n)
{
	return g_strdup_printf("%s/%u", fr->dir, n);
}

static void
file_write(const struct file_reader *fr, guint n)
{
	g_autofree char *path = file_path(fr, n);
	g_autoptr(GString) mail = g_string_new(NULL);

	g_string_append_printf(mail, "Message-ID: <f%u@example.org>\r\n"
	    "From: a@example.org\r\nDate: Mon, 9 Mar 2026 10:00:00 +0000\r\n"
	    "Subject: mail %u\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
	    "Content-Type: text/plain\r\n\r\nHello %u.\r\n--b\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", n, n, n);
	while (n % 4 == 0 && mail->len < 1024 * 1024)
		g_string_append_printf(mail, "%076u\r\n", (guint)mail->len);
	g_string_append(mail, "AAAA\r\n--b--\r\n");
	g_assert_true(g_file_set_contents(path, mail->str, (gssize)mail->len,
	    NULL));
}

static GBytes *
file_read(gpointer data, guint64 *tag, G_GNUC_UNUSED GError **error)
{
	struct file_reader *fr = data;
	char *path;

	if (fr->next == fr->count)
		return NULL;
	*tag = ++fr->next;
	path = file_path(fr, fr->next);
	return g_bytes_new_take(path, strlen(path) + 1);
}

static GBytes *
file_load(gpointer data, GBytes *name, struct rawfile **file)
{
	struct file_reader *fr = data;
	const char *path = g_bytes_get_data(name, NULL);
	g_autoptr(RawFile) rf = rawfile_open(path, NULL);
	g_autofree char *shrink = file_path(fr, fr->shrink);
	struct stat sb;

	g_assert_nonnull(rf);
	g_assert_cmpint(fstat(rf->fd, &sb), ==, 0);
	g_mutex_lock(&fr->lock);
	g_array_append_val(fr->opened, sb);
	g_array_append_val(fr->fds, rf->fd);
	g_mutex_unlock(&fr->lock);
	if (strcmp(path, shrink) == 0)
		g_assert_cmpint(truncate(path, 10), ==, 0);
	if (rf->size <= INGEST_PIPE_BYTES)
		return rawfile_bytes(rf, NULL);
	*file = g_steal_pointer(&rf);
	return NULL;
}

/* The mails of FR through the pipe into a store in FR's directory: each
 * stored, the large ones as they are in their files, with the hash of
 * their bytes, and seen again as duplicates when they come in memory; the
 * one whose file shrank is skipped.  Every file is closed afterwards. */
static void
load_files(struct file_reader *fr)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *db = g_build_filename(fr->dir, "t.db", NULL);
	g_autoptr(Store) st = store_open(db, &error);
	IngestPipe *pipe = ingest_pipe_new(NULL, file_read, file_load, NULL, fr);
	g_autoptr(GArray) ids = g_array_new(FALSE, TRUE, sizeof(gint64));
	struct ingest_prepared *prep;
	struct ingest_result res;
	guint64 tag, want = 0;

	g_assert_nonnull(st);
	g_array_set_size(ids, fr->count + 1);
	while ((prep = ingest_pipe_next(pipe, &tag, &error)) != NULL) {
		if (++want == fr->shrink)
			want++;
		g_assert_cmpuint(tag, ==, want);
		g_assert_true(ingest_commit(st, NULL, prep, "import", TRUE,
		    &res, &error));
		g_assert_no_error(error);
		g_assert_cmpint(res.outcome, ==, INGEST_STORED);
		g_array_index(ids, gint64, tag) = res.id;
		ingest_result_clear(&res);
		ingest_pipe_done(pipe, prep);
	}
	g_assert_no_error(error);
	g_assert_cmpuint(want, ==, fr->count);
	ingest_pipe_free(pipe);
	for (guint i = 0; i < fr->opened->len; i++) {
		struct stat *was = &g_array_index(fr->opened, struct stat, i);
		struct stat sb;
		int fd = g_array_index(fr->fds, int, i);
		g_assert_true(fstat(fd, &sb) != 0 || sb.st_ino != was->st_ino ||
		    sb.st_dev != was->st_dev);
	}
	for (guint n = 4; n <= fr->count; n += 4) {
		g_autofree char *path = file_path(fr, n);
		g_autofree char *data = NULL;
		g_autofree char *hash = NULL;
		g_autoptr(GBytes) raw = NULL, back = NULL;
		g_autoptr(MessageRow) row = NULL;
		gsize len;

		if (n == fr->shrink)
			continue;
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		g_assert_cmpuint(len, >, INGEST_PIPE_BYTES);
		raw = g_bytes_new_take(g_steal_pointer(&data), len);
		back = store_message_raw(st, g_array_index(ids, gint64, n),
		    &error);
		g_assert_no_error(error);
		g_assert_true(g_bytes_equal(back, raw));
		row = store_message_get(st, g_array_index(ids, gint64, n),
		    &error);
		hash = message_hash(raw);
		g_assert_cmpstr(row->content_hash, ==, hash);
		g_assert_cmpstr(row->state, ==, "processed");
		g_assert_true(ingest_mail(st, NULL, raw, "import", TRUE, &res,
		    &error));
		g_assert_cmpint(res.outcome, ==, INGEST_DUPLICATE);
		ingest_result_clear(&res);
	}
	g_array_set_size(fr->opened, 0);
	g_array_set_size(fr->fds, 0);
}

/* Large mail is left in its file from load to store, and the file closed
 * once the mail is done; with workers and without. */
static void
test_load_files(void)
{
	struct file_reader fr = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *db = NULL;

	fr.dir = g_dir_make_tmp("tidings-pipe-XXXXXX", &error);
	g_assert_no_error(error);
	fr.count = 13;
	fr.shrink = 8;
	fr.opened = g_array_new(FALSE, FALSE, sizeof(struct stat));
	fr.fds = g_array_new(FALSE, FALSE, sizeof(int));
	g_mutex_init(&fr.lock);
	for (guint sequential = 0; sequential <= 1; sequential++) {
		for (guint n = 1; n <= fr.count; n++)
			file_write(&fr, n);
		fr.next = 0;
		if (sequential)
			g_setenv("TIDINGS_SEQUENTIAL", "1", TRUE);
		load_files(&fr);
		g_unsetenv("TIDINGS_SEQUENTIAL");
		for (guint n = 1; n <= fr.count; n++) {
			g_autofree char *path = file_path(&fr, n);
			g_unlink(path);
		}
		db = g_build_filename(fr.dir, "t.db", NULL);
		for (const char *const *x = (const char *const[]){ "", "-wal",
		    "-shm", "-journal", NULL }; *x != NULL; x++) {
			g_autofree char *f = g_strconcat(db, *x, NULL);
			g_unlink(f);
		}
		g_clear_pointer(&db, g_free);
	}
	g_rmdir(fr.dir);
	g_free(fr.dir);
	g_array_unref(fr.opened);
	g_array_unref(fr.fds);
	g_mutex_clear(&fr.lock);
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
	g_test_add_func("/ingest-pipe/load-beside-large",
	    test_load_beside_large);
	g_test_add_func("/ingest-pipe/stop-early", test_stop_early);
	g_test_add_func("/ingest-pipe/push-in-order", test_push_in_order);
	g_test_add_func("/ingest-pipe/push-stop-early", test_push_stop_early);
	g_test_add_func("/ingest-pipe/load-files", test_load_files);
	return g_test_run();
}
