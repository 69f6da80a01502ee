/* Parsers for values users type; see value.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

G_DEFINE_QUARK(tidings-value-error-quark, value_error)

#define EMAIL_MAX 254
#define TEAM_NAME_MAX 40
#define DISPLAY_NAME_MAX 200

static gboolean
invalid(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
invalid(GError **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (error != NULL)
		*error = g_error_new_valist(VALUE_ERROR, VALUE_ERROR_INVALID, fmt, ap);
	va_end(ap);
	return FALSE;
}

/* A host name: dot-separated labels of letters, digits and inner hyphens. */
static gboolean
domain_ok(const char *d)
{
	const char *label = d;

	if (*d == '\0' || strlen(d) > 253)
		return FALSE;
	for (const char *p = d;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t len = (size_t)(p - label);
			if (len == 0 || len > 63 || label[0] == '-' || p[-1] == '-')
				return FALSE;
			if (*p == '\0')
				return TRUE;
			label = p + 1;
		} else if (!g_ascii_isalnum(*p) && *p != '-')
			return FALSE;
	}
}

/* The local part as mail systems actually accept it unquoted (RFC 5322
 * dot-atom, plus UTF-8 for RFC 6531). */
static gboolean
local_ok(const char *l, size_t len)
{
	if (len == 0 || len > 64 || l[0] == '.' || l[len - 1] == '.')
		return FALSE;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)l[i];
		if (c >= 0x80)
			continue;
		if (g_ascii_isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL)
			continue;
		if (c == '.' && l[i + 1] != '.')
			continue;
		return FALSE;
	}
	return TRUE;
}

char *
value_email(const char *text, GError **error)
{
	const char *at;

	if (text == NULL || *text == '\0') {
		invalid(error, "an e-mail address is required");
		return NULL;
	}
	at = strrchr(text, '@');
	if (strlen(text) > EMAIL_MAX || !g_utf8_validate(text, -1, NULL) ||
	    at == NULL || !local_ok(text, (size_t)(at - text)) || !domain_ok(at + 1)) {
		invalid(error, "'%s' is not an e-mail address; expected "
		    "local@domain, like ana@example.org", text);
		return NULL;
	}
	g_autofree char *domain = g_ascii_strdown(at + 1, -1);
	return g_strdup_printf("%.*s@%s", (int)(at - text), text, domain);
}

gboolean
value_host(const char *text, GError **error)
{
	if (g_hostname_is_ip_address(text) || domain_ok(text))
		return TRUE;
	return invalid(error, "'%s' is not a host name or IP address", text);
}

