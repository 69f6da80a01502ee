/* Reading mail: tidings parse, show, thread and search. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "filter.h"
#include "conf.h"
#include "log.h"
#include "message.h"
#include "report.h"
#include "store.h"
#include "store-message.h"
#include "tidings.h"
#include "utf8.h"

static gboolean opt_json;
static gboolean opt_raw;
static gint opt_limit = 20;

static const GOptionEntry json_option[] = {
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "print JSON for scripts", NULL },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry show_options[] = {
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "print JSON for scripts", NULL },
	{ "raw", 'r', 0, G_OPTION_ARG_NONE, &opt_raw,
	  "print the mail exactly as received", NULL },
	G_OPTION_ENTRY_NULL
};

static gboolean opt_fts;

static const GOptionEntry search_options[] = {
	{ "fts", 0, 0, G_OPTION_ARG_NONE, &opt_fts,
	  "read the query as SQLite FTS5 syntax (phrases, OR, NOT, prefix*, "
	  "column:)", NULL },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "print JSON for scripts, one result a line", NULL },
	{ "limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit,
	  "at most N results (default 20)", "N" },
	G_OPTION_ENTRY_NULL
};

/* Indents every line of TEXT, from a mail, by PREFIX; its control
 * characters are shown as such. */
static void
print_indented(const char *prefix, const char *text)
{
	g_autofree char *visible = utf8_visible(text != NULL ? text : "", TRUE);
	g_auto(GStrv) lines = g_strsplit(visible, "\n", -1);
	guint n = g_strv_length(lines);

	while (n > 0 && *lines[n - 1] == '\0')
		n--;
	for (guint i = 0; i < n; i++)
		printf("%s%s\n", prefix, lines[i]);
}

/* --- parse ----------------------------------------------------------- */

static void
print_list(GPtrArray *pool, const char *label, GPtrArray *values)
{
	if (values == NULL || values->len == 0)
		return;
	printf("%-13s", label);
	for (guint i = 0; i < values->len; i++)
		printf("%s%s", i > 0 ? ", " : "", report_visible(pool,
		    values->pdata[i]));
	printf("\n");
}

/* What tidings reads in M; every text from the mail goes through
 * report_visible(). */
static void
print_parsed(const struct message *m, enum verdict v)
{
	g_autofree char *date = report_date(m->date);
	g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func(g_free);

	printf("kind:        %s%s%s\n", message_kind_name(m->kind),
	    m->out_of_office ? " (out of office)" : "",
	    v == FILTER_DROP ? " (dropped)" : v == FILTER_DEFER ?
	    " (deferred)" : "");
	if (m->reason != NULL)
		printf("why:         %s\n", report_visible(pool, m->reason));
	if (m->auth_id != NULL)
		printf("auth:        %s: %s\n", report_visible(pool, m->auth_id),
		    m->auth_result != NULL ? report_visible(pool,
		    m->auth_result) : "no DKIM or DMARC pass for the From "
		    "domain");
	printf("message-id:  <%s>%s\n", report_visible(pool, m->message_id),
	    m->message_id_synthesised ? " (synthesised)" : "");
	if (m->in_reply_to != NULL)
		printf("in-reply-to: <%s>\n", report_visible(pool,
		    m->in_reply_to));
	print_list(pool, "references:", m->references);
	printf("from:        %s%s%s%s\n", m->from_name ?
	    report_visible(pool, m->from_name) : "", m->from_name ? " <" : "",
	    m->from ? report_visible(pool, m->from) : "(none)",
	    m->from_name ? ">" : "");
	print_list(pool, "to:", m->to);
	print_list(pool, "cc:", m->cc);
	print_list(pool, "delivered:", m->delivered_to);
	printf("subject:     %s\n", report_visible(pool, m->subject));
	printf("date:        %s%s\n", date, m->date_from_arrival ?
	    " (arrival time; the mail's Date is missing or absurd)" : "");
	for (guint i = 0; m->bounce != NULL && i < m->bounce->len; i++) {
		struct bounce_recipient *r = m->bounce->pdata[i];
		printf("bounced:     %s %s (%s)%s%s\n", report_visible(pool,
		    r->address), r->status ? report_visible(pool, r->status) :
		    "?", r->hard ? "hard" : "soft", r->diagnostic ? ": " : "",
		    r->diagnostic ? report_visible(pool, r->diagnostic) : "");
	}
	for (guint i = 0; i < m->parts->len; i++) {
		struct message_part *p = m->parts->pdata[i];
		printf("part:        %s%s%s%s%s, %" G_GSIZE_FORMAT " bytes\n",
		    report_visible(pool, p->content_type), p->method ?
		    " method=" : "", p->method ? report_visible(pool,
		    p->method) : "", p->filename ? " " : "", p->filename ?
		    report_visible(pool, p->filename) : "", p->size);
	}
	for (guint i = 0; i < m->problems->len; i++)
		printf("problem:     %s\n", report_visible(pool,
		    m->problems->pdata[i]));
	printf("\n");
	print_indented("| ", m->reply != NULL ? m->reply : m->text);
	if (m->forwarded != NULL) {
		printf("\nforwarded:\n");
		print_indented("| ", m->forwarded);
	}
}

