/* The full export as JSON and its restore; see backup.h.
 *
 * The document:
 *   {"tidings": "export", "version": 1, "schema": N,
 *    "tables": {"teams": [{"id": 1, "name": "platform", ...}, ...], ...}}
 * with every table of store_export_tables() in that order, each row an
 * object of its columns: integers, text as strings, NULL as null, and
 * what is not text (raw mail) as {"base64": "..."} (text that is not
 * UTF-8 as {"text-base64": "..."}).  Written with one row a line, so that
 * two exports of the same data are the same bytes. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "backup.h"
#include "store.h"
#include "store-export.h"

#define EXPORT_VERSION 1

G_DEFINE_QUARK(tidings-backup-error-quark, backup_error)

/* --- out --------------------------------------------------------------- */

struct writer {
	FILE *out;
	guint rows;	/* of the table being written */
};

static void
add_base64(JsonBuilder *b, const char *key, const struct store_cell *c)
{
	g_autofree char *text = g_base64_encode(c->data, c->len);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, text);
	json_builder_end_object(b);
}

static void
add_cell(JsonBuilder *b, const struct store_cell *c)
{
	g_autofree char *text = NULL;

	json_builder_set_member_name(b, c->column);
	switch (c->type) {
	case STORE_CELL_INTEGER:
		json_builder_add_int_value(b, c->integer);
		break;
	case STORE_CELL_REAL:
		json_builder_add_double_value(b, c->real);
		break;
	case STORE_CELL_TEXT:
		if (!g_utf8_validate((const char *)c->data, (gssize)c->len,
		    NULL) || memchr(c->data, '\0', c->len) != NULL) {
			add_base64(b, "text-base64", c);
			break;
		}
		text = g_strndup((const char *)c->data, c->len);
		json_builder_add_string_value(b, text);
		break;
	case STORE_CELL_BLOB:
		add_base64(b, "base64", c);
		break;
	default:
		json_builder_add_null_value(b);
	}
}

static gboolean
write_row(const struct store_cell *cells, guint n, gpointer data,
    G_GNUC_UNUSED GError **error)
{
	struct writer *w = data;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	for (guint i = 0; i < n; i++)
		add_cell(b, &cells[i]);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	fprintf(w->out, "%s\n    %s", w->rows++ > 0 ? "," : "", text);
	return TRUE;
}

gboolean
backup_export_json(struct store *st, FILE *out, GError **error)
{
	const char *const *tables = store_export_tables();
	struct writer w = { out, 0 };
	gboolean ok = TRUE;

	if (!store_export_begin(st, error))
		return FALSE;
	fprintf(out, "{\"tidings\": \"export\", \"version\": %d, "
	    "\"schema\": %d,\n \"tables\": {", EXPORT_VERSION,
	    store_schema_version(st));
	for (gsize i = 0; ok && tables[i] != NULL; i++) {
		fprintf(out, "%s\n  \"%s\": [", i > 0 ? "," : "", tables[i]);
		w.rows = 0;
		ok = store_export_rows(st, tables[i], write_row, &w, error);
		fprintf(out, "%s]", w.rows > 0 ? "\n  " : "");
	}
	fprintf(out, "\n }\n}\n");
	store_export_end(st);
	return ok;
}

/* --- in ---------------------------------------------------------------- */

static gboolean
format_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
format_error(GError **error, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, BACKUP_ERROR, BACKUP_ERROR_FORMAT, msg);
	return FALSE;
}

/* C from the value NODE of COLUMN; what it points to is kept in KEEP. */
static gboolean
read_value(const char *table, const char *column, JsonNode *node,
    struct store_cell *c, GPtrArray *keep, GError **error)
{
	memset(c, 0, sizeof *c);
	c->column = column;
	if (JSON_NODE_HOLDS_NULL(node))
		return TRUE;
	if (JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *o = json_node_get_object(node);
		gboolean text = json_object_has_member(o, "text-base64");
		const char *b64 = json_object_get_string_member_with_default(o,
		    text ? "text-base64" : "base64", NULL);
		gsize len;
		guchar *data;
		if (b64 == NULL || json_object_get_size(o) != 1)
			return format_error(error, "%s.%s: an object that is "
			    "not {\"base64\": ...}", table, column);
		data = g_base64_decode(b64, &len);
		g_ptr_array_add(keep, data);
		c->type = text ? STORE_CELL_TEXT : STORE_CELL_BLOB;
		c->data = data != NULL ? data : (const guint8 *)"";
		c->len = len;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE(node))
		return format_error(error, "%s.%s: a list where a value "
		    "belongs", table, column);
	switch (json_node_get_value_type(node)) {
	case G_TYPE_INT64:
		c->type = STORE_CELL_INTEGER;
		c->integer = json_node_get_int(node);
		return TRUE;
	case G_TYPE_DOUBLE:
		c->type = STORE_CELL_REAL;
		c->real = json_node_get_double(node);
		return TRUE;
	case G_TYPE_STRING:
		c->type = STORE_CELL_TEXT;
		c->data = (const guint8 *)json_node_get_string(node);
		c->len = strlen((const char *)c->data);
		return TRUE;
	default:
		return format_error(error, "%s.%s: true or false where a "
		    "number or text belongs", table, column);
	}
}

