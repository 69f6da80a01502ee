/* Stored mail and threads. */
#include "config.h"

#include <string.h>

#include "message.h"
#include "rawfile.h"
#include "store-private.h"
#include "store-message.h"

void
message_row_free(struct message_row *row)
{
	if (row == NULL)
		return;
	g_free(row->message_id);
	g_free(row->content_hash);
	g_free(row->parent);
	g_free(row->in_reply_to);
	g_free(row->refs);
	g_free(row->sender);
	g_free(row->sender_name);
	g_free(row->subject);
	g_free(row->source);
	g_free(row->kind);
	g_free(row->state);
	g_free(row->reason);
	g_free(row->body_text);
	g_free(row->trust_reason);
	g_free(row->snippet);
	g_free(row);
}

gboolean
store_message_find_copy(struct store *st, const char *message_id,
    const char *hash, gint64 *id, char **state, gboolean *other_content,
    GError **error)
{
	/* The copies with this Message-ID, in the order of the index: no
	 * sorting, which would cost a temporary b-tree for every mail. */
	struct db_stmt *stmt = store_prepare(st, "SELECT id, state, "
	    "content_hash = ?2 FROM messages WHERE message_id = ?1", error);
	int rc;

	*id = 0;
	*other_content = FALSE;
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, message_id);
	store_bind_text(stmt, 2, hash);
	while ((rc = db_step(stmt)) == DB_ROW) {
		if (db_column_int(stmt, 2)) {
			*id = db_column_int64(stmt, 0);
			*state = store_column_dup(stmt, 1);
			*other_content = FALSE;
			rc = DB_DONE;
			break;
		}
		*other_content = TRUE;
	}
	db_reset(stmt);
	return rc == DB_DONE || store_fail(st, rc, error);
}

static char *
join_refs(GPtrArray *refs)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; refs != NULL && i < refs->len; i++) {
		if (i > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, refs->pdata[i]);
	}
	return g_string_free(s, FALSE);
}

/* The JWZ parent: the last reference, else In-Reply-To. */
static const char *
parent_of(const struct message *msg)
{
	if (msg->references != NULL && msg->references->len > 0)
		return msg->references->pdata[msg->references->len - 1];
	return msg->in_reply_to;
}

static gboolean
add_ref(struct store *st, gint64 id, const char *ref, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO message_refs "
	    "(message, ref) VALUES (?, ?) ON CONFLICT DO NOTHING", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, ref);
	return store_step_done(st, stmt, error);
}

/* The Message-IDs MSG names, for threading to find it by: its References,
 * and its In-Reply-To unless they name it already (as most do, last). */
static gboolean
add_refs(struct store *st, gint64 id, const struct message *msg,
    GError **error)
{
	gboolean named = msg->in_reply_to == NULL;

	for (guint i = 0; msg->references != NULL && i < msg->references->len;
	    i++) {
		const char *ref = msg->references->pdata[i];

		named = named || strcmp(ref, msg->in_reply_to) == 0;
		if (!add_ref(st, id, ref, error))
			return FALSE;
	}
	return named || add_ref(st, id, msg->in_reply_to, error);
}

/* What is written of a mail when it is first stored. */
struct new_row {
	const char *message_id, *content_hash;
	GBytes *raw;		/* the mail, or NULL when it is in: */
	const struct rawfile *file;
	const char *source;
	gint64 received_at;
	const char *state, *reason;
	gboolean conflict;
	/* What was read of it, with its thread; NULL when nothing was yet. */
	const struct message *msg;
	gint64 thread;
};

/* Binds what MSG says of a mail to STMT's parameters FIRST.. (parent,
 * in_reply_to, refs, sender, sender_name, subject, date, kind, body_text);
 * returns the next parameter.  REFS is the caller's, to free after the
 * statement ran. */
static int
bind_read(struct db_stmt *stmt, int first, const struct message *msg,
    char **refs)
{
	int i = first;

	*refs = join_refs(msg->references);
	store_bind_text(stmt, i++, parent_of(msg));
	store_bind_text(stmt, i++, msg->in_reply_to);
	store_bind_text(stmt, i++, **refs != '\0' ? *refs : NULL);
	store_bind_text(stmt, i++, msg->from);
	store_bind_text(stmt, i++, msg->from_name);
	store_bind_text(stmt, i++, msg->subject);
	db_bind_int64(stmt, i++, msg->date);
	store_bind_text(stmt, i++, message_kind_name(msg->kind));
	store_bind_text(stmt, i++, msg->reply != NULL ? msg->reply :
	    msg->text);
	return i;
}

