/* Templates filled with CTPL and built into mail with GMime; see render.h. */
#include "config.h"

#include <cmark.h>
#include <ctpl/ctpl.h>
#include <errno.h>
#include <gio/gio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "filter.h"
#include "render.h"
#include "resources.h"
#include "template-check.h"

G_DEFINE_QUARK(tidings-render-error-quark, render_error)

#define TEMPLATE_DIR "/org/tidings/templates"
/* RFC 3676 recommends lines of at most 78 characters, and fewer so that
 * quoting does not break them again. */
#define FLOW_WIDTH 72

/* --- variables ------------------------------------------------------- */

enum var_type { VAR_STRING, VAR_INT, VAR_LIST, VAR_MARKUP };

struct var {
	enum var_type type;
	char *string;		/* also the text of VAR_MARKUP */
	char *html;		/* VAR_MARKUP's HTML, not escaped */
	gint64 number;
	GPtrArray *list;	/* of char * */
};

struct render_vars {
	GHashTable *table;	/* name -> struct var */
};

static void
var_free(struct var *v)
{
	g_free(v->string);
	g_free(v->html);
	if (v->list != NULL)
		g_ptr_array_unref(v->list);
	g_free(v);
}

struct render_vars *
render_vars_new(void)
{
	struct render_vars *v = g_new0(struct render_vars, 1);

	v->table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)var_free);
	return v;
}

void
render_vars_free(struct render_vars *v)
{
	if (v == NULL)
		return;
	g_hash_table_unref(v->table);
	g_free(v);
}

static struct var *
vars_put(struct render_vars *v, const char *name, enum var_type type)
{
	struct var *var = g_new0(struct var, 1);

	var->type = type;
	g_hash_table_replace(v->table, g_strdup(name), var);
	return var;
}

void
render_vars_set(struct render_vars *v, const char *name, const char *value)
{
	vars_put(v, name, VAR_STRING)->string = g_strdup(value != NULL ?
	    value : "");
}

void
render_vars_set_int(struct render_vars *v, const char *name, gint64 value)
{
	vars_put(v, name, VAR_INT)->number = value;
}

void
render_vars_set_markup(struct render_vars *v, const char *name,
    const char *text, const char *html)
{
	struct var *var = vars_put(v, name, VAR_MARKUP);

	var->string = g_strdup(text != NULL ? text : "");
	var->html = g_strdup(html != NULL ? html : "");
}

void
render_vars_add(struct render_vars *v, const char *name, const char *value)
{
	struct var *var = g_hash_table_lookup(v->table, name);

	if (var == NULL || var->type != VAR_LIST) {
		var = vars_put(v, name, VAR_LIST);
		var->list = g_ptr_array_new_with_free_func(g_free);
	}
	if (value != NULL)
		g_ptr_array_add(var->list, g_strdup(value));
}

/* --- cleaning values ------------------------------------------------- */

/* How a value is cleaned before it goes into a template. */
enum fill_mode {
	FILL_TEXT,	/* a text body: lines stay, control characters go */
	FILL_HTML,	/* the same, then HTML-escaped */
	FILL_HEADER,	/* one line: no CR, LF, NUL or other control */
};

/* VALUE as valid UTF-8 without control characters.  In a header, line
 * breaks and tabs become one space, so that no value can start a header of
 * its own; in a body, line breaks stay (as LF) and tabs too. */
static char *
clean_value(const char *value, enum fill_mode mode)
{
	g_autofree char *valid = g_utf8_make_valid(value, -1);
	GString *out = g_string_sized_new(strlen(valid));
	gboolean space = FALSE;

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (mode == FILL_HEADER && (c == '\r' || c == '\n' ||
		    c == '\t' || c == ' ' || c == 0x2028 || c == 0x2029)) {
			space = TRUE;
			continue;
		}
		if (mode != FILL_HEADER && c == '\r') {
			/* CRLF and lone CR both end a line. */
			if (p[1] != '\n')
				g_string_append_c(out, '\n');
			continue;
		}
		if (g_unichar_iscntrl(c) && c != '\n' && c != '\t')
			continue;
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = FALSE;
		g_string_append_unichar(out, c);
	}
	if (mode == FILL_HTML) {
		char *escaped = g_markup_escape_text(out->str, (gssize)out->len);
		g_string_free(out, TRUE);
		return escaped;
	}
	return g_string_free(out, FALSE);
}

/* An addr-spec tidings is willing to write: printable ASCII, one '@' with
 * something on both sides, and none of the characters that would end an
 * address, start another, or a header (spaces, commas, angle brackets,
 * quotes, CR, LF). */
static gboolean
addr_spec_valid(const char *s)
{
	const char *at;

	if (s == NULL || *s == '\0')
		return FALSE;
	for (const char *p = s; *p != '\0'; p++)
		if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f ||
		    strchr("\"<>()[],;:\\", *p) != NULL)
			return FALSE;
	at = strchr(s, '@');
	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL;
}

static gboolean
check_address(const char *what, const char *value, GError **error)
{
	if (addr_spec_valid(value))
		return TRUE;
	g_set_error(error, RENDER_ERROR, RENDER_ERROR_ADDRESS,
	    "%s: not a plain address: \"%s\"", what, value != NULL ? value :
	    "");
	return FALSE;
}

/* --- templates ------------------------------------------------------- */

struct render {
	char *override_dir;
};

