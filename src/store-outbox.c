/* The outbox: mail to send, queued with the change that causes it. */
#include "config.h"

#include <string.h>

#include "store-private.h"
#include "store-outbox.h"

/* The id of the shared body stored under KEY, stored now when new. */
static gint64
body_id(struct store *st, const char *key, GBytes *body, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT id FROM outbox_bodies "
	    "WHERE key = ?", error);
	gint64 id = 0;
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, key);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		id = db_column_int64(stmt, 0);
	db_reset(stmt);
	if (rc == DB_ROW)
		return id;
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		return -1;
	}
	stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT INTO "
	    "outbox_bodies (key, raw) VALUES (?, ?)"), error);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, key);
	db_bind_blob(stmt, 2, g_bytes_get_data(body, NULL),
	    g_bytes_get_size(body));
	return store_step_insert(st, stmt, error);
}

gboolean
store_outbox_add(struct store *st, const struct outbox_mail *mail,
    gint64 now, gboolean *queued, GError **error)
{
	struct db_stmt *stmt;
	gint64 id, body = 0;

	if (queued != NULL)
		*queued = FALSE;
	if (mail->body != NULL && (body = body_id(st, mail->body_key,
	    mail->body, error)) <= 0)
		return FALSE;
	stmt = store_prepare(st, STORE_INSERT_ID(st, "INSERT INTO outbox "
	    "(dedupe_key, kind, sender, next_try_at, created_at, message_id, "
	    "subject, body, due_at, expires_at) "
	    "VALUES (?1, ?2, ?3, max(?5, ?9), ?5, ?6, ?7, nullif(?8, 0), "
	    "nullif(?9, 0), nullif(?10, 0)) "
	    "ON CONFLICT (dedupe_key) DO NOTHING"), error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, mail->dedupe_key);
	store_bind_text(stmt, 2, mail->kind != NULL ? mail->kind : "mail");
	store_bind_text(stmt, 3, mail->sender);
	db_bind_int64(stmt, 5, now);
	store_bind_text(stmt, 6, mail->message_id);
	store_bind_text(stmt, 7, mail->subject);
	db_bind_int64(stmt, 8, body);
	db_bind_int64(stmt, 9, mail->due_at);
	db_bind_int64(stmt, 10, mail->expires_at);
	if ((id = store_step_insert_new(st, stmt, error)) < 0)
		return FALSE;
	if (id == 0)
		return TRUE;		/* queued before */
	/* The mail goes into a table of its own, written once: the row of
	 * outbox changes with every try. */
	stmt = store_prepare(st, "INSERT INTO outbox_raw (outbox_id, raw) "
	    "VALUES (?, ?)", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	db_bind_blob_static(stmt, 2, g_bytes_get_data(mail->raw, NULL),
	    g_bytes_get_size(mail->raw));
	if (!store_step_done(st, stmt, error))
		return FALSE;
	stmt = store_prepare(st, "INSERT INTO outbox_recipients "
	    "(outbox_id, address, updated_at) VALUES (?, ?, ?) "
	    "ON CONFLICT DO NOTHING", error);
	if (stmt == NULL)
		return FALSE;
	for (const char *const *rcpt = mail->recipients; *rcpt != NULL;
	    rcpt++) {
		db_bind_int64(stmt, 1, id);
		store_bind_text(stmt, 2, *rcpt);
		db_bind_int64(stmt, 3, now);
		if (!store_step_done(st, stmt, error))
			return FALSE;
	}
	if (queued != NULL)
		*queued = TRUE;
	return TRUE;
}

void
outbox_entry_free(struct outbox_entry *e)
{
	if (e == NULL)
		return;
	g_free(e->dedupe_key);
	g_free(e->kind);
	g_free(e->sender);
	g_free(e->state);
	g_free(e->last_error);
	g_free(e->message_id);
	g_free(e->subject);
	if (e->raw != NULL)
		g_bytes_unref(e->raw);
	if (e->rcpts != NULL)
		g_ptr_array_unref(e->rcpts);
	g_free(e);
}

static void
outbox_rcpt_free(struct outbox_rcpt *r)
{
	g_free(r->address);
	g_free(r->state);
	g_free(r->last_error);
	g_free(r);
}

#define OUTBOX_COLUMNS "o.id, o.dedupe_key, o.kind, o.sender, o.state, " \
	"o.attempts, o.next_try_at, o.last_error, o.created_at, o.sent_at, " \
	"o.message_id, o.subject, coalesce(o.due_at, o.created_at)"

/* A row of OUTBOX_COLUMNS, raw (when asked) in the next column. */
static struct outbox_entry *
outbox_entry_read(struct db_stmt *stmt, gboolean with_raw)
{
	struct outbox_entry *e = g_new0(struct outbox_entry, 1);

	e->id = db_column_int64(stmt, 0);
	e->dedupe_key = store_column_dup(stmt, 1);
	e->kind = store_column_dup(stmt, 2);
	e->sender = store_column_dup(stmt, 3);
	e->state = store_column_dup(stmt, 4);
	e->attempts = db_column_int(stmt, 5);
	e->next_try_at = db_column_int64(stmt, 6);
	e->last_error = store_column_dup(stmt, 7);
	e->created_at = db_column_int64(stmt, 8);
	e->sent_at = db_column_int64(stmt, 9);
	e->message_id = store_column_dup(stmt, 10);
	e->subject = store_column_dup(stmt, 11);
	e->due_at = db_column_int64(stmt, 12);
	if (with_raw) {
		/* The mail's own part, then the body it shares, if any. */
		int head = db_column_bytes(stmt, 13);
		int body = db_column_bytes(stmt, 14);
		guint8 *raw = g_malloc((gsize)head + (gsize)body + 1);

		if (head > 0)
			memcpy(raw, db_column_blob(stmt, 13), (size_t)head);
		if (body > 0)
			memcpy(raw + head, db_column_blob(stmt, 14),
			    (size_t)body);
		e->raw = g_bytes_new_take(raw, (gsize)head + (gsize)body);
	}
	e->rcpts = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)outbox_rcpt_free);
	return e;
}

