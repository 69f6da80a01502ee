/* The store's availability, written and read by store-avail.c; the store
 * itself (opening, transactions, errors) is store.h's. */
#ifndef TIDINGS_STORE_AVAIL_H
#define TIDINGS_STORE_AVAIL_H

#include <glib.h>

#include "store.h"

/* A block of time a person stated: a single range, or with RRULE a
 * recurring block whose first instance is [starts_at, ends_at). */
struct availability {
	gint64 id;
	gint64 person_id;
	char *kind;		/* working, away, deep-work, busy */
	gint64 starts_at;	/* 0: since always */
	gint64 ends_at;		/* 0: open-ended */
	char *rrule;		/* NULL: a single range */
	char *zone;		/* of the RRULE */
	char *summary;
	char *source;		/* cli, mail, ics, autoreply */
	char *uid;		/* iCalendar UID, or NULL */
};
void availability_free(struct availability *a);

/* PERSON_ID's blocks that may matter at or after SINCE (recurring ones
 * always), by start. */
GPtrArray *store_availability_list(struct store *st, gint64 person_id,
    gint64 since, GError **error);
/* Adds A (a->id is set); with a UID already stored for the person and
 * source, that block is replaced (an updated invitation). */
gboolean store_availability_add(struct store *st, struct availability *a,
    gint64 now, GError **error);
/* Removes PERSON_ID's blocks of KIND (NULL: all) from SOURCE (NULL: all)
 * that end after NOW or recur; returns how many, or -1. */
gint64 store_availability_clear(struct store *st, gint64 person_id,
    const char *kind, const char *source, gint64 now, GError **error);
/* Removes PERSON_ID's blocks from SOURCE stored under UID or as its
 * instances ("UID#..."); returns how many, or -1. */
gint64 store_availability_forget(struct store *st, gint64 person_id,
    const char *source, const char *uid, GError **error);
/* PERSON_ID's stated status ("traveling") and until when (0: no end), or
 * NULL (no error) when none stands at NOW.  Caller frees. */
char *store_person_status(struct store *st, gint64 person_id, gint64 now,
    gint64 *until, GError **error);
/* Sets PERSON_ID's status, or clears it with STATUS NULL. */
gboolean store_person_set_status(struct store *st, gint64 person_id,
    const char *status, gint64 until, GError **error);
/* Sets the note of processed mail ID: what of it was not applied (past
 * the caps of an availability mail), shown with its state. */
gboolean store_message_note(struct store *st, gint64 id, const char *note,
    GError **error);
/* The steps SQLite has run for ST's statements so far: the store's work,
 * which tests compare where a time could not be asserted. */
gint64 store_work_done(struct store *st);

#endif