/* Names are file names without extension, never paths. */
static gboolean
name_valid(const char *name)
{
	if (name == NULL || *name == '\0' || *name == '.')
		return FALSE;
	for (const char *p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	return strstr(name, "..") == NULL;
}

static void
render_init(void)
{
	static gsize done;

	if (!g_once_init_enter(&done))
		return;
	g_mime_init();
	/* The resource is shared with the store, which registers it on its
	 * own: registering it twice would link GLib's list of pending
	 * resources to itself, so only when it is not there yet. */
	if (!g_resources_get_info(TEMPLATE_DIR "/prompt.txt",
	    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL)) {
		tidings_register_resource();
		/* The lookup makes GLib register it now, not lazily. */
		g_resources_get_info(TEMPLATE_DIR "/prompt.txt",
		    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL);
	}
	g_once_init_leave(&done, 1);
}

struct render *
render_new(const char *override_dir)
{
	struct render *r = g_new0(struct render, 1);

	render_init();
	r->override_dir = g_strdup(override_dir);
	return r;
}

void
render_free(struct render *r)
{
	if (r == NULL)
		return;
	g_free(r->override_dir);
	g_free(r);
}

/* Where a template comes from. */
enum origin { ORIGIN_NONE, ORIGIN_OVERRIDE, ORIGIN_BUILTIN };

/* A template's text and the name errors give it: the file's path when it
 * comes from the override directory. */
struct source {
	enum origin origin;
	char *text;
	char *display;
};

static void
source_clear(struct source *s)
{
	g_clear_pointer(&s->text, g_free);
	g_clear_pointer(&s->display, g_free);
	s->origin = ORIGIN_NONE;
}

static gboolean
source_accept(struct source *s, char *data, gsize len, GError **error)
{
	if (memchr(data, '\0', len) != NULL || !g_utf8_validate(data,
	    (gssize)len, NULL)) {
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
		    "%s: not UTF-8 text", s->display);
		g_free(data);
		return FALSE;
	}
	/* Files edited on Windows work the same. */
	g_auto(GStrv) lines = g_strsplit(data, "\r\n", -1);
	g_free(data);
	s->text = g_strjoinv("\n", lines);
	return TRUE;
}

/* Reads FILE ("prompt.txt") into *S: from ONLY when it is not
 * ORIGIN_NONE, otherwise the override directory first, then the compiled-in
 * templates.  FALSE with no error when there is no such template. */
static gboolean
source_load(struct render *r, const char *file, enum origin only,
    struct source *s, GError **error)
{
	char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) err = NULL;

	if (r->override_dir != NULL && only != ORIGIN_BUILTIN) {
		g_autofree char *path = g_build_filename(r->override_dir, file,
		    NULL);
		if (g_file_get_contents(path, &data, &len, &err)) {
			s->origin = ORIGIN_OVERRIDE;
			s->display = g_steal_pointer(&path);
			return source_accept(s, data, len, error);
		}
		if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
			    "%s", err->message);
			return FALSE;
		}
	}
	if (only == ORIGIN_OVERRIDE)
		return FALSE;
	g_autofree char *rpath = g_strdup_printf("%s/%s", TEMPLATE_DIR, file);
	g_autoptr(GBytes) b = g_resources_lookup_data(rpath,
	    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
	if (b == NULL)
		return FALSE;
	data = g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	s->origin = ORIGIN_BUILTIN;
	s->display = g_strdup(file);
	return source_accept(s, data, g_bytes_get_size(b), error);
}

gboolean
render_has(struct render *r, const char *name)
{
	g_autofree char *file = NULL;
	struct source s = { 0 };
	gboolean found;

	if (!name_valid(name))
		return FALSE;
	file = g_strconcat(name, ".txt", NULL);
	found = source_load(r, file, ORIGIN_NONE, &s, NULL);
	source_clear(&s);
	return found;
}

/* --- filling in ------------------------------------------------------ */

/* Records every symbol template TEXT refers to in SYMBOLS (name -> whether
 * it is iterated over by a for loop).  CTPL fails on a symbol that is not
 * in its environment and has no test for one; this lets a missing
 * variable read as empty instead, so that a template can use
 * {if member_name != ""} for what is not always known. */
static void
scan_symbols(const char *text, GHashTable *symbols)
{
	const char *p = text;

	while (*p != '\0') {
		if (*p == '\\' && p[1] != '\0') {
			p += 2;
			continue;
		}
		if (*p++ != '{')
			continue;
		gboolean is_for = FALSE, after_in = FALSE;
		int words = 0;
		while (*p != '\0' && *p != '}') {
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++)
					if (*p == '\\' && p[1] != '\0')
						p++;
				if (*p == '"')
					p++;
			} else if (g_ascii_isdigit(*p)) {
				while (g_ascii_isalnum(*p) || *p == '.')
					p++;
			} else if (g_ascii_isalpha(*p) || *p == '_') {
				const char *start = p;
				while (g_ascii_isalnum(*p) || *p == '_')
					p++;
				g_autofree char *word = g_strndup(start,
				    (gsize)(p - start));
				gboolean list = after_in;
				after_in = FALSE;
				if (words++ == 0 && strcmp(word, "for") == 0)
					is_for = TRUE;
				else if (is_for && strcmp(word, "in") == 0)
					after_in = TRUE;
				else if (strcmp(word, "if") != 0 &&
				    strcmp(word, "else") != 0 &&
				    strcmp(word, "end") != 0)
					g_hash_table_insert(symbols,
					    g_steal_pointer(&word),
					    GINT_TO_POINTER(list));
			} else
				p++;
		}
		if (*p == '}')
			p++;
	}
}