/* A thread id, 0 for none. */
static void
bind_thread(struct db_stmt *stmt, int i, gint64 thread)
{
	if (thread > 0)
		db_bind_int64(stmt, i, thread);
	else
		db_bind_null(stmt, i);
}

/* Puts the mail just stored processed as ID in the search index, or in a
 * batch notes it for store_commit() to index; see
 * schema/010-index-from-store.sql. */
static gboolean
index_new(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt;

	/* PostgreSQL indexes it itself: schema/pg/001-initial.sql. */
	if (store_is_postgresql(st))
		return TRUE;
	stmt = st->batch ? store_prepare(st, "INSERT OR IGNORE "
	    "INTO messages_fts_pending (id) VALUES (?)", error) : store_prepare(st,
	    "INSERT INTO messages_fts (rowid, subject, sender, body_text) "
	    "SELECT id, subject, sender, body_text FROM messages WHERE id = ?",
	    error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error);
}

/* db_blob_fill()'s source of raw mail in its file: the first failure to
 * read it is kept. */
struct file_source {
	const struct rawfile *file;
	GError *error;
};

static const void *
from_file(gpointer data, gsize at, gsize len, void *buf)
{
	struct file_source *fs = data;

	return rawfile_read(fs->file, at, buf, len, &fs->error) ? buf : NULL;
}

/* Fills the raw mail of row ID, bound as a zero blob, from FILE, a piece
 * at a time.  A file that fails to read fails the write, and with it the
 * transaction: no mail is stored in part. */
static gboolean
write_from_file(struct store *st, const struct rawfile *file, gint64 id,
    GError **error)
{
	struct file_source fs = { file, NULL };
	int rc = db_blob_fill(st->db, "messages_raw", "raw", id, file->size,
	    from_file, &fs);

	if (fs.error != NULL) {
		g_propagate_error(error, fs.error);
		return FALSE;
	}
	return rc == DB_OK || store_fail(st, rc, error);
}

/* Keeps the raw mail of R, stored as row ID, in messages_raw. */
static gboolean
insert_raw(struct store *st, const struct new_row *r, gint64 id,
    GError **error)
{
	g_autoptr(GBytes) whole = NULL;
	GBytes *raw = r->raw;
	struct db_stmt *stmt;
	gsize len = raw != NULL ? g_bytes_get_size(raw) : r->file->size;
	gboolean streamed;
	int rc;

	stmt = store_prepare(st, "INSERT INTO messages_raw (message, raw) "
	    "VALUES (?, ?)", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	/* A large mail goes into its row in pieces: bound whole, it would
	 * be copied whole into the row SQLite makes of it first. */
	streamed = len >= STORE_RAW_STREAMED && db_bind_zeroblob(stmt, 2, len);
	if (!streamed && raw == NULL) {
		/* The backend takes only whole blobs (PostgreSQL). */
		if ((whole = rawfile_bytes(r->file, error)) == NULL)
			return FALSE;
		raw = whole;
	}
	if (!streamed)
		db_bind_blob_static(stmt, 2, g_bytes_get_data(raw, NULL), len);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (!streamed)
		return TRUE;
	if (raw == NULL)
		return write_from_file(st, r->file, id, error);
	if ((rc = db_blob_write(st->db, "messages_raw", "raw", id,
	    g_bytes_get_data(raw, NULL), len)) != DB_OK)
		return store_fail(st, rc, error);
	return TRUE;
}

static gboolean
insert_row(struct store *st, const struct new_row *r, gint64 *id,
    GError **error)
{
	g_autofree char *refs = NULL;
	struct db_stmt *stmt;
	int next = 1;

	if (r->msg == NULL)
		stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT INTO "
		    "messages (message_id, content_hash, conflict, "
		    "received_at, source, state, reason, attempts) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, CASE WHEN ?6 = 'new' THEN 1 ELSE 0 "
		    "END)"), error);
	else
		stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT INTO "
		    "messages (parent, in_reply_to, refs, sender, sender_name, "
		    "subject, date, kind, body_text, thread_id, message_id, "
		    "content_hash, conflict, received_at, source, state, "
		    "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		    "?, ?, ?)"), error);
	if (stmt == NULL)
		return FALSE;
	if (r->msg != NULL) {
		next = bind_read(stmt, next, r->msg, &refs);
		bind_thread(stmt, next++, r->thread);
	}
	store_bind_text(stmt, next++, r->message_id);
	store_bind_text(stmt, next++, r->content_hash);
	db_bind_int(stmt, next++, r->conflict);
	db_bind_int64(stmt, next++, r->received_at);
	store_bind_text(stmt, next++, r->source);
	store_bind_text(stmt, next++, r->state);
	store_bind_text(stmt, next, r->reason);
	*id = store_step_insert(st, stmt, error);
	if (*id < 0)
		return FALSE;
	if (r->msg != NULL && (strcmp(r->state, "processed") == 0 ||
	    strcmp(r->state, "dropped") == 0) && !index_new(st, *id, error))
		return FALSE;
	if (r->conflict) {
		/* Both copies are flagged, so that either one shows it. */
		stmt = store_prepare(st, "UPDATE messages SET conflict = 1 "
		    "WHERE message_id = ?", error);
		if (stmt == NULL)
			return FALSE;
		store_bind_text(stmt, 1, r->message_id);
		if (!store_step_done(st, stmt, error))
			return FALSE;
	}
	if (!insert_raw(st, r, *id, error))
		return FALSE;
	return r->msg == NULL || add_refs(st, *id, r->msg, error);
}

