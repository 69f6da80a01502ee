/* iCalendar in; see ical.h.
 *
 * A file is first read line by line for its shape (content lines,
 * BEGIN/END in pairs), so that a broken one is refused with the line at
 * fault; libical then parses it, and the errors it notes (X-LIC-ERROR) in
 * the components tidings reads refuse the file as well.  Nothing is
 * half-read: a file gives all its blocks or an error. */
#include "config.h"

#include <string.h>

#include <libical/ical.h>

#include "ical.h"
#include "schedule.h"
#include "store.h"
#include "store-avail.h"

G_DEFINE_QUARK(tidings-ical-error-quark, ical_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(icalcomponent, icalcomponent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(icalrecur_iterator, icalrecur_iterator_free)

/* Instances walked for one rule before giving up on it. */
#define MAX_STEPS 100000
/* Years tidings reads times in; libical's zone rules are slow far out. */
#define MIN_YEAR 1900
#define MAX_YEAR 2200

void
ical_result_free(struct ical_result *r)
{
	if (r == NULL)
		return;
	g_ptr_array_unref(r->blocks);
	g_ptr_array_unref(r->uids);
	g_free(r->zone);
	g_free(r);
}

/* --- zones ------------------------------------------------------------- */

/* CLDR windowsZones.xml, the "001" (main) zone of the names Exchange and
 * Outlook send most. */
static const struct {
	const char *windows;
	const char *iana;
} windows_zones[] = {
	{ "Dateline Standard Time", "Etc/GMT+12" },
	{ "UTC-11", "Etc/GMT+11" },
	{ "Hawaiian Standard Time", "Pacific/Honolulu" },
	{ "Alaskan Standard Time", "America/Anchorage" },
	{ "Pacific Standard Time (Mexico)", "America/Tijuana" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "US Mountain Standard Time", "America/Phoenix" },
	{ "Mountain Standard Time (Mexico)", "America/Mazatlan" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Central America Standard Time", "America/Guatemala" },
	{ "Central Standard Time (Mexico)", "America/Mexico_City" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Canada Central Standard Time", "America/Regina" },
	{ "SA Pacific Standard Time", "America/Bogota" },
	{ "Eastern Standard Time (Mexico)", "America/Cancun" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "US Eastern Standard Time", "America/Indiana/Indianapolis" },
	{ "Venezuela Standard Time", "America/Caracas" },
	{ "Paraguay Standard Time", "America/Asuncion" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "Central Brazilian Standard Time", "America/Cuiaba" },
	{ "SA Western Standard Time", "America/La_Paz" },
	{ "Pacific SA Standard Time", "America/Santiago" },
	{ "Newfoundland Standard Time", "America/St_Johns" },
	{ "E. South America Standard Time", "America/Sao_Paulo" },
	{ "Argentina Standard Time", "America/Argentina/Buenos_Aires" },
	{ "SA Eastern Standard Time", "America/Cayenne" },
	{ "Greenland Standard Time", "America/Nuuk" },
	{ "Montevideo Standard Time", "America/Montevideo" },
	{ "UTC-02", "Etc/GMT+2" },
	{ "Azores Standard Time", "Atlantic/Azores" },
	{ "Cape Verde Standard Time", "Atlantic/Cape_Verde" },
	{ "UTC", "Etc/UTC" },
	{ "Coordinated Universal Time", "Etc/UTC" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "Morocco Standard Time", "Africa/Casablanca" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "W. Central Africa Standard Time", "Africa/Lagos" },
	{ "Jordan Standard Time", "Asia/Amman" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "Middle East Standard Time", "Asia/Beirut" },
	{ "Egypt Standard Time", "Africa/Cairo" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "Syria Standard Time", "Asia/Damascus" },
	{ "South Africa Standard Time", "Africa/Johannesburg" },
	{ "FLE Standard Time", "Europe/Kiev" },
	{ "Israel Standard Time", "Asia/Jerusalem" },
	{ "Kaliningrad Standard Time", "Europe/Kaliningrad" },
	{ "Arabic Standard Time", "Asia/Baghdad" },
	{ "Turkey Standard Time", "Europe/Istanbul" },
	{ "Arab Standard Time", "Asia/Riyadh" },
	{ "Belarus Standard Time", "Europe/Minsk" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "E. Africa Standard Time", "Africa/Nairobi" },
	{ "Iran Standard Time", "Asia/Tehran" },
	{ "Arabian Standard Time", "Asia/Dubai" },
	{ "Azerbaijan Standard Time", "Asia/Baku" },
	{ "Caucasus Standard Time", "Asia/Yerevan" },
	{ "Afghanistan Standard Time", "Asia/Kabul" },
	{ "West Asia Standard Time", "Asia/Tashkent" },
	{ "Ekaterinburg Standard Time", "Asia/Yekaterinburg" },
	{ "Pakistan Standard Time", "Asia/Karachi" },
	{ "India Standard Time", "Asia/Kolkata" },
	{ "Sri Lanka Standard Time", "Asia/Colombo" },
	{ "Nepal Standard Time", "Asia/Kathmandu" },
	{ "Central Asia Standard Time", "Asia/Almaty" },
	{ "Bangladesh Standard Time", "Asia/Dhaka" },
	{ "Myanmar Standard Time", "Asia/Yangon" },
	{ "SE Asia Standard Time", "Asia/Bangkok" },
	{ "N. Central Asia Standard Time", "Asia/Novosibirsk" },
	{ "China Standard Time", "Asia/Shanghai" },
	{ "North Asia Standard Time", "Asia/Krasnoyarsk" },
	{ "Singapore Standard Time", "Asia/Singapore" },
	{ "W. Australia Standard Time", "Australia/Perth" },
	{ "Taipei Standard Time", "Asia/Taipei" },
	{ "Ulaanbaatar Standard Time", "Asia/Ulaanbaatar" },
	{ "Tokyo Standard Time", "Asia/Tokyo" },
	{ "Korea Standard Time", "Asia/Seoul" },
	{ "Cen. Australia Standard Time", "Australia/Adelaide" },
	{ "AUS Central Standard Time", "Australia/Darwin" },
	{ "E. Australia Standard Time", "Australia/Brisbane" },
	{ "AUS Eastern Standard Time", "Australia/Sydney" },
	{ "West Pacific Standard Time", "Pacific/Port_Moresby" },
	{ "Tasmania Standard Time", "Australia/Hobart" },
	{ "Vladivostok Standard Time", "Asia/Vladivostok" },
	{ "Central Pacific Standard Time", "Pacific/Guadalcanal" },
	{ "New Zealand Standard Time", "Pacific/Auckland" },
	{ "Fiji Standard Time", "Pacific/Fiji" },
	{ "Tonga Standard Time", "Pacific/Tongatapu" },
};

const char *
ical_windows_zone(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(windows_zones); i++)
		if (g_ascii_strcasecmp(name, windows_zones[i].windows) == 0)
			return windows_zones[i].iana;
	return NULL;
}

/* Whether NAME is a zone of the system's zoneinfo: Area/City or UTC. */
static gboolean
iana_known(const char *name)
{
	g_autoptr(GTimeZone) tz = NULL;

	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != strlen(name))
		return FALSE;
	if (strchr(name, '/') == NULL && strcmp(name, "UTC") != 0)
		return FALSE;
	tz = g_time_zone_new_identifier(name);
	return tz != NULL;
}

char *
ical_iana_zone(const char *tzid)
{
	const char *w;

	if (tzid == NULL)
		return NULL;
	if ((w = ical_windows_zone(tzid)) != NULL)
		return g_strdup(w);
	/* "Europe/Berlin", or its tail: "/mozilla.org/20050126_1/Europe/
	 * Berlin", "/softwarestudio.org/Olson_20011030_5/America/New_York". */
	for (const char *p = tzid; p != NULL && *p != '\0';
	    p = strchr(p + 1, '/')) {
		const char *s = *p == '/' ? p + 1 : p;
		if (iana_known(s))
			return g_strdup(s);
	}
	return NULL;
}

/* Where a time of the file is on the UTC line. */
struct zone_ref {
	gboolean utc;
	char *iana;		/* or */
	icaltimezone *vtz;	/* the file's VTIMEZONE; owned by the file */
};

static void
zone_ref_clear(struct zone_ref *z)
{
	g_clear_pointer(&z->iana, g_free);
}

/* --- reading the file ---------------------------------------------------- */

/* What one reading needs. */
struct reader {
	icalcomponent *cal;	/* the VCALENDAR */
	const char *zone;	/* the person's */
	const char *email;	/* the person's, or NULL */
	gint64 now;
	gint64 from, to;	/* the window of expansion */
	GHashTable *lines;	/* component name -> GArray of the lines of its
				   BEGINs, in order */
	GHashTable *seen;	/* component name -> how many were read */
	GHashTable *overridden;	/* "UID" -> GArray of gint64 RECURRENCE-IDs */
	GHashTable *uids;	/* set of the UIDs named */
	GHashTable *masters;	/* "UID" -> how many VEVENTs without a
				   RECURRENCE-ID named it */
	struct ical_result *out;
	guint anon;		/* items without a UID */
};

static gboolean
fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
fail(GError **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (error != NULL)
		*error = g_error_new_valist(ICAL_ERROR, ICAL_ERROR_PARSE, fmt, ap);
	va_end(ap);
	return FALSE;
}

/* Up to 60 characters of LINE for a message. */
static char *
excerpt(const char *line, size_t len)
{
	g_autofree char *s = g_strndup(line, MIN(len, 60));

	g_strdelimit(s, "\r\t", ' ');
	if (!g_utf8_validate(s, -1, NULL))
		return g_strdup("(not UTF-8)");
	return len > 60 ? g_strconcat(s, "...", NULL) : g_steal_pointer(&s);
}

/* Whether LINE (unfolded) is NAME *(";" param) ":" value. */
static gboolean
content_line_ok(const char *line)
{
	const char *p = line;
	gboolean quoted = FALSE;

	if (!g_ascii_isalnum(*p))
		return FALSE;
	while (g_ascii_isalnum(*p) || *p == '-')
		p++;
	if (*p == ':')
		return TRUE;
	if (*p != ';')
		return FALSE;
	for (; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted)
			return TRUE;
	}
	return FALSE;
}

/* Whether VALUE is a DATE or DATE-TIME, or a list of them. */
static gboolean
times_ok(const char *value)
{
	g_auto(GStrv) items = g_strsplit(value, ",", -1);

	for (char **i = items; *i != NULL; i++) {
		size_t n = strlen(*i);
		if ((n != 8 && n != 15 && n != 16) || strspn(*i,
		    "0123456789") != 8 || (n > 8 && ((*i)[8] != 'T' ||
		    strspn(*i + 9, "0123456789") != 6)) ||
		    (n == 16 && (*i)[15] != 'Z'))
			return FALSE;
	}
	return TRUE;
}

/* The times tidings reads must be times: libical reads "2026-12-02" as
 * something else without a word. */
static gboolean
time_line_ok(const char *line, guint n, GError **error)
{
	static const char *const names[] = { "DTSTART", "DTEND",
	    "RECURRENCE-ID", "EXDATE" };
	const char *value = NULL;
	gboolean quoted = FALSE;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		size_t len = strlen(names[i]);
		if (g_ascii_strncasecmp(line, names[i], len) != 0 ||
		    (line[len] != ':' && line[len] != ';'))
			continue;
		for (const char *p = line + len; *p != '\0'; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ':' && !quoted) {
				value = p + 1;
				break;
			}
		}
		if (value != NULL && !times_ok(value)) {
			g_autofree char *x = excerpt(value, strlen(value));
			return fail(error, "line %u: %s \"%s\" is not a date "
			    "(20261224) or a time (20261224T090000, with Z for "
			    "UTC)", n, names[i], x);
		}
		return TRUE;
	}
	return TRUE;
}