static void
push_list(CtplEnviron *env, const char *name, GPtrArray *list,
    enum fill_mode mode)
{
	CtplValue *strings = ctpl_value_new();
	CtplValue *numbers = ctpl_value_new();
	g_autofree char *numbers_name = g_strconcat(name, "_numbers", NULL);
	g_autofree char *count_name = g_strconcat(name, "_count", NULL);

	ctpl_value_set_array(strings, CTPL_VTYPE_STRING, 0, NULL);
	ctpl_value_set_array(numbers, CTPL_VTYPE_INT, 0, NULL);
	for (guint i = 0; i < list->len; i++) {
		g_autofree char *v = clean_value(list->pdata[i], mode);
		ctpl_value_array_append_string(strings, v);
		ctpl_value_array_append_int(numbers, (glong)i + 1);
	}
	/* CTPL's loops have no counter: NAME_numbers (1, 2, ...) is what a
	 * template iterates over to number the items. */
	ctpl_environ_push(env, numbers_name, numbers);
	ctpl_environ_push_int(env, count_name, (glong)list->len);
	ctpl_environ_push(env, name, strings);
	ctpl_value_free(strings);
	ctpl_value_free(numbers);
}

static void
push_missing(CtplEnviron *env, const char *name, gboolean is_list)
{
	if (ctpl_environ_lookup(env, name) != NULL)
		return;
	if (is_list) {
		CtplValue *empty = ctpl_value_new();
		ctpl_value_set_array(empty, CTPL_VTYPE_STRING, 0, NULL);
		ctpl_environ_push(env, name, empty);
		ctpl_value_free(empty);
	} else
		ctpl_environ_push_string(env, name, "");
}

/* The environment for TEXT: VARS cleaned for MODE, then every other
 * symbol TEXT uses as empty. */
static CtplEnviron *
environ_for(const char *text, const struct render_vars *vars,
    enum fill_mode mode)
{
	CtplEnviron *env = ctpl_environ_new();
	g_autoptr(GHashTable) symbols = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, vars->table);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct var *v = value;
		if (v->type == VAR_LIST)
			push_list(env, key, v->list, mode);
	}
	/* Plain values after lists: a value set by name wins over a helper
	 * of the same name. */
	g_hash_table_iter_init(&it, vars->table);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct var *v = value;
		if (v->type == VAR_STRING) {
			g_autofree char *s = clean_value(v->string, mode);
			ctpl_environ_push_string(env, key, s);
		} else if (v->type == VAR_MARKUP) {
			/* Markup is the caller's to make safe: cleaned of
			 * control characters, not escaped. */
			g_autofree char *s = mode == FILL_HTML ?
			    clean_value(v->html, FILL_TEXT) :
			    clean_value(v->string, mode);
			ctpl_environ_push_string(env, key, s);
		} else if (v->type == VAR_INT)
			ctpl_environ_push_int(env, key, (glong)v->number);
	}
	scan_symbols(text, symbols);
	g_hash_table_iter_init(&it, symbols);
	while (g_hash_table_iter_next(&it, &key, &value))
		push_missing(env, key, GPOINTER_TO_INT(value));
	return env;
}

/* TEXT filled in with VARS; DISPLAY names it in errors (CTPL's own syntax
 * errors add the line and column). */
static char *
fill(const char *text, const char *display, const struct render_vars *vars,
    enum fill_mode mode, GError **error)
{
	g_autoptr(GError) err = NULL;
	CtplEnviron *env = NULL;
	CtplToken *tree = NULL;
	GOutputStream *mem = NULL;
	CtplOutputStream *out = NULL;
	char *result = NULL;
	CtplInputStream *in;

	/* The subject's text begins after "Subject:". */
	if (!template_check(text, display, 1, mode == FILL_HEADER ? 9 : 1,
	    error))
		return NULL;
	in = ctpl_input_stream_new_for_memory(text, -1, NULL, display);
	tree = ctpl_lexer_lex(in, &err);
	if (tree == NULL) {
		/* CTPL has no tree for an empty template. */
		if (err == NULL)
			result = g_strdup("");
		goto out;
	}
	env = environ_for(text, vars, mode);
	mem = g_memory_output_stream_new_resizable();
	out = ctpl_output_stream_new(mem);
	if (!ctpl_parser_parse(tree, env, out, &err) ||
	    !g_output_stream_write_all(mem, "", 1, NULL, NULL, &err) ||
	    !g_output_stream_close(mem, NULL, &err))
		goto out;
	result = g_memory_output_stream_steal_data(
	    G_MEMORY_OUTPUT_STREAM(mem));
out:
	if (err != NULL) {
		/* The lexer names the file and line already; the parser
		 * does not. */
		if (g_str_has_prefix(err->message, display))
			g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
			    "%s", err->message);
		else
			g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
			    "%s: %s", display, err->message);
	}
	if (out != NULL)
		ctpl_output_stream_unref(out);
	g_clear_object(&mem);
	if (env != NULL)
		ctpl_environ_unref(env);
	if (tree != NULL)
		ctpl_token_free(tree);
	ctpl_input_stream_unref(in);
	return result;
}

/* One newline at the end, none of the blank lines a template's last
 * {end} tends to leave. */
static char *
end_with_newline(char *text)
{
	g_strchomp(text);
	char *result = g_strconcat(text, "\n", NULL);
	g_free(text);
	return result;
}

/* A text template, filled in: its Subject (one line, cleaned as a header)
 * and its body. */