static int
cmd_parse_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	g_autoptr(Message) msg = NULL;
	g_autoptr(GBytes) raw = NULL;
	struct filter_ctx fctx = { .conf = ctx->conf };
	enum verdict v;
	gsize len;

	if (argc > 1) {
		if (!g_file_get_contents(argv[1], &data, &len, &error)) {
			log_warnx("parse: %s", error->message);
			return EX_NOINPUT;
		}
	} else {
		GIOChannel *in = g_io_channel_unix_new(STDIN_FILENO);
		g_io_channel_set_encoding(in, NULL, NULL);
		GIOStatus s = g_io_channel_read_to_end(in, &data, &len, &error);
		g_io_channel_unref(in);
		if (s != G_IO_STATUS_NORMAL) {
			log_warnx("parse: cannot read standard input: %s",
			    error->message);
			return EX_IOERR;
		}
	}
	raw = g_bytes_new_take(g_steal_pointer(&data), len);
	msg = message_parse(raw, clock_now(), &error);
	if (msg == NULL) {
		log_warnx("parse: %s", error->message);
		return EX_DATAERR;
	}
	fctx.address = conf_get(ctx->conf, "tidings", "address");
	v = filters_run(msg, &fctx);
	if (opt_json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		report_message_json(b, msg);
		json_builder_set_member_name(b, "verdict");
		json_builder_add_string_value(b, filter_verdict_name(v));
		json_builder_end_object(b);
		report_print_json(b);
	} else
		print_parsed(msg, v);
	if (fctx.error != NULL) {
		log_warnx("parse: %s", fctx.error->message);
		g_clear_error(&fctx.error);
	}
	return EX_OK;
}

const struct cmd_entry cmd_parse_entry = {
	.name = "parse",
	.args = "[FILE] [--json]",
	.summary = "show what tidings reads in a mail, without storing it",
	.help = "Runs the parser and the filters on one mail (standard input "
	    "when no FILE)\nand prints what tidings sees: the kind, Message-ID "
	    "and parents, sender,\nsubject, the reply text it extracted, bounce "
	    "recipients.  For finding out\nwhy a reply was read wrongly.",
	.options = json_option,
	.min_args = 0,
	.max_args = 1,
	.exec = cmd_parse_exec,
};

/* --- show ------------------------------------------------------------ */

/* A row by id ("42") or Message-ID ("<a@b>" or "a@b"). */
static struct message_row *
lookup(struct cmd_ctx *ctx, const char *key, GError **error)
{
	guint64 id;
	g_autofree char *mid = NULL;

	if (g_ascii_string_to_unsigned(key, 10, 1, G_MAXINT64, &id, NULL))
		return store_message_get(ctx->store, (gint64)id, error);
	mid = g_strdup(key[0] == '<' ? key + 1 : key);
	if (*mid != '\0' && mid[strlen(mid) - 1] == '>')
		mid[strlen(mid) - 1] = '\0';
	return store_message_find(ctx->store, mid, error);
}