static void
line_note(GHashTable *lines, const char *name, guint line)
{
	GArray *a = g_hash_table_lookup(lines, name);

	if (a == NULL) {
		a = g_array_new(FALSE, FALSE, sizeof(guint));
		g_hash_table_insert(lines, g_strdup(name), a);
	}
	g_array_append_val(a, line);
}

/* A logical line: unfolded, with the number of its first line. */
struct logical_line {
	char *text;
	guint line;
};

static void
logical_line_free(gpointer p)
{
	struct logical_line *l = p;

	g_free(l->text);
	g_free(l);
}

/* TEXT as unfolded lines (CRLF, LF or CR ends), blank ones left out. */
static GPtrArray *
unfold(const char *text, gsize len, guint base, GError **error)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(logical_line_free);
	struct logical_line *cur = NULL;
	GString *buf = NULL;
	gsize i = 0;
	guint n = base;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		gsize end = i;
		while (end < len && text[end] != '\n' && text[end] != '\r' &&
		    text[end] != '\0')
			end++;
		n++;
		if (end < len && text[end] == '\0') {
			if (buf != NULL)
				g_string_free(buf, TRUE);
			g_ptr_array_unref(out);
			fail(error, "line %u: a NUL byte: not a text file", n);
			return NULL;
		}
		if (end > i && (text[i] == ' ' || text[i] == '\t') &&
		    buf != NULL) {
			g_string_append_len(buf, text + i + 1,
			    (gssize)(end - i - 1));
		} else if (end > i) {
			if (buf != NULL)
				cur->text = g_string_free(buf, FALSE);
			cur = g_new0(struct logical_line, 1);
			cur->line = n;
			g_ptr_array_add(out, cur);
			buf = g_string_new_len(text + i, (gssize)(end - i));
		}
		i = end + 1;
		if (end < len && text[end] == '\r' && i < len && text[i] == '\n')
			i++;
	}
	if (buf != NULL)
		cur->text = g_string_free(buf, FALSE);
	return out;
}

