/* Showing mail to people and scripts; see report.h. */
#include "config.h"

#include <stdio.h>

#include "message.h"
#include "report.h"
#include "store.h"
#include "store-message.h"
#include "utf8.h"

char *
report_date(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(t);

	return dt != NULL ? g_date_time_format(dt, "%Y-%m-%d %H:%M %:z") :
	    g_strdup("?");
}

/* Replaces *FIELD by its visible form. */
static void
make_visible(char **field, gboolean lines)
{
	char *v = utf8_visible(*field, lines);

	g_free(*field);
	*field = v;
}

void
report_row_visible(struct message_row *r)
{
	char **one_line[] = { &r->message_id, &r->parent, &r->in_reply_to,
	    &r->refs, &r->sender, &r->sender_name, &r->subject, &r->source,
	    &r->reason, &r->snippet, &r->trust_reason };

	for (size_t i = 0; i < G_N_ELEMENTS(one_line); i++)
		make_visible(one_line[i], FALSE);
	make_visible(&r->body_text, TRUE);
}

const char *
report_visible(GPtrArray *pool, const char *s)
{
	char *v = utf8_visible(s, FALSE);

	if (v != NULL)
		g_ptr_array_add(pool, v);
	return v;
}

void
report_json_str(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

void
report_json_int(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

static void
member_time(JsonBuilder *b, const char *name, gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
	g_autofree char *iso = dt != NULL ? g_date_time_format_iso8601(dt) : NULL;

	report_json_str(b, name, iso);
}

static void
member_strv(JsonBuilder *b, const char *name, GPtrArray *values)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (guint i = 0; values != NULL && i < values->len; i++)
		json_builder_add_string_value(b, values->pdata[i]);
	json_builder_end_array(b);
}

void
report_row_json(JsonBuilder *b, const struct message_row *r)
{
	report_json_int(b, "id", r->id);
	report_json_str(b, "message_id", r->message_id);
	if (r->thread_id != 0)
		report_json_int(b, "thread", r->thread_id);
	else {
		json_builder_set_member_name(b, "thread");
		json_builder_add_null_value(b);
	}
	report_json_str(b, "parent", r->parent);
	report_json_str(b, "in_reply_to", r->in_reply_to);
	report_json_str(b, "references", r->refs);
	report_json_str(b, "from", r->sender);
	report_json_str(b, "from_name", r->sender_name);
	report_json_str(b, "subject", r->subject);
	member_time(b, "date", r->date);
	member_time(b, "received", r->received_at);
	report_json_str(b, "source", r->source);
	report_json_str(b, "kind", r->kind);
	report_json_str(b, "state", r->state);
	report_json_str(b, "reason", r->reason);
	json_builder_set_member_name(b, "conflict");
	json_builder_add_boolean_value(b, r->conflict);
	report_json_int(b, "size", r->size);
	json_builder_set_member_name(b, "trusted");
	json_builder_add_boolean_value(b, r->trusted);
	report_json_str(b, "trust_reason", r->trust_reason);
	report_json_str(b, "text", r->body_text);
	if (r->snippet != NULL)
		report_json_str(b, "snippet", r->snippet);
}

void
report_message_json(JsonBuilder *b, const struct message *m)
{
	report_json_str(b, "message_id", m->message_id);
	json_builder_set_member_name(b, "message_id_synthesised");
	json_builder_add_boolean_value(b, m->message_id_synthesised);
	report_json_str(b, "in_reply_to", m->in_reply_to);
	member_strv(b, "references", m->references);
	report_json_str(b, "from", m->from);
	report_json_str(b, "from_name", m->from_name);
	member_strv(b, "to", m->to);
	member_strv(b, "cc", m->cc);
	member_strv(b, "delivered_to", m->delivered_to);
	report_json_str(b, "subject", m->subject);
	member_time(b, "date", m->date);
	json_builder_set_member_name(b, "date_from_arrival");
	json_builder_add_boolean_value(b, m->date_from_arrival);
	report_json_str(b, "kind", message_kind_name(m->kind));
	json_builder_set_member_name(b, "auto_generated");
	json_builder_add_boolean_value(b, m->auto_generated);
	json_builder_set_member_name(b, "out_of_office");
	json_builder_add_boolean_value(b, m->out_of_office);
	report_json_str(b, "reason", m->reason);
	report_json_str(b, "authserv_id", m->auth_id);
	report_json_str(b, "authenticated", m->auth_result);
	report_json_str(b, "reply", m->reply);
	report_json_str(b, "forwarded", m->forwarded);
	json_builder_set_member_name(b, "bounce");
	json_builder_begin_array(b);
	for (guint i = 0; m->bounce != NULL && i < m->bounce->len; i++) {
		struct bounce_recipient *r = m->bounce->pdata[i];
		json_builder_begin_object(b);
		report_json_str(b, "recipient", r->address);
		report_json_str(b, "status", r->status);
		report_json_str(b, "diagnostic", r->diagnostic);
		json_builder_set_member_name(b, "hard");
		json_builder_add_boolean_value(b, r->hard);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "parts");
	json_builder_begin_array(b);
	for (guint i = 0; i < m->parts->len; i++) {
		struct message_part *p = m->parts->pdata[i];
		json_builder_begin_object(b);
		report_json_str(b, "type", p->content_type);
		report_json_str(b, "filename", p->filename);
		report_json_str(b, "method", p->method);
		report_json_int(b, "size", (gint64)p->size);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	member_strv(b, "problems", m->problems);
}

void
report_print_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *text = NULL;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	puts(text);
}
