/* libFuzzer target: bytes as an iCalendar file (an .ics attachment or an
 * invitation's reply) and as the text of availability commands and
 * out-of-office mail: the calendar reads or fails with ICAL_ERROR, each
 * line is a command or not, and a return date is found or not; never a
 * crash, a hang or a leak.  Seeds are tests/data/ics and
 * tests/fuzz/seeds/ics (deep and many components). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "avail-mail.h"
#include "ical.h"
#include "mail-command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_utf8_make_valid((const char *)data,
	    (gssize)size);
	g_auto(GStrv) lines = g_strsplit(text, "\n", 64);
	struct ical_result *r;

	r = ical_read((const char *)data, (gssize)size, "Europe/Berlin", NULL,
	    1774569600, &error);
	if (r == NULL && (error == NULL || error->domain != ICAL_ERROR))
		__builtin_trap();
	if (r != NULL)
		ical_result_free(r);
	for (char **l = lines; *l != NULL; l++) {
		char *arg = NULL;
		mail_command_parse(*l, MAIL_COMMAND_LINE, &arg);
		g_free(arg);
		mail_command_parse(*l, MAIL_COMMAND_AVAIL, &arg);
		g_free(arg);
	}
	avail_return_date(text, "Asia/Kolkata", 1774569600);
	return 0;
}