/* The shape of TEXT: content lines, and BEGIN and END in pairs.  Notes
 * the line of every BEGIN in R->lines.  Lines count from BASE + 1. */
static gboolean
shape_check(struct reader *r, const char *text, gsize len, guint base,
    GError **error)
{
	g_autoptr(GPtrArray) lines = unfold(text, len, base, error);
	g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(guint));
	guint calendars = 0;

	if (lines == NULL)
		return FALSE;
	for (guint k = 0; k < lines->len; k++) {
		const struct logical_line *ll = lines->pdata[k];
		const char *l = ll->text;
		g_autofree char *name = NULL;

		if (!content_line_ok(l)) {
			g_autofree char *x = excerpt(l, strlen(l));
			return fail(error, "line %u: \"%s\" is not an iCalendar "
			    "line (NAME:VALUE)", ll->line, x);
		}
		if (!time_line_ok(l, ll->line, error))
			return FALSE;
		if (g_ascii_strncasecmp(l, "BEGIN:", 6) == 0) {
			name = g_strstrip(g_ascii_strup(l + 6, -1));
			if (stack->len == 0 && strcmp(name, "VCALENDAR") != 0)
				return fail(error, "line %u: BEGIN:%s outside a "
				    "VCALENDAR", ll->line, name);
			if (stack->len == 0)
				calendars++;
			if (stack->len > 20)
				return fail(error, "line %u: components nested "
				    "too deep", ll->line);
			line_note(r->lines, name, ll->line);
			g_ptr_array_add(stack, g_steal_pointer(&name));
			g_array_append_val(starts, ll->line);
		} else if (g_ascii_strncasecmp(l, "END:", 4) == 0) {
			name = g_strstrip(g_ascii_strup(l + 4, -1));
			if (stack->len == 0)
				return fail(error, "line %u: END:%s without its "
				    "BEGIN", ll->line, name);
			if (strcmp(name, stack->pdata[stack->len - 1]) != 0)
				return fail(error, "line %u: END:%s, but BEGIN:%s "
				    "of line %u is still open", ll->line, name,
				    (char *)stack->pdata[stack->len - 1],
				    g_array_index(starts, guint, starts->len - 1));
			g_ptr_array_remove_index(stack, stack->len - 1);
			g_array_remove_index(starts, starts->len - 1);
		} else if (stack->len == 0) {
			g_autofree char *x = excerpt(l, strlen(l));
			return fail(error, "line %u: \"%s\" outside a VCALENDAR",
			    ll->line, x);
		}
	}
	if (stack->len > 0)
		return fail(error, "the file ends before END:%s (BEGIN:%s of "
		    "line %u)", (char *)stack->pdata[stack->len - 1],
		    (char *)stack->pdata[stack->len - 1],
		    g_array_index(starts, guint, starts->len - 1));
	if (calendars == 0)
		return fail(error, "not an iCalendar file: no BEGIN:VCALENDAR");
	return TRUE;
}

/* "line 12: VEVENT \"Holiday\"": where component C begins, for messages.
 * Components of one kind are read in the order of the file, so the Nth
 * read is the Nth BEGIN. */
static char *
where(struct reader *r, icalcomponent *c)
{
	const char *name = icalcomponent_kind_to_string(
	    icalcomponent_isa(c));
	GArray *lines = g_hash_table_lookup(r->lines, name);
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(r->seen, name));
	const char *summary = icalcomponent_get_summary(c);
	g_autofree char *s = summary != NULL ? excerpt(summary,
	    strlen(summary)) : NULL;
	g_autofree char *at = NULL;

	if (lines != NULL && n >= 1 && n <= lines->len)
		at = g_strdup_printf("line %u: ", g_array_index(lines, guint,
		    n - 1));
	return g_strdup_printf("%s%s%s%s%s", at != NULL ? at : "", name,
	    s != NULL ? " \"" : "", s != NULL ? s : "", s != NULL ? "\"" : "");
}

static void
count_seen(struct reader *r, icalcomponent *c)
{
	const char *name = icalcomponent_kind_to_string(
	    icalcomponent_isa(c));
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(r->seen, name));

	g_hash_table_insert(r->seen, g_strdup(name), GUINT_TO_POINTER(n + 1));
}

/* What libical could not read in C itself, of the properties tidings
 * uses; others (Google's empty DESCRIPTION) do not matter here. */
static gboolean
lic_errors(struct reader *r, icalcomponent *c, GError **error)
{
	static const char *const used[] = { "DTSTART", "DTEND", "DURATION",
	    "RRULE", "EXDATE", "RDATE", "RECURRENCE-ID", "FREEBUSY", "TZID",
	    "FBTYPE", "STATUS", "TRANSP" };
	g_autofree char *w = NULL;

	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_XLICERROR_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		const char *text = icalproperty_get_xlicerror(p);
		for (size_t i = 0; text != NULL && i < G_N_ELEMENTS(used); i++)
			if (strstr(text, used[i]) != NULL) {
				w = where(r, c);
				return fail(error, "%s: %s", w, text);
			}
	}
	return TRUE;
}

/* A wall-clock time as seconds counted as if it were UTC. */
static gint64
nominal(struct icaltimetype t)
{
	g_autoptr(GDateTime) d = g_date_time_new_utc(t.year, t.month, t.day,
	    t.is_date ? 0 : t.hour, t.is_date ? 0 : t.minute,
	    t.is_date ? 0 : t.second);

	return d != NULL ? g_date_time_to_unix(d) : 0;
}

/* The zone of the time of property P (T its value). */
static gboolean
zone_of(struct reader *r, icalproperty *p, struct icaltimetype t,
    struct zone_ref *z, GError **error)
{
	icalparameter *param = icalproperty_get_first_parameter(p,
	    ICAL_TZID_PARAMETER);
	const char *tzid = param != NULL ? icalparameter_get_tzid(param) : NULL;

	memset(z, 0, sizeof *z);
	if (icaltime_is_utc(t)) {
		z->utc = TRUE;
		return TRUE;
	}
	if (tzid == NULL || *tzid == '\0') {
		z->iana = g_strdup(r->zone);
		return TRUE;
	}
	if ((z->iana = ical_iana_zone(tzid)) != NULL)
		return TRUE;
	if ((z->vtz = icalcomponent_get_timezone(r->cal, tzid)) != NULL)
		return TRUE;
	return fail(error, "TZID \"%s\" is neither a known zone nor given by a "
	    "VTIMEZONE of the file", tzid);
}

