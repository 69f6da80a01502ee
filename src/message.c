/* Parsing raw mail into struct message with GMime; see message.h. */
#include "config.h"

#include <gmime/gmime.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "message.h"
#include "rawfile.h"
#include "utf8.h"

G_DEFINE_QUARK(tidings-message-error-quark, message_error)

/* Deeper nesting than this is hostile, not mail: parts below are skipped. */
#define MESSAGE_MAX_DEPTH 64
/* Mail clients nest a few levels (alternatives in a mixed, a forward);
 * deeper than this is read but noted as odd. */
#define MESSAGE_ODD_DEPTH 16
/* More leaf parts than this are not read (GMime still parses them):
 * each costs a copy of its content, and every filter looks at them all.
 * Mail programs send a few, a newsletter a few dozen. */
#define MESSAGE_MAX_PARTS 1000
/* Addresses read from one header (To, Cc, Delivered-To); the rest are
 * dropped.  Bulk mail lists its recipients elsewhere. */
#define MESSAGE_MAX_ADDRESSES 1000
/* A Date before this, or this far after arrival, is taken as absurd. */
#define DATE_MIN 631152000		/* 1990-01-01 */
#define DATE_FUTURE_SLACK (2 * 24 * 3600)

static GMimeParserOptions *parser_options;
static GMimeFormatOptions *format_options;