/* store_message_add() of raw mail in memory (RAW) or, RAW NULL, in FILE. */
static gboolean
add_new(struct store *st, const char *message_id, const char *content_hash,
    GBytes *raw, const struct rawfile *file, const char *source,
    gint64 received_at, const char *reason, gint64 *id, gboolean *duplicate,
    char **state, GError **error)
{
	struct new_row r = {
		.message_id = message_id, .content_hash = content_hash,
		.raw = raw, .file = file, .source = source,
		.received_at = received_at,
		.state = reason != NULL ? "quarantined" : "new",
		.reason = reason,
	};

	*duplicate = FALSE;
	if (!store_message_find_copy(st, message_id, content_hash, id, state,
	    &r.conflict, error))
		return FALSE;
	if (*id != 0) {
		*duplicate = TRUE;
		return TRUE;
	}
	return insert_row(st, &r, id, error);
}

gboolean
store_message_add(struct store *st, const char *message_id,
    const char *content_hash, GBytes *raw, const char *source,
    gint64 received_at, const char *reason, gint64 *id, gboolean *duplicate,
    char **state, GError **error)
{
	return add_new(st, message_id, content_hash, raw, NULL, source,
	    received_at, reason, id, duplicate, state, error);
}

gboolean
store_message_add_file(struct store *st, const char *message_id,
    const char *content_hash, const struct rawfile *file, const char *source,
    gint64 received_at, const char *reason, gint64 *id, gboolean *duplicate,
    char **state, GError **error)
{
	return add_new(st, message_id, content_hash, NULL, file, source,
	    received_at, reason, id, duplicate, state, error);
}

gboolean
store_message_add_processed(struct store *st, const struct message *msg,
    const char *source, gint64 received_at, const char *state,
    gint64 thread, gboolean conflict, gint64 *id, GError **error)
{
	struct new_row r = {
		.message_id = msg->message_id,
		.content_hash = msg->content_hash, .raw = msg->raw,
		.file = msg->raw_file, .source = source,
		.received_at = received_at, .state = state,
		.reason = msg->reason, .conflict = conflict, .msg = msg,
		.thread = thread,
	};

	return insert_row(st, &r, id, error);
}

gboolean
store_message_processed(struct store *st, gint64 id,
    const struct message *msg, const char *state, gint64 thread,
    GError **error)
{
	g_autofree char *refs = NULL;
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "parent = ?, in_reply_to = ?, refs = ?, sender = ?, "
	    "sender_name = ?, subject = ?, date = ?, kind = ?, body_text = ?, "
	    "thread_id = ?, state = ?, reason = ?, attempts = 0 WHERE id = ?",
	    error);
	int next;

	if (stmt == NULL)
		return FALSE;
	next = bind_read(stmt, 1, msg, &refs);
	bind_thread(stmt, next++, thread);
	store_bind_text(stmt, next++, state);
	store_bind_text(stmt, next++, msg->reason);
	db_bind_int64(stmt, next, id);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	return add_refs(st, id, msg, error);
}

