/* iTIP with libical; see itip.h.
 *
 * Local times are computed with GLib's reading of the system zoneinfo (as
 * schedule.c does) and written as DTSTART;TZID=Europe/Berlin:...; the
 * VTIMEZONE that goes with them is libical's builtin one, read from the
 * same zoneinfo, under the IANA name rather than libical's prefixed TZID,
 * which calendar programs would show as it stands. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "itip.h"

G_DEFINE_QUARK(tidings-itip-error-quark, itip_error)

#define PRODID "-//tidings//tidings " PACKAGE_VERSION "//EN"

static icaltimetype
utc_time(gint64 t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone());
}

/* Whether ZONE is one libical has a VTIMEZONE for. */
static gboolean
zone_known(const char *zone)
{
	return zone != NULL && strcmp(zone, "UTC") != 0 &&
	    icaltimezone_get_builtin_timezone(zone) != NULL;
}

/* T in ZONE as a floating local time (the TZID goes on as a parameter). */
static icaltimetype
local_time(gint64 t, const char *zone)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) l = NULL;
	icaltimetype tt = icaltime_null_time();

	if (tz == NULL || u == NULL)
		return utc_time(t);
	l = g_date_time_to_timezone(u, tz);
	tt.year = g_date_time_get_year(l);
	tt.month = g_date_time_get_month(l);
	tt.day = g_date_time_get_day_of_month(l);
	tt.hour = g_date_time_get_hour(l);
	tt.minute = g_date_time_get_minute(l);
	tt.second = g_date_time_get_second(l);
	return tt;
}

/* A DTSTART or DTEND (NEW_PROP) at T in ZONE, or in UTC without one. */
static icalproperty *
time_prop(icalproperty *(*new_prop)(struct icaltimetype), gint64 t,
    const char *zone, GHashTable *zones)
{
	icalproperty *p;

	if (!zone_known(zone))
		return new_prop(utc_time(t));
	p = new_prop(local_time(t, zone));
	icalproperty_add_parameter(p, icalparameter_new_tzid(zone));
	g_hash_table_add(zones, g_strdup(zone));
	return p;
}

static char *
mailto(const char *address)
{
	return g_strconcat("mailto:", address, NULL);
}

static icalproperty *
organizer_prop(const char *address, const char *name)
{
	g_autofree char *uri = mailto(address);
	icalproperty *p = icalproperty_new_organizer(uri);

	if (name != NULL && *name != '\0')
		icalproperty_add_parameter(p, icalparameter_new_cn(name));
	return p;
}

static icalproperty *
attendee_prop(const struct itip_attendee *a, gboolean rsvp)
{
	g_autofree char *uri = mailto(a->email);
	icalproperty *p = icalproperty_new_attendee(uri);
	icalparameter_partstat ps = ICAL_PARTSTAT_NEEDSACTION;

	if (a->name != NULL && *a->name != '\0')
		icalproperty_add_parameter(p, icalparameter_new_cn(a->name));
	icalproperty_add_parameter(p,
	    icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
	icalproperty_add_parameter(p,
	    icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	if (a->partstat != NULL)
		ps = icalparameter_string_to_enum(a->partstat);
	if (ps < ICAL_PARTSTAT_X || ps > ICAL_PARTSTAT_NONE)
		ps = ICAL_PARTSTAT_NEEDSACTION;
	icalproperty_add_parameter(p, icalparameter_new_partstat(ps));
	if (rsvp)
		icalproperty_add_parameter(p,
		    icalparameter_new_rsvp(ICAL_RSVP_TRUE));
	return p;
}

static icalcomponent *
vcalendar_new(icalproperty_method method)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);

	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (method != ICAL_METHOD_NONE)
		icalcomponent_add_property(cal, icalproperty_new_method(method));
	return cal;
}

/* How far before the earliest time a calendar names its VTIMEZONEs
 * begin: a year, whatever the zone did before it. */
#define VTIMEZONE_BEFORE (366 * 24 * 3600)

/* The VTIMEZONE of ZONE under its IANA name, from a year before FROM (no
 * bound when 0) on.  libical's have the zone's whole history, rules of
 * the 1890s included, which makes invitations long and which some
 * calendar programs (Outlook) do not read well. */
