/* iCalendar in: what a member's .ics says of their time.  A calendar
 * file (an attachment of a mail to LOCAL+availability@, or a file given
 * to `tidings avail import`) becomes availability blocks (avail.h):
 *
 *   VEVENT      busy; away for out-of-office events (Google's
 *               X-GOOGLE-EVENT-TYPE:outOfOffice, Outlook's
 *               X-MICROSOFT-CDO-BUSYSTATUS:OOF, a CATEGORIES or SUMMARY
 *               that says so); deep work for focus time.  TRANSP:
 *               TRANSPARENT and BUSYSTATUS FREE are free time and
 *               ignored, but a day off is away: an all-day event of a
 *               public-holiday calendar (X-WR-CALNAME) or with a holiday
 *               CATEGORIES, or one marked free (not a birthday);
 *               STATUS:CANCELLED removes what the UID stood
 *               for.  A recurring event is kept as a rule when tidings'
 *               schedules can say it (schedule.h), else expanded over
 *               the next ICAL_HORIZON_DAYS, with EXDATE, RDATE and
 *               RECURRENCE-ID overrides.
 *   VFREEBUSY   FBTYPE BUSY and BUSY-TENTATIVE busy, BUSY-UNAVAILABLE
 *               away.
 *   VAVAILABILITY (RFC 7953)  the AVAILABLE times are working hours:
 *               one weekly pattern sets the person's hours and days,
 *               anything else becomes working blocks.
 *
 * Zones: a TZID that is an IANA name is used as such (also at the end of
 * a path, as in /mozilla.org/.../Europe/Berlin); the Windows names of
 * Exchange and Outlook ("W. Europe Standard Time") map to IANA names by
 * CLDR's windowsZones table; any other TZID is converted with the rules
 * of its VTIMEZONE.  Floating times are in the person's zone.
 *
 * Only this file and itip.c use libical's components. */
#ifndef TIDINGS_ICAL_H
#define TIDINGS_ICAL_H

#include <glib.h>

#define ICAL_ERROR (ical_error_quark())
GQuark ical_error_quark(void);
enum ical_error {
	ICAL_ERROR_PARSE,	/* not iCalendar, or broken: the message says
				   where */
};

/* How far ahead a rule that tidings cannot keep as a rule is expanded. */
#define ICAL_HORIZON_DAYS 90

/* What a calendar file says. */
struct ical_result {
	GPtrArray *blocks;	/* struct availability *: person_id 0,
				   source "ics", uid set */
	GPtrArray *uids;	/* char *: every UID the file speaks of,
				   cancelled ones too; what was stored under
				   them is replaced by BLOCKS */
	gboolean hours_set;	/* VAVAILABILITY gave a weekly pattern: */
	char *zone;		/* its zone (IANA) */
	int work_start;		/* minutes after local midnight */
	int work_end;
	unsigned workdays;	/* bit 0 Monday .. bit 6 Sunday */
	guint items;		/* events, free/busy periods, availabilities
				   read */
	guint ignored;		/* free, past or cancelled */
};
void ical_result_free(struct ical_result *r);
typedef struct ical_result IcalResult;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IcalResult, ical_result_free)

/* Reads the calendar TEXT (LEN bytes, or -1 when NUL-terminated) for a
 * person in ZONE at NOW, whose address is EMAIL (may be NULL; an event
 * the person declined as an ATTENDEE is free time).  NULL with ICAL_ERROR_PARSE when it is not
 * iCalendar or is broken, the message naming the line where it can.
 * Caller frees. */
struct ical_result *ical_read(const char *text, gssize len, const char *zone,
    const char *email, gint64 now, GError **error);

/* The IANA name of a Windows zone name, or NULL. */
const char *ical_windows_zone(const char *name);

/* The IANA zone a TZID stands for (an IANA name, one at the end of a
 * path, or a Windows name), or NULL.  Caller frees. */
char *ical_iana_zone(const char *tzid);

#endif
