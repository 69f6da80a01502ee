/* outbox-probe: queues a mail in tidings' outbox as the scheduler does,
 * through store_outbox_add() in a transaction of its own, for the tests
 * and the benchmark of delivery.
 *
 * usage: outbox-probe DB KEY FROM FILE RCPT...   queue FILE once under KEY
 *        outbox-probe --many N DB FROM FILE RCPT...
 *                                                queue N copies, keys
 *                                                many-1 .. many-N, in one
 *                                                transaction; "%N" in
 *                                                FILE becomes the copy's
 *                                                number (for Message-IDs
 *                                                of their own)
 * Prints "queued" or "queued before" (the key was taken). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"
#include "store-outbox.h"

static void
die(const char *what, GError *error)
{
	fprintf(stderr, "outbox-probe: %s: %s\n", what,
	    error != NULL ? error->message : "failed");
	exit(1);
}

/* The Subject of the mail, for listings. */
static char *
subject_of(const char *raw)
{
	const char *s = strstr(raw, "\nSubject: ");
	size_t n;

	if (s == NULL)
		return NULL;
	s += 10;
	n = strcspn(s, "\r\n");
	return g_strndup(s, n);
}

/* text with every "%N" replaced by n.  Caller frees. */
static char *
numbered(const char *text, long n)
{
	g_auto(GStrv) parts = g_strsplit(text, "%N", -1);
	g_autofree char *num = g_strdup_printf("%ld", n);

	return g_strjoinv(num, parts);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = NULL;
	g_autofree char *text = NULL, *subject = NULL;
	gsize len;
	long many = 0, i;
	int a = 1;
	gboolean queued = FALSE;
	struct outbox_mail m = { 0 };
	g_autoptr(GBytes) raw = NULL;

	if (argc > 2 && strcmp(argv[1], "--many") == 0) {
		many = strtol(argv[2], NULL, 10);
		a = 3;
	}
	if (argc - a < (many > 0 ? 4 : 5)) {
		fprintf(stderr, "usage: outbox-probe DB KEY FROM FILE RCPT...\n"
		    "       outbox-probe --many N DB FROM FILE RCPT...\n");
		return 64;
	}
	if ((st = store_open(argv[a], &error)) == NULL)
		die(argv[a], error);
	if (many == 0)
		m.dedupe_key = argv[++a];
	m.sender = argv[++a];
	if (!g_file_get_contents(argv[++a], &text, &len, &error))
		die(argv[a], error);
	m.recipients = (const char *const *)&argv[++a];
	m.kind = "test";
	m.raw = raw = g_bytes_new_static(text, len);
	m.subject = subject = subject_of(text);
	if (!store_begin(st, &error))
		die("begin", error);
	for (i = 0; i < MAX(many, 1); i++) {
		g_autofree char *key = NULL, *copy = NULL, *copy_subject = NULL;
		g_autoptr(GBytes) copy_raw = NULL;

		if (many > 0)
			m.dedupe_key = key = g_strdup_printf("many-%ld", i + 1);
		if (many > 0 && strstr(text, "%N") != NULL) {
			copy = numbered(text, i + 1);
			m.subject = copy_subject = subject_of(copy);
			m.raw = copy_raw = g_bytes_new(copy, strlen(copy));
		}
		if (!store_outbox_add(st, &m, clock_now(), &queued, &error))
			die("store_outbox_add", error);
		m.raw = raw;
		m.subject = subject;
	}
	if (!store_commit(st, &error))
		die("commit", error);
	printf("%s\n", queued ? "queued" : "queued before");
	return 0;
}
