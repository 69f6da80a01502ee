/* UTF-8 checks; see utf8.h. */
#include "config.h"

#include <string.h>

#include "utf8.h"

#define ONES	G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGHS	(ONES * 0x80)
#define LOWS	(ONES * 0x7f)

/* Whether the next N bytes at P after a lead byte are continuations. */
static gboolean
continued(const guchar *p, const guchar *end, int n)
{
	if (end - p < n)
		return FALSE;
	for (int i = 0; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return FALSE;
	return TRUE;
}

gboolean
utf8_clean(const char *s, gsize len)
{
	const guchar *p = (const guchar *)s, *end = p + len;

	while (p < end) {
		guint64 w;
		guchar c = *p;

		/* Eight ASCII bytes, none of them NUL: the high bit of each
		 * is clear, and adding 0x7f to its low seven bits sets it. */
		if (end - p >= 8) {
			guint64 bad;
			memcpy(&w, p, sizeof w);
			bad = (((w & LOWS) + LOWS) & ~w & HIGHS) ^ HIGHS;
			if (bad == 0) {
				p += 8;
				continue;
			}
			/* Straight to the first byte that is not plain ASCII
			 * (the lowest in memory is the lowest in W here). */
			if (G_BYTE_ORDER == G_LITTLE_ENDIAN) {
				p += __builtin_ctzll(bad) / 8;
				c = *p;
			}
		}
		if (c == 0)
			return FALSE;
		if (c < 0x80) {
			p++;
			continue;
		}
		/* Not a continuation, not an overlong two-byte form. */
		if (c < 0xc2 || c > 0xf4)
			return FALSE;
		if (c < 0xe0) {
			if (!continued(p + 1, end, 1))
				return FALSE;
			p += 2;
		} else if (c < 0xf0) {
			/* No overlong form, no UTF-16 surrogate. */
			if (!continued(p + 1, end, 2) ||
			    (c == 0xe0 && p[1] < 0xa0) ||
			    (c == 0xed && p[1] > 0x9f))
				return FALSE;
			p += 3;
		} else {
			/* No overlong form, nothing past U+10FFFF. */
			if (!continued(p + 1, end, 3) ||
			    (c == 0xf0 && p[1] < 0x90) ||
			    (c == 0xf4 && p[1] > 0x8f))
				return FALSE;
			p += 4;
		}
	}
	return TRUE;
}

/* Whether U is a bidi embedding, override or isolate: it reorders the
 * text around it on the screen. */
static gboolean
bidi_control(gunichar u)
{
	return (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
}

/* Appends the visible form of the character U at P (N bytes). */
static void
append_visible(GString *out, const char *p, gsize n, gunichar u,
    gboolean lines)
{
	if (u < 0x20 || u == 0x7f) {
		if (lines && (u == '\n' || u == '\t'))
			g_string_append_c(out, (char)u);
		else {
			g_string_append_c(out, '^');
			g_string_append_c(out, (char)(u ^ 0x40));
		}
	} else if ((u >= 0x80 && u < 0xa0) || bidi_control(u))
		g_string_append_printf(out, "<U+%04X>", u);
	else
		g_string_append_len(out, p, (gssize)n);
}

char *
utf8_visible(const char *text, gboolean lines)
{
	const char *p, *end;
	GString *out;

	if (text == NULL)
		return NULL;
	end = text + strlen(text);
	out = g_string_sized_new((gsize)(end - text));
	for (p = text; p < end; ) {
		gunichar u = g_utf8_get_char_validated(p, end - p);

		if (u == (gunichar)-1 || u == (gunichar)-2) {
			g_string_append_printf(out, "<%02X>", (guchar)*p);
			p++;
			continue;
		}
		const char *next = g_utf8_next_char(p);
		append_visible(out, p, (gsize)(next - p), u, lines);
		p = next;
	}
	return g_string_free(out, FALSE);
}