static icalcomponent *
vtimezone(const char *zone, gint64 from)
{
	icaltimezone *z = icaltimezone_get_builtin_timezone(zone);
	icalcomponent *c, *copy;
	icalproperty *tzid;

	if (z == NULL || (c = icaltimezone_get_component(z)) == NULL)
		return NULL;
	copy = icalcomponent_new_clone(c);
	if (from != 0)
		icaltimezone_truncate_vtimezone(copy,
		    utc_time(from - VTIMEZONE_BEFORE), icaltime_null_time(), 0);
	tzid = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY);
	if (tzid != NULL)
		icalproperty_set_tzid(tzid, zone);
	return copy;
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* VTIMEZONEs for ZONES (a set of names), in name order, at the head of
 * CAL, before its other components; FROM is the earliest time it names in
 * them (0: unknown). */
static void
add_vtimezones(icalcomponent *cal, GHashTable *zones, gint64 from)
{
	g_autofree gpointer *names = NULL;
	guint n;

	names = g_hash_table_get_keys_as_array(zones, &n);
	qsort(names, n, sizeof *names, cmp_str);
	for (guint i = 0; i < n; i++) {
		icalcomponent *tz = vtimezone(names[i], from);
		if (tz != NULL)
			icalcomponent_add_component(cal, tz);
	}
}

/* The VEVENT of M, its zones added to ZONES; with ATTENDEES, its
 * ATTENDEE lines (RSVP when asked for). */
