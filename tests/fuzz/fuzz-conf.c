/* libFuzzer target: bytes as a configuration file: it loads, or fails
 * with CONF_ERROR; never anything else.  Seeds are contrib/. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path;
	g_autoptr(GError) error = NULL;
	struct conf *conf;

	if (path == NULL) {
		char *dir = g_dir_make_tmp("tidings-fuzz-conf-XXXXXX", NULL);
		path = g_build_filename(dir, "tidings.conf", NULL);
		g_free(dir);
	}
	if (!g_file_set_contents(path, (const char *)data, (gssize)size, NULL))
		return 0;
	conf = conf_load(path, &error);
	if (conf == NULL) {
		if (error == NULL || error->domain != CONF_ERROR)
			__builtin_trap();
		return 0;
	}
	/* Every option reads back as set or as its default. */
	for (const struct conf_option *o = conf_table; o->section != NULL; o++) {
		g_autofree char *p = NULL;
		conf_get(conf, o->section, o->key);
		if (o->type == CONF_PATH || o->type == CONF_SECRET)
			p = conf_get_path(conf, o->section, o->key);
	}
	conf_free(conf);
	return 0;
}