/* Sets the state and reason of mail ID; a NULL STATE keeps the state, and
 * only mail still "new" is changed then. */
static gboolean
set_state(struct store *st, gint64 id, const char *state, const char *reason,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "state = coalesce(?1, state), reason = ?2 WHERE id = ?3 AND "
	    "(?1 IS NOT NULL OR state = 'new')", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, state);
	store_bind_text(stmt, 2, reason);
	db_bind_int64(stmt, 3, id);
	return store_step_done(st, stmt, error);
}

gboolean
store_message_quarantine(struct store *st, gint64 id, const char *reason,
    GError **error)
{
	return set_state(st, id, "quarantined", reason, error);
}

gboolean
store_message_retry(struct store *st, gint64 id, GError **error)
{
	return set_state(st, id, "new", STORE_DEFERRED_PREFIX "retry asked for",
	    error);
}

gboolean
store_message_defer(struct store *st, gint64 id, const char *reason,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "attempts = 0 WHERE id = ? AND state = 'new'", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error) &&
	    set_state(st, id, NULL, reason, error);
}

gint64
store_message_quarantine_hash(struct store *st, const char *hash,
    const char *reason, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "state = 'quarantined', reason = ? WHERE content_hash = ? AND "
	    "state = 'new'", error);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, reason);
	store_bind_text(stmt, 2, hash);
	if (!store_step_done(st, stmt, error))
		return -1;
	return db_changes(st->db);
}

int
store_message_attempt(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "attempts = attempts + 1 WHERE id = ? RETURNING attempts", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, id);
	return (int)store_step_int64(st, stmt, error);
}

gboolean
store_message_rename(struct store *st, gint64 id, const char *message_id,
    gboolean conflict, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE messages SET "
	    "message_id = ?, conflict = ? WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, message_id);
	db_bind_int(stmt, 2, conflict);
	db_bind_int64(stmt, 3, id);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (!conflict)
		return TRUE;
	stmt = store_prepare(st, "UPDATE messages SET conflict = 1 "
	    "WHERE message_id = ?", error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, message_id);
	return store_step_done(st, stmt, error);
}

gboolean
store_message_forget(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "DELETE FROM messages "
	    "WHERE id = ? AND state = 'new'", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error);
}

#define ROW_COLUMNS "m.id, m.message_id, m.content_hash, m.conflict, " \
	"m.thread_id, m.parent, m.in_reply_to, m.refs, m.sender, " \
	"m.sender_name, m.subject, m.date, m.received_at, m.source, m.kind, " \
	"m.state, m.reason, m.body_text, " \
	"(SELECT length(raw) FROM messages_raw r WHERE r.message = m.id), " \
	"m.trusted, m.trust_reason, m.attempts"
/* The column after ROW_COLUMNS. */
#define ROW_EXTRA 22

static struct message_row *
row_from_stmt(struct db_stmt *stmt)
{
	struct message_row *r = g_new0(struct message_row, 1);

	r->id = db_column_int64(stmt, 0);
	r->message_id = store_column_dup(stmt, 1);
	r->content_hash = store_column_dup(stmt, 2);
	r->conflict = db_column_int(stmt, 3);
	r->thread_id = db_column_int64(stmt, 4);
	r->parent = store_column_dup(stmt, 5);
	r->in_reply_to = store_column_dup(stmt, 6);
	r->refs = store_column_dup(stmt, 7);
	r->sender = store_column_dup(stmt, 8);
	r->sender_name = store_column_dup(stmt, 9);
	r->subject = store_column_dup(stmt, 10);
	r->date = db_column_int64(stmt, 11);
	r->received_at = db_column_int64(stmt, 12);
	r->source = store_column_dup(stmt, 13);
	r->kind = store_column_dup(stmt, 14);
	r->state = store_column_dup(stmt, 15);
	r->reason = store_column_dup(stmt, 16);
	r->body_text = store_column_dup(stmt, 17);
	r->size = db_column_int64(stmt, 18);
	r->trusted = db_column_int(stmt, 19) != 0;
	r->trust_reason = store_column_dup(stmt, 20);
	r->attempts = db_column_int(stmt, 21);
	return r;
}