static void
message_init(void)
{
	static gsize done;
	/* Latin-1 last: every byte is a character in it. */
	static const char *fallback[] = { "UTF-8", "windows-1252", "iso-8859-1",
	    NULL };

	if (!g_once_init_enter(&done))
		return;
	g_mime_init();
	parser_options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(parser_options, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(parser_options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(parser_options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(parser_options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	format_options = g_mime_format_options_new();
	g_once_init_leave(&done, 1);
}

/* A header and its strings in one block, freed with g_free(); VALUE NULL
 * when it is RAW as it stands. */
static struct message_header *
header_new(const char *name, const char *value, const char *raw)
{
	size_t n = strlen(name) + 1, r = strlen(raw) + 1;
	size_t v = value != NULL ? strlen(value) + 1 : 0;
	struct message_header *h = g_malloc(sizeof *h + n + r + v);
	char *p = (char *)(h + 1);

	h->name = memcpy(p, name, n);
	h->raw = memcpy(p + n, raw, r);
	h->value = value != NULL ? memcpy(p + n + r, value, v) : h->raw;
	return h;
}

static void
part_free(struct message_part *p)
{
	g_free(p->content_type);
	g_free(p->method);
	g_free(p->filename);
	if (!p->text_in_data)
		g_free(p->text);
	if (p->data != NULL)
		g_bytes_unref(p->data);
	g_free(p);
}

void
bounce_recipient_free(struct bounce_recipient *r)
{
	if (r == NULL)
		return;
	g_free(r->address);
	g_free(r->status);
	g_free(r->diagnostic);
	g_free(r);
}

void
message_free(struct message *msg)
{
	if (msg == NULL)
		return;
	g_clear_pointer(&msg->raw, g_bytes_unref);
	rawfile_unref(msg->raw_file);
	g_free(msg->content_hash);
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_clear_pointer(&msg->references, g_ptr_array_unref);
	g_free(msg->from);
	g_free(msg->from_name);
	g_free(msg->sender);
	g_free(msg->reply_to);
	g_free(msg->return_path);
	g_clear_pointer(&msg->to, g_ptr_array_unref);
	g_clear_pointer(&msg->cc, g_ptr_array_unref);
	g_clear_pointer(&msg->delivered_to, g_ptr_array_unref);
	g_free(msg->subject);
	g_free(msg->subject_key);
	if (!msg->text_lent)
		g_free(msg->text);
	if (!msg->html_lent)
		g_free(msg->html);
	g_free(msg->html_marked);
	g_clear_pointer(&msg->headers, g_ptr_array_unref);
	g_clear_pointer(&msg->parts, g_ptr_array_unref);
	g_clear_pointer(&msg->problems, g_ptr_array_unref);
	g_free(msg->reason);
	g_free(msg->auth_id);
	g_free(msg->auth_result);
	g_free(msg->reply);
	g_free(msg->forwarded);
	if (msg->bounce != NULL)
		g_ptr_array_unref(msg->bounce);
	g_free(msg->token);
	g_free(msg->prompt_person);
	g_free(msg->command_arg);
	g_free(msg->command_team);
	g_free(msg->command_token);
	g_free(msg->meet_token);
	g_clear_pointer(&msg->answers, g_ptr_array_unref);
	g_free(msg);
}

static void
problem(struct message *msg, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
problem(struct message *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(msg->problems, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* Whether H is named NAME, in any case; most names differ at once. */
static inline gboolean
header_is(const struct message_header *h, const char *name)
{
	/* Equal letters are equal with bit 5 set, whatever their case. */
	return (*h->name | 0x20) == (*name | 0x20) &&
	    g_ascii_strcasecmp(h->name, name) == 0;
}

const char *
message_header(const struct message *msg, const char *name)
{
	for (guint i = 0; i < msg->headers->len; i++) {
		struct message_header *h = msg->headers->pdata[i];
		if (header_is(h, name))
			return h->value;
	}
	return NULL;
}

GPtrArray *
message_parents(const struct message *msg)
{
	guint n = msg->references != NULL ? msg->references->len : 0;
	GPtrArray *out = g_ptr_array_sized_new(n + 1);

	if (msg->in_reply_to != NULL)
		g_ptr_array_add(out, msg->in_reply_to);
	for (guint i = n; i > 0; i--) {
		const char *id = msg->references->pdata[i - 1];
		if (g_strcmp0(id, msg->in_reply_to) != 0)
			g_ptr_array_add(out, (gpointer)id);
	}
	return out;
}

GPtrArray *
message_parts_of_type(const struct message *msg, const char *content_type)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < msg->parts->len; i++) {
		struct message_part *p = msg->parts->pdata[i];
		if (strcmp(p->content_type, content_type) == 0)
			g_ptr_array_add(out, p);
	}
	return out;
}

const char *
message_kind_name(enum message_kind kind)
{
	static const char *const names[] = {
		[MESSAGE_UNPROCESSED] = "unprocessed",
		[MESSAGE_REPLY] = "reply",
		[MESSAGE_AUTOREPLY] = "autoreply",
		[MESSAGE_BOUNCE] = "bounce",
		[MESSAGE_COMMAND] = "command",
		[MESSAGE_CALENDAR] = "calendar",
		[MESSAGE_COMMENT] = "comment",
		[MESSAGE_SENT] = "sent",
		[MESSAGE_OTHER] = "other",
		[MESSAGE_LIST] = "list",
	};

	return kind < G_N_ELEMENTS(names) ? names[kind] : "other";
}

/* --- text ------------------------------------------------------------ */

/* Converters to UTF-8, kept per thread and charset: opening one loads
 * its gconv module again each time, which costs more than converting a
 * mail's text.  A few charsets at a time; the oldest is closed. */
struct converter {
	char *charset;		/* the iconv name converted from */
	GIConv cd;
};
#define CONVERTERS_MAX 8

static void
converters_free(gpointer data)
{
	GArray *a = data;

	for (guint i = 0; i < a->len; i++) {
		struct converter *c = &g_array_index(a, struct converter, i);
		g_iconv_close(c->cd);
		g_free(c->charset);
	}
	g_array_unref(a);
}

static GPrivate converters = G_PRIVATE_INIT(converters_free);

/* A converter from CHARSET (an iconv name) to UTF-8, in its initial state,
 * or (GIConv)-1 when iconv knows no such charset. */
static GIConv
converter_get(const char *charset)
{
	GArray *a = g_private_get(&converters);
	struct converter c;

	if (a == NULL) {
		a = g_array_new(FALSE, FALSE, sizeof(struct converter));
		g_private_set(&converters, a);
	}
	for (guint i = 0; i < a->len; i++) {
		struct converter *k = &g_array_index(a, struct converter, i);
		if (strcmp(k->charset, charset) == 0) {
			g_iconv(k->cd, NULL, NULL, NULL, NULL);
			return k->cd;
		}
	}
	if ((c.cd = g_iconv_open("UTF-8", charset)) == (GIConv)-1)
		return c.cd;
	if (a->len >= CONVERTERS_MAX) {
		struct converter *old = &g_array_index(a, struct converter, 0);
		g_iconv_close(old->cd);
		g_free(old->charset);
		g_array_remove_index(a, 0);
	}
	c.charset = g_strdup(charset);
	g_array_append_val(a, c);
	return c.cd;
}

/* g_convert() of LEN bytes of DATA from CHARSET to UTF-8, through a kept
 * converter: NULL where it fails. */
static char *
convert_to_utf8(const char *data, gsize len, const char *charset,
    gsize *written)
{
	GIConv cd = converter_get(charset);

	if (cd == (GIConv)-1)	/* GLib may know it by another name */
		return g_convert(data, (gssize)len, "UTF-8", charset, NULL,
		    written, NULL);
	return g_convert_with_iconv(data, (gssize)len, cd, NULL, written,
	    NULL);
}

/* Bytes in a declared charset to valid UTF-8.  A charset that is unknown or
 * that the bytes do not fit (a lying label) falls back to GMime's 8-bit
 * guess over UTF-8 and windows-1252, as mail readers do. */
static char *
to_utf8(struct message *msg, const char *data, gsize len, const char *charset)
{
	g_autofree char *clean = NULL;
	g_autofree char *converted = NULL;

	/* No text holds NUL bytes; they would cut every C string short. */
	if (memchr(data, '\0', len) != NULL) {
		gsize n = 0;
		clean = g_malloc(len + 1);
		for (gsize i = 0; i < len; i++)
			if (data[i] != '\0')
				clean[n++] = data[i];
		clean[n] = '\0';
		data = clean;
		len = n;
		problem(msg, "NUL bytes removed from the text");
	}
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0) {
		const char *iconv_name = g_mime_charset_iconv_name(charset);
		gsize written;
		converted = convert_to_utf8(data, len, iconv_name, &written);
		if (converted != NULL && memchr(converted, '\0', written) == NULL &&
		    g_utf8_validate(converted, (gssize)written, NULL))
			return g_steal_pointer(&converted);
		problem(msg, "text does not fit its charset %s; guessed", charset);
	} else if (g_utf8_validate(data, (gssize)len, NULL))
		return g_strndup(data, len);
	else if (charset != NULL)
		problem(msg, "text is not valid %s; guessed", charset);
	/* GMime's guess, over UTF-8, windows-1252 and Latin-1, as mail
	 * readers do; what still is not UTF-8 becomes U+FFFD. */
	g_autofree char *guess = g_mime_utils_decode_8bit(parser_options, data,
	    len);
	if (g_utf8_validate(guess, -1, NULL))
		return g_steal_pointer(&guess);
	return g_utf8_make_valid(guess, -1);
}

/* RFC 3676: joins the soft line breaks of format=flowed text, removes
 * space-stuffing, and keeps quote depth (lines join only at equal depth). */
static char *
unflow(const char *text, gboolean delsp)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);
	int open_depth = -1;	/* depth of a paragraph still being joined */

	for (char **l = lines; *l != NULL; l++) {
		char *line = *l;
		size_t len = strlen(line);
		int depth = 0;

		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		while (line[depth] == '>')
			depth++;
		char *content = line + depth;
		if (*content == ' ')
			content++;	/* stuffing */
		gboolean is_sig = strcmp(content, "-- ") == 0;
		len = strlen(content);
		gboolean soft = !is_sig && len > 0 && content[len - 1] == ' ';
		if (open_depth >= 0 && open_depth != depth) {
			g_string_append_c(out, '\n');	/* a broken paragraph */
			open_depth = -1;
		}
		if (open_depth < 0) {
			for (int i = 0; i < depth; i++)
				g_string_append_c(out, '>');
			if (depth > 0)
				g_string_append_c(out, ' ');
		}
		if (soft && delsp)
			len--;
		g_string_append_len(out, content, (gssize)len);
		if (soft)
			open_depth = depth;
		else {
			open_depth = -1;
			if (l[1] != NULL)
				g_string_append_c(out, '\n');
		}
	}
	return g_string_free(out, FALSE);
}

/* The content of DW as GMime decodes it, written through its filters. */
static GBytes *
content_filtered(GMimeDataWrapper *dw)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *ba;
	gsize len;

	g_mime_data_wrapper_write_to_stream(dw, mem);
	/* The stream's bytes, taken over rather than copied. */
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	len = ba->len;
	g_byte_array_append(ba, (const guint8 *)"", 1);
	return g_bytes_new_take(g_byte_array_free(ba, FALSE), len);
}

static int
hex_value(guchar c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Decodes quoted-printable LEN bytes at IN into OUT (which may be IN:
 * the text only shrinks) as GMime's decoder does, whole: "=XX" of two hex
 * digits (either case) is a byte, "=\n" and "=\r\n" are soft line breaks,
 * any other "=ab" stays as it stands, and a lone "=" or "=a" at the end
 * is dropped.  Runs without '=' are copied at once.  Returns the length
 * decoded. */
static gsize
qp_decode(const char *in, gsize len, char *out)
{
	const char *p = in, *end = in + len;
	char *o = out;

	while (p < end) {
		const char *eq = memchr(p, '=', (size_t)(end - p));
		guchar a, b;

		if (eq == NULL)
			eq = end;
		memmove(o, p, (size_t)(eq - p));
		o += eq - p;
		p = eq + 1;
		if (p >= end)
			break;
		if (*p == '\n') {
			p++;
			continue;
		}
		if (end - p < 2)
			break;
		a = (guchar)p[0];
		b = (guchar)p[1];
		p += 2;
		if (g_ascii_isxdigit(a) && g_ascii_isxdigit(b))
			*o++ = (char)(hex_value(a) << 4 | hex_value(b));
		else if (a != '\r' || b != '\n') {
			*o++ = '=';
			*o++ = (char)a;
			*o++ = (char)b;
		}
	}
	return (gsize)(o - out);
}

/* The decoded (transfer-encoding removed) content of a leaf part, with a
 * NUL byte after its end (not counted in its size), so that text can be
 * read from it in place.  The common encodings are read and decoded in
 * one go, sparing GMime's stream filters and a growing buffer; the rest
 * (uuencode) goes through GMime's filters. */
static GBytes *
part_content(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeStream *stream;
	GMimeEncoding state;
	gint64 len;
	gssize n;
	gsize got = 0;
	char *in, *out;

	if (dw == NULL)
		return g_bytes_new_take(g_strdup(""), 0);
	enc = g_mime_data_wrapper_get_encoding(dw);
	stream = g_mime_data_wrapper_get_stream(dw);
	len = stream != NULL ? g_mime_stream_length(stream) : -1;
	if (len < 0 || len >= G_MAXSSIZE || (enc != GMIME_CONTENT_ENCODING_BASE64 &&
	    enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
	    enc != GMIME_CONTENT_ENCODING_DEFAULT &&
	    enc != GMIME_CONTENT_ENCODING_7BIT &&
	    enc != GMIME_CONTENT_ENCODING_8BIT &&
	    enc != GMIME_CONTENT_ENCODING_BINARY))
		return content_filtered(dw);
	in = g_malloc((gsize)len + 1);
	if (g_mime_stream_reset(stream) != 0) {
		g_free(in);
		return content_filtered(dw);
	}
	while (got < (gsize)len && (n = g_mime_stream_read(stream, in + got,
	    (gsize)len - got)) > 0)
		got += (gsize)n;
	if (enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
		got = qp_decode(in, got, in);
	else if (enc == GMIME_CONTENT_ENCODING_BASE64) {
		g_mime_encoding_init_decode(&state, enc);
		out = g_malloc(g_mime_encoding_outlen(&state, got) + 1);
		n = (gssize)g_mime_encoding_flush(&state, in, got, out);
		g_free(in);
		in = out;
		got = (gsize)n;
	}
	in[got] = '\0';
	return g_bytes_new_take(in, got);
}

/* What base64 decodes to, counted rather than decoded, as GMime (3.2)
 * decodes it in part_content(): each four characters of the alphabet make
 * three bytes, anything else is skipped, and the first '=' ends the data,
 * the two or three characters before it making one or two bytes
 * (/message/base64-measured holds the count to the decoder). */
struct b64_count {
	guint64 chars;		/* of the alphabet, before any '=' */
	gboolean ended;		/* at a '=' */
};

/* 1 for the 64 characters of the alphabet, 0 for the rest. */
static const guint8 b64_alphabet[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
	['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,
	['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1,
	['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
	['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
	['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,
	['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['+'] = 1, ['/'] = 1
};

/* Counts the alphabet up to the first '=', found first: a sum without a
 * branch a character. */
static void
b64_count_step(struct b64_count *c, const unsigned char *p, gsize len)
{
	const unsigned char *end = p + len, *eq;
	guint64 n = 0;

	if (c->ended)
		return;
	if ((eq = memchr(p, '=', len)) != NULL) {
		end = eq;
		c->ended = TRUE;
	}
	for (; p < end; p++)
		n += b64_alphabet[*p];
	c->chars += n;
}

static gsize
b64_count_size(const struct b64_count *c)
{
	static const gsize tail[4] = { 0, 0, 1, 2 };

	/* Without a '=', a four not full makes nothing. */
	return (gsize)(c->chars / 4) * 3 + (c->ended ? tail[c->chars % 4] : 0);
}

/* The size of the decoded content of a leaf part that is not kept: base64
 * counted as it is read a piece at a time, the encodings that do not
 * change it measured as they stand, and the rest (quoted-printable,
 * uuencode: rare in such parts) decoded whole. */
static gsize
part_size(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeStream *stream;
	struct b64_count count = { 0 };
	gint64 len;
	char in[16384];
	gssize n;

	if (dw == NULL)
		return 0;
	enc = g_mime_data_wrapper_get_encoding(dw);
	stream = g_mime_data_wrapper_get_stream(dw);
	len = stream != NULL ? g_mime_stream_length(stream) : -1;
	if (len >= 0 && (enc == GMIME_CONTENT_ENCODING_DEFAULT ||
	    enc == GMIME_CONTENT_ENCODING_7BIT ||
	    enc == GMIME_CONTENT_ENCODING_8BIT ||
	    enc == GMIME_CONTENT_ENCODING_BINARY))
		return (gsize)len;
	if (len < 0 || enc != GMIME_CONTENT_ENCODING_BASE64 ||
	    g_mime_stream_reset(stream) != 0) {
		g_autoptr(GBytes) whole = part_content(part);
		return g_bytes_get_size(whole);
	}
	while (!count.ended && (n = g_mime_stream_read(stream, in,
	    sizeof(in))) > 0)
		b64_count_step(&count, (const unsigned char *)in, (gsize)n);
	return b64_count_size(&count);
}

gboolean
message_part_is_calendar(const struct message_part *p)
{
	return strcmp(p->content_type, "text/calendar") == 0 ||
	    strcmp(p->content_type, "application/ics") == 0 ||
	    (p->filename != NULL && g_str_has_suffix(p->filename, ".ics"));
}

/* Whether DATA, LEN bytes in CHARSET, is text as it stands: what
 * to_utf8() would copy unchanged. */
static gboolean
text_as_is(const char *data, gsize len, const char *charset)
{
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0)
		return FALSE;
	return utf8_clean(data, len);
}

/* --- the part tree --------------------------------------------------- */

struct walk {
	struct message *msg;
	char *best_text;	/* the first inline text/plain body */
	char *best_html;
	gboolean text_lent;	/* best_text is its part's, not a copy */
	gboolean html_lent;	/* best_html likewise */
	gboolean text_flowed;
	int max_depth;		/* the deepest part seen */
	gboolean parts_cut;	/* MESSAGE_MAX_PARTS was reached */
};


static char *
content_type_of(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	g_autofree char *t = ct != NULL ?
	    g_mime_content_type_get_mime_type(ct) : NULL;

	return g_ascii_strdown(t != NULL ? t : "text/plain", -1);
}

static void
walk_leaf(struct walk *w, GMimeObject *obj, int depth)
{
	struct message_part *p = g_new0(struct message_part, 1);
	const char *charset, *method, *format, *delsp;
	gsize len;

	p->content_type = content_type_of(obj);
	p->depth = depth;
	p->filename = g_strdup(g_mime_part_get_filename(GMIME_PART(obj)));
	p->attachment = g_mime_part_is_attachment(GMIME_PART(obj));
	method = g_mime_object_get_content_type_parameter(obj, "method");
	p->method = method != NULL ? g_ascii_strup(method, -1) : NULL;
	if (!g_str_has_prefix(p->content_type, "text/") &&
	    !g_str_has_prefix(p->content_type, "message/") &&
	    !message_part_is_calendar(p)) {
		/* An image, a document: nothing here reads it. */
		p->size = part_size(GMIME_PART(obj));
		g_ptr_array_add(w->msg->parts, p);
		return;
	}
	p->data = part_content(GMIME_PART(obj));
	p->size = g_bytes_get_size(p->data);
	if (g_str_has_prefix(p->content_type, "text/") ||
	    g_str_has_prefix(p->content_type, "message/")) {
		const char *data = g_bytes_get_data(p->data, &len);
		charset = g_mime_object_get_content_type_parameter(obj, "charset");
		/* Most text is read where it lies, NUL-terminated. */
		p->text_in_data = data != NULL && text_as_is(data, len,
		    charset);
		p->text = p->text_in_data ? (char *)data : to_utf8(w->msg,
		    data != NULL ? data : "", len, charset);
	}
	g_ptr_array_add(w->msg->parts, p);

	if (p->attachment || p->text == NULL)
		return;
	if (strcmp(p->content_type, "text/plain") == 0 && w->best_text == NULL) {
		format = g_mime_object_get_content_type_parameter(obj, "format");
		delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
		if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0) {
			w->best_text = unflow(p->text, delsp != NULL &&
			    g_ascii_strcasecmp(delsp, "yes") == 0);
			w->text_flowed = TRUE;
		} else {
			w->best_text = p->text;
			w->text_lent = TRUE;
		}
	} else if (strcmp(p->content_type, "text/html") == 0 &&
	    w->best_html == NULL) {
		w->best_html = p->text;
		w->html_lent = TRUE;
	}
}

/* An attached message (message/rfc822): kept as one part whose text is the
 * message as it stands, so bounce and forward handling can read it. */
static void
walk_message_part(struct walk *w, GMimeObject *obj, int depth)
{
	struct message_part *p = g_new0(struct message_part, 1);
	GMimeMessage *inner = g_mime_message_part_get_message(
	    GMIME_MESSAGE_PART(obj));

	p->content_type = content_type_of(obj);
	p->depth = depth;
	p->attachment = TRUE;
	if (inner != NULL) {
		g_autofree char *s = g_mime_object_to_string(GMIME_OBJECT(inner),
		    format_options);
		p->text = to_utf8(w->msg, s, strlen(s), NULL);
		p->data = g_bytes_new(s, strlen(s));
	} else {
		p->text = g_strdup("");
		p->data = g_bytes_new(NULL, 0);
	}
	p->size = g_bytes_get_size(p->data);
	g_ptr_array_add(w->msg->parts, p);
}

/* A multipart whose boundary never occurs (missing, or on a line the
 * parser could not read): its whole body is taken as text, rather than
 * losing it. */
static void
walk_broken_multipart(struct walk *w, GMimeMultipart *mp, int depth)
{
	const char *body = g_mime_multipart_get_prologue(mp);
	struct message_part *p;

	problem(w->msg, "a multipart without a readable boundary; its body "
	    "is read as text");
	if (body == NULL || *body == '\0')
		return;
	p = g_new0(struct message_part, 1);
	p->content_type = g_strdup("text/plain");
	p->depth = depth;
	p->data = g_bytes_new(body, strlen(body));
	p->size = g_bytes_get_size(p->data);
	p->text = to_utf8(w->msg, body, strlen(body), NULL);
	g_ptr_array_add(w->msg->parts, p);
	if (w->best_text == NULL)
		w->best_text = g_strdup(p->text);
}

static void
walk_object(struct walk *w, GMimeObject *obj, int depth)
{
	w->max_depth = MAX(w->max_depth, depth);
	if (depth > MESSAGE_MAX_DEPTH) {
		if (depth == MESSAGE_MAX_DEPTH + 1)
			problem(w->msg, "MIME parts nested deeper than %d levels "
			    "were skipped", MESSAGE_MAX_DEPTH);
		return;
	}
	if (w->msg->parts->len >= MESSAGE_MAX_PARTS) {
		if (!w->parts_cut)
			problem(w->msg, "MIME parts after the first %d were "
			    "skipped", MESSAGE_MAX_PARTS);
		w->parts_cut = TRUE;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		if (n == 0)
			walk_broken_multipart(w, mp, depth);
		for (int i = 0; i < n; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj))
		walk_message_part(w, obj, depth);
	else if (GMIME_IS_PART(obj))
		walk_leaf(w, obj, depth);
}

/* What GMime's parser found wrong with the structure, each said once.
 * The rest of its warnings (repeated headers, 8-bit or badly encoded
 * words) are too common in real mail to be worth a line. */
static void
on_parser_warning(gint64 offset, GMimeParserWarning code, const char *item,
    gpointer data)
{
	struct message *msg = data;
	const char *what;

	switch (code) {
	case GMIME_WARN_TRUNCATED_MESSAGE:
		what = "the MIME structure is truncated: a multipart ends "
		    "without its closing boundary";
		break;
	case GMIME_WARN_MALFORMED_MESSAGE:
		what = "the MIME structure is malformed";
		break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		what = "a multipart has no boundary parameter";
		break;
	case GMIME_CRIT_NESTING_OVERFLOW:
		what = "MIME parts nested too deep for the parser";
		break;
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		what = "a MIME part has neither headers nor content";
		break;
	default:
		return;
	}
	for (guint i = 0; i < msg->problems->len; i++)
		if (strcmp(msg->problems->pdata[i], what) == 0)
			return;
	g_ptr_array_add(msg->problems, g_strdup(what));
}

/* --- headers --------------------------------------------------------- */

/* S, a string the caller gives up, as valid UTF-8: S itself when it is. */
static char *
utf8_take(struct message *msg, char *s)
{
	char *u;

	if (g_utf8_validate(s, -1, NULL))
		return s;
	u = to_utf8(msg, s, strlen(s), NULL);
	g_free(s);
	return u;
}

/* Whether S is plain ASCII without encoded words, which decoding leaves
 * as it is: most header values. */
static gboolean
header_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((guchar)*s >= 0x80 || (s[0] == '=' && s[1] == '?'))
			return FALSE;
	return TRUE;
}

static void
read_headers(struct message *msg, GMimeObject *top)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(top);
	int n = g_mime_header_list_get_count(hl);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *raw = g_mime_header_get_raw_value(h);
		const char *name = g_mime_header_get_name(h);
		char *unfolded = g_strstrip(g_mime_utils_header_unfold(
		    raw != NULL ? raw : ""));
		g_autofree char *fixed_name = g_utf8_validate(name, -1, NULL) ?
		    NULL : to_utf8(msg, name, strlen(name), NULL);
		g_autofree char *decoded = header_plain(unfolded) ? NULL :
		    utf8_take(msg, g_mime_utils_header_decode_text(
		    parser_options, unfolded));
		g_autofree char *value = utf8_take(msg, unfolded);

		g_ptr_array_add(msg->headers, header_new(fixed_name != NULL ?
		    fixed_name : name, decoded, value));
	}
}

/* The mailbox addresses of a header, groups flattened, in order, up to
 * MESSAGE_MAX_ADDRESSES; FALSE when some were dropped. */
static gboolean
add_addresses(GPtrArray *out, InternetAddressList *list)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		if (out->len >= MESSAGE_MAX_ADDRESSES)
			return FALSE;
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (!add_addresses(out, internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia))))
				return FALSE;
		}
		else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *a = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia));
			if (a != NULL && *a != '\0')
				g_ptr_array_add(out, g_strdup(a));
		}
	}
	return TRUE;
}

