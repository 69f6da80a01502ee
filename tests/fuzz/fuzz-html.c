/* libFuzzer target: HTML read directly gives the texts of gumbo's tree.
 * Whatever the direct reading takes, with each set of flags, must read as
 * the walk of gumbo's tree reads it; what it gives to gumbo is not
 * compared.  Seeds are tests/fuzz/seeds/html and tests/data/mail. */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum html_flags flags[] = { HTML_KEEP_QUOTES,
	    HTML_MARK_QUOTES, HTML_SKIP_QUOTES };
	char *direct[G_N_ELEMENTS(flags)], *parsed[G_N_ELEMENTS(flags)];
	g_autofree char *html = g_strndup((const char *)data, size);
	const char *scanned;

	if (!html_to_texts_direct(html, flags, direct, G_N_ELEMENTS(flags)))
		return 0;
	html_to_texts_parsed(html, flags, parsed, G_N_ELEMENTS(flags),
	    &scanned);
	if (scanned != NULL)
		__builtin_trap();
	for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
		if (strcmp(direct[i], parsed[i]) != 0)
			__builtin_trap();
		g_free(direct[i]);
		g_free(parsed[i]);
	}
	return 0;
}