/* Runs STMT (bound by the caller) and collects its rows; EXTRA, when
 * >= 0, is a snippet column. */
static GPtrArray *
collect_rows(struct store *st, struct db_stmt *stmt, int extra, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)message_row_free);
	int rc;

	while ((rc = db_step(stmt)) == DB_ROW) {
		struct message_row *r = row_from_stmt(stmt);
		if (extra >= 0)
			r->snippet = store_column_dup(stmt, extra);
		g_ptr_array_add(rows, r);
	}
	db_reset(stmt);
	if (rc != DB_DONE) {
		if (rc == DB_ERROR) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_QUERY, "%s",
			    db_errmsg(st->db));
			return NULL;
		}
		store_fail(st, rc, error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

static struct message_row *
single_row(struct store *st, struct db_stmt *stmt, const char *what,
    GError **error)
{
	GPtrArray *rows = collect_rows(st, stmt, -1, error);
	struct message_row *r = NULL;

	if (rows == NULL)
		return NULL;
	if (rows->len > 0)
		r = g_ptr_array_steal_index(rows, 0);
	else
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no stored mail %s", what);
	g_ptr_array_unref(rows);
	return r;
}

struct message_row *
store_message_get(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " ROW_COLUMNS
	    " FROM messages m WHERE m.id = ?", error);
	g_autofree char *what = g_strdup_printf("with id %" G_GINT64_FORMAT, id);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	return single_row(st, stmt, what, error);
}

struct message_row *
store_message_find(struct store *st, const char *message_id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " ROW_COLUMNS
	    " FROM messages m WHERE m.message_id = ? ORDER BY m.id LIMIT 1",
	    error);
	g_autofree char *what = g_strdup_printf("with Message-ID <%s>",
	    message_id);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, message_id);
	return single_row(st, stmt, what, error);
}

GBytes *
store_message_raw(struct store *st, gint64 id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT raw FROM messages_raw "
	    "WHERE message = ?", error);
	GBytes *raw = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, id);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		raw = g_bytes_new(db_column_blob(stmt, 0),
		    (gsize)db_column_bytes(stmt, 0));
	else if (rc == DB_DONE)
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no stored mail with id %" G_GINT64_FORMAT, id);
	else
		store_fail(st, rc, error);
	db_reset(stmt);
	return raw;
}

GPtrArray *
store_message_list_state(struct store *st, const char *state, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " ROW_COLUMNS
	    " FROM messages m WHERE m.state = ? AND m.state <> 'processed' "
	    "ORDER BY m.received_at DESC, "
	    "m.id DESC", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, state);
	return collect_rows(st, stmt, -1, error);
}

gint64
store_message_count(struct store *st, const char *state, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM messages "
	    "WHERE ?1 IS NULL OR state = ?1", error);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, state);
	return store_step_int64(st, stmt, error);
}

char *
store_search_words(const char *query)
{
	g_auto(GStrv) words = g_strsplit_set(query, " \t\r\n", -1);
	GString *q = g_string_new(NULL);

	for (gsize i = 0; words[i] != NULL; i++) {
		if (*words[i] == '\0')
			continue;
		if (q->len > 0)
			g_string_append_c(q, ' ');
		/* A string of FTS5: its double quotes doubled. */
		g_string_append_c(q, '"');
		for (const char *p = words[i]; *p != '\0'; p++) {
			if (*p == '"')
				g_string_append_c(q, '"');
			g_string_append_c(q, *p);
		}
		g_string_append_c(q, '"');
	}
	if (q->len == 0) {
		g_string_free(q, TRUE);
		return NULL;
	}
	return g_string_free(q, FALSE);
}

/* What FTS5 said of a query it cannot read (WHY), in words for the person
 * who typed it.  Caller frees. */