static gboolean
fill_text(const struct source *s, const struct render_vars *vars,
    char **subject, char **body, GError **error)
{
	const char *nl = strchr(s->text, '\n');

	if (g_ascii_strncasecmp(s->text, "Subject:", 8) != 0 || nl == NULL ||
	    nl[1] != '\n') {
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
		    "%s:1: a text template begins with a \"Subject: \" line "
		    "and a blank line", s->display);
		return FALSE;
	}
	g_autofree char *subject_text = g_strndup(s->text + 8,
	    (gsize)(nl - s->text - 8));
	/* The body keeps its two leading newlines so that CTPL counts its
	 * lines as in the file; they are dropped once filled. */
	g_autofree char *filled_subject = fill(subject_text, s->display, vars,
	    FILL_HEADER, error);
	if (filled_subject == NULL)
		return FALSE;
	g_autofree char *body_text = g_strconcat("\n\n", nl + 2, NULL);
	char *filled_body = fill(body_text, s->display, vars, FILL_TEXT, error);
	if (filled_body == NULL)
		return FALSE;
	/* Cleaned again as a whole: the template's own text counts too. */
	if (subject != NULL)
		*subject = g_strstrip(clean_value(filled_subject, FILL_HEADER));
	memmove(filled_body, filled_body + 2, strlen(filled_body + 2) + 1);
	*body = end_with_newline(filled_body);
	return TRUE;
}

static gboolean
load_text(struct render *r, const char *name, struct source *s,
    GError **error)
{
	g_autofree char *file = NULL;
	g_autoptr(GError) err = NULL;

	if (!name_valid(name)) {
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
		    "not a template name: \"%s\"", name != NULL ? name : "");
		return FALSE;
	}
	file = g_strconcat(name, ".txt", NULL);
	if (source_load(r, file, ORIGIN_NONE, s, &err))
		return TRUE;
	if (err != NULL)
		g_propagate_error(error, g_steal_pointer(&err));
	else
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
		    "no template %s", file);
	source_clear(s);
	return FALSE;
}

char *
render_text(struct render *r, const char *name,
    const struct render_vars *vars, GError **error)
{
	struct source s = { 0 };
	char *body = NULL;

	if (load_text(r, name, &s, error))
		fill_text(&s, vars, NULL, &body, error);
	source_clear(&s);
	return body;
}

/* --- format=flowed --------------------------------------------------- */

/* Where the first line of P ends when it is too long: after the last space
 * within FLOW_WIDTH characters, or after the first space when the first
 * word is longer than that.  NULL when P fits, or has no space to break at
 * (a long URL stays whole: breaking it would break the link). */
static const char *
flow_break(const char *p)
{
	const char *last = NULL;
	gboolean text = FALSE;
	glong n = 0;

	for (const char *q = p; *q != '\0'; q = g_utf8_next_char(q), n++) {
		if (n >= FLOW_WIDTH && last != NULL)
			return last;
		if (*q == ' ' && text) {
			if (n >= FLOW_WIDTH)
				return q + 1;
			last = q + 1;
		} else if (*q != ' ')
			text = TRUE;
	}
	return NULL;
}

/* Space-stuffing (RFC 3676 4.4): a line that starts with a space, '>' or
 * "From " gets one more space, which readers remove. */
static void
flow_append(GString *out, const char *line, gsize len)
{
	if (len > 0 && (*line == ' ' || *line == '>' ||
	    (len >= 5 && strncmp(line, "From ", 5) == 0)))
		g_string_append_c(out, ' ');
	g_string_append_len(out, line, (gssize)len);
	g_string_append_c(out, '\n');
}

/* TEXT (lines ending in LF) as format=flowed, DelSp=No: long lines broken
 * after a space, which stays at the end as the mark of a soft break;
 * trailing spaces of the other lines removed, since they would read as
 * soft breaks; the signature separator "-- " kept. */
static char *
flow_text(const char *text)
{
	GString *out = g_string_sized_new(strlen(text) + strlen(text) / 16);
	const char *p = text, *end = text + strlen(text);

	/* Line by line without splitting: a digest's text is large, and
	 * g_strsplit() searches from each line to the end of it. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		g_autofree char *whole = g_strndup(p, len);
		char *line = whole;
		const char *brk;

		p += len + (nl != NULL ? 1 : 0);
		if (strcmp(line, "-- ") != 0)
			g_strchomp(line);
		while ((brk = flow_break(line)) != NULL) {
			flow_append(out, line, (gsize)(brk - line));
			line = (char *)brk;
		}
		flow_append(out, line, strlen(line));
	}
	return g_string_free(out, FALSE);
}

/* --- the mail -------------------------------------------------------- */

static GMimeObject *
text_part(const char *subtype, const char *text, gboolean flowed)
{
	GMimePart *part = g_mime_part_new_with_type("text", subtype);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text,
	    strlen(text));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	GMimeContentEncoding encoding;

	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_object_unref(stream);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
	    "utf-8");
	if (flowed)
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part),
		    "format", "flowed");
	encoding = g_mime_part_get_best_content_encoding(part,
	    GMIME_ENCODING_CONSTRAINT_7BIT);
	/* Some transports strip trailing spaces, which are the soft breaks
	 * of flowed text; quoted-printable keeps them. */
	if (flowed && encoding == GMIME_CONTENT_ENCODING_7BIT &&
	    strstr(text, " \n") != NULL)
		encoding = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	g_mime_part_set_content_encoding(part, encoding);
	return GMIME_OBJECT(part);
}

/* A Message-ID as given (without <>): printable ASCII, no spaces or angle
 * brackets, an '@' inside.  Unusable ones from received mail are left out
 * of In-Reply-To and References rather than failing the mail. */
