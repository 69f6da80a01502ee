/* UTF-8 checks on the hot path of parsing mail. */
#ifndef TIDINGS_UTF8_H
#define TIDINGS_UTF8_H

#include <glib.h>

/* Whether S, LEN bytes, is valid UTF-8 and holds no NUL byte: what
 * g_utf8_validate_len() says together with memchr(S, 0, LEN), in one pass
 * that takes ASCII eight bytes at a time. */
gboolean utf8_clean(const char *s, gsize len);

#endif