static void
print_row(const struct message_row *r)
{
	g_autofree char *date = report_date(r->date);
	g_autofree char *received = report_date(r->received_at);

	printf("id:          %" G_GINT64_FORMAT "\n", r->id);
	printf("message-id:  <%s>%s\n", r->message_id, r->conflict ?
	    " (another mail has this Message-ID)" : "");
	if (r->thread_id != 0)
		printf("thread:      %" G_GINT64_FORMAT "\n", r->thread_id);
	if (r->parent != NULL)
		printf("parent:      <%s>\n", r->parent);
	printf("from:        %s%s%s%s\n", r->sender_name ? r->sender_name : "",
	    r->sender_name ? " <" : "", r->sender ? r->sender : "(unknown)",
	    r->sender_name ? ">" : "");
	printf("subject:     %s\n", r->subject ? r->subject : "");
	printf("date:        %s\n", date);
	printf("received:    %s from %s\n", received, r->source);
	printf("kind:        %s\n", r->kind);
	printf("state:       %s%s%s\n", r->state, r->reason ? ": " : "",
	    r->reason ? r->reason : "");
	if (r->trust_reason != NULL)
		printf("trust:       %s: %s\n", r->trusted ? "trusted" :
		    "untrusted", r->trust_reason);
	printf("\n");
	/* Made visible already, keeping its lines. */
	print_indented("", r->body_text);
}

static int
cmd_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MessageRow) row = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((row = lookup(ctx, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_raw) {
		g_autoptr(GBytes) raw = store_message_raw(ctx->store, row->id,
		    &error);
		gsize len;
		const char *data;
		if (raw == NULL)
			return cmd_fail(ctx, error);
		data = g_bytes_get_data(raw, &len);
		if (len > 0 && fwrite(data, 1, len, stdout) != len) {
			log_warn("show: cannot write");
			return EX_IOERR;
		}
		return EX_OK;
	}
	if (opt_json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		report_row_json(b, row);
		json_builder_end_object(b);
		report_print_json(b);
	} else {
		report_row_visible(row);
		print_row(row);
	}
	return EX_OK;
}

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.args = "ID|MESSAGE-ID [--raw] [--json]",
	.summary = "show a stored mail: headers and the text tidings extracted",
	.options = show_options,
	.min_args = 1,
	.max_args = 1,
	.exec = cmd_show_exec,
};

/* --- thread ---------------------------------------------------------- */

/* Depth of each mail: one more than its parent's, when the parent is in
 * the thread. */
static GHashTable *
depths(GPtrArray *rows)
{
	GHashTable *by_mid = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *depth = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (guint i = 0; i < rows->len; i++) {
		struct message_row *r = rows->pdata[i];
		g_hash_table_insert(by_mid, r->message_id, r);
	}
	for (guint i = 0; i < rows->len; i++) {
		struct message_row *r = rows->pdata[i];
		int d = 0;
		/* Walk up; the bound stops a cycle of forged references. */
		for (struct message_row *p = r; p->parent != NULL && d < 64;) {
			p = g_hash_table_lookup(by_mid, p->parent);
			if (p == NULL)
				break;
			d++;
		}
		g_hash_table_insert(depth, r, GINT_TO_POINTER(d));
	}
	g_hash_table_unref(by_mid);
	return depth;
}

