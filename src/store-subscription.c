/* Digest lists: subscriptions and what bounces do to them. */
#include "config.h"

#include "store-private.h"
#include "store-subscription.h"

void
subscription_free(struct subscription *s)
{
	if (s == NULL)
		return;
	g_free(s->team);
	g_free(s->email);
	g_free(s->name);
	g_free(s->format);
	g_free(s->token);
	g_free(s->zone);
	g_free(s->person_zone);
	g_free(s->ended_by);
	g_free(s);
}

#define SUB_SELECT "SELECT s.id, s.team_id, s.person_id, t.name, p.email, " \
	"p.name, s.state, s.format, s.token, s.bounce_score, s.requested_at, " \
	"coalesce(s.confirmed_at, 0), coalesce(s.ended_at, 0), s.zone, " \
	"coalesce(s.at_minute, -1), p.zone, p.work_start, p.workdays, " \
	"EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id), " \
	"s.ended_by " \
	"FROM subscriptions s JOIN teams t ON t.id = s.team_id " \
	"JOIN people p ON p.id = s.person_id "

static gpointer
subs_read_row(struct db_stmt *stmt)
{
	struct subscription *s = g_new0(struct subscription, 1);

	s->id = db_column_int64(stmt, 0);
	s->team_id = db_column_int64(stmt, 1);
	s->person_id = db_column_int64(stmt, 2);
	s->team = store_column_dup(stmt, 3);
	s->email = store_column_dup(stmt, 4);
	s->name = store_column_dup(stmt, 5);
	/* The schema allows its names alone. */
	(void)sub_state_parse((const char *)db_column_text(stmt, 6),
	    &s->state);
	s->format = store_column_dup(stmt, 7);
	s->token = store_column_dup(stmt, 8);
	s->bounce_score = db_column_double(stmt, 9);
	s->requested_at = db_column_int64(stmt, 10);
	s->confirmed_at = db_column_int64(stmt, 11);
	s->ended_at = db_column_int64(stmt, 12);
	s->zone = store_column_dup(stmt, 13);
	s->at_minute = db_column_int(stmt, 14);
	s->person_zone = store_column_dup(stmt, 15);
	s->work_start = db_column_int(stmt, 16);
	s->workdays = (unsigned)db_column_int(stmt, 17);
	s->member = db_column_int(stmt, 18) != 0;
	s->ended_by = store_column_dup(stmt, 19);
	return s;
}

static GPtrArray *
subs_read(struct store *st, struct db_stmt *stmt, GError **error)
{
	return store_rows(st, stmt, subs_read_row, (GDestroyNotify)subscription_free,
	    error);
}

static struct subscription *
sub_one(struct store *st, struct db_stmt *stmt, const char *which,
    GError **error)
{
	return store_first(subs_read(st, stmt, error), "subscription", which,
	    error);
}

struct subscription *
store_subscription_get(struct store *st, const char *team, const char *email,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, SUB_SELECT
	    "WHERE t.name = ? AND p.email = ?", error);
	g_autofree char *which = g_strdup_printf("of %s to team %s", email,
	    team);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	store_bind_text(stmt, 2, email);
	return sub_one(st, stmt, which, error);
}

struct subscription *
store_subscription_by_token(struct store *st, const char *token,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, SUB_SELECT
	    "WHERE s.token = lower(?)", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, token);
	return sub_one(st, stmt, "with that token", error);
}

GPtrArray *
store_subscription_list(struct store *st, const char *team, gboolean active,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, SUB_SELECT
	    "WHERE (?1 IS NULL OR t.name = ?1) AND (?2 = 0 OR s.state = "
	    "'active') ORDER BY t.name, p.email", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	db_bind_int(stmt, 2, active);
	return subs_read(st, stmt, error);
}

GPtrArray *
store_subscription_of(struct store *st, const char *email, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, SUB_SELECT
	    "WHERE p.email = ? AND s.state = 'active' ORDER BY t.name", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, email);
	return subs_read(st, stmt, error);
}

