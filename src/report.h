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

/* Makes the text of a stored mail fit to be printed on a terminal, in
 * place: every field that came from the mail is replaced by its
 * utf8_visible() form (the body keeping its lines).  For text output
 * only; JSON escapes what it must and keeps the exact text. */
void report_row_visible(struct message_row *row);
/* S made visible by utf8_visible() for a one-line field, kept in POOL
 * (a GPtrArray freeing with g_free) until the caller frees that: for
 * printf()'s arguments.  NULL gives NULL. */
const char *report_visible(GPtrArray *pool, const char *s);

/* Adds the members of a stored mail to the object being built. */
void report_row_json(JsonBuilder *b, const struct message_row *row);
/* Adds the members of a parsed mail (tidings parse). */
void report_message_json(JsonBuilder *b, const struct message *msg);
/* Prints the built value as one line of JSON. */
void report_print_json(JsonBuilder *b);
/* A member NAME of the object B builds: VALUE, or null when NULL. */
void report_json_str(JsonBuilder *b, const char *name, const char *value);
/* A member NAME of the object B builds: the integer VALUE. */
void report_json_int(JsonBuilder *b, const char *name, gint64 value);

#endif
