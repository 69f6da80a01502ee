/* The store of the HTTP face: the generation of each key of a link (a
 * calendar feed, a reader's archive link).  The keys are HMACs over the
 * generation (http-key.c); a new generation revokes the key before. */
#ifndef TIDINGS_STORE_HTTP_H
#define TIDINGS_STORE_HTTP_H

#include <glib.h>

struct store;

/* The generation of the key of KIND ("feed", "archive") for TEAM and
 * SUBJECT ("" for the team, or an address): 1 until it is first renewed,
 * -1 with error set. */
gint64 store_http_key_generation(struct store *st, const char *kind,
    const char *team, const char *subject, GError **error);
/* Starts the next generation; returns it, or -1 with
 * STORE_ERROR_NOT_FOUND when TEAM does not exist. */
gint64 store_http_key_renew(struct store *st, const char *kind,
    const char *team, const char *subject, gint64 now, GError **error);

/* A number that changes whenever the database does, by this connection
 * or another: what was made from it may be kept while it stays. */
gboolean store_http_version(struct store *st, gint64 *version,
    GError **error);
/* The files that every commit writes (NULL-terminated, for g_strfreev),
 * for a server to be told of changes rather than ask
 * store_http_version() each time; NULL where there are none to watch
 * (PostgreSQL, a database in memory). */
char **store_watch_paths(struct store *st);

/* --- the archive ----------------------------------------------------- */

/* A digest of the archive: one period of a team. */
struct archive_period {
	gint64 id;
	gint64 start;
	gint64 end;
};

/* TEAM's digests, newest first, as struct archive_period *. */
GPtrArray *store_http_periods(struct store *st, const char *team,
    GError **error);
/* Digest ID of TEAM, or FALSE (STORE_ERROR_NOT_FOUND). */
gboolean store_http_period(struct store *st, const char *team, gint64 id,
    struct archive_period *out, GError **error);

/* A mail of the archive found by a search. */
struct archive_hit {
	gint64 message;
	char *sender;		/* display name, or the address */
	char *subject;
	gint64 date;
	char *snippet;		/* with \001 and \002 around the matches */
};
void archive_hit_free(struct archive_hit *h);

/* Full-text search (FTS5 syntax) over TEAM's mail alone: answers to its
 * check-ins and comments on them and on its digests; newest first, at
 * most LIMIT.  A malformed query fails with STORE_ERROR_QUERY. */
GPtrArray *store_http_search(struct store *st, const char *team,
    const char *query, int limit, GError **error);
/* The comments on the answers that mail MESSAGE holds, oldest first, as
 * struct archive_hit with the comment's text as snippet. */
GPtrArray *store_http_comments(struct store *st, gint64 message,
    GError **error);
/* Whether mail ID is TEAM's (as above). */
gboolean store_http_message_of(struct store *st, const char *team,
    gint64 id, GError **error);

#endif