static gboolean
import_row(struct store *st, const char *table, JsonNode *row, GError **error)
{
	g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GList) members = NULL;
	g_autofree struct store_cell *cells = NULL;
	JsonObject *o;
	guint n = 0;

	if (!JSON_NODE_HOLDS_OBJECT(row))
		return format_error(error, "%s: a row that is not an object",
		    table);
	o = json_node_get_object(row);
	members = json_object_get_members(o);
	cells = g_new0(struct store_cell, g_list_length(members) + 1);
	for (GList *l = members; l != NULL; l = l->next, n++)
		if (!read_value(table, l->data, json_object_get_member(o,
		    l->data), &cells[n], keep, error))
			return FALSE;
	return store_import_row(st, table, cells, n, error);
}

/* Every member of TABLES names a table of this tidings. */
static gboolean
check_tables(JsonObject *tables, GError **error)
{
	const char *const *known = store_export_tables();
	g_autoptr(GList) members = json_object_get_members(tables);

	for (GList *l = members; l != NULL; l = l->next) {
		gsize i;
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], l->data) == 0)
				break;
		if (known[i] == NULL)
			return format_error(error, "it has a table \"%s\" that "
			    "this tidings does not know", (char *)l->data);
	}
	return TRUE;
}

/* The document's tables, once its header says it is one this tidings
 * can restore. */
static JsonObject *
read_header(struct store *st, JsonParser *p, GError **error)
{
	JsonNode *root = json_parser_get_root(p);
	JsonObject *o, *tables;
	gint64 schema;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root) ||
	    g_strcmp0(json_object_get_string_member_with_default(
	    o = json_node_get_object(root), "tidings", NULL), "export") != 0) {
		format_error(error, "it is not an export of tidings "
		    "('tidings export --full' writes one)");
		return NULL;
	}
	if (json_object_get_int_member_with_default(o, "version", 0) >
	    EXPORT_VERSION || (schema = json_object_get_int_member_with_default(
	    o, "schema", 0)) > store_schema_version(st)) {
		g_set_error(error, BACKUP_ERROR, BACKUP_ERROR_NEWER,
		    "it was written by a newer tidings; restore it with that "
		    "version or a later one");
		return NULL;
	}
	if (schema <= 0 || !json_object_has_member(o, "tables") ||
	    !JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "tables"))) {
		format_error(error, "it has no schema version or no tables");
		return NULL;
	}
	tables = json_object_get_object_member(o, "tables");
	return check_tables(tables, error) ? tables : NULL;
}

static gboolean
refuse_unless_empty(struct store *st, const char *how, GError **error)
{
	guint64 rows, teams, people, mails;

	if (!store_export_count(st, &rows, &teams, &people, &mails, error))
		return FALSE;
	if (rows == 0)
		return TRUE;
	g_set_error(error, BACKUP_ERROR, BACKUP_ERROR_NOT_EMPTY,
	    "%s is not empty (teams: %" G_GUINT64_FORMAT ", people: %"
	    G_GUINT64_FORMAT ", mails: %" G_GUINT64_FORMAT "): %s", store_path(st), teams, people, mails,
	    how);
	return FALSE;
}

static gboolean
import_tables(struct store *st, JsonObject *tables, guint64 *rows,
    GError **error)
{
	const char *const *names = store_export_tables();

	for (gsize i = 0; names[i] != NULL; i++) {
		JsonNode *t = json_object_get_member(tables, names[i]);
		JsonArray *a;
		if (t == NULL)
			continue;
		if (!JSON_NODE_HOLDS_ARRAY(t))
			return format_error(error, "%s is not a list of rows",
			    names[i]);
		a = json_node_get_array(t);
		for (guint j = 0; j < json_array_get_length(a); j++) {
			if (!import_row(st, names[i], json_array_get_element(a,
			    j), error))
				return FALSE;
			(*rows)++;
		}
	}
	return TRUE;
}