/* Fills the recipients of every entry. */
static gboolean
outbox_read_rcpts(struct store *st, GPtrArray *entries, GError **error)
{
	struct db_stmt *stmt;
	int rc;

	stmt = store_prepare(st, "SELECT address, state, code, last_error, "
	    "updated_at FROM outbox_recipients WHERE outbox_id = ? "
	    "ORDER BY address", error);
	if (stmt == NULL)
		return FALSE;
	for (guint i = 0; i < entries->len; i++) {
		struct outbox_entry *e = entries->pdata[i];

		db_bind_int64(stmt, 1, e->id);
		while ((rc = db_step(stmt)) == DB_ROW) {
			struct outbox_rcpt *r = g_new0(struct outbox_rcpt, 1);

			r->address = store_column_dup(stmt, 0);
			r->state = store_column_dup(stmt, 1);
			r->code = db_column_int(stmt, 2);
			r->last_error = store_column_dup(stmt, 3);
			r->updated_at = db_column_int64(stmt, 4);
			g_ptr_array_add(e->rcpts, r);
		}
		db_reset(stmt);
		if (rc != DB_DONE)
			return store_fail(st, rc, error);
	}
	return TRUE;
}

/* The entries a prepared SELECT of OUTBOX_COLUMNS returns. */
static GPtrArray *
outbox_select(struct store *st, struct db_stmt *stmt, gboolean with_raw,
    GError **error)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)outbox_entry_free);
	int rc;

	while ((rc = db_step(stmt)) == DB_ROW)
		g_ptr_array_add(out, outbox_entry_read(stmt, with_raw));
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		g_ptr_array_unref(out);
		return NULL;
	}
	if (!outbox_read_rcpts(st, out, error)) {
		g_ptr_array_unref(out);
		return NULL;
	}
	return out;
}

