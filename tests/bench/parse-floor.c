/* The floor for the ingest benchmark: GMime parsing every file of a
 * Maildir, with nothing stored.  Prints "N messages S seconds".  With
 * --walk, the floor of any program that reads mail for its text: each
 * message's parts walked too, and each text part's content decoded
 * (transfer encoding removed) into memory.
 *
 *   parse-floor [--walk] DIR
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

/* Decodes the content of each text part into memory. */
static void
walk_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	GMimeDataWrapper *dw;
	GMimeStream *mem;

	if (!GMIME_IS_PART(part) || ct == NULL ||
	    !g_mime_content_type_is_type(ct, "text", "*") ||
	    (dw = g_mime_part_get_content(GMIME_PART(part))) == NULL)
		return;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	*(gint64 *)data += g_mime_stream_length(mem);
	g_object_unref(mem);
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	gint64 start, text = 0;
	guint parsed = 0;
	gboolean walk = argc == 3 && strcmp(argv[1], "--walk") == 0;

	if (walk) {
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: parse-floor [--walk] MAILDIR\n");
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
			if (walk)
				g_mime_message_foreach(m, walk_part, &text);
			g_object_unref(m);
		}
		g_object_unref(p);
		g_object_unref(s);
	}
	printf("%u messages %.3f seconds", parsed,
	    (g_get_monotonic_time() - start) / 1e6);
	if (walk)
		printf(" %" G_GINT64_FORMAT " bytes of text", text);
	printf("\n");
	return 0;
}