/* The headers GMime parses as addresses while it reads a message. */
static const struct {
	const char *name;
	GMimeAddressType type;
} gmime_address_headers[] = {
	{ "From", GMIME_ADDRESS_TYPE_FROM },
	{ "Sender", GMIME_ADDRESS_TYPE_SENDER },
	{ "Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO },
	{ "To", GMIME_ADDRESS_TYPE_TO },
	{ "Cc", GMIME_ADDRESS_TYPE_CC },
};

/* The addresses of HEADER, parsed; unref when done.  GMime parsed the
 * common ones already, which are taken from it when HEADER occurs once;
 * otherwise the first of them (FIRST) or all of them, in order. */
static InternetAddressList *
address_list(struct message *msg, GMimeMessage *gm, const char *header,
    gboolean first)
{
	InternetAddressList *all = NULL;
	guint count = 0;

	for (guint i = 0; i < msg->headers->len; i++)
		if (header_is(msg->headers->pdata[i], header))
			count++;
	if (count == 0)
		return NULL;
	for (size_t i = 0; count == 1 && i < G_N_ELEMENTS(gmime_address_headers);
	    i++)
		if (g_ascii_strcasecmp(header, gmime_address_headers[i].name) == 0)
			return g_object_ref(g_mime_message_get_addresses(gm,
			    gmime_address_headers[i].type));
	for (guint i = 0; i < msg->headers->len; i++) {
		struct message_header *h = msg->headers->pdata[i];
		InternetAddressList *l;
		if (!header_is(h, header))
			continue;
		l = internet_address_list_parse(parser_options, h->raw);
		if (first)
			return l;
		if (l == NULL)
			continue;
		if (all == NULL)
			all = g_steal_pointer(&l);
		else {
			internet_address_list_append(all, l);
			g_object_unref(l);
		}
	}
	return all;
}

/* The mailbox addresses of a header, groups flattened, in order. */
static GPtrArray *
addresses_of(struct message *msg, GMimeMessage *gm, const char *header)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	InternetAddressList *l = address_list(msg, gm, header, FALSE);

	if (!add_addresses(out, l))
		problem(msg, "%s: addresses after the first %d were dropped",
		    header, MESSAGE_MAX_ADDRESSES);
	g_clear_object(&l);
	return out;
}