static gboolean
msgid_valid(const char *id)
{
	const char *at;

	if (id == NULL || *id == '\0')
		return FALSE;
	for (const char *p = id; *p != '\0'; p++)
		if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f ||
		    strchr("<>\"\\,;", *p) != NULL)
			return FALSE;
	at = strchr(id, '@');
	return at != NULL && at != id && at[1] != '\0';
}

/* References: the parent's references, then the parent. */
static char *
references_of(const struct render_headers *h)
{
	g_auto(GStrv) refs = g_strsplit_set(h->references != NULL ?
	    h->references : "", " \t\r\n", -1);
	GString *out = g_string_new(NULL);
	gboolean parent_seen = FALSE;

	for (char **ref = refs; *ref != NULL; ref++) {
		if (!msgid_valid(*ref))
			continue;
		if (h->in_reply_to != NULL && strcmp(*ref, h->in_reply_to) == 0)
			parent_seen = TRUE;
		g_string_append_printf(out, "%s<%s>", out->len > 0 ? " " : "",
		    *ref);
	}
	if (msgid_valid(h->in_reply_to) && !parent_seen)
		g_string_append_printf(out, "%s<%s>", out->len > 0 ? " " : "",
		    h->in_reply_to);
	return g_string_free(out, out->len == 0);
}

/* Bytes of text per encoded word: 40 characters of base64, so that with
 * its "=?UTF-8?b?" and "?=" and the longest header name the line stays
 * within the 76 characters RFC 2047 allows. */
#define WORD_BYTES 30

/* TEXT (UTF-8) as the raw value of an unstructured header, all of it in
 * encoded words, each of whole characters, one a line: a reader decodes
 * them to TEXT exactly (the white space between encoded words is not
 * text), a text typed as an encoded word included. */
static char *
encoded_words(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p = text;

	while (*p != '\0') {
		const char *q = p;
		g_autofree char *b64 = NULL;

		while (*q != '\0' && g_utf8_next_char(q) - p <= WORD_BYTES)
			q = g_utf8_next_char(q);
		if (q == p)	/* cannot be: a character is at most 4 bytes */
			q = g_utf8_next_char(q);
		b64 = g_base64_encode((const guchar *)p, (gsize)(q - p));
		g_string_append_printf(out, " =?UTF-8?b?%s?=\n", b64);
		p = q;
	}
	return g_string_free(out, FALSE);
}

/* Makes header NAME of MSG, set by GMime already, give TEXT back to every
 * reader, followed by TAIL ("<a@b>", or NULL) as it is.  GMime encodes
 * what needs it, but leaves a word that looks like an encoded word
 * ("=?utf-8?q?a=0D=0ABcc:_x?=") as it is, and readers would decode it to
 * something else (a line break, a header): text with "=?" goes as
 * encoded words throughout.  Text typed on a command line (a team's or a
 * check-in's title) thus stays what was typed. */
static void
set_text_header(GMimeMessage *msg, const char *name, const char *text,
    const char *tail)
{
	g_autofree char *words = NULL, *raw = NULL;
	GMimeHeader *h;

	if (strstr(text, "=?") == NULL)
		return;
	h = g_mime_header_list_get_header(g_mime_object_get_header_list(
	    GMIME_OBJECT(msg)), name);
	if (h == NULL)
		return;
	words = encoded_words(text);
	raw = tail != NULL ? g_strdup_printf("%s %s\n", words, tail) :
	    g_steal_pointer(&words);
	g_mime_header_set_raw_value(h, raw);
}

static void
set_header(GMimeMessage *msg, const char *name, const char *value)
{
	g_autofree char *clean = NULL;

	if (value == NULL)
		return;
	clean = clean_value(value, FILL_HEADER);
	g_strstrip(clean);
	if (*clean == '\0')
		return;
	g_mime_object_set_header(GMIME_OBJECT(msg), name, clean, "utf-8");
	set_text_header(msg, name, clean, NULL);
}

/* List-Id: "Team title <team.example.org>", whose title is text. */
static void
set_list_id(GMimeMessage *msg, const char *value)
{
	g_autofree char *clean = NULL;
	char *open;

	set_header(msg, "List-Id", value);
	if (value == NULL)
		return;
	clean = g_strstrip(clean_value(value, FILL_HEADER));
	open = strrchr(clean, '<');
	if (open == NULL || open == clean || open[-1] != ' ' ||
	    !g_str_has_suffix(open, ">"))
		return;
	open[-1] = '\0';
	set_text_header(msg, "List-Id", clean, open);
}

/* A header whose value is ASCII and must stay as written: GMime would
 * encode a long word (a List-Unsubscribe URI) as RFC 2047, which mail
 * programs do not decode there.  Anything else goes through
 * set_header(). */
static void
set_header_verbatim(GMimeMessage *msg, const char *name, const char *value)
{
	g_autofree char *clean = NULL, *raw = NULL;
	GMimeHeader *h;

	if (value == NULL)
		return;
	clean = clean_value(value, FILL_HEADER);
	g_strstrip(clean);
	for (const char *p = clean; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80) {
			set_header(msg, name, clean);
			return;
		}
	if (*clean == '\0')
		return;
	g_mime_object_set_header(GMIME_OBJECT(msg), name, clean, NULL);
	h = g_mime_header_list_get_header(g_mime_object_get_header_list(
	    GMIME_OBJECT(msg)), name);
	raw = g_strdup_printf(" %s\n", clean);
	if (h != NULL)
		g_mime_header_set_raw_value(h, raw);
}

