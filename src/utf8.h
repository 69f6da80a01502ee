/* UTF-8 checks on the hot path of parsing mail. */
#ifndef TIDINGS_UTF8_H
#define TIDINGS_UTF8_H

#include <glib.h>

/* Whether S, LEN bytes, is valid UTF-8 and holds no NUL byte: what
 * g_utf8_validate_len() says together with memchr(S, 0, LEN), in one pass
 * that takes ASCII eight bytes at a time. */
gboolean utf8_clean(const char *s, gsize len);

/* TEXT as it may be shown on a terminal, the way less(1) shows it: a C0
 * control as ^X (ESC as ^[, DEL as ^?), a C1 control and a bidi override
 * or isolate (U+202A-U+202E, U+2066-U+2069) as <U+202E>, a byte that is
 * not UTF-8 as <FF>.  With LINES, newlines and tabs stay: for a body;
 * without, a one-line field shows them too.  Mail can then neither clear
 * the screen, retitle the window, hide a link nor turn a line around.
 * NULL gives NULL.  Caller frees. */
char *utf8_visible(const char *text, gboolean lines);

#endif