gboolean
value_team_name(const char *text, GError **error)
{
	size_t len = strlen(text);

	if (len == 0 || len > TEAM_NAME_MAX || !g_ascii_isalnum(text[0]) ||
	    text[len - 1] == '-')
		goto bad;
	for (const char *p = text; *p != '\0'; p++)
		if (!(g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-'))
			goto bad;
	return TRUE;
bad:
	return invalid(error, "'%s' is not a team name; use 1 to %d lower-case "
	    "letters, digits and inner hyphens, like platform or web-2 "
	    "(it becomes part of mail addresses)", text, TEAM_NAME_MAX);
}

gboolean
value_display_name(const char *text, GError **error)
{
	if (!g_utf8_validate(text, -1, NULL))
		return invalid(error, "the name is not valid UTF-8");
	if (g_utf8_strlen(text, -1) > DISPLAY_NAME_MAX)
		return invalid(error, "the name '%.40s...' is longer than %d "
		    "characters", text, DISPLAY_NAME_MAX);
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		if (g_unichar_iscntrl(g_utf8_get_char(p))) {
			g_autofree char *shown = g_strescape(text, NULL);
			return invalid(error, "the name '%s' contains a control "
			    "character (such as a line break); use plain text",
			    shown);
		}
	}
	return TRUE;
}

/* --- time zones ------------------------------------------------------ */

static const char *
zone_dir(void)
{
	const char *d = g_getenv("TZDIR");

	return d != NULL && *d != '\0' ? d : "/usr/share/zoneinfo";
}

/* A zone file starts with the TZif magic (RFC 8536). */
static gboolean
zone_file_ok(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	gboolean ok;

	if (f == NULL)
		return FALSE;
	ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

static guint
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree guint *row = g_new(guint, lb + 1);

	for (size_t j = 0; j <= lb; j++)
		row[j] = (guint)j;
	for (size_t i = 1; i <= la; i++) {
		guint diag = row[0];
		row[0] = (guint)i;
		for (size_t j = 1; j <= lb; j++) {
			guint up = row[j];
			guint cost = g_ascii_tolower(a[i - 1]) !=
			    g_ascii_tolower(b[j - 1]);
			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
			diag = up;
		}
	}
	return row[lb];
}

/* The nearest names in the zone table, as ", like X" or "". */
static char *
zone_suggest(const char *name)
{
	g_autofree char *path = g_build_filename(zone_dir(), "zone1970.tab", NULL);
	g_autofree char *contents = NULL;
	g_auto(GStrv) lines = NULL;
	g_autofree char *best = NULL;
	guint best_d = G_MAXUINT;

	if (!g_file_get_contents(path, &contents, NULL, NULL))
		return g_strdup("");
	lines = g_strsplit(contents, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		g_auto(GStrv) f = NULL;
		if (**l == '#' || **l == '\0')
			continue;
		f = g_strsplit(*l, "\t", 4);
		if (g_strv_length(f) < 3)
			continue;
		guint d = edit_distance(name, f[2]);
		if (d < best_d) {
			best_d = d;
			g_free(best);
			best = g_strdup(f[2]);
		}
	}
	if (best == NULL || best_d > strlen(name) / 3 + 2)
		return g_strdup("");
	return g_strdup_printf("; did you mean %s?", best);
}

gboolean
value_zone(const char *name, GError **error)
{
	g_autofree char *path = NULL;
	g_autofree char *hint = NULL;

	/* A name is a relative path below the zone directory, never out of it. */
	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL)
		goto unknown;
	for (const char *p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("/_+-", *p) == NULL)
			goto unknown;
	path = g_build_filename(zone_dir(), name, NULL);
	if (zone_file_ok(path))
		return TRUE;
unknown:
	hint = zone_suggest(name);
	return invalid(error, "unknown time zone '%s': not in the system zone "
	    "database (%s); use an IANA name like Europe/Berlin, "
	    "America/New_York or UTC%s", name, zone_dir(), hint);
}

/* --- working hours and days ------------------------------------------ */

/* "9", "09", "9:30", "09:30", "24:00" → minutes after midnight. */
static gboolean
clock_time(const char *s, int *minutes)
{
	int h, m = 0, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) == 2 && s[n] == '\0' &&
	    n >= 4 && s[n - 3] == ':')
		;
	else if (m = 0, n = 0, sscanf(s, "%2d%n", &h, &n) == 1 && s[n] == '\0')
		;
	else
		return FALSE;
	if (!g_ascii_isdigit(s[0]) || h < 0 || m < 0 || m > 59 || h > 24 ||
	    (h == 24 && m != 0))
		return FALSE;
	*minutes = h * 60 + m;
	return TRUE;
}

gboolean
value_time(const char *text, int *minutes, GError **error)
{
	if (clock_time(text, minutes) && *minutes < 24 * 60)
		return TRUE;
	return invalid(error, "'%s' is not a time of day; expected HH:MM in "
	    "the member's local time, like 16:30", text);
}

gboolean
value_hours(const char *text, int *start, int *end, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(text, "-", 3);
	int s, e;

	if (g_strv_length(parts) != 2)
		goto bad;
	g_strstrip(parts[0]);
	g_strstrip(parts[1]);
	if (!clock_time(parts[0], &s) || !clock_time(parts[1], &e) ||
	    s == 24 * 60)
		goto bad;
	if (s == e)
		return invalid(error, "working hours '%s' start and end at the "
		    "same time", text);
	*start = s;
	*end = e;
	return TRUE;
bad:
	return invalid(error, "'%s' is not a range of working hours; expected "
	    "HH:MM-HH:MM in the member's local time, like 09:00-17:00 "
	    "(22:00-06:00 for a night shift)", text);
}

char *
value_hours_format(int start, int end)
{
	return g_strdup_printf("%02d:%02d-%02d:%02d", start / 60, start % 60,
	    end / 60, end % 60);
}

static const char *const day_names[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday",
};

/* "mon", "Monday", "tue", "tues"… → 0..6, or -1. */
static int
day_index(const char *s)
{
	size_t len = strlen(s);

	if (len < 2)
		return -1;
	for (int i = 0; i < 7; i++)
		if (len >= 3 && g_ascii_strncasecmp(s, day_names[i], len) == 0)
			return i;
	return -1;
}