struct subscription *
store_subscription_request(struct store *st, const char *team,
    const char *email, const char *token, const char *format, gint64 now,
    GError **error)
{
	struct db_stmt *stmt;

	stmt = store_prepare(st, "INSERT INTO people (email, created_at) "
	    "VALUES (?, ?) ON CONFLICT (email) DO NOTHING", error);
	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, email);
	db_bind_int64(stmt, 2, now);
	if (!store_step_done(st, stmt, error))
		return NULL;
	stmt = store_prepare(st, "INSERT INTO subscriptions (team_id, "
	    "person_id, state, format, token, requested_at) "
	    "SELECT t.id, p.id, 'pending', coalesce(?3, 'alternative'), ?4, ?5 "
	    "FROM teams t, people p WHERE t.name = ?1 AND p.email = ?2 "
	    "ON CONFLICT (team_id, person_id) DO UPDATE SET "
	    "format = coalesce(?3, subscriptions.format), token = ?4, "
	    "state = CASE WHEN subscriptions.state = 'active' THEN "
	    "subscriptions.state ELSE 'pending' END, "
	    "requested_at = CASE WHEN subscriptions.state = 'active' THEN "
	    "subscriptions.requested_at ELSE ?5 END", error);
	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	store_bind_text(stmt, 2, email);
	store_bind_text(stmt, 3, format);
	store_bind_text(stmt, 4, token);
	db_bind_int64(stmt, 5, now);
	if (!store_step_done(st, stmt, error))
		return NULL;
	return store_subscription_get(st, team, email, error);
}

gboolean
store_subscription_set_state(struct store *st, gint64 id,
    enum sub_state state, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE subscriptions SET "
	    "state = ?1, "
	    "confirmed_at = CASE WHEN ?1 = 'active' THEN ?2 ELSE confirmed_at "
	    "END, "
	    "ended_at = CASE WHEN ?1 IN ('unsubscribed', 'disabled') THEN ?2 "
	    "WHEN ?1 = 'active' THEN NULL ELSE ended_at END, "
	    "ended_by = CASE WHEN ?1 = 'active' THEN NULL ELSE ended_by END, "
	    "bounce_score = CASE WHEN ?1 = 'active' THEN 0 ELSE bounce_score "
	    "END WHERE id = ?3", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, sub_state_name(state));
	db_bind_int64(stmt, 2, now);
	db_bind_int64(stmt, 3, id);
	return store_step_done(st, stmt, error);
}

gboolean
store_subscription_set_delivery(struct store *st, gint64 id,
    const char *zone, int at_minute, const char *format, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE subscriptions SET "
	    "zone = CASE WHEN ?2 IS NULL THEN zone ELSE nullif(?2, '') END, "
	    "at_minute = CASE ?3 WHEN -2 THEN at_minute WHEN -1 THEN NULL "
	    "ELSE ?3 END, format = coalesce(?4, format) WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, zone);
	db_bind_int(stmt, 3, at_minute);
	store_bind_text(stmt, 4, format);
	return store_step_done(st, stmt, error);
}

gboolean
store_subscription_ended_by(struct store *st, gint64 id, const char *how,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE subscriptions SET "
	    "ended_by = ?1 WHERE id = ?2", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, how);
	db_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, error);
}

double
store_subscription_bounce(struct store *st, gint64 id, double score,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE subscriptions SET "
	    "bounce_score = bounce_score + ? WHERE id = ? "
	    "RETURNING bounce_score", error);
	double v = -1;
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_double(stmt, 1, score);
	db_bind_int64(stmt, 2, id);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		v = db_column_double(stmt, 0);
	db_reset(stmt);
	if (rc != DB_ROW)
		store_fail(st, rc == DB_DONE ? DB_ERROR : rc, error);
	return v;
}

gboolean
store_bounce_add(struct store *st, const char *recipient, gint64 message,
    const char *status, gboolean hard, gint64 at, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO bounces "
	    "(person_id, message, recipient, status, hard, at) VALUES "
	    "((SELECT id FROM people WHERE email = ?1), ?2, ?1, ?3, ?4, ?5)",
	    error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, recipient);
	db_bind_int64(stmt, 2, message);
	store_bind_text(stmt, 3, status);
	db_bind_int(stmt, 4, hard);
	db_bind_int64(stmt, 5, at);
	return store_step_done(st, stmt, error);
}

