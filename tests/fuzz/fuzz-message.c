/* libFuzzer target: raw bytes through the parser and every filter, as the
 * MDA would run them (without the store).  Built by "make fuzz" with
 * --enable-fuzzing; seeds are tests/data/mail and tests/fuzz/seeds/mail
 * (HTML-only mail among them, for the HTML path). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "filter.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GBytes) raw = g_bytes_new(data, size);
	g_autoptr(GError) error = NULL;
	struct filter_ctx ctx = { .address = "standup@example.org" };
	struct message *msg = message_parse(raw, 1773100000, &error);

	if (msg == NULL)
		return 0;
	/* Whatever the input, the text handed on is UTF-8. */
	if (!g_utf8_validate(msg->text, -1, NULL) ||
	    !g_utf8_validate(msg->subject, -1, NULL))
		__builtin_trap();
	filters_run(msg, &ctx);
	if (msg->reply != NULL && !g_utf8_validate(msg->reply, -1, NULL))
		__builtin_trap();
	g_clear_error(&ctx.error);
	message_free(msg);
	return 0;
}
