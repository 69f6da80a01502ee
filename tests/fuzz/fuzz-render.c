/* libFuzzer target: bytes as the values a template is filled with — the
 * names, questions, answers and command lines that come from people's
 * mail — rendered through the compiled-in templates into mails: each
 * renders, and no value adds a header or a recipient.  (Template text,
 * the administrator's, is fuzz-template's.)  Seeds are templates/. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The header block of MAIL holds no header of the values' making. */
static void
check_head(GBytes *mail)
{
	gsize len;
	const char *raw = g_bytes_get_data(mail, &len);
	const char *end = g_strstr_len(raw, (gssize)len, "\n\n");
	g_autofree char *head = g_strndup(raw, end != NULL ?
	    (gsize)(end - raw) : len);

	if (strstr(head, "\nBcc:") != NULL || strstr(head, "\nCc:") != NULL)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "prompt", "reply-error",
	    "list-confirm", "comment" };
	static Render *r;
	g_autofree char *text = g_strndup((const char *)data, size);
	g_auto(GStrv) parts = g_strsplit(text, "\n", 6);
	struct render_headers h = {
		.from = "standup@example.org",
		.to = "ana@example.org",
		.message_id = "fuzz@example.org",
		.date = 1774569600,
	};
	guint n = g_strv_length(parts);

	if (r == NULL)
		r = render_new(NULL);
	h.from_name = n > 0 ? parts[0] : NULL;
	h.to_name = n > 1 ? parts[1] : NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(RenderVars) v = render_vars_new();
		g_autoptr(GBytes) mail = NULL;
		g_autofree char *subject = NULL;

		for (guint k = 0; k < n; k++) {
			render_vars_add(v, "questions", parts[k]);
			render_vars_set(v, k % 2 ? "member_name" : "checkin",
			    parts[k]);
		}
		render_vars_set(v, "line", text);
		render_vars_set(v, "reason", n > 2 ? parts[2] : "");
		render_vars_set(v, "commenter", n > 3 ? parts[3] : "");
		render_vars_set(v, "answer", text);
		render_vars_set(v, "comment", text);
		render_vars_set_int(v, "blocker", (gint64)n);
		mail = render_mail(r, names[i], &h, v, &subject, &error);
		if (mail == NULL) {
			if (error == NULL || error->domain != RENDER_ERROR)
				__builtin_trap();
			continue;
		}
		check_head(mail);
	}
	return 0;
}