gboolean
value_workdays(const char *text, unsigned *days, GError **error)
{
	g_auto(GStrv) items = g_strsplit(text, ",", -1);
	unsigned mask = 0;

	if (g_ascii_strcasecmp(text, "weekdays") == 0) {
		*days = WORKDAYS_MON_FRI;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "all") == 0 ||
	    g_ascii_strcasecmp(text, "every day") == 0) {
		*days = WORKDAYS_ALL;
		return TRUE;
	}
	for (char **it = items; *it != NULL; it++) {
		g_auto(GStrv) range = g_strsplit(g_strstrip(*it), "-", 3);
		guint n = g_strv_length(range);
		int a, b;

		if (n < 1 || n > 2)
			goto bad;
		a = day_index(g_strstrip(range[0]));
		b = n == 2 ? day_index(g_strstrip(range[1])) : a;
		if (a < 0 || b < 0)
			goto bad;
		for (int d = a;; d = (d + 1) % 7) {	/* fri-mon wraps */
			mask |= 1u << d;
			if (d == b)
				break;
		}
	}
	if (mask == 0)
		goto bad;
	*days = mask;
	return TRUE;
bad:
	return invalid(error, "'%s' is not a set of workdays; expected day "
	    "names, ranges or lists like mon-fri, sun-thu or mon,wed,fri "
	    "(also weekdays, all)", text);
}

char *
value_workdays_format(unsigned days)
{
	static const char *const abbr[7] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	};
	GString *s = g_string_new(NULL);

	for (int d = 0; d < 7;) {
		int e = d;
		if (!(days & (1u << d))) {
			d++;
			continue;
		}
		while (e + 1 < 7 && (days & (1u << (e + 1))))
			e++;
		if (s->len > 0)
			g_string_append_c(s, ',');
		g_string_append(s, abbr[d]);
		if (e > d + 1)
			g_string_append_printf(s, "-%s", abbr[e]);
		else if (e == d + 1)
			g_string_append_printf(s, ",%s", abbr[e]);
		d = e + 1;
	}
	if (s->len == 0)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

/* Whether MINUTE of weekday DAY (Monday 0) is working time.  A night shift
 * belongs to the day it starts on. */
static gboolean
is_working(int start, int end, unsigned days, int day, int minute)
{
	if (start < end)
		return (days & (1u << day)) && minute >= start && minute < end;
	return ((days & (1u << day)) && minute >= start) ||
	    ((days & (1u << ((day + 6) % 7))) && minute < end);
}

char *
value_local_time(const char *zone, int work_start, int work_end,
    unsigned workdays, gint64 at)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_autoptr(GDateTime) utc = NULL;
	g_autoptr(GDateTime) local = NULL;
	g_autofree char *clock = NULL;
	int day, minute;

	if (tz == NULL)
		return g_strdup_printf("unknown (%s is not in this system's zone "
		    "database)", zone);
	utc = g_date_time_new_from_unix_utc(at);
	local = g_date_time_to_timezone(utc, tz);
	day = g_date_time_get_day_of_week(local) - 1;
	minute = g_date_time_get_hour(local) * 60 +
	    g_date_time_get_minute(local);
	clock = g_date_time_format(local, "%a %H:%M %Z");
	return g_strdup_printf("%s, %s", clock, is_working(work_start, work_end,
	    workdays, day, minute) ? "working" : "outside working hours");
}

/* --- dates ------------------------------------------------------------ */

/* The names of the weekdays (Monday first) and the months, in English and
 * German; a word names one when it is the start of a name, at least three
 * letters of it ("dec", "dezember", "mär", "thurs"). */
static const char *const weekday_names[][2] = {
	{ "monday", "montag" }, { "tuesday", "dienstag" },
	{ "wednesday", "mittwoch" }, { "thursday", "donnerstag" },
	{ "friday", "freitag" }, { "saturday", "samstag" },
	{ "sunday", "sonntag" },
};
static const char *const month_names[][3] = {
	{ "january", "januar", NULL }, { "february", "februar", NULL },
	{ "march", "märz", "maerz" }, { "april", "april", NULL },
	{ "may", "mai", NULL }, { "june", "juni", NULL },
	{ "july", "juli", NULL }, { "august", "august", NULL },
	{ "september", "september", NULL }, { "october", "oktober", NULL },
	{ "november", "november", NULL }, { "december", "dezember", NULL },
};