static icalcomponent *
vevent(const struct itip_meeting *m, gboolean attendees, gboolean rsvp,
    GHashTable *zones)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);

	icalcomponent_add_property(ev, icalproperty_new_uid(m->uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(
	    utc_time(m->stamp)));
	icalcomponent_add_property(ev, icalproperty_new_sequence(m->sequence));
	icalcomponent_add_property(ev, time_prop(icalproperty_new_dtstart,
	    m->start, m->zone, zones));
	icalcomponent_add_property(ev, time_prop(icalproperty_new_dtend,
	    m->end, m->zone, zones));
	icalcomponent_add_property(ev, icalproperty_new_summary(m->title));
	if (m->description != NULL && *m->description != '\0')
		icalcomponent_add_property(ev,
		    icalproperty_new_description(m->description));
	icalcomponent_add_property(ev, icalproperty_new_status(m->cancelled ?
	    ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(ev,
	    icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalcomponent_add_property(ev, organizer_prop(m->organizer,
	    m->organizer_name));
	for (const struct itip_attendee *a = m->attendees; attendees &&
	    a != NULL && a->email != NULL; a++)
		icalcomponent_add_property(ev, attendee_prop(a, rsvp));
	return ev;
}

static char *
calendar_text(icalcomponent *cal)
{
	char *s = icalcomponent_as_ical_string_r(cal);
	char *copy = g_strdup(s);

	free(s);
	return copy;
}

static char *
itip_build(const struct itip_meeting *m, icalproperty_method method,
    GError **error)
{
	g_autoptr(GHashTable) zones = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	icalcomponent *cal, *ev;
	char *text;

	if (m->uid == NULL || m->organizer == NULL || m->title == NULL ||
	    m->end <= m->start) {
		g_set_error(error, ITIP_ERROR, ITIP_ERROR_INVALID,
		    "a meeting needs a UID, an organizer, a title and an end "
		    "after its start");
		return NULL;
	}
	cal = vcalendar_new(method);
	ev = vevent(m, TRUE, method == ICAL_METHOD_REQUEST, zones);
	for (const char *const *z = m->zones; z != NULL && *z != NULL; z++)
		if (zone_known(*z))
			g_hash_table_add(zones, g_strdup(*z));
	add_vtimezones(cal, zones, m->start);
	icalcomponent_add_component(cal, ev);
	text = calendar_text(cal);
	icalcomponent_free(cal);
	return text;
}

char *
itip_request(const struct itip_meeting *m, GError **error)
{
	return itip_build(m, ICAL_METHOD_REQUEST, error);
}

char *
itip_cancel(const struct itip_meeting *m, GError **error)
{
	struct itip_meeting c = *m;

	c.cancelled = TRUE;
	return itip_build(&c, ICAL_METHOD_CANCEL, error);
}

/* --- reading --------------------------------------------------------- */

void
itip_reply_free(struct itip_reply *r)
{
	if (r == NULL)
		return;
	g_free(r->method);
	g_free(r->uid);
	g_free(r->organizer);
	g_free(r->attendee);
	g_free(r->partstat);
	g_free(r->comment);
	g_free(r->prodid);
	g_free(r);
}

/* The VCALENDAR of TEXT (the first, when there are several), or NULL.
 * Caller frees with icalcomponent_free(*root). */
static icalcomponent *
parse_calendar(const char *text, icalcomponent **root)
{
	icalcomponent *c;

	*root = text != NULL ? icalparser_parse_string(text) : NULL;
	if (*root == NULL)
		return NULL;
	if (icalcomponent_isa(*root) == ICAL_VCALENDAR_COMPONENT)
		return *root;
	c = icalcomponent_get_first_component(*root,
	    ICAL_VCALENDAR_COMPONENT);
	return c;
}

static char *
prop_text(icalcomponent *c, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(c, kind);
	char *v, *copy;

	if (p == NULL)
		return NULL;
	/* Text as it is meant, its commas and line breaks unescaped. */
	if (icalvalue_isa(icalproperty_get_value(p)) == ICAL_TEXT_VALUE)
		return g_strdup(icalvalue_get_text(icalproperty_get_value(p)));
	if ((v = icalproperty_get_value_as_string_r(p)) == NULL)
		return NULL;
	copy = g_strdup(v);
	free(v);
	return copy;
}

char *
itip_method(const char *text)
{
	icalcomponent *root, *cal = parse_calendar(text, &root);
	char *m = cal != NULL ? prop_text(cal, ICAL_METHOD_PROPERTY) : NULL;
	char *up = m != NULL ? g_ascii_strup(m, -1) : NULL;

	g_free(m);
	if (root != NULL)
		icalcomponent_free(root);
	return up;
}

/* A calendar user address as an email address: without mailto:, lower
 * case.  NULL for anything else. */
static char *
address_of(const char *uri)
{
	g_autofree char *copy = NULL;
	const char *a = uri;

	if (a == NULL)
		return NULL;
	while (*a == ' ')
		a++;
	if (g_ascii_strncasecmp(a, "mailto:", 7) == 0)
		a += 7;
	if (strchr(a, '@') == NULL)
		return NULL;
	copy = g_strstrip(g_strdup(a));
	return g_ascii_strdown(copy, -1);
}

static char *
param_text(icalproperty *p, const char *name)
{
	char *v = icalproperty_get_parameter_as_string_r(p, name);
	char *copy = v != NULL && *v != '\0' ? g_strdup(v) : NULL;

	free(v);
	return copy;
}

/* The ATTENDEE of EV that replies: FROM's, or the only one, or the first
 * that says something. */
static icalproperty *
replying_attendee(icalcomponent *ev, const char *from)
{
	icalproperty *first = NULL, *stated = NULL;

	for (icalproperty *p = icalcomponent_get_first_property(ev,
	    ICAL_ATTENDEE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
		g_autofree char *a = address_of(icalproperty_get_attendee(p));
		g_autofree char *ps = param_text(p, "PARTSTAT");

		if (a == NULL)
			continue;
		if (from != NULL && g_ascii_strcasecmp(a, from) == 0)
			return p;
		if (first == NULL)
			first = p;
		if (stated == NULL && ps != NULL &&
		    g_ascii_strcasecmp(ps, "NEEDS-ACTION") != 0)
			stated = p;
	}
	return stated != NULL ? stated : first;
}

/* TT as UTC seconds: UTC, or in its zone (a VTIMEZONE of the calendar, or
 * a builtin one named by TZID); 0 for a floating or missing time. */
static gint64
time_of(icaltimetype tt, icalproperty *p)
{
	g_autofree char *tzid = p != NULL ? param_text(p, "TZID") : NULL;
	icaltimezone *z = (icaltimezone *)tt.zone;

	if (icaltime_is_null_time(tt))
		return 0;
	if (icaltime_is_utc(tt))
		return (gint64)icaltime_as_timet(tt);
	if (z == NULL && tzid != NULL)
		z = icaltimezone_get_builtin_timezone(tzid);
	if (z == NULL)
		return 0;
	return (gint64)icaltime_as_timet_with_zone(tt, z);
}

struct itip_reply *
itip_parse_reply(const char *text, const char *from, GError **error)
{
	icalcomponent *root, *cal = parse_calendar(text, &root);
	icalcomponent *ev;
	icalproperty *att, *org;
	struct itip_reply *r = NULL;

	if (cal == NULL || (ev = icalcomponent_get_first_real_component(
	    cal)) == NULL || icalcomponent_isa(ev) != ICAL_VEVENT_COMPONENT) {
		g_set_error(error, ITIP_ERROR, ITIP_ERROR_PARSE,
		    "not an iCalendar object with an event");
		goto out;
	}
	r = g_new0(struct itip_reply, 1);
	r->method = prop_text(cal, ICAL_METHOD_PROPERTY);
	if (r->method != NULL) {
		char *up = g_ascii_strup(r->method, -1);
		g_free(r->method);
		r->method = up;
	}
	if (r->method == NULL || (strcmp(r->method, "REPLY") != 0 &&
	    strcmp(r->method, "COUNTER") != 0)) {
		g_set_error(error, ITIP_ERROR, ITIP_ERROR_METHOD,
		    "METHOD %s is neither REPLY nor COUNTER", r->method != NULL ?
		    r->method : "(none)");
		g_clear_pointer(&r, itip_reply_free);
		goto out;
	}
	r->prodid = prop_text(cal, ICAL_PRODID_PROPERTY);
	r->uid = g_strdup(icalcomponent_get_uid(ev));
	r->sequence = icalcomponent_get_sequence(ev);
	if ((org = icalcomponent_get_first_property(ev,
	    ICAL_ORGANIZER_PROPERTY)) != NULL)
		r->organizer = address_of(icalproperty_get_organizer(org));
	if ((att = replying_attendee(ev, from)) != NULL) {
		g_autofree char *ps = param_text(att, "PARTSTAT");
		r->attendee = address_of(icalproperty_get_attendee(att));
		r->partstat = ps != NULL ? g_ascii_strup(ps, -1) : NULL;
		r->comment = param_text(att, "X-RESPONSE-COMMENT");
	}
	if (r->comment == NULL)
		r->comment = prop_text(ev, ICAL_COMMENT_PROPERTY);
	r->start = time_of(icalcomponent_get_dtstart(ev),
	    icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY));
	r->end = time_of(icalcomponent_get_dtend(ev),
	    icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY));
	if (r->end == 0 && r->start != 0) {
		struct icaldurationtype d = icalcomponent_get_duration(ev);
		if (!icaldurationtype_is_null_duration(d))
			r->end = r->start + icaldurationtype_as_int(d);
	}
	if (r->uid == NULL || r->attendee == NULL) {
		g_set_error(error, ITIP_ERROR, ITIP_ERROR_INVALID,
		    "a %s without %s", r->method, r->uid == NULL ? "UID" :
		    "an ATTENDEE");
		g_clear_pointer(&r, itip_reply_free);
	}
out:
	if (root != NULL)
		icalcomponent_free(root);
	return r;
}

/* The first X-LIC-ERROR in C or below, or NULL.  Caller frees. */
static char *
first_error(icalcomponent *c)
{
	icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_XLICERROR_PROPERTY);

	if (p != NULL)
		return g_strdup_printf("%s: %s", icalcomponent_kind_to_string(
		    icalcomponent_isa(c)), icalproperty_get_xlicerror(p));
	for (icalcomponent *s = icalcomponent_get_first_component(c,
	    ICAL_ANY_COMPONENT); s != NULL;
	    s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		char *e = first_error(s);
		if (e != NULL)
			return e;
	}
	return NULL;
}

gboolean
itip_check(const char *text, GError **error)
{
	icalcomponent *root, *cal = parse_calendar(text, &root);
	g_autofree char *why = NULL;
	gboolean ok;

	if (cal == NULL) {
		g_set_error(error, ITIP_ERROR, ITIP_ERROR_PARSE,
		    "not an iCalendar object");
		if (root != NULL)
			icalcomponent_free(root);
		return FALSE;
	}
	why = first_error(cal);
	ok = why == NULL && icalrestriction_check(cal) != 0;
	if (!ok && why == NULL)
		why = first_error(cal);
	if (!ok)
		g_set_error(error, ITIP_ERROR, ITIP_ERROR_INVALID, "%s",
		    why != NULL ? why : "libical's restriction check failed");
	icalcomponent_free(root);
	return ok;
}

/* --- export ---------------------------------------------------------- */

struct itip_calendar {
	icalcomponent *cal;
	GPtrArray *components;	/* icalcomponent *, added after the zones */
	GHashTable *zones;
	gint64 stamp;
	gint64 earliest;	/* the earliest time in a zone; 0: none */
};

static void
calendar_names_time(struct itip_calendar *c, gint64 t)
{
	if (c->earliest == 0 || t < c->earliest)
		c->earliest = t;
}

struct itip_calendar *
itip_calendar_new(gint64 stamp)
{
	struct itip_calendar *c = g_new0(struct itip_calendar, 1);

	c->cal = vcalendar_new(ICAL_METHOD_PUBLISH);
	icalcomponent_add_property(c->cal, icalproperty_new_x("tidings"));
	icalproperty_set_x_name(icalcomponent_get_first_property(c->cal,
	    ICAL_X_PROPERTY), "X-WR-CALNAME");
	c->components = g_ptr_array_new();
	c->zones = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	c->stamp = stamp;
	return c;
}

void
itip_calendar_free(struct itip_calendar *c)
{
	if (c == NULL)
		return;
	for (guint i = 0; i < c->components->len; i++)
		icalcomponent_free(c->components->pdata[i]);
	g_ptr_array_unref(c->components);
	g_hash_table_unref(c->zones);
	icalcomponent_free(c->cal);
	g_free(c);
}

/* BYDAY of WORKDAYS: "MO,TU,WE,TH,FR".  Caller frees. */
static char *
byday(unsigned workdays)
{
	static const char *const days[] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };
	GString *s = g_string_new(NULL);

	for (int d = 0; d < 7; d++)
		if (workdays & (1u << d))
			g_string_append_printf(s, "%s%s", s->len > 0 ? "," : "",
			    days[d]);
	return g_string_free(s, FALSE);
}