gboolean
backup_import_json(struct store *st, const char *path, guint64 *rows,
    GError **error)
{
	g_autoptr(JsonParser) p = json_parser_new_immutable();
	g_autoptr(GError) err = NULL;
	JsonObject *tables;

	*rows = 0;
	if (!json_parser_load_from_mapped_file(p, path, &err)) {
		if (err->domain == G_FILE_ERROR)
			g_propagate_error(error, g_steal_pointer(&err));
		else
			format_error(error, "%s is not JSON: %s", path,
			    err->message);
		return FALSE;
	}
	if ((tables = read_header(st, p, &err)) == NULL) {
		g_set_error(error, BACKUP_ERROR, err->code, "%s: %s", path,
		    err->message);
		return FALSE;
	}
	if (!refuse_unless_empty(st, "an export is restored into a new "
	    "database only; name one that does not exist yet with --db",
	    error) || !store_import_begin(st, error))
		return FALSE;
	if (!import_tables(st, tables, rows, &err) ||
	    !store_import_end(st, &err)) {
		store_rollback(st);
		/* What the database refuses of a row (a column it does
		 * not have, a team no row names) is the export's fault. */
		if (err->domain == BACKUP_ERROR || (err->domain ==
		    STORE_ERROR && (err->code == STORE_ERROR_FAILED ||
		    err->code == STORE_ERROR_NOT_FOUND)))
			g_set_error(error, BACKUP_ERROR, BACKUP_ERROR_FORMAT,
			    "%s: nothing restored: %s", path, err->message);
		else
			g_propagate_prefixed_error(error, g_steal_pointer(&err),
			    "%s: nothing restored: ", path);
		return FALSE;
	}
	return TRUE;
}

/* --- from one database into another ------------------------------------ */

static gboolean
copy_row(const struct store_cell *cells, guint n, gpointer data,
    GError **error)
{
	struct backup_copy *c = data;

	if (!store_import_row(c->to, c->table, cells, n, error))
		return FALSE;
	c->rows++;
	return TRUE;
}

/* Both hold the same: each table's rows counted, and the raw mail. */
static gboolean
copy_verify(struct store *from, struct store *to, GError **error)
{
	const char *const *names = store_export_tables();
	g_autofree char *a = NULL, *b = NULL;

	for (gsize i = 0; names[i] != NULL; i++) {
		guint64 n, m;
		if (!store_export_table_count(from, names[i], &n, error) ||
		    !store_export_table_count(to, names[i], &m, error))
			return FALSE;
		if (n != m) {
			g_set_error(error, BACKUP_ERROR, BACKUP_ERROR_DIFFERS,
			    "%s: %" G_GUINT64_FORMAT " rows in %s, %"
			    G_GUINT64_FORMAT " in the copy", names[i], n,
			    store_path(from), m);
			return FALSE;
		}
	}
	if ((a = store_export_raw_digest(from, error)) == NULL ||
	    (b = store_export_raw_digest(to, error)) == NULL)
		return FALSE;
	if (strcmp(a, b) != 0) {
		g_set_error(error, BACKUP_ERROR, BACKUP_ERROR_DIFFERS,
		    "the raw mail of the copy differs from that of %s (SHA-256 "
		    "%s, not %s)", store_path(from), b, a);
		return FALSE;
	}
	return TRUE;
}

gboolean
backup_copy_store(struct store *from, struct store *to,
    struct backup_copy *c, GError **error)
{
	const char *const *names = store_export_tables();
	g_autoptr(GError) err = NULL;
	gboolean ok = TRUE;

	memset(c, 0, sizeof *c);
	c->to = to;
	if (!refuse_unless_empty(to, "a copy goes into a new database only; "
	    "name one that holds nothing yet", error))
		return FALSE;
	if (!store_export_begin(from, error))
		return FALSE;
	if (!store_import_begin(to, error)) {
		store_export_end(from);
		return FALSE;
	}
	for (gsize i = 0; ok && names[i] != NULL; i++) {
		c->table = names[i];
		ok = store_export_rows(from, names[i], copy_row, c, &err);
	}
	store_export_end(from);
	c->table = NULL;
	if (!ok || !store_import_end(to, &err)) {
		store_rollback(to);
		g_propagate_prefixed_error(error, g_steal_pointer(&err),
		    "%s: nothing copied: ", store_path(to));
		return FALSE;
	}
	if (!copy_verify(from, to, error))
		return FALSE;
	return (c->digest = store_export_raw_digest(to, error)) != NULL;
}

void
backup_copy_clear(struct backup_copy *c)
{
	g_clear_pointer(&c->digest, g_free);
}