/* Children under their parents, each level oldest first. */
static void
print_tree(GPtrArray *rows, GHashTable *depth, const char *parent, int level,
    GHashTable *printed)
{
	for (guint i = 0; i < rows->len; i++) {
		struct message_row *r = rows->pdata[i];
		gboolean child = parent == NULL ?
		    GPOINTER_TO_INT(g_hash_table_lookup(depth, r)) == 0 :
		    g_strcmp0(r->parent, parent) == 0;
		if (!child || g_hash_table_contains(printed, r) || level > 64)
			continue;
		g_hash_table_add(printed, r);
		g_autofree char *date = report_date(r->date);
		const char *body = r->body_text != NULL ? r->body_text : "";
		const char *cut = body + strnlen(body, 60);
		/* Sixty characters, not bytes, of text that is UTF-8. */
		if (g_utf8_validate(body, -1, NULL)) {
			cut = body;
			for (int n = 0; n < 60 && *cut != '\0'; n++)
				cut = g_utf8_next_char(cut);
		}
		g_autofree char *start = g_strndup(body, (gsize)(cut - body));
		g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func(
		    g_free);
		for (char *p = start; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		printf("%*s%" G_GINT64_FORMAT "  %s  %s  %s\n%*s    %s\n",
		    2 * level, "", r->id, date, r->sender ? report_visible(pool,
		    r->sender) : "?", report_visible(pool, r->subject ?
		    r->subject : ""), 2 * level, "", report_visible(pool,
		    start));
		print_tree(rows, depth, r->message_id, level + 1, printed);
	}
}

static int
cmd_thread_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MessageRow) row = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((row = lookup(ctx, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (row->thread_id == 0) {
		log_warnx("thread: mail %" G_GINT64_FORMAT " is in no thread "
		    "(it is %s)", row->id, row->state);
		return EX_DATAERR;
	}
	if ((rows = store_thread_messages(ctx->store, row->thread_id,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	g_autoptr(GHashTable) depth = depths(rows);
	if (opt_json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "thread");
		json_builder_add_int_value(b, row->thread_id);
		json_builder_set_member_name(b, "messages");
		json_builder_begin_array(b);
		for (guint i = 0; i < rows->len; i++) {
			json_builder_begin_object(b);
			report_row_json(b, rows->pdata[i]);
			json_builder_set_member_name(b, "depth");
			json_builder_add_int_value(b, GPOINTER_TO_INT(
			    g_hash_table_lookup(depth, rows->pdata[i])));
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		report_print_json(b);
		return EX_OK;
	}
	g_autoptr(GHashTable) printed = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	printf("thread %" G_GINT64_FORMAT ", %u mail%s\n\n", row->thread_id,
	    rows->len, rows->len == 1 ? "" : "s");
	print_tree(rows, depth, NULL, 0, printed);
	return EX_OK;
}

const struct cmd_entry cmd_thread_entry = {
	.name = "thread",
	.args = "ID|MESSAGE-ID [--json]",
	.summary = "show the thread of a stored mail as a tree",
	.options = json_option,
	.min_args = 1,
	.max_args = 1,
	.exec = cmd_thread_exec,
};

/* --- search ---------------------------------------------------------- */

static int
cmd_search_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autofree char *query = NULL;
	int rc;

	if (opt_limit < 1)
		return cmd_usage(ctx, "--limit must be at least 1");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	query = g_strjoinv(" ", argv + 1);
	if (!opt_fts) {
		char *words = store_search_words(query);
		if (words == NULL)
			return cmd_usage(ctx, "nothing to search for");
		g_free(query);
		query = words;
	}
	rows = store_message_search(ctx->store, query, opt_limit, &error);
	if (rows == NULL) {
		if (g_error_matches(error, STORE_ERROR, STORE_ERROR_QUERY))
			return cmd_usage(ctx, "cannot read the query '%s': %s",
			    query, error->message);
		return cmd_fail(ctx, error);
	}
	for (guint i = 0; i < rows->len; i++) {
		struct message_row *r = rows->pdata[i];
		if (opt_json) {
			g_autoptr(JsonBuilder) b = json_builder_new();
			json_builder_begin_object(b);
			report_row_json(b, r);
			json_builder_end_object(b);
			report_print_json(b);
			continue;
		}
		g_autofree char *date = report_date(r->date);
		for (char *p = r->snippet; p != NULL && *p != '\0'; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		report_row_visible(r);
		printf("%" G_GINT64_FORMAT "  thread %" G_GINT64_FORMAT "  %s  "
		    "%s  %s\n    %s\n", r->id, r->thread_id, date,
		    r->sender ? r->sender : "?", r->subject ? r->subject : "",
		    r->snippet ? r->snippet : "");
	}
	if (!opt_json && rows->len == 0)
		printf("no mail matches\n");
	return EX_OK;
}

const struct cmd_entry cmd_search_entry = {
	.name = "search",
	.args = "WORD... [--fts] [--limit N] [--json]",
	.summary = "search stored mail (subject, sender and text)",
	.help = "Finds the mail that holds every WORD as typed: OPS-881 "
	    "finds OPS-881.\nWith --fts the query is SQLite FTS5 syntax "
	    "instead: \"a phrase\", OR, NOT,\nprefix*, and column filters "
	    "such as sender:ana or subject:blocked.\nResults are newest "
	    "first, with the thread and a snippet.",
	.options = search_options,
	.min_args = 1,
	.max_args = -1,
	.exec = cmd_search_exec,
};