/* The first local start of H's working hours on a workday at or after
 * FROM, as UTC seconds, and the end of that shift. */
static void
first_shift(const struct itip_hours *h, gint64 from, gint64 *start,
    gint64 *end)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(h->zone);
	g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(from);
	g_autoptr(GDateTime) l = NULL;
	int len = h->work_end - h->work_start;

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	if (len <= 0)
		len += 24 * 60;
	l = g_date_time_to_timezone(u, tz);
	for (int i = 0; i < 8; i++) {
		g_autoptr(GDateTime) day = g_date_time_add_days(l, i);
		g_autoptr(GDateTime) s = g_date_time_new(tz,
		    g_date_time_get_year(day), g_date_time_get_month(day),
		    g_date_time_get_day_of_month(day), h->work_start / 60,
		    h->work_start % 60, 0);
		int wd = g_date_time_get_day_of_week(s) - 1;

		if ((h->workdays & (1u << wd)) == 0 ||
		    g_date_time_to_unix(s) < from)
			continue;
		*start = g_date_time_to_unix(s);
		*end = *start + len * 60;
		return;
	}
	*start = from;
	*end = from + len * 60;
}

void
itip_calendar_add_hours(struct itip_calendar *c, const struct itip_hours *h,
    const char *uid, gint64 from)
{
	icalcomponent *va = icalcomponent_new(ICAL_VAVAILABILITY_COMPONENT);
	icalcomponent *av = icalcomponent_new(ICAL_XAVAILABLE_COMPONENT);
	g_autofree char *days = byday(h->workdays != 0 ? h->workdays : 0x1f);
	g_autofree char *rule = g_strdup_printf("FREQ=WEEKLY;BYDAY=%s", days);
	g_autofree char *sub = g_strdup_printf("%s-hours", uid);
	g_autofree char *summary = g_strdup_printf("Working hours of %s",
	    h->name != NULL && *h->name != '\0' ? h->name : h->email);
	gint64 start, end;
	const char *zone = zone_known(h->zone) ? h->zone : NULL;

	first_shift(h, from, &start, &end);
	calendar_names_time(c, start);
	icalcomponent_add_property(va, icalproperty_new_uid(uid));
	icalcomponent_add_property(va, icalproperty_new_dtstamp(
	    utc_time(c->stamp)));
	icalcomponent_add_property(va, icalproperty_new_summary(summary));
	icalcomponent_add_property(va, organizer_prop(h->email, h->name));
	icalcomponent_add_property(av, icalproperty_new_uid(sub));
	icalcomponent_add_property(av, icalproperty_new_dtstamp(
	    utc_time(c->stamp)));
	icalcomponent_add_property(av, time_prop(icalproperty_new_dtstart,
	    start, zone, c->zones));
	icalcomponent_add_property(av, time_prop(icalproperty_new_dtend,
	    end, zone, c->zones));
	icalcomponent_add_property(av, icalproperty_new_rrule(
	    icalrecurrencetype_from_string(rule)));
	icalcomponent_add_property(av, icalproperty_new_summary("Working"));
	icalcomponent_add_component(va, av);
	g_ptr_array_add(c->components, va);
}