static void
add_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *name,
    const char *addr)
{
	g_autofree char *clean = name != NULL ?
	    clean_value(name, FILL_HEADER) : NULL;

	if (clean != NULL)
		g_strstrip(clean);
	g_mime_message_add_mailbox(msg, type, clean != NULL && *clean != '\0' ?
	    clean : NULL, addr);
	/* The display name is text too: see set_text_header(). */
	if (clean != NULL && internet_address_list_length(
	    g_mime_message_get_addresses(msg, type)) == 1) {
		g_autofree char *tail = g_strdup_printf("<%s>", addr);
		set_text_header(msg, type == GMIME_ADDRESS_TYPE_FROM ? "From" :
		    type == GMIME_ADDRESS_TYPE_TO ? "To" : "Reply-To", clean,
		    tail);
	}
}

static gboolean
check_headers(const struct render_headers *h, GError **error)
{
	if (!check_address("From", h->from, error) ||
	    !check_address("To", h->to, error) ||
	    (h->reply_to != NULL && !check_address("Reply-To", h->reply_to,
	    error)))
		return FALSE;
	if (!msgid_valid(h->message_id)) {
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_ADDRESS,
		    "Message-ID: not a plain id: \"%s\"", h->message_id != NULL ?
		    h->message_id : "");
		return FALSE;
	}
	return TRUE;
}

/* Whether the mail of template NAME is a personal question to one person,
 * a prompt or its reminder, which people and their out-of-office
 * responders answer.  It carries no List-Id, no Precedence and no
 * Auto-Submitted: each tells RFC 3834 and RFC 5230 responders (Sieve
 * vacation, Gmail, Exchange) to stay silent, and an absent member would
 * only be found by their calendar.  Loops are held by tidings' own
 * guards: its marker header, which it never answers, and its rule of
 * never answering a machine (README, "No loops"). */
static gboolean
personal_question(const char *name)
{
	return strcmp(name, "prompt") == 0 || strcmp(name, "reminder") == 0;
}

/* The headers of H on MSG, all but Subject and the MIME ones. */
static void
set_top_headers(GMimeMessage *msg, const char *name,
    const struct render_headers *h)
{
	g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc(h->date);
	g_autofree char *refs = references_of(h);

	add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, h->from_name, h->from);
	add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, h->to_name, h->to);
	if (h->reply_to != NULL)
		add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, h->reply_to);
	if (date != NULL)
		g_mime_message_set_date(msg, date);
	g_mime_message_set_message_id(msg, h->message_id);
	if (msgid_valid(h->in_reply_to)) {
		g_autofree char *v = g_strdup_printf("<%s>", h->in_reply_to);
		g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", v,
		    NULL);
	}
	if (refs != NULL)
		g_mime_object_set_header(GMIME_OBJECT(msg), "References", refs,
		    NULL);
	if (!personal_question(name)) {
		set_list_id(msg, h->list_id);
		set_header(msg, "Auto-Submitted", h->auto_submitted != NULL ?
		    h->auto_submitted : "auto-generated");
	}
	/* The loop filter knows tidings' own mail by this header: it is
	 * never left out. */
	set_header(msg, FILTER_MARKER_HEADER, h->marker != NULL ? h->marker : name);
	for (const char *const *x = h->extra; x != NULL && x[0] != NULL &&
	    x[1] != NULL; x += 2)
		set_header_verbatim(msg, x[0], x[1]);
}

static GMimeMessage *
build_message(const char *name, const struct render_headers *h,
    const char *subject, GMimeObject *body)
{
	GMimeMessage *msg = g_mime_message_new(FALSE);

	set_top_headers(msg, name, h);
	g_mime_message_set_subject(msg, subject, "utf-8");
	set_text_header(msg, "Subject", subject, NULL);
	g_mime_object_set_header(GMIME_OBJECT(msg), "MIME-Version", "1.0",
	    NULL);
	g_mime_message_set_mime_part(msg, body);
	return msg;
}

/* Whether the header line at LINE is one a copy keeps from the mail it is
 * made of: the subject and what says how the body is built. */
static gboolean
kept_header(const char *line)
{
	return g_ascii_strncasecmp(line, "Subject:", 8) == 0 ||
	    g_ascii_strncasecmp(line, "MIME-Version:", 13) == 0 ||
	    g_ascii_strncasecmp(line, "Content-", 8) == 0;
}

GBytes *
render_rehead(const struct render_headers *h, GBytes *mail, GBytes **body,
    GError **error)
{
	gsize len;
	const char *data = g_bytes_get_data(mail, &len);
	const char *end = g_strstr_len(data, (gssize)len, "\n\n");
	GMimeMessage *msg;
	g_autofree char *top = NULL;
	GString *head;
	gboolean keep = FALSE;

	if (end == NULL) {
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_TEMPLATE,
		    "a mail without a body cannot be copied");
		return NULL;
	}
	if (!check_headers(h, error))
		return NULL;
	msg = g_mime_message_new(FALSE);
	set_top_headers(msg, h->marker != NULL ? h->marker : "copy", h);
	top = g_mime_object_get_headers(GMIME_OBJECT(msg), NULL);
	g_object_unref(msg);
	head = g_string_new(top);
	/* Header lines of the original, with their continuation lines. */
	for (const char *p = data; p <= end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end + 1 - p));
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (*p != ' ' && *p != '\t')
			keep = kept_header(p);
		if (keep)
			g_string_append_len(head, p, (gssize)n);
		p += n;
		if (nl == NULL)
			break;
	}
	g_string_append_c(head, '\n');
	*body = g_bytes_new_from_bytes(mail, (gsize)(end + 2 - data),
	    len - (gsize)(end + 2 - data));
	return g_string_free_to_bytes(head);
}