/* The first address of HEADER, and its display name. */
static char *
first_address(struct message *msg, GMimeMessage *gm, const char *header,
    char **name)
{
	InternetAddressList *l = address_list(msg, gm, header, TRUE);
	char *addr = NULL;

	if (l == NULL)
		return NULL;
	for (int i = 0; i < internet_address_list_length(l) && addr == NULL;
	    i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		const char *a = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (a == NULL || *a == '\0')
			continue;
		addr = g_strdup(a);
		if (name != NULL && internet_address_get_name(ia) != NULL &&
		    *internet_address_get_name(ia) != '\0')
			*name = g_strdup(internet_address_get_name(ia));
	}
	g_object_unref(l);
	return addr;
}

/* Message-IDs of References or In-Reply-To, without <>. */
static GPtrArray *
message_ids(const char *value)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GMimeReferences *refs;

	if (value == NULL)
		return out;
	refs = g_mime_references_parse(parser_options, value);
	if (refs == NULL)
		return out;
	for (int i = 0; i < g_mime_references_length(refs); i++) {
		const char *id = g_mime_references_get_message_id(refs, i);
		if (id != NULL && *id != '\0')
			g_ptr_array_add(out, g_strdup(id));
	}
	g_mime_references_free(refs);
	return out;
}

static void
read_ids(struct message *msg, GMimeMessage *gm)
{
	const char *id = g_mime_message_get_message_id(gm);
	g_autoptr(GPtrArray) irt = message_ids(message_header(msg,
	    "In-Reply-To"));

	if (id != NULL && *id != '\0' && strlen(id) < 998)
		msg->message_id = g_strdup(id);
	else {
		/* Deterministic, so that the same mail gets the same id. */
		msg->message_id = g_strdup_printf("%.32s@synthesised.tidings",
		    msg->content_hash);
		msg->message_id_synthesised = TRUE;
		problem(msg, "no Message-ID; using <%s>", msg->message_id);
	}
	if (irt->len > 0)
		msg->in_reply_to = g_strdup(irt->pdata[0]);
	msg->references = message_ids(message_header(msg, "References"));
}