/* --- digests sent, and comments on them ----------------------------------- */

void
digest_sent_free(struct digest_sent *d)
{
	if (d == NULL)
		return;
	g_free(d->team);
	g_free(d->message_id);
	g_free(d);
}

gboolean
store_digest_claim(struct store *st, gint64 team_id, gint64 start,
    gint64 end, const char *message_id, gint64 now, gint64 *id,
    gboolean *claimed, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO digests (team_id, "
	    "period_start, period_end, message_id, created_at) VALUES "
	    "(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id", error);
	int rc;

	*claimed = FALSE;
	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, team_id);
	db_bind_int64(stmt, 2, start);
	db_bind_int64(stmt, 3, end);
	store_bind_text(stmt, 4, message_id);
	db_bind_int64(stmt, 5, now);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*id = db_column_int64(stmt, 0);
		*claimed = TRUE;
	}
	db_reset(stmt);
	return rc == DB_ROW || rc == DB_DONE ||
	    store_fail(st, rc, error);
}

gint64
store_digest_last_end(struct store *st, gint64 team_id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT coalesce(max("
	    "period_end), 0) FROM digests WHERE team_id = ?", error);

	if (stmt == NULL)
		return -1;
	db_bind_int64(stmt, 1, team_id);
	return store_step_int64(st, stmt, error);
}

/* The digest of the row STMT is on. */
static struct digest_sent *
digest_row(struct db_stmt *stmt)
{
	struct digest_sent *d = g_new0(struct digest_sent, 1);

	d->id = db_column_int64(stmt, 0);
	d->team_id = db_column_int64(stmt, 1);
	d->team = store_column_dup(stmt, 2);
	d->start = db_column_int64(stmt, 3);
	d->end = db_column_int64(stmt, 4);
	d->message_id = store_column_dup(stmt, 5);
	return d;
}

struct digest_sent *
store_digest_find_first(struct store *st, const char *const *ids, guint n,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT d.id, d.team_id, "
	    "t.name, d.period_start, d.period_end, d.message_id FROM digests d "
	    "JOIN teams t ON t.id = d.team_id WHERE d.message_id IN "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16)", error);
	G_STATIC_ASSERT(STORE_DIGEST_IDS == 16);

	if (stmt == NULL)
		return NULL;
	/* A window of ids at a time, the nearest first; in a window, the
	 * row of the earliest id. */
	for (guint from = 0; from < n; from += STORE_DIGEST_IDS) {
		guint len = MIN(n - from, STORE_DIGEST_IDS), best = len;
		struct digest_sent *d = NULL;
		int rc;

		for (guint i = 0; i < STORE_DIGEST_IDS; i++) {
			if (i < len)
				store_bind_text(stmt, i + 1, ids[from + i]);
			else
				db_bind_null(stmt, i + 1);
		}
		while ((rc = db_step(stmt)) == DB_ROW) {
			const char *id = db_column_text(stmt, 5);
			for (guint i = 0; id != NULL && i < best; i++)
				if (strcmp(ids[from + i], id) == 0) {
					best = i;
					g_clear_pointer(&d, digest_sent_free);
					d = digest_row(stmt);
					break;
				}
		}
		db_reset(stmt);
		if (rc != DB_DONE) {
			digest_sent_free(d);
			store_fail(st, rc, error);
			return NULL;
		}
		if (d != NULL)
			return d;
	}
	g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
	    "no digest among %u Message-IDs", n);
	return NULL;
}

gboolean
store_comment_add(struct store *st, gint64 answer_id, gint64 digest_id,
    gint64 message, gint64 person_id, const char *text, gint64 now,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO comments "
	    "(answer_id, digest_id, message, person_id, text, created_at) "
	    "VALUES (nullif(?, 0), nullif(?, 0), ?, nullif(?, 0), ?, ?)", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, answer_id);
	db_bind_int64(stmt, 2, digest_id);
	db_bind_int64(stmt, 3, message);
	db_bind_int64(stmt, 4, person_id);
	store_bind_text(stmt, 5, text);
	db_bind_int64(stmt, 6, now);
	return store_step_done(st, stmt, error);
}