/* The order mails due are sent in: the longest due first. */
static gint
outbox_due_order(gconstpointer a, gconstpointer b)
{
	const struct outbox_entry *x = *(struct outbox_entry *const *)a;
	const struct outbox_entry *y = *(struct outbox_entry *const *)b;

	if (x->next_try_at != y->next_try_at)
		return x->next_try_at < y->next_try_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

gboolean
store_outbox_unclaim(struct store *st, GError **error)
{
	/* Each chunk's claim begins with the store's. */
	if (st->outbox_claim != NULL &&
	    !store_outbox_unclaim_owner(st, st->outbox_claim, error))
		return FALSE;
	g_clear_pointer(&st->outbox_claim, g_free);
	return TRUE;
}

/* Claims up to LIMIT more mails due at NOW under ST's claim, as a chunk
 * of their own (the claim, "/", the chunk's number), and returns them. */
static GPtrArray *
outbox_claim_chunk(struct store *st, gint64 now, guint limit,
    GError **error)
{
	g_autofree char *chunk = g_strdup_printf("%s/%u", st->outbox_claim,
	    ++st->outbox_chunks);
	struct db_stmt *stmt;
	GPtrArray *claimed;

	/* Claimed first, so that of several processes each mail goes to
	 * one: PostgreSQL passes over the rows another is claiming, SQLite
	 * has one writer at a time. */
	stmt = store_prepare(st, store_is_postgresql(st) ?
	    "UPDATE outbox SET claim = ?1, claim_until = ?2 + ?4 "
	    "WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' "
	    "AND next_try_at <= ?2 AND (claim_until IS NULL OR "
	    "claim_until < ?2) ORDER BY next_try_at, id LIMIT ?3 "
	    "FOR UPDATE SKIP LOCKED)" :
	    "UPDATE outbox SET claim = ?1, claim_until = ?2 + ?4 "
	    "WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' "
	    "AND next_try_at <= ?2 AND (claim_until IS NULL OR "
	    "claim_until < ?2) ORDER BY next_try_at, id LIMIT ?3)", error);
	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, chunk);
	db_bind_int64(stmt, 2, now);
	db_bind_int64(stmt, 3, limit > 0 ? (gint64)limit : G_MAXINT64);
	db_bind_int64(stmt, 4, STORE_OUTBOX_CLAIM);
	if (!store_step_done(st, stmt, error))
		return NULL;
	/* Put in order here, not by the statement: a sort there would copy
	 * every mail through SQLite's sorter. */
	stmt = store_prepare(st, "SELECT " OUTBOX_COLUMNS ", r.raw, b.raw "
	    "FROM outbox o JOIN outbox_raw r ON r.outbox_id = o.id "
	    "LEFT JOIN outbox_bodies b ON b.id = o.body "
	    "WHERE o.claim = ?", error);
	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, chunk);
	if ((claimed = outbox_select(st, stmt, TRUE, error)) != NULL)
		g_ptr_array_sort(claimed, outbox_due_order);
	return claimed;
}

GPtrArray *
store_outbox_due(struct store *st, gint64 now, guint limit, GError **error)
{
	g_autofree char *uuid = g_uuid_string_random();

	if (!store_outbox_unclaim(st, error))
		return NULL;
	st->outbox_claim = g_strconcat(st->outbox_owner != NULL ?
	    st->outbox_owner : "", uuid, NULL);
	st->outbox_chunks = 0;
	st->outbox_claimed_at = now;
	return outbox_claim_chunk(st, now, limit, error);
}

GPtrArray *
store_outbox_due_more(struct store *st, gint64 now, guint limit,
    GError **error)
{
	if (st->outbox_claim == NULL)
		return store_outbox_due(st, now, limit, error);
	return outbox_claim_chunk(st, now, limit, error);
}

GPtrArray *
store_outbox_list(struct store *st, gboolean all, GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, all ?
	    "SELECT " OUTBOX_COLUMNS " FROM outbox o ORDER BY o.id" :
	    "SELECT " OUTBOX_COLUMNS " FROM outbox o WHERE o.state = 'queued' "
	    "ORDER BY o.id", error);
	if (stmt == NULL)
		return NULL;
	return outbox_select(st, stmt, FALSE, error);
}