static void
read_date(struct message *msg, GMimeMessage *gm, gint64 arrival)
{
	GDateTime *dt = g_mime_message_get_date(gm);
	gint64 t = dt != NULL ? g_date_time_to_unix(dt) : 0;

	if (dt != NULL && t >= DATE_MIN && t <= arrival + DATE_FUTURE_SLACK) {
		msg->date = t;
		return;
	}
	msg->date = arrival;
	msg->date_from_arrival = TRUE;
	if (dt == NULL)
		problem(msg, "no usable Date; using the arrival time");
	else
		problem(msg, "Date %" G_GINT64_FORMAT " is absurd; using the "
		    "arrival time", t);
}

static void
read_return_path(struct message *msg)
{
	const char *rp = message_header(msg, "Return-Path");
	g_autofree char *s = NULL;

	if (rp == NULL)
		return;
	s = g_strstrip(g_strdup(rp));
	if (*s == '<') {
		char *end = strchr(s, '>');
		if (end != NULL)
			*end = '\0';
		msg->return_path = g_strdup(s + 1);
	} else
		msg->return_path = g_strdup(s);
}

/* DIGEST, a SHA-256, in hex. */
static char *
digest_hex(const guint8 *digest)
{
	static const char digits[] = "0123456789abcdef";
	char *hex = g_malloc(2 * 32 + 1);

	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xf];
	}
	hex[2 * 32] = '\0';
	return hex;
}

