/* Teams, people and memberships. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "store-private.h"
#include "store-team.h"
#include "value.h"

void
team_free(struct team *team)
{
	if (team == NULL)
		return;
	g_free(team->name);
	g_free(team->title);
	g_free(team->zone);
	g_free(team->digest_rrule);
	g_free(team->digest_empty);
	g_free(team);
}

struct person *
person_new(const char *email)
{
	struct person *p = g_new0(struct person, 1);

	p->email = g_strdup(email);
	p->name = g_strdup("");
	p->zone = g_strdup("UTC");
	p->work_start = 9 * 60;
	p->work_end = 17 * 60;
	p->workdays = WORKDAYS_MON_FRI;
	return p;
}

void
person_free(struct person *p)
{
	if (p == NULL)
		return;
	g_free(p->email);
	g_free(p->name);
	g_free(p->zone);
	g_free(p->role);
	g_free(p->teams);
	g_free(p);
}

static gboolean
not_found(GError **error, const char *what, const char *name)
{
	g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "no %s '%s'",
	    what, name);
	return FALSE;
}

gboolean
store_team_add(struct store *st, const char *name, const char *title,
    const char *zone, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO teams "
	    "(name, title, zone, created_at) VALUES (?, ?, ?, ?)", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, name);
	store_bind_text(stmt, 2, title != NULL ? title : "");
	store_bind_text(stmt, 3, zone != NULL ? zone : "UTC");
	db_bind_int64(stmt, 4, clock_now());
	rc = db_step(stmt);
	db_reset(stmt);
	if (rc == DB_UNIQUE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
		    "team '%s' already exists", name);
		return FALSE;
	}
	return rc == DB_DONE || store_fail(st, rc, error);
}

#define TEAM_COLUMNS "t.id, t.name, t.title, t.zone, t.created_at, " \
	"(SELECT count(*) FROM memberships m WHERE m.team_id = t.id), " \
	"t.digest_rrule, t.digest_empty, coalesce(t.around_day, -1)"

static struct team *
team_from_row(struct db_stmt *stmt)
{
	struct team *team = g_new0(struct team, 1);

	team->id = db_column_int64(stmt, 0);
	team->name = store_column_dup(stmt, 1);
	team->title = store_column_dup(stmt, 2);
	team->zone = store_column_dup(stmt, 3);
	team->created_at = db_column_int64(stmt, 4);
	team->members = db_column_int(stmt, 5);
	team->digest_rrule = store_column_dup(stmt, 6);
	team->digest_empty = store_column_dup(stmt, 7);
	team->around_day = db_column_int(stmt, 8);
	return team;
}

struct team *
store_team_get(struct store *st, const char *name, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " TEAM_COLUMNS
	    " FROM teams t WHERE t.name = ?", error);
	struct team *team = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, name);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		team = team_from_row(stmt);
	else if (rc == DB_DONE)
		not_found(error, "team", name);
	else
		store_fail(st, rc, error);
	db_reset(stmt);
	return team;
}

gboolean
store_team_set(struct store *st, const struct team *team, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE teams SET title = ?, "
	    "zone = ?, digest_rrule = ?, digest_empty = ?, around_day = ? "
	    "WHERE id = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, team->title);
	store_bind_text(stmt, 2, team->zone);
	store_bind_text(stmt, 3, team->digest_rrule);
	store_bind_text(stmt, 4, team->digest_empty);
	if (team->around_day >= 0 && team->around_day <= 6)
		db_bind_int(stmt, 5, team->around_day);
	else
		db_bind_null(stmt, 5);
	db_bind_int64(stmt, 6, team->id);
	return store_step_done(st, stmt, error);
}

GPtrArray *
store_team_list(struct store *st, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " TEAM_COLUMNS
	    " FROM teams t ORDER BY t.name", error);
	g_autoptr(GPtrArray) teams = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)team_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = db_step(stmt)) == DB_ROW)
		g_ptr_array_add(teams, team_from_row(stmt));
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		return NULL;
	}
	return g_steal_pointer(&teams);
}

gboolean
store_team_remove(struct store *st, const char *name, GError **error)
{
	struct db_stmt *stmt = store_prepare(st,
	    "DELETE FROM teams WHERE name = ?", error);

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, name);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (db_changes(st->db) == 0)
		return not_found(error, "team", name);
	return TRUE;
}

#define PERSON_COLUMNS "p.id, p.email, p.name, p.zone, p.work_start, " \
	"p.work_end, p.workdays, p.created_at, coalesce(p.paused_until, 0)"

static struct person *
person_from_row(struct db_stmt *stmt)
{
	struct person *p = g_new0(struct person, 1);

	p->id = db_column_int64(stmt, 0);
	p->email = store_column_dup(stmt, 1);
	p->name = store_column_dup(stmt, 2);
	p->zone = store_column_dup(stmt, 3);
	p->work_start = db_column_int(stmt, 4);
	p->work_end = db_column_int(stmt, 5);
	p->workdays = (unsigned)db_column_int(stmt, 6);
	p->created_at = db_column_int64(stmt, 7);
	p->paused_until = db_column_int64(stmt, 8);
	return p;
}

struct person *
store_person_get(struct store *st, const char *email, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT " PERSON_COLUMNS ", "
	    "(SELECT group_concat(name, ', ') FROM (SELECT t.name FROM "
	    "memberships m JOIN teams t ON t.id = m.team_id "
	    "WHERE m.person_id = p.id ORDER BY t.name) AS x) "
	    "FROM people p WHERE p.email = ?", error);
	struct person *p = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, email);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		p = person_from_row(stmt);
		p->teams = store_column_dup(stmt, 9);
	} else if (rc == DB_DONE)
		not_found(error, "person with address", email);
	else
		store_fail(st, rc, error);
	db_reset(stmt);
	return p;
}

gboolean
store_person_save(struct store *st, struct person *p, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO people "
	    "(email, name, zone, work_start, work_end, workdays, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT (email) DO UPDATE SET name = ?2, zone = ?3, "
	    "work_start = ?4, work_end = ?5, workdays = ?6 "
	    "RETURNING id, created_at", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, p->email);
	store_bind_text(stmt, 2, p->name);
	store_bind_text(stmt, 3, p->zone);
	db_bind_int(stmt, 4, p->work_start);
	db_bind_int(stmt, 5, p->work_end);
	db_bind_int(stmt, 6, (int)p->workdays);
	db_bind_int64(stmt, 7, clock_now());
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		p->id = db_column_int64(stmt, 0);
		p->created_at = db_column_int64(stmt, 1);
		rc = db_step(stmt);
	}
	db_reset(stmt);
	return rc == DB_DONE || store_fail(st, rc, error);
}

gboolean
store_member_add(struct store *st, const char *team, const char *email,
    const char *role, GError **error)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO memberships "
	    "(team_id, person_id, role, created_at) "
	    "SELECT t.id, p.id, ?3, ?4 FROM teams t, people p "
	    "WHERE t.name = ?1 AND p.email = ?2", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, team);
	store_bind_text(stmt, 2, email);
	store_bind_text(stmt, 3, role != NULL ? role : "member");
	db_bind_int64(stmt, 4, clock_now());
	rc = db_step(stmt);
	db_reset(stmt);
	if (rc == DB_UNIQUE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
		    "%s is already a member of team '%s'", email, team);
		return FALSE;
	}
	if (rc != DB_DONE)
		return store_fail(st, rc, error);
	if (db_changes(st->db) == 0)
		return not_found(error, "team", team);
	return TRUE;
}

GPtrArray *
store_member_list(struct store *st, const char *team, GError **error)
{
	static const char by_team[] = "SELECT " PERSON_COLUMNS ", m.role "
	    "FROM memberships m JOIN people p ON p.id = m.person_id "
	    "JOIN teams t ON t.id = m.team_id WHERE t.name = ? "
	    "ORDER BY p.email";
	static const char all[] = "SELECT " PERSON_COLUMNS ", "
	    "group_concat(t.name, ', ') FROM (SELECT * FROM memberships m "
	    "JOIN teams t ON t.id = m.team_id ORDER BY t.name) t "
	    "JOIN people p ON p.id = t.person_id "
	    "GROUP BY p.id ORDER BY p.email";
	struct db_stmt *stmt = store_prepare(st, team != NULL ? by_team : all,
	    error);
	g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)person_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	if (team != NULL)
		store_bind_text(stmt, 1, team);
	while ((rc = db_step(stmt)) == DB_ROW) {
		struct person *p = person_from_row(stmt);
		if (team != NULL)
			p->role = store_column_dup(stmt, 9);
		else
			p->teams = store_column_dup(stmt, 9);
		g_ptr_array_add(people, p);
	}
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		return NULL;
	}
	return g_steal_pointer(&people);
}

gboolean
store_member_remove(struct store *st, const char *email, const char *team,
    GError **error)
{
	struct db_stmt *stmt;

	if (team == NULL)
		stmt = store_prepare(st, "DELETE FROM people WHERE email = ?1",
		    error);
	else
		stmt = store_prepare(st, "DELETE FROM memberships WHERE "
		    "person_id = (SELECT id FROM people WHERE email = ?1) AND "
		    "team_id = (SELECT id FROM teams WHERE name = ?2)", error);
	if (stmt == NULL)
		return FALSE;
	store_bind_text(stmt, 1, email);
	if (team != NULL)
		store_bind_text(stmt, 2, team);
	if (!store_step_done(st, stmt, error))
		return FALSE;
	if (db_changes(st->db) > 0)
		return TRUE;
	if (team == NULL)
		return not_found(error, "person with address", email);
	g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
	    "%s is not a member of team '%s'", email, team);
	return FALSE;
}
