/* The store of the HTTP face: the generation of each key of a link (a
 * calendar feed, a reader's archive link).  The keys are HMACs over the
 * generation (http-key.c); a new generation revokes the key before. */
#ifndef TIDINGS_STORE_HTTP_H
#define TIDINGS_STORE_HTTP_H

#include <glib.h>

struct store;

/* The generation of the key of KIND ("feed", "archive") for TEAM and
 * SUBJECT ("" for the team, or an address): 0 when there is none yet, -1
 * with error set. */
gint64 store_http_key_generation(struct store *st, const char *kind,
    const char *team, const char *subject, GError **error);
/* Starts the next generation (1 for the first); returns it, or -1 with
 * STORE_ERROR_NOT_FOUND when TEAM does not exist. */
gint64 store_http_key_renew(struct store *st, const char *kind,
    const char *team, const char *subject, gint64 now, GError **error);

#endif
