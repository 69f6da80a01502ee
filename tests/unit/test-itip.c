/* Unit tests for iTIP: the REQUEST and CANCEL tidings sends (METHOD, a
 * VTIMEZONE for every zone, UID, SEQUENCE, ORGANIZER, ATTENDEEs, libical's
 * restriction checks), REPLY and COUNTER as Google, Outlook, outlook.com
 * and Apple send them (tests/data/ics, written for these tests), and the
 * exported calendar of working hours, free/busy time and meetings. */
#include "config.h"

#include <glib.h>
#include <libical/ical.h>
#include <string.h>

#include "itip.h"
#include "testtime.h"

static const struct itip_attendee team[] = {
	{ "ana@example.org", "Ana Lima", NULL },
	{ "bob@example.org", "Bob Stone", NULL },
	{ "priya@example.org", "Priya Nair", NULL },
	{ "kai@example.org", "Kai Tan", NULL },
	{ NULL, NULL, NULL },
};
static const char *const zones[] = { "Europe/Berlin", "America/New_York",
    "Asia/Kolkata", "Australia/Sydney", NULL };

static struct itip_meeting
meeting(void)
{
	struct itip_meeting m = {
		.uid = "platform-20260331T130000Z-1a2b3c4d@example.org",
		.sequence = 0,
		.title = "Platform sync",
		.description = "Picked by tidings: 4 of 4 in working hours.",
		.start = utc("2026-03-31T13:00:00Z"),
		.end = utc("2026-03-31T13:30:00Z"),
		.stamp = utc("2026-03-27T09:00:00Z"),
		.zone = "Europe/Berlin",
		.organizer = "standup+platform@example.org",
		.organizer_name = "Platform",
		.attendees = team,
		.zones = zones,
	};
	return m;
}

