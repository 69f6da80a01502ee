/* Bounces: the mail a bounce address stands for, and the bounce score of
 * people's addresses; see store-bounce.h. */
#include "config.h"

#include <string.h>

#include "store-bounce.h"
#include "store-private.h"

void
bounce_mail_free(struct bounce_mail *b)
{
	if (b == NULL)
		return;
	g_free(b->key);
	g_free(b->kind);
	g_free(b->address);
	g_free(b);
}

static gpointer
bounce_mail_read(struct db_stmt *stmt)
{
	struct bounce_mail *b = g_new0(struct bounce_mail, 1);

	b->outbox_id = db_column_int64(stmt, 0);
	b->key = store_column_dup(stmt, 1);
	b->kind = store_column_dup(stmt, 2);
	b->address = store_column_dup(stmt, 3);
	b->sent_at = db_column_int64(stmt, 4);
	return b;
}

struct bounce_mail *
store_bounce_mail(struct store *st, const char *token, GError **error)
{
	/* Only a recipient the server took the mail for: a bounce of mail
	 * that never left is no bounce of ours. */
	struct db_stmt *stmt = store_prepare(st, "SELECT o.id, o.dedupe_key, "
	    "o.kind, r.address, coalesce(r.updated_at, o.sent_at, 0) "
	    "FROM outbox_recipients r JOIN outbox o ON o.id = r.outbox_id "
	    "WHERE r.verp = ? AND r.state = 'sent' ORDER BY o.id LIMIT 1",
	    error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, token);
	return store_first(store_rows(st, stmt, bounce_mail_read,
	    (GDestroyNotify)bounce_mail_free, error), "mail sent with",
	    "that bounce address", error);
}

gboolean
store_bounce_record(struct store *st, const char *recipient, gint64 message,
    gint64 outbox, const char *status, gboolean hard, gint64 at,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO bounces "
	    "(person_id, message, outbox_id, recipient, status, hard, at) "
	    "VALUES ((SELECT id FROM people WHERE email = ?1), ?2, "
	    "nullif(?3, 0), ?1, ?4, ?5, ?6)", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, recipient);
	db_bind_int64(stmt, 2, message);
	db_bind_int64(stmt, 3, outbox);
	store_bind_text(stmt, 4, status);
	db_bind_int(stmt, 5, hard);
	db_bind_int64(stmt, 6, at);
	return store_step_done(st, stmt, error);
}

gboolean
store_bounce_counted(struct store *st, gint64 outbox, gboolean *counted,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM bounces "
	    "WHERE outbox_id = ?", error);
	gint64 n;

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, outbox);
	if ((n = store_step_int64(st, stmt, error)) < 0)
		return FALSE;
	*counted = n > 0;
	return TRUE;
}

static gpointer
health_read(struct db_stmt *stmt)
{
	struct mail_health *h = g_new0(struct mail_health, 1);

	h->score = db_column_double(stmt, 0);
	h->since = db_column_int64(stmt, 1);
	h->dead_at = db_column_int64(stmt, 2);
	return h;
}

/* The one row of STMT as *OUT. */
static gboolean
health_of(struct store *st, struct db_stmt *stmt, const char *email,
    struct mail_health *out, GError **error)
{
	g_autofree struct mail_health *h = store_first(store_rows(st, stmt,
	    health_read, g_free, error), "person", email, error);

	if (h == NULL)
		return FALSE;
	*out = *h;
	return TRUE;
}

gboolean
store_person_bounce(struct store *st, const char *email, double score,
    gint64 now, struct mail_health *out, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE people SET "
	    "bounce_score = bounce_score + ?2, "
	    "bouncing_since = coalesce(bouncing_since, ?3) WHERE email = ?1 "
	    "RETURNING bounce_score, coalesce(bouncing_since, 0), "
	    "coalesce(mail_dead_at, 0)", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, email);
	db_bind_double(stmt, 2, score);
	db_bind_int64(stmt, 3, now);
	return health_of(st, stmt, email, out, error);
}

gboolean
store_person_mail_dead(struct store *st, const char *email, gint64 now,
    gboolean *changed, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE people SET "
	    "mail_dead_at = ?2 WHERE email = ?1 AND mail_dead_at IS NULL",
	    error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, email);
	db_bind_int64(stmt, 2, now);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (changed != NULL)
		*changed = db_changes(st->db) > 0;
	return TRUE;
}

gboolean
store_person_mail_ok(struct store *st, const char *email, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE people SET "
	    "bounce_score = 0, bouncing_since = NULL, mail_dead_at = NULL "
	    "WHERE email = ?1", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, email);
	return store_step_done(st, stmt, error);
}

gboolean
store_person_mail_health(struct store *st, const char *email,
    struct mail_health *out, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT bounce_score, "
	    "coalesce(bouncing_since, 0), coalesce(mail_dead_at, 0) "
	    "FROM people WHERE email = ?1", error);
	g_autoptr(GPtrArray) rows = NULL;

	memset(out, 0, sizeof *out);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, email);
	if ((rows = store_rows(st, stmt, health_read, g_free, error)) == NULL)
		return FALSE;
	if (rows->len > 0)
		*out = *(struct mail_health *)rows->pdata[0];
	return TRUE;
}

void
mail_dead_free(struct mail_dead *m)
{
	if (m == NULL)
		return;
	g_free(m->email);
	g_free(m->name);
	g_free(m);
}

static gpointer
mail_dead_read(struct db_stmt *stmt)
{
	struct mail_dead *m = g_new0(struct mail_dead, 1);

	m->email = store_column_dup(stmt, 0);
	m->name = store_column_dup(stmt, 1);
	m->since = db_column_int64(stmt, 2);
	m->dead_at = db_column_int64(stmt, 3);
	return m;
}

GPtrArray *
store_team_mail_dead(struct store *st, gint64 team_id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT p.email, p.name, "
	    "coalesce(p.bouncing_since, p.mail_dead_at), p.mail_dead_at "
	    "FROM people p JOIN memberships m ON m.person_id = p.id "
	    "WHERE m.team_id = ? AND p.mail_dead_at IS NOT NULL "
	    "ORDER BY p.email", error);

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, team_id);
	return store_rows(st, stmt, mail_dead_read,
	    (GDestroyNotify)mail_dead_free, error);
}