gint64
store_outbox_waiting(struct store *st, const char *kind, const char *address,
    GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, "SELECT coalesce(min(o.next_try_at), 0) "
	    "FROM outbox o JOIN outbox_recipients r ON r.outbox_id = o.id "
	    "WHERE o.state = 'queued' AND o.kind = ?1 AND r.address = ?2 "
	    "COLLATE NOCASE AND r.state = 'pending'", error);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, kind);
	store_bind_text(stmt, 2, address);
	return store_step_int64(st, stmt, error);
}

gint64
store_outbox_next_due(struct store *st, GError **error)
{
	struct db_stmt *stmt;
	gint64 t;

	/* A mail another process has claimed is due again, for this one,
	 * once the claim has passed. */
	stmt = store_prepare(st, "SELECT coalesce(min(CASE WHEN "
	    "claim_until > next_try_at THEN claim_until ELSE next_try_at END), "
	    "-1) FROM outbox WHERE state = 'queued'", error);
	if (stmt == NULL)
		return -1;
	t = store_step_int64(st, stmt, error);
	return t;
}

/* Notes on the person with ADDRESS, if any, that mail to them fails (or,
 * with ERROR_TEXT NULL, that it arrives again). */
static gboolean
outbox_person_error(struct store *st, const char *address,
    const char *error_text, gint64 now, GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, error_text != NULL ?
	    "UPDATE people SET delivery_error = ?2, delivery_error_at = ?3 "
	    "WHERE email = ?1" :
	    "UPDATE people SET delivery_error = NULL, delivery_error_at = NULL "
	    "WHERE email = ?1 AND delivery_error IS NOT NULL", error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, address);
	if (error_text != NULL) {
		store_bind_text(stmt, 2, error_text);
		db_bind_int64(stmt, 3, now);
	}
	return store_step_done(st, stmt, error);
}

gboolean
store_outbox_rcpt_set(struct store *st, gint64 id, const char *address,
    const char *state, int code, const char *error_text, const char *verp,
    gint64 now, GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, "UPDATE outbox_recipients SET state = ?3, "
	    "code = ?4, last_error = ?5, updated_at = ?6, "
	    "verp = coalesce(?7, verp) "
	    "WHERE outbox_id = ?1 AND address = ?2", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, address);
	store_bind_text(stmt, 3, state);
	if (code > 0)
		db_bind_int(stmt, 4, code);
	store_bind_text(stmt, 5, error_text);
	db_bind_int64(stmt, 6, now);
	store_bind_text(stmt, 7, verp);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (strcmp(state, "failed") == 0)
		return outbox_person_error(st, address,
		    error_text != NULL ? error_text : "delivery failed", now,
		    error);
	if (strcmp(state, "sent") == 0)
		return outbox_person_error(st, address, NULL, now, error);
	return TRUE;
}

gboolean
store_outbox_set(struct store *st, gint64 id, const char *state,
    int attempts, gint64 next_try_at, const char *last_error, gint64 now,
    GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, "UPDATE outbox SET state = ?2, attempts = ?3, "
	    "next_try_at = ?4, last_error = ?5, claim = NULL, "
	    "claim_until = NULL, "
	    "sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END "
	    "WHERE id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, state);
	db_bind_int(stmt, 3, attempts);
	db_bind_int64(stmt, 4, next_try_at);
	store_bind_text(stmt, 5, last_error);
	db_bind_int64(stmt, 6, now);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	/* Progress: the rest of this store's claim holds on, renewed once
	 * a quarter of it has passed (each renewal rewrites every row of
	 * the claim). */
	if (st->outbox_claim == NULL ||
	    now < st->outbox_claimed_at + STORE_OUTBOX_CLAIM / 4)
		return TRUE;
	st->outbox_claimed_at = now;
	stmt = store_prepare(st, "UPDATE outbox SET claim_until = ?2 + ?3 "
	    "WHERE claim IS NOT NULL AND substr(claim, 1, length(?1)) = ?1",
	    error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, st->outbox_claim);
	db_bind_int64(stmt, 2, now);
	db_bind_int64(stmt, 3, STORE_OUTBOX_CLAIM);
	return store_step_done(st, stmt, error);
}