void
itip_calendar_add_freebusy(struct itip_calendar *c, const char *email,
    const char *organizer, gint64 from, gint64 to, GArray *busy)
{
	icalcomponent *fb = icalcomponent_new(ICAL_VFREEBUSY_COMPONENT);
	g_autofree char *uid = g_strdup_printf("freebusy-%s-%" G_GINT64_FORMAT,
	    email, from);

	icalcomponent_add_property(fb, icalproperty_new_uid(uid));
	icalcomponent_add_property(fb, icalproperty_new_dtstamp(
	    utc_time(c->stamp)));
	icalcomponent_add_property(fb, icalproperty_new_dtstart(
	    utc_time(from)));
	icalcomponent_add_property(fb, icalproperty_new_dtend(utc_time(to)));
	icalcomponent_add_property(fb, organizer_prop(organizer != NULL ?
	    organizer : email, NULL));
	for (guint i = 0; busy != NULL && i < busy->len; i++) {
		const struct itip_busy *b = &g_array_index(busy,
		    struct itip_busy, i);
		struct icalperiodtype period = icalperiodtype_null_period();
		icalproperty *p;

		period.start = utc_time(MAX(b->start, from));
		period.end = utc_time(MIN(b->end, to));
		if (icaltime_compare(period.start, period.end) >= 0)
			continue;
		p = icalproperty_new_freebusy(period);
		icalproperty_add_parameter(p, icalparameter_new_fbtype(b->away ?
		    ICAL_FBTYPE_BUSYUNAVAILABLE : ICAL_FBTYPE_BUSY));
		icalcomponent_add_property(fb, p);
	}
	g_ptr_array_add(c->components, fb);
}

