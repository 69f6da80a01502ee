/* The floor for the ingest benchmark: GMime parsing every file of a
 * Maildir, with nothing stored.  Prints "N messages S seconds".
 *
 *   parse-floor DIR
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	gint64 start;
	guint parsed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: parse-floor MAILDIR\n");
		return 64;
	}
	g_mime_init();
	for (const char *sub = "cur"; sub; sub = strcmp(sub, "cur") ? NULL : "new") {
		g_autofree char *d = g_build_filename(argv[1], sub, NULL);
		g_autoptr(GDir) dir = g_dir_open(d, 0, NULL);
		const char *name;
		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
			g_ptr_array_add(files, g_build_filename(d, name, NULL));
	}
	g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
	start = g_get_monotonic_time();
	for (guint i = 0; i < files->len; i++) {
		g_autofree char *data = NULL;
		gsize len;
		if (!g_file_get_contents(files->pdata[i], &data, &len, NULL))
			continue;
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
		GMimeParser *p = g_mime_parser_new_with_stream(s);
		GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
		if (m != NULL) {
			parsed++;
			g_object_unref(m);
		}
		g_object_unref(p);
		g_object_unref(s);
	}
	printf("%u messages %.3f seconds\n", parsed,
	    (g_get_monotonic_time() - start) / 1e6);
	return 0;
}
