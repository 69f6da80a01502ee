/* The store: one SQLite database holding everything tidings knows.  Only
 * store*.c speak SQL.  Every function returns a status and sets a GError
 * in STORE_ERROR on failure; the codes tell callers what to do (retry
 * later, refuse, report). */
#ifndef TIDINGS_STORE_H
#define TIDINGS_STORE_H

#include <glib.h>

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);
enum store_error {
	STORE_ERROR_FAILED,
	STORE_ERROR_IO,		/* cannot open, read or write the file */
	STORE_ERROR_BUSY,	/* locked past the busy timeout: retry later */
	STORE_ERROR_FULL,	/* the disk is full: retry later */
	STORE_ERROR_CORRUPT,	/* not a tidings database, or damaged */
	STORE_ERROR_VERSION,	/* written by a newer tidings */
	STORE_ERROR_NOT_FOUND,
	STORE_ERROR_EXISTS,
};

struct store;

/* Opens PATH, creating it and its directory when missing, and brings its
 * schema up to date step by step.  Close with store_close(). */
struct store *store_open(const char *path, GError **error);
void store_close(struct store *st);
typedef struct store Store;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)

const char *store_path(const struct store *st);
/* How long to wait for another process's lock before STORE_ERROR_BUSY. */
void store_set_busy_timeout(struct store *st, int ms);
/* The schema version of the open database and the newest this build knows. */
int store_schema_version(struct store *st);
int store_schema_latest(void);

/* One write transaction at a time; BEGIN IMMEDIATE takes the write lock at
 * once, so a busy database fails here and not halfway through. */
gboolean store_begin(struct store *st, GError **error);
gboolean store_commit(struct store *st, GError **error);
void store_rollback(struct store *st);

/* --- teams, people and memberships (store-team.c) ------------------- */

struct team {
	gint64 id;
	char *name;
	char *title;
	char *zone;
	gint64 created_at;
	int members;
};
void team_free(struct team *team);
typedef struct team Team;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Team, team_free)

struct person {
	gint64 id;
	char *email;
	char *name;
	char *zone;
	int work_start;		/* minutes after local midnight */
	int work_end;
	unsigned workdays;	/* bit 0 Monday .. bit 6 Sunday */
	gint64 created_at;
	char *role;		/* in a team's listing: member or owner */
	char *teams;		/* in a listing: the person's teams, "a, b" */
};
/* A person with the defaults of the schema. */
struct person *person_new(const char *email);
void person_free(struct person *p);
typedef struct person Person;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Person, person_free)

gboolean store_team_add(struct store *st, const char *name, const char *title,
    const char *zone, GError **error);
/* Returns NULL with STORE_ERROR_NOT_FOUND for an unknown team.  Caller
 * frees. */
struct team *store_team_get(struct store *st, const char *name,
    GError **error);
/* Every team, by name; an array of struct team *, freeing its elements. */
GPtrArray *store_team_list(struct store *st, GError **error);
/* Removes the team and its memberships (people stay). */
gboolean store_team_remove(struct store *st, const char *name,
    GError **error);

struct person *store_person_get(struct store *st, const char *email,
    GError **error);
/* Inserts P (p->id is set) or, when its address is known, updates it. */
gboolean store_person_save(struct store *st, struct person *p,
    GError **error);
/* Adds P to TEAM; STORE_ERROR_EXISTS when already a member. */
gboolean store_member_add(struct store *st, const char *team,
    const char *email, const char *role, GError **error);
/* The members of TEAM (with role), or every person with memberships
 * (with teams) when TEAM is NULL; an array of struct person *. */
GPtrArray *store_member_list(struct store *st, const char *team,
    GError **error);
/* Removes EMAIL from TEAM, or, with TEAM NULL, forgets the person. */
gboolean store_member_remove(struct store *st, const char *email,
    const char *team, GError **error);

#endif
