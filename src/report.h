/* How commands show stored and parsed mail: dates, one-line summaries and
 * the JSON forms that scripts read (documented in tidings(1)). */
#ifndef TIDINGS_REPORT_H
#define TIDINGS_REPORT_H

#include <json-glib/json-glib.h>

struct message;
struct message_row;

/* "2026-03-09 16:40 +01:00" in the local zone of the reader.  Caller
 * frees. */
char *report_date(gint64 t);

/* Adds the members of a stored mail to the object being built. */
void report_row_json(JsonBuilder *b, const struct message_row *row);
/* Adds the members of a parsed mail (tidings parse). */
void report_message_json(JsonBuilder *b, const struct message *msg);
/* Prints the built value as one line of JSON. */
void report_print_json(JsonBuilder *b);

#endif