/* Index of WORD among N names of NAMES (each of K spellings), or -1. */
static int
name_of(const char *word, const char *const *names, int n, int k)
{
	size_t len = strlen(word);

	if (len > 0 && word[len - 1] == '.')
		len--;		/* "Jan.", the end of a sentence */
	if (g_utf8_strlen(word, (gssize)len) < 3)
		return -1;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < k; j++) {
			const char *name = names[i * k + j];
			if (name != NULL && strncmp(name, word, len) == 0)
				return i;
		}
	return -1;
}

static int
weekday_of(const char *word)
{
	return name_of(word, &weekday_names[0][0], 7, 2);
}

static int
month_of(const char *word)
{
	return name_of(word, &month_names[0][0], 12, 3) + 1;
}

static gboolean
is_word(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return TRUE;
	return FALSE;
}

/* A number alone: "5", also as "5th" or "5." ("5. Januar"); -1 if not. */
static int
number_of(const char *w)
{
	char *end;
	long n;

	if (!g_ascii_isdigit(*w))
		return -1;
	n = strtol(w, &end, 10);
	if (n > 9999 || !(*end == '\0' || strcmp(end, ".") == 0 ||
	    strcmp(end, "st") == 0 || strcmp(end, "nd") == 0 ||
	    strcmp(end, "rd") == 0 || strcmp(end, "th") == 0))
		return -1;
	return (int)n;
}

/* "5.1.2027", "21.12.", "05.01.27": day and month, and the year when
 * given. */
static gboolean
dotted(const char *w, struct value_date *d)
{
	int day, month, year = 0, n = 0;

	if (strchr(w, '.') == NULL || sscanf(w, "%2d.%2d.%n", &day, &month,
	    &n) != 2 || n == 0 || month < 1 || month > 12)
		return FALSE;
	if (w[n] != '\0') {
		char *end;
		year = (int)strtol(w + n, &end, 10);
		if (*end != '\0' || year < 0)
			return FALSE;
		if (year < 100)
			year += 2000;
	}
	d->kind = VALUE_DATE_DAY;
	d->day = day;
	d->month = month;
	d->year = year;
	return TRUE;
}

/* Reads the day at W[*i] on, and moves *i past it. */
static gboolean
read_day(char **w, int *i, struct value_date *d)
{
	static const char *const filler[] = { "the", "den", "dem", "on", "am",
	    "until", "till", "to", "for", "in", NULL };
	int n, m, y;

	memset(d, 0, sizeof *d);
	while (w[*i] != NULL && (*w[*i] == '\0' || is_word(w[*i], filler)))
		(*i)++;
	if (w[*i] == NULL)
		return FALSE;
	if (strcmp(w[*i], "today") == 0 || strcmp(w[*i], "heute") == 0) {
		d->kind = VALUE_DATE_IN_DAYS;
		(*i)++;
		return TRUE;
	}
	if (strcmp(w[*i], "tomorrow") == 0 || strcmp(w[*i], "morgen") == 0) {
		d->kind = VALUE_DATE_IN_DAYS;
		d->days = 1;
		(*i)++;
		return TRUE;
	}
	if (sscanf(w[*i], "%4d-%2d-%2d", &y, &m, &n) == 3 && y > 1000) {
		d->kind = VALUE_DATE_DAY;
		d->year = y;
		d->month = m;
		d->day = n;
		(*i)++;
		return TRUE;
	}
	if (dotted(w[*i], d)) {
		(*i)++;
		return TRUE;
	}
	/* "2 weeks", "3 days" */
	if ((n = number_of(w[*i])) > 0 && w[*i + 1] != NULL &&
	    (g_str_has_prefix(w[*i + 1], "day") ||
	    g_str_has_prefix(w[*i + 1], "week"))) {
		d->kind = VALUE_DATE_IN_DAYS;
		d->days = w[*i + 1][0] == 'w' ? n * 7 : n;
		*i += 2;
		return n <= 3660;
	}
	if ((d->weekday = weekday_of(w[*i])) >= 0) {
		int j = *i + 1;
		while (w[j] != NULL && (*w[j] == '\0' ||
		    strcmp(w[j], "the") == 0 || strcmp(w[j], "den") == 0))
			j++;
		if (w[j] == NULL || (number_of(w[j]) < 0 && month_of(w[j]) ==
		    0 && !dotted(w[j], d))) {
			d->kind = VALUE_DATE_WEEKDAY;
			*i = j;
			return TRUE;
		}
		*i = j;		/* "Monday 4 January": the date counts */
		if (d->kind == VALUE_DATE_DAY) {
			(*i)++;
			return TRUE;
		}
	}
	if ((n = number_of(w[*i])) > 0 && w[*i + 1] != NULL &&
	    (m = month_of(w[*i + 1])) > 0) {
		*i += 2;	/* "24 December [2026]" */
	} else if ((m = month_of(w[*i])) > 0 && w[*i + 1] != NULL &&
	    (n = number_of(w[*i + 1])) > 0) {
		*i += 2;	/* "December 24[, 2026]" */
	} else
		return FALSE;
	d->kind = VALUE_DATE_DAY;
	d->day = n;
	d->month = m;
	while (w[*i] != NULL && *w[*i] == '\0')
		(*i)++;
	if (w[*i] != NULL && strlen(w[*i]) == 4 && number_of(w[*i]) > 1000)
		d->year = number_of(w[(*i)++]);
	return TRUE;
}