/* The body of template NAME filled in with VARS: its text, format=flowed,
 * or the text and the HTML as multipart/alternative.  *SUBJECT gets the
 * rendered subject.  Caller unrefs. */
static GMimeObject *
render_body(struct render *r, const char *name,
    const struct render_vars *vars, char **subject, GError **error)
{
	struct source txt = { 0 }, html = { 0 };
	g_autofree char *body = NULL, *flowed = NULL;
	g_autofree char *html_body = NULL, *html_file = NULL;
	g_autoptr(GError) err = NULL;
	GMimeObject *part = NULL;

	if (!load_text(r, name, &txt, error) ||
	    !fill_text(&txt, vars, subject, &body, error))
		goto out;
	/* The HTML comes from where the text came from: an override of the
	 * text alone is not contradicted by the compiled-in HTML. */
	html_file = g_strconcat(name, ".html", NULL);
	if (source_load(r, html_file, txt.origin, &html, &err)) {
		html_body = fill(html.text, html.display, vars, FILL_HTML, error);
		if (html_body == NULL)
			goto out;
	} else if (err != NULL) {
		g_propagate_error(error, g_steal_pointer(&err));
		goto out;
	}
	flowed = flow_text(body);
	part = text_part("plain", flowed, TRUE);
	if (html_body != NULL) {
		GMimeMultipart *alt = g_mime_multipart_new_with_subtype(
		    "alternative");
		GMimeObject *hpart = text_part("html", html_body, FALSE);
		g_mime_multipart_add(alt, part);
		g_mime_multipart_add(alt, hpart);
		g_object_unref(part);
		g_object_unref(hpart);
		part = GMIME_OBJECT(alt);
	}
out:
	source_clear(&txt);
	source_clear(&html);
	return part;
}

/* BODY under the headers of H, as bytes; takes BODY. */
static GBytes *
mail_bytes(const char *name, const struct render_headers *h,
    const char *subject, GMimeObject *body)
{
	GMimeMessage *msg = build_message(name, h, subject, body);
	char *raw = g_mime_object_to_string(GMIME_OBJECT(msg), NULL);
	GBytes *result = g_bytes_new_take(raw, strlen(raw));

	g_object_unref(body);
	g_object_unref(msg);
	return result;
}

GBytes *
render_mail(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    char **subject, GError **error)
{
	g_autofree char *subj = NULL;
	GMimeObject *part;
	GBytes *result;

	if (!check_headers(h, error) ||
	    (part = render_body(r, name, vars, &subj, error)) == NULL)
		return NULL;
	result = mail_bytes(name, h, subj, part);
	if (subject != NULL)
		*subject = g_steal_pointer(&subj);
	return result;
}

/* REPLY as a message/rfc822 part of its kept headers and text. */
static GMimeObject *
rfc822_part(const struct render_digest_reply *reply)
{
	GMimeMessage *msg = g_mime_message_new(FALSE);
	g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc(reply->date);
	g_autofree char *subject = reply->subject != NULL ?
	    clean_value(reply->subject, FILL_HEADER) : NULL;
	GMimeObject *body = text_part("plain", reply->text != NULL ?
	    reply->text : "", FALSE);
	GMimeMessagePart *part;

	add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, reply->from_name,
	    reply->from);
	if (date != NULL)
		g_mime_message_set_date(msg, date);
	if (subject != NULL) {
		g_mime_message_set_subject(msg, g_strstrip(subject), "utf-8");
		set_text_header(msg, "Subject", subject, NULL);
	}
	if (msgid_valid(reply->message_id))
		g_mime_message_set_message_id(msg, reply->message_id);
	g_mime_object_set_header(GMIME_OBJECT(msg), "MIME-Version", "1.0",
	    NULL);
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	part = g_mime_message_part_new_with_message("rfc822", msg);
	g_object_unref(msg);
	return GMIME_OBJECT(part);
}

GBytes *
render_mail_digest(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    GPtrArray *replies, char **subject, GError **error)
{
	g_autofree char *subj = NULL;
	GMimeMultipart *mixed, *digest;
	GMimeObject *part;
	GBytes *result;

	if (!check_headers(h, error) ||
	    (part = render_body(r, name, vars, &subj, error)) == NULL)
		return NULL;
	digest = g_mime_multipart_new_with_subtype("digest");
	for (guint i = 0; replies != NULL && i < replies->len; i++) {
		GMimeObject *m = rfc822_part(replies->pdata[i]);
		g_mime_multipart_add(digest, m);
		g_object_unref(m);
	}
	/* A multipart has at least one part: with no messages, the text
	 * alone. */
	if (g_mime_multipart_get_count(digest) > 0) {
		mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, part);
		g_mime_multipart_add(mixed, GMIME_OBJECT(digest));
		g_object_unref(part);
		part = GMIME_OBJECT(mixed);
	}
	g_object_unref(digest);
	result = mail_bytes(name, h, subj, part);
	if (subject != NULL)
		*subject = g_steal_pointer(&subj);
	return result;
}

/* CALENDAR as a text/calendar part: line ends as LF (the transport makes
 * them CRLF), 7bit while it is ASCII. */
static GMimeObject *
calendar_part(const char *method, const char *calendar)
{
	g_autoptr(GString) text = g_string_new(calendar);
	GMimeObject *part;

	g_string_replace(text, "\r\n", "\n", 0);
	part = text_part("calendar", text->str, FALSE);
	g_mime_object_set_content_type_parameter(part, "charset", "UTF-8");
	g_mime_object_set_content_type_parameter(part, "method", method);
	return part;
}