void
itip_calendar_add_event(struct itip_calendar *c,
    const struct itip_meeting *m)
{
	/* A published event names no attendees (RFC 5546 3.2.1). */
	calendar_names_time(c, m->start);
	g_ptr_array_add(c->components, vevent(m, FALSE, FALSE, c->zones));
}

char *
itip_calendar_text(struct itip_calendar *c)
{
	add_vtimezones(c->cal, c->zones, c->earliest);
	for (guint i = 0; i < c->components->len; i++)
		icalcomponent_add_component(c->cal, c->components->pdata[i]);
	g_ptr_array_set_size(c->components, 0);
	return calendar_text(c->cal);
}

/* --- the feed form: VEVENTs only ----------------------------------- */

void
itip_calendar_set_feed(struct itip_calendar *c, const char *name,
    const char *ttl)
{
	icalproperty *p = icalcomponent_get_first_property(c->cal,
	    ICAL_X_PROPERTY);

	if (p != NULL && name != NULL)
		icalproperty_set_x(p, name);
	if (ttl != NULL) {
		p = icalproperty_new_x(ttl);
		icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
		icalcomponent_add_property(c->cal, p);
	}
}

void
itip_calendar_add_hours_event(struct itip_calendar *c,
    const struct itip_hours *h, const char *uid, gint64 from)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	g_autofree char *days = byday(h->workdays != 0 ? h->workdays : 0x1f);
	g_autofree char *rule = g_strdup_printf("FREQ=WEEKLY;BYDAY=%s", days);
	g_autofree char *summary = g_strdup_printf("%s working",
	    h->name != NULL && *h->name != '\0' ? h->name : h->email);
	gint64 start, end;
	const char *zone = zone_known(h->zone) ? h->zone : NULL;

	first_shift(h, from, &start, &end);
	calendar_names_time(c, start);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(
	    utc_time(c->stamp)));
	icalcomponent_add_property(ev, time_prop(icalproperty_new_dtstart,
	    start, zone, c->zones));
	icalcomponent_add_property(ev, time_prop(icalproperty_new_dtend,
	    end, zone, c->zones));
	icalcomponent_add_property(ev, icalproperty_new_rrule(
	    icalrecurrencetype_from_string(rule)));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	/* Working is not busy time. */
	icalcomponent_add_property(ev, icalproperty_new_transp(
	    ICAL_TRANSP_TRANSPARENT));
	g_ptr_array_add(c->components, ev);
}

void
itip_calendar_add_block(struct itip_calendar *c, const struct itip_block *b)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);

	icalcomponent_add_property(ev, icalproperty_new_uid(b->uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(
	    utc_time(c->stamp)));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(
	    utc_time(b->start)));
	icalcomponent_add_property(ev, icalproperty_new_dtend(
	    utc_time(b->end)));
	icalcomponent_add_property(ev, icalproperty_new_summary(b->summary));
	icalcomponent_add_property(ev, icalproperty_new_transp(b->busy ?
	    ICAL_TRANSP_OPAQUE : ICAL_TRANSP_TRANSPARENT));
	g_ptr_array_add(c->components, ev);
}
