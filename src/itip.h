/* iTIP (RFC 5546) for meetings, with libical: the VCALENDARs tidings sends
 * by iMIP (RFC 6047) — REQUEST and CANCEL, each with a VTIMEZONE for every
 * zone used — the REPLY and COUNTER calendars attendees send back, and the
 * calendar that `tidings export-ics` writes (RFC 7953 VAVAILABILITY for
 * working hours, VFREEBUSY for busy and away time, VEVENTs for meetings).
 *
 * Times are UTC seconds; zones are IANA names, their VTIMEZONEs libical's
 * builtin ones, read from the system zoneinfo.  Everything built here
 * passes libical's restriction checks (itip_check). */
#ifndef TIDINGS_ITIP_H
#define TIDINGS_ITIP_H

#include <glib.h>

#define ITIP_ERROR (itip_error_quark())
GQuark itip_error_quark(void);
enum itip_error {
	ITIP_ERROR_PARSE,	/* not an iCalendar object */
	ITIP_ERROR_METHOD,	/* not the iTIP method expected */
	ITIP_ERROR_INVALID,	/* a component or property is missing or
				   wrong (restriction checks) */
};

/* One person invited. */
struct itip_attendee {
	const char *email;
	const char *name;	/* may be NULL */
	const char *partstat;	/* NULL: NEEDS-ACTION */
};

/* A meeting as it goes out.  Strings are borrowed. */
struct itip_meeting {
	const char *uid;
	int sequence;
	const char *title;
	const char *description;	/* may be NULL */
	gint64 start;
	gint64 end;
	gint64 stamp;			/* DTSTAMP: when it was sent */
	const char *zone;		/* DTSTART/DTEND's TZID; NULL: UTC */
	const char *organizer;		/* address, without mailto: */
	const char *organizer_name;	/* may be NULL */
	const struct itip_attendee *attendees;	/* NULL-email-terminated */
	gboolean cancelled;		/* STATUS:CANCELLED */
	/* More zones to give VTIMEZONEs for (the attendees'), NULL-
	 * terminated; may be NULL. */
	const char *const *zones;
};

/* The VCALENDAR of METHOD:REQUEST (or with M->cancelled, METHOD:CANCEL)
 * for M, CRLF line ends, folded.  Caller frees. */
char *itip_request(const struct itip_meeting *m, GError **error);
char *itip_cancel(const struct itip_meeting *m, GError **error);

/* What an attendee sent back: REPLY or COUNTER. */
struct itip_reply {
	char *method;		/* "REPLY" or "COUNTER" */
	char *uid;
	int sequence;
	char *organizer;	/* without mailto:, lower case; NULL when the
				   reply has none (outlook.com) */
	char *attendee;		/* the replying attendee, without mailto:,
				   lower case */
	char *partstat;		/* ACCEPTED, DECLINED, TENTATIVE,
				   NEEDS-ACTION, ... upper case; NULL in a
				   COUNTER that says none */
	/* The time the event has in the reply (COUNTER: the proposal; REPLY:
	 * the time the attendee saw, or one they propose).  0 when absent
	 * or floating. */
	gint64 start;
	gint64 end;
	char *comment;		/* COMMENT, or Google's X-RESPONSE-COMMENT */
	char *prodid;
};
void itip_reply_free(struct itip_reply *r);
typedef struct itip_reply ItipReply;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ItipReply, itip_reply_free)

/* The METHOD of TEXT (upper case), or NULL when TEXT is no VCALENDAR or
 * has none.  Caller frees. */
char *itip_method(const char *text);

/* Reads a REPLY or COUNTER.  FROM (the mail's sender, may be NULL) picks
 * the attendee when there are several ATTENDEE lines (a COUNTER may
 * repeat the guest list); otherwise the first with a PARTSTAT, or the
 * first.  Fails with ITIP_ERROR_METHOD for other methods. */
struct itip_reply *itip_parse_reply(const char *text, const char *from,
    GError **error);

/* Whether TEXT parses and passes libical's restriction checks for its
 * METHOD (or, without one, as a plain calendar); the error names what is
 * wrong. */
gboolean itip_check(const char *text, GError **error);

/* --- export ---------------------------------------------------------- */

/* A person's week: working hours in their zone. */
struct itip_hours {
	const char *email;
	const char *name;
	const char *zone;
	int work_start;		/* minutes after local midnight */
	int work_end;
	unsigned workdays;	/* bit 0 Monday .. bit 6 Sunday */
};

/* A span of busy time (FBTYPE BUSY, BUSY-UNAVAILABLE for away). */
struct itip_busy {
	gint64 start;
	gint64 end;
	gboolean away;
};

struct itip_calendar;
/* A VCALENDAR to fill in (METHOD:PUBLISH, PRODID tidings').  Free with
 * itip_calendar_free(). */
struct itip_calendar *itip_calendar_new(gint64 stamp);
void itip_calendar_free(struct itip_calendar *c);
typedef struct itip_calendar ItipCalendar;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ItipCalendar, itip_calendar_free)
/* A VAVAILABILITY of H's working hours, weekly from FROM, in H's zone. */
void itip_calendar_add_hours(struct itip_calendar *c,
    const struct itip_hours *h, const char *uid, gint64 from);
/* A VFREEBUSY for EMAIL over [FROM, TO) with BUSY (struct itip_busy, may be
 * empty). */
void itip_calendar_add_freebusy(struct itip_calendar *c, const char *email,
    const char *organizer, gint64 from, gint64 to, GArray *busy);
/* A VEVENT for M (STATUS CONFIRMED, or CANCELLED). */
void itip_calendar_add_event(struct itip_calendar *c,
    const struct itip_meeting *m);

/* The feed form, for calendars that subscribe to a URL (Google Calendar,
 * Outlook, Apple Calendar, khal), which show VEVENTs alone and ignore
 * VAVAILABILITY and VFREEBUSY. */

/* Names the calendar (X-WR-CALNAME) and how often to fetch it again
 * (X-PUBLISHED-TTL, a duration such as "PT1H"); either may be NULL. */
void itip_calendar_set_feed(struct itip_calendar *c, const char *name,
    const char *ttl);
/* H's working hours as a weekly VEVENT in H's zone from FROM,
 * transparent. */
void itip_calendar_add_hours_event(struct itip_calendar *c,
    const struct itip_hours *h, const char *uid, gint64 from);
/* A span of someone's time as a VEVENT: away, deep work, busy (opaque
 * when BUSY), or a status (transparent). */
struct itip_block {
	const char *uid;
	const char *summary;
	gint64 start;
	gint64 end;
	gboolean busy;
};
void itip_calendar_add_block(struct itip_calendar *c,
    const struct itip_block *b);

/* The calendar as text, with a VTIMEZONE for every zone used.  Caller
 * frees. */
char *itip_calendar_text(struct itip_calendar *c);

#endif