static char *
search_error_words(const char *why)
{
	const char *near = "fts5: syntax error near ";
	const char *col = "no such column: ";
	const char *hint = "put words with punctuation in double quotes "
	    "(\"OPS-881\"), or search without --fts for the words as "
	    "typed";

	if (g_str_has_prefix(why, col))
		return g_strdup_printf("FTS5 reads \"%s\" as the name of a "
		    "column, and there is none by that name (they are "
		    "subject, sender and body_text): a '-' or ':' before a "
		    "word names a column; %s", why + strlen(col), hint);
	if (g_str_has_prefix(why, near))
		return strcmp(why + strlen(near), "\"\"") == 0 ?
		    g_strdup_printf("the query ends too soon (an AND, OR or "
		    "NOT with nothing after it, or a parenthesis not "
		    "closed); %s", hint) :
		    g_strdup_printf("FTS5 cannot read the query at %s; %s",
		    why + strlen(near), hint);
	if (strcmp(why, "unterminated string") == 0)
		return g_strdup("a double quote is not closed: phrases are "
		    "written \"like this\"");
	if (g_str_has_prefix(why, "unknown special query"))
		return g_strdup_printf("a '*' goes at the end of a word, as "
		    "in deploy*, for the words that start with it; %s", hint);
	return g_strdup_printf("FTS5 cannot read the query: %s; %s", why,
	    hint);
}

GPtrArray *
store_message_search(struct store *st, const char *query, int limit,
    GError **error)
{
	/* FTS5 on SQLite; on PostgreSQL the expression its index is on,
	 * under the index's condition (schema/pg/001-initial.sql). */
	struct db_stmt *stmt = store_prepare(st, store_is_postgresql(st) ?
	    "SELECT " ROW_COLUMNS ", "
	    "ts_headline('simple', coalesce(m.body_text, ''), "
	    "websearch_to_tsquery('simple', ?1), 'StartSel=[, StopSel=], "
	    "MaxWords=12, MinWords=4, MaxFragments=1, "
	    "FragmentDelimiter=...') "
	    "FROM messages m WHERE m.state IN ('processed', 'dropped') "
	    "AND messages_document(m.subject, m.sender, m.body_text) "
	    "@@ websearch_to_tsquery('simple', ?1) "
	    "ORDER BY m.date DESC, m.id DESC LIMIT ?2" :
	    "SELECT " ROW_COLUMNS ", "
	    "snippet(messages_fts, 2, '[', ']', '...', 12) "
	    "FROM messages_fts f JOIN messages m ON m.id = f.rowid "
	    "WHERE messages_fts MATCH ?1 ORDER BY m.date DESC, m.id DESC "
	    "LIMIT ?2", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, query);
	db_bind_int(stmt, 2, limit);
	g_autoptr(GError) err = NULL;
	GPtrArray *rows = collect_rows(st, stmt, ROW_EXTRA, &err);
	if (rows == NULL && g_error_matches(err, STORE_ERROR,
	    STORE_ERROR_QUERY)) {
		g_autofree char *words = search_error_words(err->message);
		g_set_error_literal(error, STORE_ERROR, STORE_ERROR_QUERY,
		    words);
	} else if (rows == NULL)
		g_propagate_error(error, g_steal_pointer(&err));
	return rows;
}

gboolean
store_message_foreach(struct store *st, gint64 since, gboolean with_raw,
    gboolean (*fn)(const struct message_row *, GBytes *, gpointer),
    gpointer data, GError **error)
{
	/* Its own statement: FN may use the store's cached ones. */
	struct db_stmt *stmt = NULL;
	int rc = db_prepare(st->db, "SELECT " ROW_COLUMNS ", r.raw "
	    "FROM messages m LEFT JOIN messages_raw r ON r.message = m.id "
	    "WHERE m.received_at >= ? ORDER BY m.received_at, m.id", &stmt);

	if (rc != DB_OK)
		return store_fail(st, rc, error);
	db_bind_int64(stmt, 1, since);
	while ((rc = db_step(stmt)) == DB_ROW) {
		g_autoptr(MessageRow) row = row_from_stmt(stmt);
		g_autoptr(GBytes) raw = NULL;
		if (with_raw)
			raw = g_bytes_new(db_column_blob(stmt, ROW_EXTRA),
			    (gsize)db_column_bytes(stmt, ROW_EXTRA));
		if (!fn(row, raw, data)) {
			rc = DB_DONE;
			break;
		}
	}
	db_finalize(stmt);
	return rc == DB_DONE || store_fail(st, rc, error);
}

/* --- threads --------------------------------------------------------- */