char *
message_hash(GBytes *raw)
{
	guint8 digest[32];
	gsize len;
	const void *data = g_bytes_get_data(raw, &len);

	/* Every mail is hashed: GnuTLS' SHA-256 uses the CPU's instructions
	 * for it, several times faster than GLib's. */
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data != NULL ? data : "", len,
	    digest) != 0)
		return g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, raw);
	return digest_hex(digest);
}

/* Pieces of a mail read from its file at a time: hashing, and the first
 * lines looked at before parsing. */
#define FILE_PIECE (64 * 1024)

char *
message_hash_file(const struct rawfile *rf, GError **error)
{
	g_autofree char *buf = g_malloc(FILE_PIECE);
	g_autoptr(GChecksum) slow = NULL;
	gnutls_hash_hd_t h = NULL;
	guint8 digest[32];
	gsize n;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0) {
		h = NULL;
		slow = g_checksum_new(G_CHECKSUM_SHA256);
	}
	for (gsize at = 0; at < rf->size; at += n) {
		n = MIN(rf->size - at, FILE_PIECE);
		if (!rawfile_read(rf, at, buf, n, error)) {
			if (h != NULL)
				gnutls_hash_deinit(h, NULL);
			return NULL;
		}
		if (h != NULL)
			gnutls_hash(h, buf, n);
		else
			g_checksum_update(slow, (const guchar *)buf, (gssize)n);
	}
	if (h == NULL)
		return g_strdup(g_checksum_get_string(slow));
	gnutls_hash_deinit(h, digest);
	return digest_hex(digest);
}

gsize
message_raw_size(const struct message *msg)
{
	return msg->raw != NULL ? g_bytes_get_size(msg->raw) :
	    msg->raw_file->size;
}

const char *
message_raw_at(const struct message *msg, gsize at, gsize len, char *buf,
    GError **error)
{
	const char *data;

	if (msg->raw != NULL) {
		data = g_bytes_get_data(msg->raw, NULL);
		return data != NULL ? data + at : "";
	}
	return rawfile_read(msg->raw_file, at, buf, len, error) ? buf : NULL;
}

/* The next "\n--B" (B the N bytes of BOUNDARY) from P on, or NULL: every
 * '-' is looked at, which memchr() finds faster than memmem() finds the
 * line. */
static const char *
boundary_line(const char *p, const char *end, const char *boundary, size_t n)
{
	while (end - p >= (ptrdiff_t)n + 3 &&
	    (p = memchr(p + 1, '-', (size_t)(end - p - 1))) != NULL) {
		if (p[-1] == '\n' && end - p >= (ptrdiff_t)n + 2 && p[1] == '-' &&
		    memcmp(p + 2, boundary, n) == 0)
			return p - 1;
	}
	return NULL;
}

/* Whether the lines of a multipart with BOUNDARY, in DATA from FROM on
 * (its Content-Type), look wrong to GMime's parser: no closing line
 * ("--B--", then only blanks), or a boundary line straight after another,
 * a part with neither headers nor content.  Other lines that begin
 * "--B" count as boundary lines too: suspicion may err, not the reverse. */
static gboolean
boundary_lines_suspect(const char *data, gsize len, gint64 from,
    const char *boundary)
{
	size_t n = strlen(boundary);
	const char *p = data + CLAMP(from, 0, (gint64)len), *end = data + len;
	gboolean closed = FALSE;

	while ((p = boundary_line(p, end, boundary, n)) != NULL) {
		const char *q = p + 3 + n, *eol;
		if (end - q >= 2 && q[0] == '-' && q[1] == '-') {
			const char *r = q + 2;
			while (r < end && (*r == ' ' || *r == '\t' || *r == '\r'))
				r++;
			closed = closed || r == end || *r == '\n';
		}
		eol = memchr(q, '\n', (size_t)(end - q));
		if (eol == NULL)
			break;
		if (end - eol >= 3 && eol[1] == '-' && eol[2] == '-')
			return TRUE;
		p = eol;
	}
	return !closed;
}

