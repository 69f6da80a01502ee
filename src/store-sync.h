/* The store's IMAP position, written and read by store-sync.c; the store
 * itself (opening, transactions, errors) is store.h's. */
#ifndef TIDINGS_STORE_SYNC_H
#define TIDINGS_STORE_SYNC_H

#include <glib.h>

#include "store.h"

/* Where a folder was read up to.  The position advances in the same
 * transaction as the mail it covers. */
struct sync_state {
	char *account;		/* user@host */
	char *folder;
	guint32 uidvalidity;
	guint32 last_uid;
	gint64 last_sync_at;	/* 0: never */
	char *last_error;	/* NULL when the last attempt worked */
	gint64 last_error_at;
};
void sync_state_free(struct sync_state *s);
typedef struct sync_state SyncState;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SyncState, sync_state_free)

/* The state of ACCOUNT's FOLDER, or NULL (no error) when never synced. */
struct sync_state *store_sync_get(struct store *st, const char *account,
    const char *folder, GError **error);
/* Records the position, and a successful sync now. */
gboolean store_sync_set(struct store *st, const char *account,
    const char *folder, guint32 uidvalidity, guint32 last_uid,
    GError **error);
/* Records why the last attempt failed (NULL clears it). */
gboolean store_sync_error(struct store *st, const char *account,
    const char *folder, const char *message, GError **error);
/* Every folder's state, for tidings status. */
GPtrArray *store_sync_list(struct store *st, GError **error);
/* Mail received since T (UTC seconds). */
gint64 store_message_count_since(struct store *st, gint64 t, GError **error);

#endif