GBytes *
render_mail_calendar(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    const char *method, const char *calendar, char **subject,
    GError **error)
{
	g_autofree char *subj = NULL;
	GMimeObject *part, *cal;
	GMimeMultipart *alt;
	GBytes *result;

	if (!check_headers(h, error) ||
	    (part = render_body(r, name, vars, &subj, error)) == NULL)
		return NULL;
	if (GMIME_IS_MULTIPART(part))
		alt = GMIME_MULTIPART(part);
	else {
		alt = g_mime_multipart_new_with_subtype("alternative");
		g_mime_multipart_add(alt, part);
		g_object_unref(part);
	}
	cal = calendar_part(method, calendar);
	g_mime_multipart_add(alt, cal);
	g_object_unref(cal);
	result = mail_bytes(name, h, subj, GMIME_OBJECT(alt));
	if (subject != NULL)
		*subject = g_steal_pointer(&subj);
	return result;
}

/* --- text as HTML ------------------------------------------------------ */

/* Whether URL is one a reader may follow from a digest. */
static gboolean
url_followable(const char *url)
{
	return url != NULL && (g_ascii_strncasecmp(url, "https://", 8) == 0 ||
	    g_ascii_strncasecmp(url, "http://", 7) == 0 ||
	    g_ascii_strncasecmp(url, "mailto:", 7) == 0);
}

static void
insert_text_before(cmark_node *at, const char *text)
{
	cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);

	cmark_node_set_literal(t, text);
	cmark_node_insert_before(at, t);
}

/* The plain text of NODE's inline children, as a link's label. */
static void
inline_text(cmark_node *node, GString *out)
{
	for (cmark_node *c = cmark_node_first_child(node); c != NULL;
	    c = cmark_node_next(c)) {
		const char *lit = cmark_node_get_literal(c);
		if (lit != NULL)
			g_string_append(out, lit);
		inline_text(c, out);
	}
}

/* Moves NODE's children before it, then removes it. */
static void
unwrap(cmark_node *node)
{
	cmark_node *c;

	while ((c = cmark_node_first_child(node)) != NULL)
		cmark_node_insert_before(node, c);
	cmark_node_free(node);
}

/* Raw HTML, which safe mode would drop, shown as the text it is. */
static void
defuse_html(cmark_node *node, gboolean block)
{
	const char *lit = cmark_node_get_literal(node);
	g_auto(GStrv) lines = NULL;
	cmark_node *para;

	if (!block) {
		insert_text_before(node, lit != NULL ? lit : "");
		cmark_node_free(node);
		return;
	}
	para = cmark_node_new(CMARK_NODE_PARAGRAPH);
	lines = g_strsplit(lit != NULL ? lit : "", "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (*lines[i] == '\0' && lines[i + 1] == NULL)
			break;
		if (i > 0)
			cmark_node_append_child(para,
			    cmark_node_new(CMARK_NODE_LINEBREAK));
		cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(t, lines[i]);
		cmark_node_append_child(para, t);
	}
	cmark_node_insert_before(node, para);
	cmark_node_free(node);
}

/* An image becomes its description and address, as text: nothing is
 * loaded.  A link keeps its address in sight when it differs from its
 * text, and is text alone unless it is http, https or mailto. */
static void
defuse_link(cmark_node *node, gboolean image)
{
	const char *url = cmark_node_get_url(node);
	g_autoptr(GString) label = g_string_new(NULL);
	g_autofree char *note = NULL;

	inline_text(node, label);
	if (image)
		note = g_strdup_printf(label->len > 0 ? " (image: %s)" :
		    "(image: %s)", url != NULL ? url : "");
	else if (url != NULL && *url != '\0' && strcmp(label->str, url) != 0 &&
	    !(g_str_has_prefix(url, "mailto:") &&
	    strcmp(label->str, url + 7) == 0))
		note = g_strdup_printf(" (%s)", url);
	if (note != NULL) {
		cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(t, note);
		cmark_node_insert_after(node, t);
	}
	if (image || !url_followable(url))
		unwrap(node);
}

char *
render_text_html(const char *text)
{
	const int options = CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS |
	    CMARK_OPT_VALIDATE_UTF8;
	g_autofree char *clean = clean_value(text != NULL ? text : "",
	    FILL_TEXT);
	cmark_node *doc = cmark_parse_document(clean, strlen(clean), options);
	cmark_iter *it = cmark_iter_new(doc);
	g_autoptr(GPtrArray) todo = g_ptr_array_new();
	cmark_event_type ev;
	char *html;
	char *result;

	/* The tree may change only once walked. */
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_IMAGE:
		case CMARK_NODE_LINK:
			/* Raw HTML is a leaf, entered only; links and
			 * images are taken on the way out. */
			if (ev == CMARK_EVENT_EXIT ||
			    cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK ||
			    cmark_node_get_type(n) == CMARK_NODE_HTML_INLINE)
				g_ptr_array_add(todo, n);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	/* Innermost first: an image inside a link is done before the link. */
	for (guint i = 0; i < todo->len; i++) {
		cmark_node *n = todo->pdata[i];
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_HTML_BLOCK:
			defuse_html(n, TRUE);
			break;
		case CMARK_NODE_HTML_INLINE:
			defuse_html(n, FALSE);
			break;
		case CMARK_NODE_IMAGE:
			defuse_link(n, TRUE);
			break;
		default:
			defuse_link(n, FALSE);
			break;
		}
	}
	html = cmark_render_html(doc, options);
	cmark_node_free(doc);
	result = g_strdup(html);
	cmark_get_default_mem_allocator()->free(html);
	return result;
}