/* The instant of the wall-clock time T in Z. */
static gboolean
to_utc(const struct zone_ref *z, struct icaltimetype t, gint64 *out,
    GError **error)
{
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) d = NULL;

	if (t.year < MIN_YEAR || t.year > MAX_YEAR)
		return fail(error, "the year %d is out of range", t.year);
	if (t.is_date)
		t.hour = t.minute = t.second = 0;
	if (z->utc) {
		*out = nominal(t);
		return TRUE;
	}
	if (z->vtz != NULL) {
		t.is_date = 0;
		t.zone = NULL;
		*out = (gint64)icaltime_as_timet_with_zone(t, z->vtz);
		return TRUE;
	}
	tz = g_time_zone_new_identifier(z->iana);
	if (tz == NULL)
		tz = g_time_zone_new_utc();
	d = g_date_time_new(tz, t.year, t.month, t.day, t.hour, t.minute,
	    t.second);
	if (d == NULL)
		return fail(error, "%04d-%02d-%02d is not a date", t.year,
		    t.month, t.day);
	*out = g_date_time_to_unix(d);
	return TRUE;
}

/* A component's time span: its start, and how long it lasts on the wall
 * clock. */
struct span {
	struct icaltimetype start;	/* without its zone */
	struct zone_ref zone;
	gint64 at;			/* its instant */
	int length;			/* seconds of wall clock */
};

static gboolean
span_read(struct reader *r, icalcomponent *c, struct span *s,
    GError **error)
{
	icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_DTSTART_PROPERTY);
	icalproperty *e = icalcomponent_get_first_property(c,
	    ICAL_DTEND_PROPERTY);
	icalproperty *d = icalcomponent_get_first_property(c,
	    ICAL_DURATION_PROPERTY);
	struct zone_ref ez = { 0 };
	gint64 end_at;

	memset(s, 0, sizeof *s);
	if (p == NULL)
		return fail(error, "no DTSTART");
	s->start = icalproperty_get_dtstart(p);
	if (icaltime_is_null_time(s->start) || !icaltime_is_valid_time(
	    s->start))
		return fail(error, "DTSTART is not a date or time");
	if (!zone_of(r, p, s->start, &s->zone, error) ||
	    !to_utc(&s->zone, s->start, &s->at, error))
		goto bad;
	s->start.zone = NULL;
	if (e != NULL) {
		struct icaltimetype t = icalproperty_get_dtend(e);
		if (icaltime_is_null_time(t)) {
			fail(error, "DTEND is not a date or time");
			goto bad;
		}
		if (!zone_of(r, e, t, &ez, error) || !to_utc(&ez, t, &end_at,
		    error)) {
			zone_ref_clear(&ez);
			goto bad;
		}
		/* In the same zone, a length of wall clock (a day is a day
		 * across a change of offset); else of real time. */
		if (ez.utc == s->zone.utc && ez.vtz == s->zone.vtz &&
		    g_strcmp0(ez.iana, s->zone.iana) == 0)
			s->length = (int)CLAMP(nominal(t) - nominal(s->start),
			    -1, G_MAXINT);
		else
			s->length = (int)CLAMP(end_at - s->at, -1, G_MAXINT);
		zone_ref_clear(&ez);
	} else if (d != NULL)
		s->length = icaldurationtype_as_int(
		    icalproperty_get_duration(d));
	else
		s->length = s->start.is_date ? 86400 : 0;
	if (s->length < 0) {
		fail(error, "it ends before it starts");
		goto bad;
	}
	return TRUE;
bad:
	zone_ref_clear(&s->zone);
	return FALSE;
}

/* The instant at which an instance starting at wall-clock T ends. */
static gboolean
span_end(const struct span *s, struct icaltimetype t, gint64 *end,
    GError **error)
{
	struct icaltimetype e = t;

	if (e.is_date) {
		e.is_date = 0;
		e.hour = e.minute = e.second = 0;
	}
	icaltime_adjust(&e, 0, 0, 0, s->length);
	return to_utc(&s->zone, e, end, error);
}

static void
uid_note(struct reader *r, const char *uid)
{
	if (!g_hash_table_contains(r->uids, uid)) {
		g_hash_table_add(r->uids, g_strdup(uid));
		g_ptr_array_add(r->out->uids, g_strdup(uid));
	}
}

/* Adds a block of KIND to the result. */
static void
block_add(struct reader *r, const char *kind, const char *summary,
    const char *uid, gint64 start, gint64 end, const char *rrule,
    const char *zone)
{
	struct availability *a = g_new0(struct availability, 1);

	a->kind = g_strdup(kind);
	a->starts_at = start;
	a->ends_at = end;
	a->rrule = g_strdup(rrule);
	a->zone = g_strdup(zone);
	a->summary = summary != NULL && *summary != '\0' ?
	    g_strdup(summary) : NULL;
	a->source = g_strdup("ics");
	a->uid = g_strdup(uid);
	g_ptr_array_add(r->out->blocks, a);
}

/* A single range: kept unless it is over or lasts no time. */
static void
single_add(struct reader *r, const char *kind, const char *summary,
    const char *uid, gint64 start, gint64 end)
{
	if (end <= start || end <= r->now) {
		r->out->ignored++;
		return;
	}
	block_add(r, kind, summary, uid, start, end, NULL, NULL);
}

/* The rule of C as tidings' schedules say it (schedule.h), or NULL when
 * they cannot: one RRULE and nothing that changes its instances, in a
 * zone tidings knows, whose first instance is DTSTART.  Caller frees. */
static char *
rule_of(struct reader *r, icalcomponent *c, const struct span *s,
    const char *uid)
{
	icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_RRULE_PROPERTY);
	struct icalrecurrencetype rt;
	struct sched_occurrence o;
	char *text;

	if (p == NULL || icalcomponent_get_next_property(c,
	    ICAL_RRULE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) != NULL ||
	    (uid != NULL && g_hash_table_contains(r->overridden, uid)) ||
	    s->zone.vtz != NULL || s->start.second != 0)
		return NULL;
	rt = icalproperty_get_rrule(p);
	if (rt.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    (rt.by_second[0] != 0 ||
	    rt.by_second[1] != ICAL_RECURRENCE_ARRAY_MAX))
		return NULL;
	rt.by_second[0] = ICAL_RECURRENCE_ARRAY_MAX;
	if (rt.by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX) {
		rt.by_hour[0] = (short)(s->start.is_date ? 0 : s->start.hour);
		rt.by_hour[1] = ICAL_RECURRENCE_ARRAY_MAX;
	}
	if (rt.by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX) {
		rt.by_minute[0] = (short)(s->start.is_date ? 0 :
		    s->start.minute);
		rt.by_minute[1] = ICAL_RECURRENCE_ARRAY_MAX;
	}
	text = icalrecurrencetype_as_string_r(&rt);
	if (text == NULL)
		return NULL;
	if (g_str_has_prefix(text, "RRULE:"))
		memmove(text, text + 6, strlen(text + 6) + 1);
	if (!sched_rule_check(text, NULL) ||
	    !sched_next(text, s->zone.utc ? "UTC" : s->zone.iana, s->at,
	    s->at - 1, &o, NULL) || o.at != s->at) {
		icalmemory_free_buffer(text);
		return NULL;
	}
	{
		char *copy = g_strdup(text);
		icalmemory_free_buffer(text);
		return copy;
	}
}