static gboolean
collect_ids(struct store *st, struct db_stmt *stmt, GArray *out, GError **error)
{
	int rc;

	while ((rc = db_step(stmt)) == DB_ROW) {
		gint64 t = db_column_int64(stmt, 0);
		gboolean seen = FALSE;
		for (guint i = 0; i < out->len && !seen; i++)
			seen = g_array_index(out, gint64, i) == t;
		if (!seen && t != 0)
			g_array_append_val(out, t);
	}
	db_reset(stmt);
	return rc == DB_DONE || store_fail(st, rc, error);
}

static gint
cmp_int64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

GArray *
store_thread_relatives(struct store *st, const char *message_id,
    GPtrArray *ids, GError **error)
{
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(gint64));
	/* The threads of mail with one of IDS, or rooted at one not seen
	 * yet that this one names. */
	struct db_stmt *by_id = store_prepare(st, "SELECT thread_id FROM "
	    "messages WHERE message_id = ?1 AND thread_id IS NOT NULL "
	    "UNION ALL SELECT id FROM threads WHERE root = ?1", error);
	struct db_stmt *by_ref;

	if (by_id == NULL)
		return NULL;
	for (guint i = 0; i < ids->len; i++) {
		store_bind_text(by_id, 1, ids->pdata[i]);
		if (!collect_ids(st, by_id, out, error))
			return NULL;
	}
	/* Children that arrived before this, their parent. */
	by_ref = store_prepare(st, "SELECT m.thread_id FROM message_refs r "
	    "JOIN messages m ON m.id = r.message WHERE r.ref = ? AND "
	    "m.thread_id IS NOT NULL", error);
	if (by_ref == NULL)
		return NULL;
	store_bind_text(by_ref, 1, message_id);
	if (!collect_ids(st, by_ref, out, error))
		return NULL;
	g_array_sort(out, cmp_int64);
	return g_steal_pointer(&out);
}

gint64
store_thread_by_subject(struct store *st, const char *subject_key,
    gint64 since, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT id FROM threads WHERE "
	    "subject_key = ? AND last_date >= ? ORDER BY last_date DESC "
	    "LIMIT 1", error);
	gint64 id = 0;
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, subject_key);
	db_bind_int64(stmt, 2, since);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		id = db_column_int64(stmt, 0);
	else if (rc != DB_DONE) {
		store_fail(st, rc, error);
		id = -1;
	}
	db_reset(stmt);
	return id;
}

gint64
store_thread_new(struct store *st, const char *root, const char *subject,
    const char *subject_key, gint64 date, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT "
	    "INTO threads (root, subject, subject_key, first_date, last_date) "
	    "VALUES (?, ?, ?, ?, ?)"), error);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, root);
	store_bind_text(stmt, 2, subject);
	store_bind_text(stmt, 3, subject_key);
	db_bind_int64(stmt, 4, date);
	db_bind_int64(stmt, 5, date);
	return store_step_insert(st, stmt, error);
}

gboolean
store_thread_merge(struct store *st, gint64 into, gint64 from,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE threads SET "
	    "first_date = min(first_date, (SELECT first_date FROM threads "
	    "WHERE id = ?2)), last_date = max(last_date, (SELECT last_date "
	    "FROM threads WHERE id = ?2)) WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, into);
	db_bind_int64(stmt, 2, from);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	stmt = store_prepare(st, "UPDATE messages SET thread_id = ?1 WHERE "
	    "thread_id = ?2", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, into);
	db_bind_int64(stmt, 2, from);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	stmt = store_prepare(st, "DELETE FROM threads WHERE id = ?", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, from);
	return store_step_done(st, stmt, error);
}

gboolean
store_thread_widen(struct store *st, gint64 thread, gint64 date,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE threads SET first_date = "
	    "min(first_date, ?1), last_date = max(last_date, ?1) WHERE id = ?2 "
	    "AND (first_date > ?1 OR last_date < ?1)", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, date);
	db_bind_int64(stmt, 2, thread);
	return store_step_done(st, stmt, error);
}

GPtrArray *
store_thread_messages(struct store *st, gint64 thread, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " ROW_COLUMNS
	    " FROM messages m WHERE m.thread_id = ? ORDER BY m.date, m.id",
	    error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, thread);
	return collect_rows(st, stmt, -1, error);
}