/* Whether GMime may have something to say about the structure from OBJ
 * down (what on_parser_warning() keeps): a multipart without a boundary,
 * without parts, with a part without headers, or whose boundary lines look
 * wrong; an attached message; parts nested deep. */
static gboolean
structure_suspect(GMimeObject *obj, const char *data, gsize len, int depth)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(obj);
	GMimeMultipart *mp;
	GMimeHeader *ct;
	const char *boundary;

	if (depth > MESSAGE_MAX_DEPTH || GMIME_IS_MESSAGE_PART(obj))
		return TRUE;
	if (!GMIME_IS_MULTIPART(obj))
		return FALSE;
	mp = GMIME_MULTIPART(obj);
	boundary = g_mime_multipart_get_boundary(mp);
	ct = g_mime_header_list_get_header(headers, "Content-Type");
	if (boundary == NULL || ct == NULL || g_mime_multipart_get_count(mp) ==
	    0 || boundary_lines_suspect(data, len, g_mime_header_get_offset(ct),
	    boundary))
		return TRUE;
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
		GMimeObject *part = g_mime_multipart_get_part(mp, i);
		if (g_mime_header_list_get_count(
		    g_mime_object_get_header_list(part)) == 0 ||
		    structure_suspect(part, data, len, depth + 1))
			return TRUE;
	}
	return FALSE;
}

/* GMime's parse of the mail in STREAM, what it finds wrong with the
 * structure going to MSG's problems with WARN. */
static GMimeMessage *
gmime_construct(struct message *msg, GMimeStream *stream, gboolean warn)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *options = NULL;
	GMimeMessage *gm;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	if (warn) {
		/* A copy of the options, to carry MSG to the warnings. */
		options = g_mime_parser_options_clone(parser_options);
		g_mime_parser_options_set_warning_callback(options,
		    on_parser_warning, msg);
	}
	gm = g_mime_parser_construct_message(parser, warn ? options :
	    parser_options);
	if (options != NULL)
		g_mime_parser_options_free(options);
	g_object_unref(parser);
	return gm;
}

/* GMime's parse of the mail in BUF.  With WARN, what it finds wrong with
 * the structure goes to MSG's problems; that costs GMime a check of every
 * header, so it is asked only of mail whose structure it may find wrong
 * (mail whose headers run to its end, or see structure_suspect()). */
static GMimeMessage *
gmime_parse(struct message *msg, GByteArray *buf, gboolean warn)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(buf);
	GMimeMessage *gm;

	/* The stream reads the mail where it lies; BUF stays the caller's. */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	gm = gmime_construct(msg, stream, warn);
	g_object_unref(stream);
	if (gm == NULL || warn)
		return gm;
	if (memmem(buf->data, buf->len, "\n\n", 2) == NULL &&
	    memmem(buf->data, buf->len, "\n\r\n", 3) == NULL)
		goto again;
	if (g_mime_message_get_mime_part(gm) != NULL &&
	    structure_suspect(g_mime_message_get_mime_part(gm),
	    (const char *)buf->data, buf->len, 0))
		goto again;
	return gm;
again:
	g_object_unref(gm);
	return gmime_parse(msg, buf, TRUE);
}

/* How many bytes of DATA (LEN) are lines of spaces and tabs alone before
 * the first header, which Python's email package skips as a defect (a
 * continuation line with nothing to continue); *HEADERLESS says whether
 * the line after them is empty, which ends the headers before any. */
static gsize
leading_blank_lines(const char *data, gsize len, gboolean *headerless)
{
	gsize skip = 0, i;

	*headerless = FALSE;
	for (;;) {
		for (i = skip; i < len && (data[i] == ' ' || data[i] == '\t');
		    i++)
			;
		if (i < len && data[i] == '\r')
			i++;
		if (i >= len || data[i] != '\n')
			return skip;
		if (i == skip || (i == skip + 1 && data[skip] == '\r')) {
			/* An empty line: the end of no headers, when a body
			 * follows; blank lines alone are no mail. */
			for (; i < len && g_ascii_isspace(data[i]); i++)
				;
			*headerless = i < len;
			return skip;
		}
		skip = i + 1;
	}
}

/* Frees the array that lent the mail to GMime, not the mail. */
static void
lent_free(GByteArray *buf)
{
	if (buf != NULL)
		g_byte_array_free(buf, FALSE);
}
typedef GByteArray LentArray;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LentArray, lent_free)

struct message *
message_parse(GBytes *raw, gint64 arrival, GError **error)
{
	return message_parse_hashed(raw, message_hash(raw), arrival, error);
}

/* A message of HASH (taken), not yet parsed. */
static struct message *
message_new(char *hash)
{
	struct message *msg = g_new0(struct message, 1);

	message_init();
	msg->content_hash = hash;
	msg->headers = g_ptr_array_new_with_free_func(g_free);
	msg->parts = g_ptr_array_new_with_free_func((GDestroyNotify)part_free);
	msg->problems = g_ptr_array_new_with_free_func(g_free);
	return msg;
}

/* Whether a mail of LEN bytes may be parsed at all. */
static gboolean
parseable_size(gsize len, GError **error)
{
	if (len == 0) {
		g_set_error(error, MESSAGE_ERROR, MESSAGE_ERROR_UNPARSEABLE,
		    "empty input");
		return FALSE;
	}
	if (len > G_MAXUINT) {
		g_set_error(error, MESSAGE_ERROR, MESSAGE_ERROR_UNPARSEABLE,
		    "%" G_GSIZE_FORMAT " bytes: too large to parse", len);
		return FALSE;
	}
	return TRUE;
}

/* Lines of blanks alone before the first header are skipped, and a blank
 * first line ends the headers before any: so Python's email package reads
 * such mail (seen in real archives), and so does tidings.  Returns the
 * bytes of DATA (LEN, the mail or its beginning) to skip. */
static gsize
skip_leading_blanks(struct message *msg, const char *data, gsize len,
    gboolean *headerless)
{
	gsize skip = leading_blank_lines(data, len, headerless);

	if (skip > 0)
		problem(msg, "blanks before the first header were skipped");
	if (*headerless)
		problem(msg, "its first line is blank: it has no headers, "
		    "all of it is its body");
	return skip;
}