/* "20261224T090000": an instance's wall-clock start, for its UID. */
static char *
stamp(struct icaltimetype t)
{
	return g_strdup_printf("%04d%02d%02dT%02d%02d%02d", t.year, t.month,
	    t.day, t.is_date ? 0 : t.hour, t.is_date ? 0 : t.minute,
	    t.is_date ? 0 : t.second);
}

/* The instants (and, for dates, the days as nominal midnights) that the
 * EXDATEs of C and the overrides of UID take out of its rule. */
static gboolean
exclusions(struct reader *r, icalcomponent *c, const char *uid,
    GArray *out, GError **error)
{
	GArray *over = uid != NULL ? g_hash_table_lookup(r->overridden, uid) :
	    NULL;

	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_EXDATE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		struct icaltimetype t = icalproperty_get_exdate(p);
		struct zone_ref z;
		gint64 at;

		if (icaltime_is_null_time(t))
			continue;
		if (t.is_date) {
			at = -nominal(t);	/* a day: negative */
		} else {
			if (!zone_of(r, p, t, &z, error))
				return FALSE;
			if (!to_utc(&z, t, &at, error)) {
				zone_ref_clear(&z);
				return FALSE;
			}
			zone_ref_clear(&z);
		}
		g_array_append_val(out, at);
	}
	if (over != NULL)
		g_array_append_vals(out, over->data, over->len);
	return TRUE;
}

static gboolean
excluded(GArray *ex, struct icaltimetype t, gint64 at)
{
	struct icaltimetype day = t;

	day.is_date = 1;
	for (guint i = 0; i < ex->len; i++) {
		gint64 x = g_array_index(ex, gint64, i);
		if (x == at || (x < 0 && -x == nominal(day)))
			return TRUE;
	}
	return FALSE;
}

/* One instance of a rule starting at wall-clock T. */
static gboolean
instance_add(struct reader *r, const struct span *s, struct icaltimetype t,
    const char *kind, const char *summary, const char *uid, GArray *ex,
    GError **error)
{
	g_autofree char *st = stamp(t);
	g_autofree char *iuid = g_strdup_printf("%s#%s", uid, st);
	gint64 start, end;

	if (!to_utc(&s->zone, t, &start, error) ||
	    !span_end(s, t, &end, error))
		return FALSE;
	if (excluded(ex, t, start) || end <= r->from || start >= r->to)
		return TRUE;
	single_add(r, kind, summary, iuid, start, end);
	return TRUE;
}

/* The instances of C's rules and RDATEs in the window. */
static gboolean
expand(struct reader *r, icalcomponent *c, const struct span *s,
    const char *kind, const char *summary, const char *uid,
    GError **error)
{
	g_autoptr(GArray) ex = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 lo = r->from - 2 * 86400, hi = r->to + 2 * 86400;

	if (!exclusions(r, c, uid, ex, error))
		return FALSE;
	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_RRULE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
		struct icalrecurrencetype rt = icalproperty_get_rrule(p);
		g_autoptr(icalrecur_iterator) it = NULL;
		struct icaltimetype t;

		if (rt.freq == ICAL_NO_RECURRENCE)
			return fail(error, "its RRULE cannot be read");
		it = icalrecur_iterator_new(rt, s->start);
		if (it == NULL)
			return fail(error, "its RRULE cannot be read");
		for (guint steps = 0; steps < MAX_STEPS; steps++) {
			gint64 n;
			t = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(t))
				break;
			n = nominal(t);
			if (n > hi || t.year > MAX_YEAR)
				break;
			if (n < lo)
				continue;
			if (!instance_add(r, s, t, kind, summary, uid, ex,
			    error))
				return FALSE;
		}
	}
	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_RDATE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
		struct icaltimetype t = icaltime_is_null_time(dp.time) ?
		    dp.period.start : dp.time;

		if (icaltime_is_null_time(t))
			continue;
		t.zone = NULL;
		if (!instance_add(r, s, t, kind, summary, uid, ex, error))
			return FALSE;
	}
	return TRUE;
}

/* A VEVENT or AVAILABLE of KIND: a range, a rule, or instances.  UID
 * names the item (and the blocks it gives). */
static gboolean
item_read(struct reader *r, icalcomponent *c, const char *kind,
    const char *uid, GError **error)
{
	const char *summary = icalcomponent_get_summary(c);
	gboolean recurs = icalcomponent_get_first_property(c,
	    ICAL_RRULE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) != NULL;
	g_autofree char *rule = NULL;
	struct span s;
	gint64 end;
	gboolean ok = TRUE;

	if (!span_read(r, c, &s, error))
		return FALSE;
	r->out->items++;
	if (s.length == 0) {
		r->out->ignored++;	/* a moment, not a time */
	} else if (!recurs) {
		ok = span_end(&s, s.start, &end, error);
		if (ok)
			single_add(r, kind, summary, uid, s.at, end);
	} else if ((rule = rule_of(r, c, &s, uid)) != NULL) {
		struct sched_occurrence o;
		const char *zone = s.zone.utc ? "UTC" : s.zone.iana;
		if (sched_next(rule, zone, s.at, r->now - s.length, &o, NULL))
			block_add(r, kind, summary, uid, s.at, s.at + s.length,
			    rule, zone);
		else
			r->out->ignored++;
	} else
		ok = expand(r, c, &s, kind, summary, uid, error);
	zone_ref_clear(&s.zone);
	return ok;
}

/* Whether TEXT (a SUMMARY or a category) says out of office or focus. */
static const char *
kind_by_words(const char *text)
{
	static const struct {
		const char *prefix;
		const char *kind;
	} words[] = {
		{ "out of office", "away" }, { "out-of-office", "away" },
		{ "ooo", "away" }, { "vacation", "away" }, { "holiday", "away" },
		{ "annual leave", "away" }, { "pto", "away" },
		{ "urlaub", "away" }, { "abwesend", "away" },
		{ "focus time", "deep-work" }, { "focus", "deep-work" },
		{ "deep work", "deep-work" }, { "fokuszeit", "deep-work" },
	};
	g_autofree char *t = NULL;

	if (text == NULL)
		return NULL;
	t = g_utf8_strdown(text, -1);
	g_strstrip(t);
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
		size_t n = strlen(words[i].prefix);
		if (strncmp(t, words[i].prefix, n) == 0 &&
		    !g_ascii_isalnum(t[n]))
			return words[i].kind;
	}
	return NULL;
}