/* Whether TEXT has LINE as a whole (unfolded) line. */
static gboolean
has_line(const char *text, const char *line)
{
	g_autoptr(GString) s = g_string_new(text);
	g_auto(GStrv) lines = NULL;

	g_string_replace(s, "\r\n ", "", 0);
	g_string_replace(s, "\r\n", "\n", 0);
	lines = g_strsplit(s->str, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		if (strcmp(*l, line) == 0)
			return TRUE;
	return FALSE;
}

static guint
count(const char *text, const char *what)
{
	guint n = 0;

	for (const char *p = strstr(text, what); p != NULL;
	    p = strstr(p + 1, what))
		n++;
	return n;
}

static void
test_request(void)
{
	g_autoptr(GError) error = NULL;
	struct itip_meeting m = meeting();
	g_autofree char *ics = itip_request(&m, &error);
	g_autofree char *method = NULL;

	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(ics, "BEGIN:VCALENDAR\r\n"));
	g_assert_true(has_line(ics, "METHOD:REQUEST"));
	g_assert_true(has_line(ics, "VERSION:2.0"));
	g_assert_true(has_line(ics, "UID:" "platform-20260331T130000Z-1a2b3c4d"
	    "@example.org"));
	g_assert_true(has_line(ics, "SEQUENCE:0"));
	g_assert_true(has_line(ics, "DTSTAMP:20260327T090000Z"));
	/* 13:00 UTC is 15:00 in Berlin, summer time since 29 March. */
	g_assert_true(has_line(ics, "DTSTART;TZID=Europe/Berlin:"
	    "20260331T150000"));
	g_assert_true(has_line(ics, "DTEND;TZID=Europe/Berlin:"
	    "20260331T153000"));
	g_assert_true(has_line(ics, "ORGANIZER;CN=Platform:"
	    "mailto:standup+platform@example.org"));
	g_assert_true(has_line(ics, "ATTENDEE;CN=Ana Lima;CUTYPE=INDIVIDUAL;"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:ana@example.org"));
	g_assert_cmpuint(count(ics, "\r\nATTENDEE"), ==, 4);
	g_assert_cmpuint(count(ics, "RSVP=TRUE"), ==, 4);
	/* A VTIMEZONE for each zone, under its IANA name, once. */
	g_assert_cmpuint(count(ics, "BEGIN:VTIMEZONE"), ==, 4);
	for (const char *const *z = zones; *z != NULL; z++) {
		g_autofree char *line = g_strconcat("TZID:", *z, NULL);
		g_assert_true(has_line(ics, line));
	}
	g_assert_null(strstr(ics, "freeassociation"));
	/* The VTIMEZONEs come before the event. */
	g_assert_true(strstr(ics, "BEGIN:VTIMEZONE") <
	    strstr(ics, "BEGIN:VEVENT"));
	method = itip_method(ics);
	g_assert_cmpstr(method, ==, "REQUEST");
	g_assert_true(itip_check(ics, &error));
	g_assert_no_error(error);
}

/* The start of the event in ICS as UTC seconds, read as a calendar
 * program does: its TZID resolved through the calendar's VTIMEZONEs. */
static gint64
start_read_back(const char *ics)
{
	icalcomponent *cal = icalparser_parse_string(ics);
	icalcomponent *ev;
	struct icaltimetype t;
	gint64 at;

	g_assert_nonnull(cal);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	g_assert_nonnull(ev);
	t = icalcomponent_get_dtstart(ev);
	g_assert_nonnull(t.zone);
	at = (gint64)icaltime_as_timet_with_zone(t, t.zone);
	icalcomponent_free(cal);
	return at;
}

/* Invitations carry each zone's rules from a year before the meeting,
 * not its whole history, and still say the same times. */
static void
test_vtimezone_trimmed(void)
{
	g_autoptr(GError) error = NULL;
	struct itip_meeting m = meeting();
	g_autofree char *summer = itip_request(&m, &error);
	g_autofree char *winter = NULL;
	guint observances;

	g_assert_no_error(error);
	observances = count(summer, "BEGIN:STANDARD") +
	    count(summer, "BEGIN:DAYLIGHT");
	g_test_message("%u observances for 4 zones", observances);
	g_assert_cmpuint(observances, <=, 4 * 4);
	g_assert_null(strstr(summer, "DTSTART:18"));
	g_assert_null(strstr(summer, "DTSTART:19"));
	g_assert_cmpint(start_read_back(summer), ==, m.start);
	/* 14:00 UTC on 12 January 2027 is 15:00 in Berlin, winter time. */
	m.start = 1799762400;
	m.end = m.start + 1800;
	winter = itip_request(&m, &error);
	g_assert_no_error(error);
	g_assert_true(has_line(winter, "DTSTART;TZID=Europe/Berlin:"
	    "20270112T150000"));
	g_assert_cmpint(start_read_back(winter), ==, m.start);
	g_assert_true(itip_check(winter, &error));
}

static void
test_request_utc(void)
{
	g_autoptr(GError) error = NULL;
	struct itip_meeting m = meeting();
	g_autofree char *ics = NULL;

	/* Without a zone (or one libical does not know), times are UTC. */
	m.zone = NULL;
	m.zones = NULL;
	ics = itip_request(&m, &error);
	g_assert_no_error(error);
	g_assert_true(has_line(ics, "DTSTART:20260331T130000Z"));
	g_assert_null(strstr(ics, "VTIMEZONE"));
	g_assert_true(itip_check(ics, &error));
	m.end = m.start;
	g_assert_null(itip_request(&m, &error));
	g_assert_error(error, ITIP_ERROR, ITIP_ERROR_INVALID);
}

static void
test_cancel(void)
{
	g_autoptr(GError) error = NULL;
	struct itip_meeting m = meeting();
	g_autofree char *ics = NULL;

	m.sequence = 1;
	ics = itip_cancel(&m, &error);
	g_assert_no_error(error);
	g_assert_true(has_line(ics, "METHOD:CANCEL"));
	g_assert_true(has_line(ics, "STATUS:CANCELLED"));
	g_assert_true(has_line(ics, "SEQUENCE:1"));
	g_assert_true(has_line(ics, "UID:" "platform-20260331T130000Z-1a2b3c4d"
	    "@example.org"));
	g_assert_cmpuint(count(ics, "\r\nATTENDEE"), ==, 4);
	g_assert_null(strstr(ics, "RSVP=TRUE"));
	g_assert_true(itip_check(ics, &error));
	g_assert_no_error(error);
}

static void
test_check_refuses(void)
{
	g_autoptr(GError) error = NULL;
	static const char broken[] =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	    "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1@x\r\n"
	    "DTSTAMP:20260327T090000Z\r\nDTSTART:20260331T130000Z\r\n"
	    "SUMMARY:no organizer\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

	g_assert_false(itip_check(broken, &error));
	g_assert_error(error, ITIP_ERROR, ITIP_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(itip_check("hello", &error));
	g_assert_error(error, ITIP_ERROR, ITIP_ERROR_PARSE);
}

/* The sample NAME with its UID filled in.  Caller frees. */
static char *
sample(const char *name)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..",
	    "data", "ics", name, NULL);
	g_autofree char *text = NULL;
	g_autoptr(GString) s = NULL;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	s = g_string_new(text);
	g_string_replace(s, "@UID@", "platform-20260331T130000Z-1a2b3c4d"
	    "@example.org", 0);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static struct itip_reply *
parse(const char *name, const char *from)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = sample(name);
	struct itip_reply *r = itip_parse_reply(text, from, &error);

	g_assert_no_error(error);
	g_assert_nonnull(r);
	g_assert_cmpstr(r->uid, ==, "platform-20260331T130000Z-1a2b3c4d"
	    "@example.org");
	return r;
}

static void
test_reply_google(void)
{
	g_autoptr(ItipReply) r = parse("reply-google.ics", NULL);

	g_assert_cmpstr(r->method, ==, "REPLY");
	g_assert_cmpstr(r->attendee, ==, "ana@example.org");
	g_assert_cmpstr(r->partstat, ==, "ACCEPTED");
	g_assert_cmpstr(r->organizer, ==, "standup+platform@example.org");
	g_assert_cmpint(r->start, ==, utc("2026-03-31T13:00:00Z"));
	g_assert_cmpint(r->end, ==, utc("2026-03-31T13:30:00Z"));
	g_assert_true(g_str_has_prefix(r->prodid, "-//Google Inc"));
}

static void
test_reply_outlook(void)
{
	g_autoptr(ItipReply) r = parse("reply-outlook.ics", NULL);

	g_assert_cmpstr(r->method, ==, "REPLY");
	g_assert_cmpstr(r->attendee, ==, "priya@example.org");
	g_assert_cmpstr(r->partstat, ==, "DECLINED");
	g_assert_cmpstr(r->comment, ==, "Sorry, I am at a customer that "
	    "day.\n");
	/* Exchange's own zone, "W. Europe Standard Time", from the reply's
	 * VTIMEZONE: 15:00 there is 13:00 UTC. */
	g_assert_cmpint(r->start, ==, utc("2026-03-31T13:00:00Z"));
}

static void
test_reply_outlook_com(void)
{
	g_autoptr(ItipReply) r = parse("reply-outlook-com.ics", NULL);

	/* outlook.com leaves ORGANIZER out. */
	g_assert_cmpstr(r->method, ==, "REPLY");
	g_assert_null(r->organizer);
	g_assert_cmpstr(r->attendee, ==, "bob@example.org");
	g_assert_cmpstr(r->partstat, ==, "TENTATIVE");
	g_assert_cmpint(r->start, ==, utc("2026-03-31T13:00:00Z"));
}

static void
test_reply_apple(void)
{
	g_autoptr(ItipReply) r = parse("reply-apple.ics", "KAI@example.org");

	g_assert_cmpstr(r->attendee, ==, "kai@example.org");
	g_assert_cmpstr(r->partstat, ==, "ACCEPTED");
	g_assert_cmpint(r->start, ==, utc("2026-03-31T13:00:00Z"));
	g_assert_cmpint(r->end, ==, utc("2026-03-31T13:30:00Z"));
}

static void
test_counter(void)
{
	g_autoptr(ItipReply) o = parse("counter-outlook.ics", NULL);
	g_autoptr(ItipReply) g = parse("reply-google-proposal.ics", NULL);
	g_autoptr(ItipReply) n = parse("reply-google-newtime.ics", NULL);

	g_assert_cmpstr(o->method, ==, "COUNTER");
	g_assert_cmpstr(o->attendee, ==, "priya@example.org");
	g_assert_cmpint(o->start, ==, utc("2026-03-31T12:00:00Z"));
	g_assert_cmpint(o->end, ==, utc("2026-03-31T12:30:00Z"));
	g_assert_cmpstr(o->comment, ==, "Could we do this an hour earlier?\n");
	g_assert_cmpstr(g->method, ==, "COUNTER");
	g_assert_cmpstr(g->attendee, ==, "bob@example.org");
	g_assert_cmpstr(g->comment, ==, "Wednesday suits me better");
	g_assert_cmpint(g->start, ==, utc("2026-04-01T14:00:00Z"));
	/* A REPLY that moves the time: the caller sees the new time. */
	g_assert_cmpstr(n->method, ==, "REPLY");
	g_assert_cmpstr(n->partstat, ==, "TENTATIVE");
	g_assert_cmpint(n->start, ==, utc("2026-04-02T08:00:00Z"));
}

static void
test_not_a_reply(void)
{
	g_autoptr(GError) error = NULL;
	struct itip_meeting m = meeting();
	g_autofree char *ics = itip_request(&m, &error);

	g_assert_null(itip_parse_reply(ics, NULL, &error));
	g_assert_error(error, ITIP_ERROR, ITIP_ERROR_METHOD);
	g_clear_error(&error);
	g_assert_null(itip_parse_reply("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
	    NULL, &error));
	g_assert_error(error, ITIP_ERROR, ITIP_ERROR_PARSE);
	g_assert_null(itip_method("not a calendar"));
}

static void
test_export(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(ItipCalendar) c = itip_calendar_new(utc("2026-03-27T09:00:00Z"));
	g_autoptr(GArray) busy = g_array_new(FALSE, TRUE,
	    sizeof(struct itip_busy));
	struct itip_hours h = { "kai@example.org", "Kai Tan",
	    "Australia/Sydney", 8 * 60, 16 * 60 + 30, 0x1f };
	struct itip_hours night = { "ana@example.org", "Ana Lima",
	    "Europe/Berlin", 22 * 60, 6 * 60, 0x0f };
	struct itip_busy b[] = {
		{ utc("2026-03-30T00:00:00Z"), utc("2026-04-03T00:00:00Z"),
		  TRUE },
		{ utc("2026-03-27T10:00:00Z"), utc("2026-03-27T11:00:00Z"),
		  FALSE },
	};
	struct itip_meeting m = meeting();
	g_autofree char *ics = NULL;

	g_array_append_vals(busy, b, G_N_ELEMENTS(b));
	itip_calendar_add_hours(c, &h, "hours-kai@example.org",
	    utc("2026-03-27T09:00:00Z"));
	itip_calendar_add_hours(c, &night, "hours-ana@example.org",
	    utc("2026-03-27T09:00:00Z"));
	itip_calendar_add_freebusy(c, "kai@example.org", NULL,
	    utc("2026-03-27T00:00:00Z"), utc("2026-04-10T00:00:00Z"), busy);
	itip_calendar_add_event(c, &m);
	ics = itip_calendar_text(c);
	g_assert_true(has_line(ics, "METHOD:PUBLISH"));
	g_assert_true(has_line(ics, "BEGIN:VAVAILABILITY"));
	g_assert_true(has_line(ics, "BEGIN:AVAILABLE"));
	/* 09:00 Friday 27 March in Sydney is already over: Monday 08:00. */
	g_assert_true(has_line(ics, "DTSTART;TZID=Australia/Sydney:"
	    "20260330T080000"));
	g_assert_true(has_line(ics, "DTEND;TZID=Australia/Sydney:"
	    "20260330T163000"));
	g_assert_true(has_line(ics, "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"));
	/* A night shift ends the next morning. */
	g_assert_true(has_line(ics, "DTSTART;TZID=Europe/Berlin:"
	    "20260330T220000"));
	g_assert_true(has_line(ics, "DTEND;TZID=Europe/Berlin:"
	    "20260331T060000"));
	g_assert_true(has_line(ics, "BEGIN:VFREEBUSY"));
	g_assert_true(has_line(ics, "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:"
	    "20260330T000000Z/20260403T000000Z"));
	g_assert_true(has_line(ics, "FREEBUSY;FBTYPE=BUSY:"
	    "20260327T100000Z/20260327T110000Z"));
	g_assert_true(has_line(ics, "BEGIN:VEVENT"));
	g_assert_null(strstr(ics, "ATTENDEE"));
	g_assert_cmpuint(count(ics, "BEGIN:VTIMEZONE"), ==, 2);
	g_assert_true(itip_check(ics, &error));
	g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/itip/request", test_request);
	g_test_add_func("/itip/request-utc", test_request_utc);
	g_test_add_func("/itip/vtimezone-trimmed", test_vtimezone_trimmed);
	g_test_add_func("/itip/cancel", test_cancel);
	g_test_add_func("/itip/check-refuses", test_check_refuses);
	g_test_add_func("/itip/reply/google", test_reply_google);
	g_test_add_func("/itip/reply/outlook", test_reply_outlook);
	g_test_add_func("/itip/reply/outlook-com", test_reply_outlook_com);
	g_test_add_func("/itip/reply/apple", test_reply_apple);
	g_test_add_func("/itip/counter", test_counter);
	g_test_add_func("/itip/not-a-reply", test_not_a_reply);
	g_test_add_func("/itip/export", test_export);
	return g_test_run();
}
