/* The store's teams, people and memberships, written and read by
 * store-team.c; the store itself (opening, transactions, errors) is
 * store.h's. */
#ifndef TIDINGS_STORE_TEAM_H
#define TIDINGS_STORE_TEAM_H

#include <glib.h>

#include "store.h"

struct team {
	gint64 id;
	char *name;
	char *title;
	char *zone;
	gint64 created_at;
	int members;
	char *digest_rrule;	/* in the team's zone; NULL: no digests */
	char *digest_empty;	/* skip or notice: a period without news */
	int around_day;		/* 0 Monday .. 6 Sunday: that day's digest
				   shows who is around that week; -1: none */
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
	gint64 paused_until;	/* no prompts before this; 0: not paused */
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
/* Saves the title, zone and digest settings of TEAM (by id). */
gboolean store_team_set(struct store *st, const struct team *team,
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