/* The value of C's X- property NAME, or NULL. */
static const char *
x_value(icalcomponent *c, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_X_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
		const char *n = icalproperty_get_x_name(p);
		if (n != NULL && g_ascii_strcasecmp(n, name) == 0)
			return icalproperty_get_x(p);
	}
	return NULL;
}

/* Whether EMAIL is an ATTENDEE of C who declined it. */
static gboolean
declined(icalcomponent *c, const char *email)
{
	if (email == NULL)
		return FALSE;
	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_ATTENDEE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
		const char *v = icalproperty_get_attendee(p);
		icalparameter *ps = icalproperty_get_first_parameter(p,
		    ICAL_PARTSTAT_PARAMETER);

		if (v == NULL || ps == NULL)
			continue;
		if (g_ascii_strncasecmp(v, "mailto:", 7) == 0)
			v += 7;
		if (g_ascii_strcasecmp(v, email) == 0)
			return icalparameter_get_partstat(ps) ==
			    ICAL_PARTSTAT_DECLINED;
	}
	return FALSE;
}

/* Whether TEXT (a category, a calendar's name) speaks of public
 * holidays: "Holidays", "Public holiday", "Holidays in Germany",
 * "Feiertage", "Jours fériés", "Festivos". */
static gboolean
holiday_words(const char *text)
{
	static const char *const words[] = {
		"holiday", "feiertag", "férié", "ferie", "festivo", "festività",
		"feestdag", "helgdag", "helligdag", "feriado", "święt",
	};
	g_autofree char *t = NULL;

	if (text == NULL)
		return FALSE;
	t = g_utf8_strdown(text, -1);
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (strstr(t, words[i]) != NULL)
			return TRUE;
	return FALSE;
}

/* Whether the all-day event C of calendar CAL is a day off: a public
 * holiday (its calendar is a holiday calendar, as Google's and Apple's
 * "Holidays in ..." subscriptions name themselves, and it is no mere
 * observance, or a category says so) or a whole day marked free (FREE is true of a day only when one is
 * off), but for birthdays, which calendars mark free and nobody takes
 * off. */
static gboolean
day_off(icalcomponent *cal, icalcomponent *c, gboolean free)
{
	struct icaltimetype start = icalcomponent_get_dtstart(c);
	g_autofree char *summary = NULL;
	icalproperty *p;

	if (icaltime_is_null_time(start) || !start.is_date)
		return FALSE;
	/* Google's holiday calendars hold observances too (New Year's
	 * Eve, Mother's Day), which are no days off. */
	if (holiday_words(x_value(cal, "X-WR-CALNAME")))
		return !g_str_has_prefix(icalcomponent_get_description(c) !=
		    NULL ? icalcomponent_get_description(c) : "",
		    "Observance");
	for (p = icalcomponent_get_first_property(c,
	    ICAL_CATEGORIES_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_CATEGORIES_PROPERTY))
		if (holiday_words(icalproperty_get_categories(p)))
			return TRUE;
	if (!free)
		return FALSE;
	summary = g_utf8_strdown(icalcomponent_get_summary(c) != NULL ?
	    icalcomponent_get_summary(c) : "", -1);
	return strstr(summary, "birthday") == NULL &&
	    strstr(summary, "geburtstag") == NULL &&
	    strstr(summary, "anniversaire") == NULL;
}

/* Whether C is marked free: TRANSP:TRANSPARENT, or Outlook's FREE. */
static gboolean
marked_free(icalcomponent *c, const char *ms)
{
	icalproperty *p;

	if (ms != NULL)
		return g_ascii_strcasecmp(ms, "FREE") == 0;
	if ((p = icalcomponent_get_first_property(c, ICAL_TRANSP_PROPERTY)) ==
	    NULL)
		return FALSE;
	return icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT ||
	    icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENTNOCONFLICT;
}

/* What a VEVENT of CAL is: away, deep-work or busy; NULL for free time
 * (and for an invitation the person declined).  A day off (a public
 * holiday, a whole day marked free) is away. */
static const char *
event_kind(icalcomponent *cal, icalcomponent *c, const char *email)
{
	const char *ms = x_value(c, "X-MICROSOFT-CDO-BUSYSTATUS");
	const char *google = x_value(c, "X-GOOGLE-EVENT-TYPE");
	const char *k;
	icalproperty *p;

	if (declined(c, email))
		return NULL;
	if (ms == NULL)
		ms = x_value(c, "X-MICROSOFT-CDO-INTENDEDSTATUS");
	if ((google == NULL || g_ascii_strcasecmp(google,
	    "workingLocation") != 0) && (ms == NULL || g_ascii_strcasecmp(ms,
	    "WORKINGELSEWHERE") != 0) && day_off(cal, c, marked_free(c, ms)))
		return "away";
	if (google != NULL) {
		if (g_ascii_strcasecmp(google, "outOfOffice") == 0)
			return "away";
		if (g_ascii_strcasecmp(google, "focusTime") == 0)
			return "deep-work";
		if (g_ascii_strcasecmp(google, "workingLocation") == 0)
			return NULL;
	}
	if (ms != NULL) {
		if (g_ascii_strcasecmp(ms, "OOF") == 0)
			return "away";
		if (g_ascii_strcasecmp(ms, "FREE") == 0 ||
		    g_ascii_strcasecmp(ms, "WORKINGELSEWHERE") == 0)
			return NULL;
	} else if ((p = icalcomponent_get_first_property(c,
	    ICAL_TRANSP_PROPERTY)) != NULL) {
		enum icalproperty_transp t = icalproperty_get_transp(p);
		if (t == ICAL_TRANSP_TRANSPARENT ||
		    t == ICAL_TRANSP_TRANSPARENTNOCONFLICT)
			return NULL;
	}
	for (p = icalcomponent_get_first_property(c,
	    ICAL_CATEGORIES_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_CATEGORIES_PROPERTY))
		if ((k = kind_by_words(icalproperty_get_categories(p))) != NULL)
			return k;
	if ((k = kind_by_words(icalcomponent_get_summary(c))) != NULL)
		return k;
	return "busy";
}

/* C's UID, or a name for an item without one.  Caller frees. */
static char *
uid_of(struct reader *r, icalcomponent *c, const char *what)
{
	const char *uid = icalcomponent_get_uid(c);

	if (uid != NULL && *uid != '\0')
		return g_strdup(uid);
	return g_strdup_printf("%s-%u", what, ++r->anon);
}

