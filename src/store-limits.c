/* Rate limits on answers to mail; see store.h. */
#include "config.h"

#include "store-private.h"
#include "store-checkin.h"

/* The (replies, held) of SENDER in HOUR, or of everyone when SENDER is
 * NULL. */
static gboolean
counts(struct store *st, const char *sender, gint64 hour, gint64 *replies,
    gint64 *held, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT coalesce(sum(replies), "
	    "0), coalesce(sum(held), 0) FROM reply_counts WHERE hour = ?1 AND "
	    "(?2 IS NULL OR sender = ?2)", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, hour);
	store_bind_text(stmt, 2, sender);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*replies = db_column_int64(stmt, 0);
		*held = db_column_int64(stmt, 1);
	}
	db_reset(stmt);
	return rc == DB_ROW || store_fail(st, rc, error);
}

gboolean
store_reply_limit(struct store *st, const char *sender, gint64 now,
    gint64 per_sender, gint64 per_hour, gboolean *allowed, gboolean *first,
    GError **error)
{
	gint64 hour = now / 3600, mine, held, all, all_held;
	struct db_stmt *stmt;

	*allowed = *first = FALSE;
	if (!counts(st, sender, hour, &mine, &held, error) ||
	    !counts(st, NULL, hour, &all, &all_held, error))
		return FALSE;
	*allowed = mine < per_sender && all < per_hour;
	*first = !*allowed && held == 0;
	stmt = store_prepare(st, "INSERT INTO reply_counts (sender, hour, "
	    "replies, held) VALUES (?1, ?2, ?3, 1 - ?3) ON CONFLICT (sender, "
	    "hour) DO UPDATE SET replies = reply_counts.replies + ?3, "
	    "held = reply_counts.held + 1 - ?3",
	    error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, sender);
	db_bind_int64(stmt, 2, hour);
	db_bind_int(stmt, 3, *allowed ? 1 : 0);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	/* A day is kept, for looking into a storm afterwards. */
	stmt = store_prepare(st, "DELETE FROM reply_counts WHERE hour < ?",
	    error);
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, hour - 24);
	return store_step_done(st, stmt, error);
}