void
store_outbox_set_owner(struct store *st, const char *owner)
{
	g_free(st->outbox_owner);
	st->outbox_owner = g_strdup(owner);
}

gboolean
store_outbox_unclaim_owner(struct store *st, const char *owner,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE outbox SET "
	    "claim = NULL, claim_until = NULL WHERE claim IS NOT NULL "
	    "AND substr(claim, 1, length(?1)) = ?1", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, owner);
	return store_step_done(st, stmt, error);
}

gboolean
store_outbox_unclaim_all(struct store *st, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE outbox SET "
	    "claim = NULL, claim_until = NULL WHERE claim IS NOT NULL", error);

	return stmt != NULL && store_step_done(st, stmt, error);
}

gboolean
store_outbox_retry(struct store *st, gint64 id, gint64 now, GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, "UPDATE outbox_recipients SET state = "
	    "'pending', updated_at = ?2 WHERE state = 'failed' AND outbox_id = "
	    "(SELECT id FROM outbox WHERE id = ?1 AND state = 'failed')", error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	db_bind_int64(stmt, 2, now);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	stmt = store_prepare(st, "UPDATE outbox SET next_try_at = ?2, "
	    "attempts = CASE state WHEN 'failed' THEN 0 ELSE attempts END, "
	    "created_at = CASE state WHEN 'failed' THEN ?2 ELSE created_at END, "
	    "due_at = CASE state WHEN 'failed' THEN NULL ELSE due_at END, "
	    "expires_at = NULL, claim = NULL, claim_until = NULL, "
	    "state = 'queued' WHERE id = ?1 AND state IN ('queued', 'failed')",
	    error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	db_bind_int64(stmt, 2, now);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (db_changes(st->db) == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no mail %" G_GINT64_FORMAT " waits or failed in the outbox",
		    id);
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
store_outbox_expire(struct store *st, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) gone = NULL;
	struct db_stmt *stmt;

	stmt = store_prepare(st, "SELECT " OUTBOX_COLUMNS " FROM outbox o "
	    "WHERE o.state = 'queued' AND o.attempts = 0 AND "
	    "o.expires_at IS NOT NULL AND o.expires_at < ? ORDER BY o.id",
	    error);
	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, now);
	if ((gone = outbox_select(st, stmt, FALSE, error)) == NULL)
		return NULL;
	for (guint i = 0; i < gone->len; i++) {
		const struct outbox_entry *e = gone->pdata[i];
		g_autofree char *why = g_strdup_printf("not sent: due %"
		    G_GINT64_FORMAT " s ago, later than it may go out",
		    now - e->due_at);

		stmt = store_prepare(st, "UPDATE outbox_recipients SET state = "
		    "'failed', last_error = ?2, updated_at = ?3 "
		    "WHERE outbox_id = ?1 AND state = 'pending'", error);
		if (stmt == NULL)
			return NULL;
		db_bind_int64(stmt, 1, e->id);
		store_bind_text(stmt, 2, why);
		db_bind_int64(stmt, 3, now);
		if (!store_step_done(st, stmt, error))
			return NULL;
		stmt = store_prepare(st, "UPDATE outbox SET state = 'failed', "
		    "last_error = ?2 WHERE id = ?1", error);
		if (stmt == NULL)
			return NULL;
		db_bind_int64(stmt, 1, e->id);
		store_bind_text(stmt, 2, why);
		if (!store_step_done(st, stmt, error))
			return NULL;
	}
	return g_steal_pointer(&gone);
}

gint64
store_outbox_purge_sent(struct store *st, gint64 before, GError **error)
{
	struct db_stmt *stmt;
	gint64 n;

	stmt = store_prepare(st, "DELETE FROM outbox WHERE state = 'sent' AND "
	    "sent_at < ?", error);
	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, before);
	if (!store_step_done(st, stmt, error))
		return -1;
	n = db_changes(st->db);
	/* Bodies no mail shares any more. */
	if (!store_exec(st, "DELETE FROM outbox_bodies WHERE id NOT IN "
	    "(SELECT body FROM outbox WHERE body IS NOT NULL)", error))
		return -1;
	return n;
}