static gboolean
event_read(struct reader *r, icalcomponent *c, gboolean cancel_all,
    GError **error)
{
	struct icaltimetype rid = icalcomponent_get_recurrenceid(c);
	g_autofree char *uid = uid_of(r, c, "event");
	g_autofree char *iuid = NULL, *rs = NULL;
	const char *kind = event_kind(r->cal, c, r->email);

	uid_note(r, uid);
	if (cancel_all || icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED ||
	    kind == NULL) {
		r->out->items++;
		r->out->ignored++;
		return TRUE;
	}
	/* An iTIP reply or request for a refresh may carry no times. */
	if (icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY) ==
	    NULL && icalcomponent_get_first_property(r->cal,
	    ICAL_METHOD_PROPERTY) != NULL) {
		r->out->items++;
		r->out->ignored++;
		return TRUE;
	}
	if (icaltime_is_null_time(rid)) {
		/* Real servers send two VEVENTs of one UID and no
		 * RECURRENCE-ID: both blocks are kept, the second and later
		 * under UID#2, ..., which a later import of the UID still
		 * replaces. */
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(r->masters,
		    uid)) + 1;
		g_hash_table_insert(r->masters, g_strdup(uid),
		    GUINT_TO_POINTER(n));
		if (n > 1) {
			g_autofree char *nth = g_strdup_printf("%s#%u", uid, n);
			return item_read(r, c, kind, nth, error);
		}
		return item_read(r, c, kind, uid, error);
	}
	/* An override of one instance stands by itself. */
	rs = stamp(rid);
	iuid = g_strdup_printf("%s#R%s", uid, rs);
	{
		struct span s;
		gint64 end;
		gboolean ok;

		if (!span_read(r, c, &s, error))
			return FALSE;
		r->out->items++;
		ok = span_end(&s, s.start, &end, error);
		if (ok)
			single_add(r, kind, icalcomponent_get_summary(c), iuid,
			    s.at, end);
		zone_ref_clear(&s.zone);
		return ok;
	}
}

/* The FREEBUSY periods of a VFREEBUSY. */
static gboolean
freebusy_read(struct reader *r, icalcomponent *c, GError **error)
{
	g_autofree char *uid = uid_of(r, c, "freebusy");

	uid_note(r, uid);
	for (icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_FREEBUSY_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_FREEBUSY_PROPERTY)) {
		struct icalperiodtype per = icalproperty_get_freebusy(p);
		icalparameter *fb = icalproperty_get_first_parameter(p,
		    ICAL_FBTYPE_PARAMETER);
		icalparameter_fbtype type = fb != NULL ?
		    icalparameter_get_fbtype(fb) : ICAL_FBTYPE_BUSY;
		struct zone_ref z = { 0 };
		g_autofree char *st = NULL, *puid = NULL;
		gint64 start, end;

		r->out->items++;
		if (type == ICAL_FBTYPE_FREE) {
			r->out->ignored++;
			continue;
		}
		if (icaltime_is_null_time(per.start))
			return fail(error, "a FREEBUSY period cannot be read");
		/* Periods are UTC; a floating one is the person's. */
		z.utc = icaltime_is_utc(per.start);
		z.iana = z.utc ? NULL : g_strdup(r->zone);
		per.start.zone = NULL;
		if (!to_utc(&z, per.start, &start, error)) {
			zone_ref_clear(&z);
			return FALSE;
		}
		if (!icaltime_is_null_time(per.end)) {
			per.end.zone = NULL;
			if (!to_utc(&z, per.end, &end, error)) {
				zone_ref_clear(&z);
				return FALSE;
			}
		} else
			end = start + icaldurationtype_as_int(per.duration);
		zone_ref_clear(&z);
		st = stamp(per.start);
		puid = g_strdup_printf("%s#%s", uid, st);
		single_add(r, type == ICAL_FBTYPE_BUSYUNAVAILABLE ? "away" :
		    "busy", NULL, puid, start, end);
	}
	return TRUE;
}

/* The weekly pattern of an AVAILABLE: the same hours on some weekdays
 * each week, for ever.  Sets *days, *start, *end (minutes) and *zone
 * (caller frees). */
static gboolean
weekly_pattern(struct reader *r, icalcomponent *c, unsigned *days,
    int *start, int *end, char **zone)
{
	icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_RRULE_PROPERTY);
	struct icalrecurrencetype rt;
	struct span s;
	gboolean ok = FALSE;

	*zone = NULL;
	if (p == NULL || icalcomponent_get_next_property(c,
	    ICAL_RRULE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) != NULL ||
	    !span_read(r, c, &s, NULL))
		return FALSE;
	rt = icalproperty_get_rrule(p);
	if (rt.freq != ICAL_WEEKLY_RECURRENCE || rt.interval > 1 ||
	    rt.count != 0 || !icaltime_is_null_time(rt.until) ||
	    rt.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    rt.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    rt.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    rt.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    s.start.is_date || s.zone.vtz != NULL || s.length <= 0 ||
	    s.length > 86400 || s.length % 60 != 0)
		goto out;
	*days = 0;
	for (int i = 0; i < ICAL_BY_DAY_SIZE &&
	    rt.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		int wd = (int)icalrecurrencetype_day_day_of_week(rt.by_day[i]);
		if (icalrecurrencetype_day_position(rt.by_day[i]) != 0)
			goto out;
		/* libical: 1 Sunday .. 7 Saturday; tidings: bit 0 Monday. */
		*days |= 1u << ((wd + 5) % 7);
	}
	if (*days == 0) {
		g_autoptr(GDateTime) d = g_date_time_new_utc(s.start.year,
		    s.start.month, s.start.day, 0, 0, 0);
		*days = 1u << (g_date_time_get_day_of_week(d) - 1);
	}
	*start = s.start.hour * 60 + s.start.minute;
	*end = (*start + s.length / 60) % 1440;
	*zone = g_strdup(s.zone.utc ? "UTC" : s.zone.iana);
	ok = TRUE;
out:
	zone_ref_clear(&s.zone);
	return ok;
}

/* A VAVAILABILITY: working hours, as the person's hours when they are
 * one weekly pattern, else as working blocks. */