/* Reads into MSG what GMime parsed of its mail, GM (which it unrefs; NULL
 * when GMime read nothing), HEADERLESS as leading_blank_lines() said.
 * Returns MSG, or frees it and returns NULL with error. */
static struct message *
message_read(struct message *msg_in, GMimeMessage *gm, gboolean headerless,
    gint64 arrival, GError **error)
{
	g_autoptr(Message) msg = msg_in;
	struct walk w = { 0 };

	if (gm == NULL) {
		g_set_error(error, MESSAGE_ERROR, MESSAGE_ERROR_UNPARSEABLE,
		    "not a mail message: no header could be read");
		return NULL;
	}
	read_headers(msg, GMIME_OBJECT(gm));
	/* GMime keeps the Content-* headers with the top part. */
	if (g_mime_message_get_mime_part(gm) != NULL)
		read_headers(msg, g_mime_message_get_mime_part(gm));
	if (msg->headers->len == 0 && !headerless) {
		g_object_unref(gm);
		g_set_error(error, MESSAGE_ERROR, MESSAGE_ERROR_UNPARSEABLE,
		    "not a mail message: it has no headers");
		return NULL;
	}
	read_ids(msg, gm);
	read_date(msg, gm, arrival);
	msg->subject = g_strdup(message_header(msg, "Subject"));
	if (msg->subject == NULL)
		msg->subject = g_strdup("");
	msg->from = first_address(msg, gm, "From", &msg->from_name);
	msg->sender = first_address(msg, gm, "Sender", NULL);
	msg->reply_to = first_address(msg, gm, "Reply-To", NULL);
	read_return_path(msg);
	msg->to = addresses_of(msg, gm, "To");
	msg->cc = addresses_of(msg, gm, "Cc");
	msg->delivered_to = addresses_of(msg, gm, "Delivered-To");
	g_autoptr(GPtrArray) orig = addresses_of(msg, gm, "X-Original-To");
	for (guint i = 0; i < orig->len; i++)
		g_ptr_array_add(msg->delivered_to, g_strdup(orig->pdata[i]));

	w.msg = msg;
	if (g_mime_message_get_mime_part(gm) != NULL)
		walk_object(&w, g_mime_message_get_mime_part(gm), 0);
	g_object_unref(gm);
	if (w.max_depth > MESSAGE_ODD_DEPTH && w.max_depth <= MESSAGE_MAX_DEPTH)
		problem(msg, "MIME parts nested %d levels deep", w.max_depth);
	msg->flowed = w.text_flowed;
	/* Both stay their parts', which live as long as MSG. */
	msg->html = w.best_html;
	msg->html_lent = w.html_lent;
	if (w.best_text != NULL) {
		msg->text = w.best_text;
		msg->text_lent = w.text_lent;
	} else if (w.best_html != NULL) {
		static const enum html_flags flags[] = { HTML_KEEP_QUOTES,
		    HTML_MARK_QUOTES };
		char *texts[G_N_ELEMENTS(flags)];
		const char *scanned;

		html_to_texts(w.best_html, flags, texts, G_N_ELEMENTS(flags),
		    &scanned);
		msg->text = texts[0];
		msg->html_marked = texts[1];
		msg->text_from_html = TRUE;
		if (scanned != NULL)
			problem(msg, "%s; its text was read without a parser",
			    scanned);
	} else
		msg->text = g_strdup("");
	msg->kind = MESSAGE_UNPROCESSED;
	return g_steal_pointer(&msg);
}

struct message *
message_parse_hashed(GBytes *raw, char *hash, gint64 arrival, GError **error)
{
	g_autoptr(Message) msg = message_new(hash);
	g_autoptr(LentArray) buf = NULL;
	GMimeMessage *gm;
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	gboolean headerless;
	gsize skip;

	msg->raw = g_bytes_ref(raw);
	if (!parseable_size(len, error))
		return NULL;
	skip = skip_leading_blanks(msg, data, len, &headerless);
	/* GMime only reads the array; it is freed without the mail, after
	 * GMime's message, which reads from it to the end. */
	buf = g_byte_array_new_take((guint8 *)data + skip, len - skip);
	gm = gmime_parse(msg, buf, FALSE);
	return message_read(g_steal_pointer(&msg), gm, headerless, arrival,
	    error);
}

/* Whether DATA (LEN) holds something else than blanks and line ends:
 * then leading_blank_lines() of it says what it would of the whole mail
 * it begins. */
static gboolean
blanks_end_within(const char *data, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isspace(data[i]))
			return TRUE;
	return FALSE;
}

struct message *
message_parse_file(struct rawfile *rf, char *hash, gint64 arrival,
    GError **error)
{
	g_autoptr(Message) msg = message_new(hash);
	g_autofree char *head = NULL;
	gsize n = MIN(rf->size, FILE_PIECE);
	GMimeStream *stream;
	GMimeMessage *gm;
	gboolean headerless;
	gsize skip;

	msg->raw_file = rawfile_ref(rf);
	if (!parseable_size(rf->size, error))
		return NULL;
	head = g_malloc(n);
	if (!rawfile_read(rf, 0, head, n, error))
		return NULL;
	if (!blanks_end_within(head, n)) {
		/* Blanks alone for a whole piece: no mail, but it is read
		 * whole, to say so exactly as in memory. */
		g_autoptr(GBytes) whole = rawfile_bytes(rf, error);
		if (whole == NULL)
			return NULL;
		msg->content_hash = NULL;
		return message_parse_hashed(whole, hash, arrival, error);
	}
	skip = skip_leading_blanks(msg, head, n, &headerless);
	/* GMime reads the file through its own buffer, and keeps each part
	 * as a piece of the stream, read when asked for.  The descriptor
	 * stays the mail's.  GMime is asked for its warnings at once: what
	 * it says of mail whose structure is right is nothing, and finding
	 * out beforehand as gmime_parse() does would read the file again. */
	stream = g_mime_stream_fs_new_with_bounds(rf->fd, (gint64)skip,
	    (gint64)rf->size);
	g_mime_stream_fs_set_owner(GMIME_STREAM_FS(stream), FALSE);
	gm = gmime_construct(msg, stream, TRUE);
	g_object_unref(stream);
	return message_read(g_steal_pointer(&msg), gm, headerless, arrival,
	    error);
}
