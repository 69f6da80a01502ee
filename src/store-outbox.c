/* The outbox: mail to send, queued with the change that causes it. */
#include "config.h"

#include "store-private.h"

gboolean
store_outbox_add(struct store *st, const struct outbox_mail *mail,
    gint64 now, gboolean *queued, GError **error)
{
	sqlite3_stmt *stmt;
	gint64 id;
	int rc;

	if (queued != NULL)
		*queued = FALSE;
	stmt = store_prepare(st, "INSERT INTO outbox (dedupe_key, kind, "
	    "sender, raw, next_try_at, created_at, message_id, subject) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7) "
	    "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id", error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, mail->dedupe_key);
	store_bind_text(stmt, 2, mail->kind != NULL ? mail->kind : "mail");
	store_bind_text(stmt, 3, mail->sender);
	sqlite3_bind_blob(stmt, 4, g_bytes_get_data(mail->raw, NULL),
	    (int)g_bytes_get_size(mail->raw), SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 5, now);
	store_bind_text(stmt, 6, mail->message_id);
	store_bind_text(stmt, 7, mail->subject);
	rc = sqlite3_step(stmt);
	id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return TRUE;		/* queued before */
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, error);
	stmt = store_prepare(st, "INSERT OR IGNORE INTO outbox_recipients "
	    "(outbox_id, address, updated_at) VALUES (?, ?, ?)", error);
	if (stmt == NULL)
		return FALSE;
	for (const char *const *rcpt = mail->recipients; *rcpt != NULL;
	    rcpt++) {
		sqlite3_bind_int64(stmt, 1, id);
		store_bind_text(stmt, 2, *rcpt);
		sqlite3_bind_int64(stmt, 3, now);
		if (!store_step_done(st, stmt, error))
			return FALSE;
	}
	if (queued != NULL)
		*queued = TRUE;
	return TRUE;
}
