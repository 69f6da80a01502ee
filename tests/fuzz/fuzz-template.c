/* libFuzzer target: bytes as a template, an administrator's override of
 * prompt.txt, filled in and built into a mail: it renders, or fails with
 * RENDER_ERROR (template-check.c keeps from CTPL the malformed tags its
 * lexer is not safe on); no value becomes a header of its own.  Seeds are
 * templates/.  Run with G_SLICE=always-malloc, so that the sanitizer sees
 * every block GLib hands out, and without leak detection: CTPL leaks on
 * the templates it rejects itself. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib/gstdio.h>

#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *dir, *path;
	g_autoptr(GError) error = NULL;
	g_autoptr(Render) r = NULL;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(GBytes) mail = NULL;
	g_autofree char *subject = NULL;
	struct render_headers h = {
		.from = "standup@example.org",
		.to = "ana@example.org",
		.message_id = "fuzz@example.org",
		.date = 1774569600,
	};

	if (dir == NULL) {
		dir = g_dir_make_tmp("tidings-fuzz-render-XXXXXX", NULL);
		path = g_build_filename(dir, "prompt.txt", NULL);
	}
	if (!g_file_set_contents(path, (const char *)data, (gssize)size, NULL))
		return 0;
	r = render_new(dir);
	render_vars_set(v, "member_name", "Ana\r\nBcc: eve@example.net");
	render_vars_set(v, "checkin", "Daily");
	render_vars_add(v, "questions", "What did you work on?");
	render_vars_add(v, "questions", "<script>x</script>");
	render_vars_set_int(v, "blocker", 2);
	mail = render_mail(r, "prompt", &h, v, &subject, &error);
	if (mail == NULL) {
		if (error == NULL || error->domain != RENDER_ERROR)
			__builtin_trap();
		return 0;
	}
	/* No value reaches a header as a header of its own. */
	{
		gsize len;
		const char *raw = g_bytes_get_data(mail, &len);
		const char *end = g_strstr_len(raw, (gssize)len, "\n\n");
		g_autofree char *head = g_strndup(raw, end != NULL ?
		    (gsize)(end - raw) : len);
		if (strstr(head, "\nBcc:") != NULL)
			__builtin_trap();
	}
	return 0;
}
