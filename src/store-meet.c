/* Meetings and their attendees. */
#include "config.h"

#include "store-meet.h"
#include "store-private.h"

void
meeting_free(struct meeting *m)
{
	if (m == NULL)
		return;
	g_free(m->team);
	g_free(m->uid);
	g_free(m->title);
	g_free(m->state);
	g_free(m);
}

void
attendee_free(struct attendee *a)
{
	if (a == NULL)
		return;
	g_free(a->email);
	g_free(a->name);
	g_free(a->zone);
	g_free(a->partstat);
	g_free(a->comment);
	g_free(a);
}

gboolean
store_meeting_add(struct store *st, struct meeting *m, gint64 now,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO meetings (team_id, "
	    "uid, sequence, title, starts_at, ends_at, created_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?) RETURNING id", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, m->team_id);
	store_bind_text(stmt, 2, m->uid);
	db_bind_int(stmt, 3, m->sequence);
	store_bind_text(stmt, 4, m->title);
	db_bind_int64(stmt, 5, m->starts_at);
	db_bind_int64(stmt, 6, m->ends_at);
	db_bind_int64(stmt, 7, now);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		m->id = db_column_int64(stmt, 0);
	db_reset(stmt);
	if (rc == DB_ROW)
		return TRUE;
	if (rc == DB_UNIQUE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
		    "a meeting with UID %s exists", m->uid);
		return FALSE;
	}
	return store_fail(st, rc, error);
}

gboolean
store_attendee_add(struct store *st, gint64 meeting_id, gint64 person_id,
    GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO attendees "
	    "(meeting_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, meeting_id);
	db_bind_int64(stmt, 2, person_id);
	return store_step_done(st, stmt, error);
}

#define MEETING_COLUMNS "m.id, m.team_id, t.name, m.uid, m.sequence, " \
	"m.title, m.starts_at, m.ends_at, m.state, m.created_at"

static GPtrArray *
meeting_rows(struct store *st, struct db_stmt *stmt, GError **error)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)meeting_free);
	int rc;

	while ((rc = db_step(stmt)) == DB_ROW) {
		struct meeting *m = g_new0(struct meeting, 1);
		m->id = db_column_int64(stmt, 0);
		m->team_id = db_column_int64(stmt, 1);
		m->team = store_column_dup(stmt, 2);
		m->uid = store_column_dup(stmt, 3);
		m->sequence = db_column_int(stmt, 4);
		m->title = store_column_dup(stmt, 5);
		m->starts_at = db_column_int64(stmt, 6);
		m->ends_at = db_column_int64(stmt, 7);
		m->state = store_column_dup(stmt, 8);
		m->created_at = db_column_int64(stmt, 9);
		g_ptr_array_add(list, m);
	}
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

struct meeting *
store_meeting_get(struct store *st, const char *uid, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " MEETING_COLUMNS
	    " FROM meetings m JOIN teams t ON t.id = m.team_id WHERE "
	    "m.uid = ?", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, uid);
	return store_first(meeting_rows(st, stmt, error), "meeting", uid,
	    error);
}

GPtrArray *
store_meeting_list(struct store *st, const char *team, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " MEETING_COLUMNS
	    " FROM meetings m JOIN teams t ON t.id = m.team_id WHERE "
	    "?1 IS NULL OR t.name = ?1 ORDER BY m.starts_at, m.id", error);

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, team);
	return meeting_rows(st, stmt, error);
}

gboolean
store_meeting_set_state(struct store *st, gint64 id, const char *state,
    int sequence, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE meetings SET state = ?, "
	    "sequence = ? WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, state);
	db_bind_int(stmt, 2, sequence);
	db_bind_int64(stmt, 3, id);
	return store_step_done(st, stmt, error);
}

gboolean
store_meeting_move(struct store *st, gint64 id, gint64 start, gint64 end,
    int sequence, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE meetings SET "
	    "starts_at = ?, ends_at = ?, sequence = ? WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, start);
	db_bind_int64(stmt, 2, end);
	db_bind_int(stmt, 3, sequence);
	db_bind_int64(stmt, 4, id);
	if (!store_step_done(st, stmt, error) || (stmt = store_prepare(st,
	    "UPDATE attendees SET partstat = 'NEEDS-ACTION', counter_start = "
	    "NULL, counter_end = NULL, comment = NULL, updated_at = NULL "
	    "WHERE meeting_id = ?", error)) == NULL)
		return FALSE;
	db_bind_int64(stmt, 1, id);
	return store_step_done(st, stmt, error);
}

GPtrArray *
store_attendee_list(struct store *st, gint64 meeting_id, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT a.meeting_id, "
	    "a.person_id, p.email, p.name, p.zone, a.partstat, "
	    "coalesce(a.counter_start, 0), coalesce(a.counter_end, 0), "
	    "a.comment, coalesce(a.updated_at, 0) FROM attendees a "
	    "JOIN people p ON p.id = a.person_id WHERE a.meeting_id = ? "
	    "ORDER BY CASE p.name WHEN '' THEN p.email ELSE p.name END "
	    "COLLATE NOCASE", error);
	GPtrArray *list;
	int rc;

	if (stmt == NULL)
		return NULL;
	db_bind_int64(stmt, 1, meeting_id);
	list = g_ptr_array_new_with_free_func((GDestroyNotify)attendee_free);
	while ((rc = db_step(stmt)) == DB_ROW) {
		struct attendee *a = g_new0(struct attendee, 1);
		a->meeting_id = db_column_int64(stmt, 0);
		a->person_id = db_column_int64(stmt, 1);
		a->email = store_column_dup(stmt, 2);
		a->name = store_column_dup(stmt, 3);
		a->zone = store_column_dup(stmt, 4);
		a->partstat = store_column_dup(stmt, 5);
		a->counter_start = db_column_int64(stmt, 6);
		a->counter_end = db_column_int64(stmt, 7);
		a->comment = store_column_dup(stmt, 8);
		a->updated_at = db_column_int64(stmt, 9);
		g_ptr_array_add(list, a);
	}
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

gboolean
store_attendee_answer(struct store *st, gint64 meeting_id, gint64 person_id,
    const char *partstat, gint64 counter_start, gint64 counter_end,
    const char *comment, gint64 now, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE attendees SET "
	    "partstat = coalesce(?1, partstat), "
	    "counter_start = CASE WHEN ?2 = 0 THEN counter_start ELSE ?2 END, "
	    "counter_end = CASE WHEN ?2 = 0 THEN counter_end ELSE ?3 END, "
	    "comment = coalesce(?4, comment), updated_at = ?5 "
	    "WHERE meeting_id = ?6 AND person_id = ?7", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, partstat);
	db_bind_int64(stmt, 2, counter_start);
	db_bind_int64(stmt, 3, counter_end);
	store_bind_text(stmt, 4, comment);
	db_bind_int64(stmt, 5, now);
	db_bind_int64(stmt, 6, meeting_id);
	db_bind_int64(stmt, 7, person_id);
	return store_step_done(st, stmt, error);
}
