/* Meetings: the best slot for a team across its zones, the iTIP REQUEST
 * mailed (iMIP) to every member, the REPLY and COUNTER mails that come
 * back, CANCEL, and the team's calendar as .ics.
 *
 * A slot is on a 15-minute grid within the window; the best is the one
 * with the fewest members away, then the most members in working hours
 * throughout, then the earliest; a slot where anyone is in deep work is
 * never taken (avail_at decides each state).  The meeting, its attendees
 * and the invitations are written in one transaction. */
#ifndef TIDINGS_MEET_H
#define TIDINGS_MEET_H

#include <glib.h>

#include "message.h"

struct take;
struct tidings_ctx;
struct store;

#define MEET_ERROR (meet_error_quark())
GQuark meet_error_quark(void);
enum meet_error {
	MEET_ERROR_NO_SLOT,	/* nobody works in any slot of the window */
	MEET_ERROR_NO_MEMBERS,	/* the team has nobody to invite */
	MEET_ERROR_CANCELLED,	/* the meeting is cancelled already */
	MEET_ERROR_NO_PROPOSAL,	/* nobody proposed another time */
	MEET_ERROR_ADDRESS,	/* tidings' address takes no subaddress */
};

/* The grid of slots, in seconds. */
#define MEET_STEP (15 * 60)

/* A slot and how it suits the team. */
struct meet_slot {
	gint64 start;
	gint64 end;
	guint members;
	guint working;		/* in working hours throughout */
	GPtrArray *away;	/* char *: the addresses of those away */
	GPtrArray *off;		/* char *: outside their hours, or busy */
};
void meet_slot_clear(struct meet_slot *s);

/* The best slot of DURATION seconds for TEAM in [NOW, NOW + WITHIN). */
gboolean meet_pick(struct store *st, const char *team, gint64 now,
    gint64 duration, gint64 within, struct meet_slot *slot, GError **error);

/* TEAM's address, LOCAL+TEAM@DOMAIN: the From of the invitations, and
 * the meetings' ORGANIZER in the exported calendar.  Caller frees. */
char *meet_team_address(struct tidings_ctx *env, const char *team);

/* EMAIL's own address for meeting UID, LOCAL+meet-TOKEN@DOMAIN, TOKEN
 * signing the UID and EMAIL: the ORGANIZER of every invitation, update
 * and cancel of UID that EMAIL gets, where their calendar program sends
 * their answers.  It was given to EMAIL alone, so an answer that comes to
 * it speaks for them (meet_vouch()).  Caller frees. */
char *meet_attendee_address(struct tidings_ctx *env, const char *uid,
    const char *email, GError **error);

/* Records a meeting TITLE of TEAM in SLOT and queues its REQUEST to every
 * member, in one transaction.  *uid (may be NULL) gets its UID. */
gboolean meet_request(struct tidings_ctx *env, const char *team,
    const struct meet_slot *slot, const char *title, gint64 now,
    char **uid, GError **error);

/* Cancels the meeting UID: a CANCEL with a higher SEQUENCE to every
 * attendee, in one transaction with the change. */
gboolean meet_cancel(struct tidings_ctx *env, const char *uid, gint64 now,
    GError **error);

/* Accepts a proposal for meeting UID: ATTENDEE's (NULL: the latest
 * anyone made).  The meeting moves to that time under a higher SEQUENCE,
 * every attendee is asked anew, and the update (an iTIP REQUEST) is
 * queued to each, in one transaction.  *start and *end (may be NULL) get
 * the new times. */
gboolean meet_accept(struct tidings_ctx *env, const char *uid,
    const char *attendee, gint64 now, gint64 *start, gint64 *end,
    GError **error);

/* Whether MSG answers a notice of a proposal (a reply to the mail
 * tell_owners() sent) with "accept" on its first line. */
gboolean meet_is_accept(const struct message *msg);

/* Takes such a reply of the mail T takes, in the caller's transaction:
 * from an owner of the meeting's team, the proposal the notice told of is
 * accepted as meet_accept() does; the owner is answered either way. */
gboolean meet_take_accept(struct tidings_ctx *env, struct take *t,
    GError **error);

/* Whether MSG carries an iTIP REPLY or COUNTER (text/calendar, or
 * application/ics without a method, as Google sends). */
gboolean meet_is_itip(const struct message *msg);

/* The meetings' own proof of the sender, which the dispatcher asks
 * before the trust rule (taker.h): the REPLY or COUNTER of the mail T
 * takes came to the meeting address (msg->meet_token) of the very
 * attendee it answers for, of that meeting.  *why says why or why not.
 * Caller frees. */
gboolean meet_vouch(struct tidings_ctx *env, const struct take *t,
    char **why);

/* Takes the REPLY or COUNTER of the mail T takes, once the dispatcher
 * has found it trusted (meet_vouch(), or the trust rule): the attendee's
 * answer or proposal, matched by UID and the attendee's address, who must
 * be its sender; a proposal is
 * told to the team's owners.  Never answers the sender.  Runs in the
 * caller's transaction. */
gboolean meet_take(struct tidings_ctx *env, struct take *t, GError **error);

/* The same in the form calendars that subscribe to a URL show (VEVENTs
 * alone): working hours as weekly events in each member's zone
 * (transparent), away, deep-work and busy time as events (opaque),
 * and the meetings, over DAYS days from FROM.  Its text changes only
 * when what it shows does, or FROM.  Caller frees. */
char *meet_export_events(struct store *st, const char *team,
    const char *member, const char *organizer, gint64 from, int days,
    GError **error);

/* TEAM's calendar (or MEMBER's alone): working hours, busy and away time
 * over the next DAYS days from NOW, and the team's meetings, organised by
 * ORGANIZER (the team's address).  Caller frees. */
char *meet_export(struct store *st, const char *team, const char *member,
    const char *organizer, gint64 now, int days, GError **error);

#endif