gboolean
value_date_read(const char *text, gboolean whole, struct value_date *d)
{
	g_autofree char *low = g_utf8_strdown(text != NULL ? text : "",
	    whole ? -1 : 80);
	g_auto(GStrv) w = NULL;
	int i = 0;

	/* A date is words; what stands between them is no part of it. */
	g_strdelimit(low, ",;()!?\n\r\t", ' ');
	w = g_strsplit(g_strstrip(low), " ", whole ? 64 : 12);
	if (!read_day(w, &i, d)) {
		d->kind = VALUE_DATE_NONE;
		return FALSE;
	}
	for (; whole && w[i] != NULL; i++)
		if (*w[i] != '\0' && strcmp(w[i], ".") != 0) {
			d->kind = VALUE_DATE_NONE;
			return FALSE;
		}
	return TRUE;
}

gint64
value_date_place(const struct value_date *d, const char *zone, gint64 now,
    gboolean today_counts)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(now);
	g_autoptr(GDateTime) l = NULL, today = NULL, t = NULL;
	int y, dow, ahead;

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	l = g_date_time_to_timezone(u, tz);
	today = g_date_time_new(tz, g_date_time_get_year(l),
	    g_date_time_get_month(l), g_date_time_get_day_of_month(l), 0, 0,
	    0);
	switch (d->kind) {
	case VALUE_DATE_IN_DAYS:
		ahead = d->days;
		break;
	case VALUE_DATE_WEEKDAY:
		dow = g_date_time_get_day_of_week(today) - 1;
		ahead = (d->weekday - dow + 7) % 7;
		if (ahead == 0 && !today_counts)
			ahead = 7;
		break;
	case VALUE_DATE_DAY:
		/* Without a year, the next such day, today included. */
		y = d->year != 0 ? d->year : g_date_time_get_year(today);
		if (d->year == 0 && (d->month < g_date_time_get_month(today) ||
		    (d->month == g_date_time_get_month(today) &&
		    d->day < g_date_time_get_day_of_month(today))))
			y++;
		if (!g_date_valid_dmy((GDateDay)d->day, (GDateMonth)d->month,
		    (GDateYear)y))
			return 0;
		t = g_date_time_new(tz, y, d->month, d->day, 0, 0, 0);
		return t != NULL ? g_date_time_to_unix(t) : 0;
	default:
		return 0;
	}
	{
		g_autoptr(GDateTime) m = g_date_time_add_days(today, ahead);
		/* Midnight again, should a day between have had a change. */
		t = g_date_time_new(tz, g_date_time_get_year(m),
		    g_date_time_get_month(m), g_date_time_get_day_of_month(m),
		    0, 0, 0);
	}
	return g_date_time_to_unix(t);
}

gboolean
value_date(const char *text, GError **error)
{
	struct value_date d;

	if (value_date_read(text, TRUE, &d) && (d.kind != VALUE_DATE_DAY ||
	    g_date_valid_dmy((GDateDay)d.day, (GDateMonth)d.month,
	    (GDateYear)(d.year != 0 ? d.year : 2000))))
		return TRUE;
	g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID,
	    "\"%s\" is not a date tidings can read: write it as 2026-12-24, "
	    "24 December, a weekday, tomorrow or \"2 weeks\"",
	    text != NULL ? text : "");
	return FALSE;
}

gint64
value_parse_until(const char *text, const char *zone, gint64 now,
    GError **error)
{
	struct value_date d;
	gint64 t;

	if (!value_date(text, error))
		return 0;
	value_date_read(text, TRUE, &d);
	if ((t = value_date_place(&d, zone, now, FALSE)) == 0) {
		value_date(NULL, error);
		return 0;
	}
	if (t <= now) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID,
		    "\"%s\" is not in the future", text);
		return 0;
	}
	return t;
}