static gboolean
availability_read(struct reader *r, icalcomponent *c, GError **error)
{
	g_autofree char *uid = uid_of(r, c, "availability");
	g_autofree char *zone = NULL;
	unsigned days = 0;
	int start = -1, end = -1, n = 0;
	gboolean simple = TRUE;

	uid_note(r, uid);
	for (icalcomponent *a = icalcomponent_get_first_component(c,
	    ICAL_XAVAILABLE_COMPONENT); a != NULL;
	    a = icalcomponent_get_next_component(c, ICAL_XAVAILABLE_COMPONENT)) {
		g_autofree char *z = NULL;
		unsigned d;
		int s, e;

		if (!weekly_pattern(r, a, &d, &s, &e, &z) ||
		    (n > 0 && (s != start || e != end || g_strcmp0(z,
		    zone) != 0))) {
			simple = FALSE;
			break;
		}
		days |= d;
		start = s;
		end = e;
		g_free(zone);
		zone = g_steal_pointer(&z);
		n++;
	}
	if (simple && n > 0) {
		r->out->items++;
		r->out->hours_set = TRUE;
		r->out->work_start = start;
		r->out->work_end = end;
		r->out->workdays = days;
		g_free(r->out->zone);
		r->out->zone = g_steal_pointer(&zone);
		return TRUE;
	}
	n = 0;
	for (icalcomponent *a = icalcomponent_get_first_component(c,
	    ICAL_XAVAILABLE_COMPONENT); a != NULL;
	    a = icalcomponent_get_next_component(c, ICAL_XAVAILABLE_COMPONENT)) {
		g_autofree char *auid = g_strdup_printf("%s#%d", uid, ++n);
		g_autofree char *w = NULL;

		count_seen(r, a);
		if (!lic_errors(r, a, error))
			return FALSE;
		if (!item_read(r, a, "working", auid, error)) {
			w = where(r, a);
			g_prefix_error(error, "%s: ", w);
			return FALSE;
		}
	}
	return TRUE;
}

/* The RECURRENCE-IDs of the overrides in CAL, by UID, as instants. */
static void
overrides_note(struct reader *r, icalcomponent *cal)
{
	for (icalcomponent *c = icalcomponent_get_first_component(cal,
	    ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY);
		const char *uid = icalcomponent_get_uid(c);
		struct icaltimetype t;
		struct zone_ref z;
		GArray *a;
		gint64 at;

		if (p == NULL || uid == NULL)
			continue;
		t = icalproperty_get_recurrenceid(p);
		if (icaltime_is_null_time(t) || !zone_of(r, p, t, &z, NULL))
			continue;
		t.zone = NULL;
		if (t.is_date)
			at = -nominal(t);
		else if (!to_utc(&z, t, &at, NULL)) {
			zone_ref_clear(&z);
			continue;
		}
		zone_ref_clear(&z);
		if ((a = g_hash_table_lookup(r->overridden, uid)) == NULL) {
			a = g_array_new(FALSE, FALSE, sizeof(gint64));
			g_hash_table_insert(r->overridden, g_strdup(uid), a);
		}
		g_array_append_val(a, at);
	}
}

/* Everything tidings reads in one VCALENDAR. */
static gboolean
calendar_read(struct reader *r, icalcomponent *cal, GError **error)
{
	icalproperty *m = icalcomponent_get_first_property(cal,
	    ICAL_METHOD_PROPERTY);
	gboolean cancel = m != NULL &&
	    icalproperty_get_method(m) == ICAL_METHOD_CANCEL;

	r->cal = cal;
	overrides_note(r, cal);
	for (icalcomponent *c = icalcomponent_get_first_component(cal,
	    ICAL_ANY_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(c);
		g_autofree char *w = NULL;
		gboolean ok;

		if (k != ICAL_VEVENT_COMPONENT && k != ICAL_VFREEBUSY_COMPONENT &&
		    k != ICAL_VAVAILABILITY_COMPONENT)
			continue;
		count_seen(r, c);
		if (!lic_errors(r, c, error))
			return FALSE;
		if (k == ICAL_VEVENT_COMPONENT)
			ok = event_read(r, c, cancel, error);
		else if (k == ICAL_VFREEBUSY_COMPONENT)
			ok = freebusy_read(r, c, error);
		else
			ok = availability_read(r, c, error);
		if (!ok) {
			if (error != NULL && *error != NULL &&
			    !g_str_has_prefix((*error)->message, "line ")) {
				w = where(r, c);
				g_prefix_error(error, "%s: ", w);
			}
			return FALSE;
		}
	}
	return TRUE;
}

/* Whether TEXT begins with a component other than VCALENDAR. */
static gboolean
bare_components(const char *text, gsize n)
{
	static const char *const kinds[] = { "BEGIN:VEVENT", "BEGIN:VFREEBUSY",
	    "BEGIN:VAVAILABILITY", "BEGIN:VTIMEZONE" };
	gsize i = 0;

	if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && g_ascii_isspace(text[i]))
		i++;
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
		if (n - i >= strlen(kinds[k]) && g_ascii_strncasecmp(text + i,
		    kinds[k], strlen(kinds[k])) == 0)
			return TRUE;
	return FALSE;
}

struct ical_result *
ical_read(const char *text, gssize len, const char *zone, const char *email,
    gint64 now, GError **error)
{
	g_autoptr(IcalResult) out = g_new0(struct ical_result, 1);
	g_autoptr(icalcomponent) root = NULL;
	g_autofree char *copy = NULL;
	struct reader r = {
		.zone = zone != NULL ? zone : "UTC",
		.email = email,
		.now = now,
		.from = now - 86400,
		.to = now + (gint64)ICAL_HORIZON_DAYS * 86400,
		.out = out,
	};
	gboolean ok = FALSE;
	gsize n = len < 0 ? strlen(text) : (gsize)len;
	const char *bad;

	out->blocks = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)availability_free);
	out->uids = g_ptr_array_new_with_free_func(g_free);
	r.lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_array_unref);
	r.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r.overridden = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_array_unref);
	r.uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r.masters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	if (!g_utf8_validate(text, (gssize)n, &bad)) {
		guint line = 1;
		for (const char *p = text; p < bad; p++)
			line += *p == '\n';
		fail(error, "line %u: not UTF-8 text (calendars are UTF-8)",
		    line);
		goto out;
	}
	if (!bare_components(text, n)) {
		if (!shape_check(&r, text, n, 0, error))
			goto out;
		copy = g_strndup(text, n);
	} else {
		/* A lone VEVENT (or VFREEBUSY...) without its VCALENDAR. */
		copy = g_strdup_printf("BEGIN:VCALENDAR\r\n%.*s\r\n"
		    "END:VCALENDAR\r\n", (int)n, text);
		if (!shape_check(&r, copy, strlen(copy), G_MAXUINT, error))
			goto out;
	}
	root = icalparser_parse_string(copy);
	if (root == NULL) {
		fail(error, "libical cannot read it as iCalendar");
		goto out;
	}
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		ok = calendar_read(&r, root, error);
	else {
		ok = TRUE;
		for (icalcomponent *c = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT); ok && c != NULL;
		    c = icalcomponent_get_next_component(root,
		    ICAL_VCALENDAR_COMPONENT))
			ok = calendar_read(&r, c, error);
	}
out:
	g_hash_table_unref(r.lines);
	g_hash_table_unref(r.seen);
	g_hash_table_unref(r.overridden);
	g_hash_table_unref(r.uids);
	g_hash_table_unref(r.masters);
	return ok ? g_steal_pointer(&out) : NULL;
}
