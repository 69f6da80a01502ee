/* The store's meetings (store-meet.c; the logic is meet.c's): a meeting
 * tidings asked a team to, with its UID and SEQUENCE, and each attendee's
 * answer or proposal.  Apart from store.h so that the meeting code's
 * declarations stay together. */
#ifndef TIDINGS_STORE_MEET_H
#define TIDINGS_STORE_MEET_H

#include <glib.h>

struct store;

struct meeting {
	gint64 id;
	gint64 team_id;
	char *team;		/* the team's name */
	char *uid;		/* iCalendar UID */
	int sequence;
	char *title;
	gint64 starts_at;
	gint64 ends_at;
	char *state;		/* requested, cancelled */
	gint64 created_at;
};
void meeting_free(struct meeting *m);
typedef struct meeting Meeting;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Meeting, meeting_free)

/* One person invited, with what they answered. */
struct attendee {
	gint64 meeting_id;
	gint64 person_id;
	char *email;
	char *name;
	char *zone;
	char *partstat;		/* NEEDS-ACTION, ACCEPTED, DECLINED, ... */
	gint64 counter_start;	/* a proposed new time; 0: none */
	gint64 counter_end;
	char *comment;
	gint64 updated_at;	/* 0: no answer yet */
};
void attendee_free(struct attendee *a);

/* Adds M (team_id, uid, sequence, title, times; m->id is set) in state
 * requested; STORE_ERROR_EXISTS when the UID is taken. */
gboolean store_meeting_add(struct store *st, struct meeting *m, gint64 now,
    GError **error);
/* Invites PERSON_ID to MEETING_ID, NEEDS-ACTION. */
gboolean store_attendee_add(struct store *st, gint64 meeting_id,
    gint64 person_id, GError **error);
/* A meeting by UID (exactly); NULL with STORE_ERROR_NOT_FOUND. */
struct meeting *store_meeting_get(struct store *st, const char *uid,
    GError **error);
/* TEAM's meetings (NULL: all), by start. */
GPtrArray *store_meeting_list(struct store *st, const char *team,
    GError **error);
/* Sets the STATE and SEQUENCE of meeting ID. */
gboolean store_meeting_set_state(struct store *st, gint64 id,
    const char *state, int sequence, GError **error);
/* Moves meeting ID to [START, END) under SEQUENCE, and asks every
 * attendee anew: their answers, proposals and comments are cleared
 * (NEEDS-ACTION), as a meeting at another time is another question. */
gboolean store_meeting_move(struct store *st, gint64 id, gint64 start,
    gint64 end, int sequence, GError **error);
/* The attendees of MEETING_ID, by name or address. */
GPtrArray *store_attendee_list(struct store *st, gint64 meeting_id,
    GError **error);
/* Records an answer of PERSON_ID to MEETING_ID at NOW: PARTSTAT (NULL:
 * unchanged), a proposed time (COUNTER_START 0: unchanged) and COMMENT
 * (NULL: unchanged). */
gboolean store_attendee_answer(struct store *st, gint64 meeting_id,
    gint64 person_id, const char *partstat, gint64 counter_start,
    gint64 counter_end, const char *comment, gint64 now, GError **error);

#endif
