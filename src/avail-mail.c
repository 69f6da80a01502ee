/* Availability by mail; see avail-mail.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avail.h"
#include "avail-mail.h"
#include "context.h"
#include "filter.h"
#include "ical.h"
#include "log.h"
#include "mail-command.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-avail.h"
#include "taker.h"
#include "token.h"
#include "urgent.h"
#include "value.h"

#define MAX_OOO_DAYS 400

/* --- dates --------------------------------------------------------------- */

/* The start of the local day of T in ZONE. */
static gint64
day_start(const char *zone, gint64 t, int add_days)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) l = NULL, d = NULL;

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	l = g_date_time_to_timezone(u, tz);
	d = g_date_time_new(tz, g_date_time_get_year(l),
	    g_date_time_get_month(l), g_date_time_get_day_of_month(l), 0, 0,
	    0);
	if (add_days != 0) {
		GDateTime *m = g_date_time_add_days(d, add_days);
		g_date_time_unref(d);
		/* Midnight again, should the day have had a change. */
		d = g_date_time_new(tz, g_date_time_get_year(m),
		    g_date_time_get_month(m), g_date_time_get_day_of_month(m), 0,
		    0, 0);
		g_date_time_unref(m);
	}
	return g_date_time_to_unix(d);
}

/* The start of the day TEXT names, today included ("today", "friday",
 * "2026-12-20", "20 December"). */
static gint64
day_of(const char *text, const char *zone, gint64 now, GError **error)
{
	struct value_date d;
	gint64 t;

	if (!value_date(text, error))
		return 0;
	value_date_read(text, TRUE, &d);
	if ((t = value_date_place(&d, zone, now, TRUE)) == 0)
		return value_date(NULL, error);
	if (t < day_start(zone, now, 0)) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID,
		    "\"%s\" is in the past", text);
		return 0;
	}
	return t;
}

/* --- the commands ---------------------------------------------------------- */

/* A person as the lines of one mail change it. */
struct plan {
	struct person *p;	/* the caller's, changed in place on apply */
	char *zone;		/* as the lines so far set it */
	int work_start, work_end;
	unsigned workdays;
	gboolean person_changed;
	GPtrArray *blocks;	/* struct availability * to add */
	gboolean clear_away, clear_deep;
	gboolean status_set;
	char *status;		/* NULL: clear */
	gint64 status_until;
	GPtrArray *done;	/* char *: what was done, for the answer */
};

static gboolean
bad_line(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
bad_line(GError **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*error = g_error_new_valist(VALUE_ERROR, VALUE_ERROR_INVALID, fmt, ap);
	va_end(ap);
	return FALSE;
}

static void
plan_block(struct plan *pl, const char *kind, gint64 start, gint64 end,
    const char *rrule, const char *summary)
{
	struct availability *a = g_new0(struct availability, 1);

	a->person_id = pl->p->id;
	a->kind = g_strdup(kind);
	a->starts_at = start;
	a->ends_at = end;
	a->rrule = g_strdup(rrule);
	a->zone = rrule != NULL ? g_strdup(pl->zone) : NULL;
	a->summary = g_strdup(summary);
	g_ptr_array_add(pl->blocks, a);
}

/* "2026-12-20..2027-01-03", "24 december", "today to friday". */
static gboolean
cmd_ooo(struct plan *pl, const char *arg, gint64 now, GError **error)
{
	g_autofree char *a = NULL, *b = NULL;
	g_autofree char *from = NULL, *to = NULL;
	gint64 start, end;

	if (g_ascii_strcasecmp(arg, "clear") == 0 ||
	    g_ascii_strcasecmp(arg, "none") == 0) {
		pl->clear_away = TRUE;
		g_ptr_array_add(pl->done, g_strdup("out of office: cleared"));
		return TRUE;
	}
	mail_command_range(arg, &a, &b);
	if ((start = day_of(a, pl->zone, now, error)) == 0 ||
	    (end = day_of(b, pl->zone, now, error)) == 0)
		return FALSE;
	/* The last day is included. */
	end = day_start(pl->zone, end, 1);
	if (end <= start)
		return bad_line(error, "it ends before it starts");
	if (end - start > (gint64)MAX_OOO_DAYS * 86400)
		return bad_line(error, "more than %d days; give a shorter "
		    "absence", MAX_OOO_DAYS);
	plan_block(pl, "away", start, end, NULL, "out of office");
	from = sched_format(pl->zone, start, "%a %-d %b %Y");
	to = sched_format(pl->zone, end - 1, "%a %-d %b %Y");
	g_ptr_array_add(pl->done, g_strdup_printf("out of office: %s to %s",
	    from, to));
	return TRUE;
}

/* "mon-fri 09:00-12:00", or the hours alone on the person's workdays. */
static gboolean
cmd_deep(struct plan *pl, const char *arg, gint64 now, GError **error)
{
	static const char *const codes[] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };
	g_auto(GStrv) w = g_strsplit_set(arg, " \t", -1);
	g_autoptr(GString) rule = g_string_new("FREQ=WEEKLY;BYDAY=");
	g_autofree char *days_text = NULL, *hours_text = NULL;
	const char *hours = NULL, *days = NULL;
	unsigned d = pl->workdays;
	int start, end;
	struct sched_occurrence o;
	gboolean first = TRUE;

	if (g_ascii_strcasecmp(arg, "clear") == 0 ||
	    g_ascii_strcasecmp(arg, "none") == 0) {
		pl->clear_deep = TRUE;
		g_ptr_array_add(pl->done, g_strdup("deep work: cleared"));
		return TRUE;
	}
	for (char **p = w; *p != NULL; p++) {
		if (**p == '\0')
			continue;
		if (g_ascii_isdigit(**p) && hours == NULL)
			hours = *p;
		else if (days == NULL)
			days = *p;
		else
			return bad_line(error, "expected days and hours, like "
			    "\"deep work mon-fri 09:00-12:00\"");
	}
	if (hours == NULL)
		return bad_line(error, "no hours: write them like \"deep work "
		    "mon-fri 09:00-12:00\"");
	if ((days != NULL && !value_workdays(days, &d, error)) ||
	    !value_hours(hours, &start, &end, error))
		return FALSE;
	if (end <= start)
		return bad_line(error, "deep work ends before it starts; it "
		    "cannot run past midnight");
	for (int i = 0; i < 7; i++)
		if (d & (1u << i)) {
			g_string_append_printf(rule, "%s%s", first ? "" : ",",
			    codes[i]);
			first = FALSE;
		}
	g_string_append_printf(rule, ";BYHOUR=%d;BYMINUTE=%d", start / 60,
	    start % 60);
	if (!sched_next(rule->str, pl->zone, now, day_start(pl->zone, now, 0) -
	    1, &o, error))
		return FALSE;
	if (!pl->clear_deep)
		pl->clear_deep = TRUE;	/* the first line replaces the old */
	plan_block(pl, "deep-work", o.at, o.at + (end - start) * 60, rule->str,
	    "deep work");
	days_text = value_workdays_format(d);
	hours_text = value_hours_format(start, end);
	g_ptr_array_add(pl->done, g_strdup_printf("deep work: %s %s",
	    days_text, hours_text));
	return TRUE;
}

/* "traveling until friday", "at a conference", "clear". */
static gboolean
cmd_status(struct plan *pl, const char *arg, gint64 now, GError **error)
{
	const char *until = NULL;
	g_autofree char *text = NULL, *when = NULL;
	gint64 end = 0;

	if (*arg == '\0')
		return bad_line(error, "no status: write \"status traveling "
		    "until friday\" or \"status clear\"");
	if (g_ascii_strcasecmp(arg, "clear") == 0) {
		pl->status_set = TRUE;
		g_clear_pointer(&pl->status, g_free);
		g_ptr_array_add(pl->done, g_strdup("status: cleared"));
		return TRUE;
	}
	for (const char *s = arg; (s = strstr(s, " until ")) != NULL; s++)
		until = s;
	if (until != NULL) {
		text = g_strndup(arg, (gsize)(until - arg));
		if ((end = day_of(until + 7, pl->zone, now, error)) == 0)
			return FALSE;
		end = day_start(pl->zone, end, 1);
	} else
		text = g_strdup(arg);
	g_strstrip(text);
	if (strlen(text) > 80 || !g_utf8_validate(text, -1, NULL))
		return bad_line(error, "a status is a few words, at most 80 "
		    "characters");
	pl->status_set = TRUE;
	g_free(pl->status);
	pl->status = g_strdup(text);
	pl->status_until = end;
	when = end != 0 ? sched_format(pl->zone, end - 1, " until %a %-d %b") :
	    g_strdup("");
	g_ptr_array_add(pl->done, g_strdup_printf("status: %s%s", text, when));
	return TRUE;
}

static gboolean
cmd_zone(struct plan *pl, const char *arg, gint64 now, GError **error)
{
	if (!value_zone(arg, error))
		return FALSE;
	g_free(pl->zone);
	pl->zone = g_strdup(arg);
	pl->person_changed = TRUE;
	g_ptr_array_add(pl->done, g_strdup_printf("zone: %s", arg));
	return TRUE;
}

static gboolean
cmd_hours(struct plan *pl, const char *arg, gint64 now, GError **error)
{
	g_autofree char *text = NULL;

	if (!value_hours(arg, &pl->work_start, &pl->work_end, error))
		return FALSE;
	pl->person_changed = TRUE;
	text = value_hours_format(pl->work_start, pl->work_end);
	g_ptr_array_add(pl->done, g_strdup_printf("hours: %s", text));
	return TRUE;
}

static gboolean
cmd_days(struct plan *pl, const char *arg, gint64 now, GError **error)
{
	g_autofree char *text = NULL;

	if (!value_workdays(arg, &pl->workdays, error))
		return FALSE;
	pl->person_changed = TRUE;
	text = value_workdays_format(pl->workdays);
	g_ptr_array_add(pl->done, g_strdup_printf("days: %s", text));
	return TRUE;
}

/* The builders of the availability lines, by their row's verb in the
 * mail commands' table (mail-command.c), which has their words. */
static gboolean (*const verb_run[])(struct plan *pl, const char *arg,
    gint64 now, GError **error) = {
	[AVAIL_ZONE] = cmd_zone,
	[AVAIL_HOURS] = cmd_hours,
	[AVAIL_DAYS] = cmd_days,
	[AVAIL_OOO] = cmd_ooo,
	[AVAIL_DEEP] = cmd_deep,
	[AVAIL_STATUS] = cmd_status,
};

/* The availability line LINE is, with *arg (caller frees, may be NULL)
 * after its word; NULL when it is none. */
static const struct mail_command *
command_of(const char *line, char **arg)
{
	return mail_command_parse(line, MAIL_COMMAND_AVAIL, arg);
}

static void
plan_clear(struct plan *pl)
{
	g_free(pl->zone);
	g_free(pl->status);
	g_ptr_array_unref(pl->blocks);
}

static gboolean
plan_store(struct store *st, struct plan *pl, const char *source,
    gint64 now, GError **error)
{
	struct person *p = pl->p;

	if (pl->person_changed) {
		g_free(p->zone);
		p->zone = g_strdup(pl->zone);
		p->work_start = pl->work_start;
		p->work_end = pl->work_end;
		p->workdays = pl->workdays;
		if (!store_person_save(st, p, error))
			return FALSE;
	}
	if (pl->clear_away &&
	    (store_availability_clear(st, p->id, "away", source, now,
	    error) < 0 || store_availability_clear(st, p->id, "away",
	    "autoreply", now, error) < 0))
		return FALSE;
	if (pl->clear_deep && store_availability_clear(st, p->id, "deep-work",
	    source, now, error) < 0)
		return FALSE;
	for (guint i = 0; i < pl->blocks->len; i++) {
		struct availability *a = pl->blocks->pdata[i];
		g_free(a->source);
		a->source = g_strdup(source);
		if (!store_availability_add(st, a, now, error))
			return FALSE;
	}
	return !pl->status_set || store_person_set_status(st, p->id,
	    pl->status, pl->status_until, error);
}

gboolean
avail_apply_ics(struct store *st, struct person *p,
    const struct ical_result *r, gint64 now, GError **error)
{
	for (guint i = 0; i < r->uids->len; i++)
		if (store_availability_forget(st, p->id, "ics",
		    r->uids->pdata[i], error) < 0)
			return FALSE;
	for (guint i = 0; i < r->blocks->len; i++) {
		struct availability *a = r->blocks->pdata[i];
		a->person_id = p->id;
		if (!store_availability_add(st, a, now, error))
			return FALSE;
	}
	if (!r->hours_set)
		return TRUE;
	g_free(p->zone);
	p->zone = g_strdup(r->zone);
	p->work_start = r->work_start;
	p->work_end = r->work_end;
	p->workdays = r->workdays;
	return store_person_save(st, p, error);
}

gboolean
avail_apply(struct store *st, struct person *p, char **lines, GPtrArray *ics,
    const char *source, gint64 now, GPtrArray *bad, GPtrArray *done,
    GError **error)
{
	struct plan pl = {
		.p = p,
		.zone = g_strdup(p->zone),
		.work_start = p->work_start,
		.work_end = p->work_end,
		.workdays = p->workdays,
		.blocks = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)availability_free),
		.done = done != NULL ? done :
		    g_ptr_array_new_with_free_func(g_free),
	};
	gboolean ok = TRUE;

	for (guint n = 0; lines != NULL && lines[n] != NULL; n++) {
		g_autofree char *l = g_strstrip(g_strdup(lines[n]));
		g_autofree char *arg = NULL;
		g_autoptr(GError) why = NULL;
		const struct mail_command *c;

		if (*l == '\0')
			continue;
		if ((c = command_of(l, &arg)) == NULL)
			why = g_error_new_literal(VALUE_ERROR,
			    VALUE_ERROR_INVALID, "not a command tidings knows: "
			    "zone, hours, days, ooo, deep work and status");
		else if (arg == NULL && c->arg != MAIL_ARG_TEXT)
			why = g_error_new(VALUE_ERROR, VALUE_ERROR_INVALID,
			    "\"%s\" needs a value", c->words[0]);
		else
			verb_run[c->verb](&pl, arg != NULL ? arg : "", now,
			    &why);
		if (why != NULL)
			g_ptr_array_add(bad, g_strdup_printf("line %u: \"%s\": %s",
			    n + 1, l, why->message));
	}
	for (guint i = 0; ics != NULL && i < ics->len; i++) {
		const struct ical_result *r = ics->pdata[i];
		g_ptr_array_add(pl.done, g_strdup_printf("calendar: %u blocks "
		    "of time%s", r->blocks->len, r->hours_set ?
		    ", working hours" : ""));
	}
	if (bad->len == 0) {
		ok = plan_store(st, &pl, source, now, error);
		for (guint i = 0; ok && ics != NULL && i < ics->len; i++)
			ok = avail_apply_ics(st, p, ics->pdata[i], now, error);
	}
	if (done == NULL)
		g_ptr_array_unref(pl.done);
	plan_clear(&pl);
	return ok;
}

/* --- what tidings holds ----------------------------------------------------- */

/* The weekday bits of an RRULE's BYDAY list ("MO,WE,FR"), or 0 when it
 * holds anything else (an ordinal: "1MO"). */
static unsigned
rrule_days(const char *list)
{
	static const char *const codes[] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };
	g_auto(GStrv) days = g_strsplit(list, ",", -1);
	unsigned bits = 0;

	for (char **d = days; *d != NULL; d++) {
		int i = 0;
		while (i < 7 && g_ascii_strcasecmp(*d, codes[i]) != 0)
			i++;
		if (i == 7)
			return 0;
		bits |= 1u << i;
	}
	return bits;
}

/* RULE (an RRULE) in words: "every week on mon-fri", "every 2 weeks on
 * tue", "every day until 2027-01-04", "every month on day 5, 6 times";
 * "repeating" for what it cannot say.  Caller frees. */
static char *
rrule_words(const char *rule)
{
	static const struct {
		const char *freq, *one, *many;
	} freqs[] = {
		{ "DAILY", "day", "days" }, { "WEEKLY", "week", "weeks" },
		{ "MONTHLY", "month", "months" }, { "YEARLY", "year", "years" },
	};
	g_auto(GStrv) parts = g_strsplit(rule, ";", -1);
	g_autoptr(GString) out = g_string_new(NULL);
	const char *freq = NULL, *byday = NULL, *bymonthday = NULL;
	const char *until = NULL, *count = NULL;
	int interval = 1;
	gsize f;

	for (char **p = parts; *p != NULL; p++) {
		const char *eq = strchr(*p, '=');
		g_autofree char *key = NULL;

		if (eq == NULL)
			continue;
		key = g_ascii_strup(*p, eq - *p);
		eq++;
		if (strcmp(key, "FREQ") == 0)
			freq = eq;
		else if (strcmp(key, "INTERVAL") == 0)
			interval = atoi(eq);
		else if (strcmp(key, "BYDAY") == 0)
			byday = eq;
		else if (strcmp(key, "BYMONTHDAY") == 0)
			bymonthday = eq;
		else if (strcmp(key, "UNTIL") == 0)
			until = eq;
		else if (strcmp(key, "COUNT") == 0)
			count = eq;
		else if (strcmp(key, "BYHOUR") != 0 &&
		    strcmp(key, "BYMINUTE") != 0 && strcmp(key, "WKST") != 0)
			return g_strdup("repeating");	/* BYSETPOS, ... */
	}
	for (f = 0; freq != NULL && f < G_N_ELEMENTS(freqs); f++)
		if (g_ascii_strcasecmp(freq, freqs[f].freq) == 0)
			break;
	if (freq == NULL || f == G_N_ELEMENTS(freqs) || interval < 1)
		return g_strdup("repeating");
	if (interval == 1)
		g_string_append_printf(out, "every %s", freqs[f].one);
	else
		g_string_append_printf(out, "every %d %s", interval,
		    freqs[f].many);
	if (byday != NULL) {
		unsigned bits = rrule_days(byday);
		g_autofree char *days = bits != 0 ?
		    value_workdays_format(bits) : NULL;
		if (days == NULL)
			return g_strdup("repeating");
		g_string_append_printf(out, " on %s", days);
	}
	if (bymonthday != NULL)
		g_string_append_printf(out, " on day %s", bymonthday);
	if (until != NULL && strlen(until) >= 8)
		g_string_append_printf(out, " until %.4s-%.2s-%.2s", until,
		    until + 4, until + 6);
	if (count != NULL)
		g_string_append_printf(out, ", %s times", count);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
avail_vars(struct store *st, const struct person *p, gint64 now,
    struct render_vars *v, GError **error)
{
	g_autoptr(GPtrArray) rows = store_availability_list(st, p->id, now,
	    error);
	g_autofree char *hours = value_hours_format(p->work_start,
	    p->work_end);
	g_autofree char *days = value_workdays_format(p->workdays);
	g_autofree char *local = sched_format(p->zone, now, "%a %H:%M");
	g_autofree char *status = NULL;
	g_autoptr(GError) err = NULL;
	gint64 until;

	if (rows == NULL)
		return FALSE;
	status = store_person_status(st, p->id, now, &until, &err);
	if (err != NULL) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	render_vars_set(v, "zone", p->zone);
	render_vars_set(v, "local_now", local);
	render_vars_set(v, "hours", hours);
	render_vars_set(v, "days", days);
	if (status != NULL) {
		g_autofree char *u = until != 0 ? sched_format(p->zone,
		    until - 1, " (until %a %-d %b)") : g_strdup("");
		g_autofree char *s = g_strconcat(status, u, NULL);
		render_vars_set(v, "status", s);
	} else
		render_vars_set(v, "status", "none");
	for (guint i = 0; i < rows->len; i++) {
		const struct availability *a = rows->pdata[i];
		g_autofree char *from = NULL, *to = NULL, *line = NULL;
		gboolean deep = strcmp(a->kind, "deep-work") == 0;

		if (!deep && strcmp(a->kind, "away") != 0)
			continue;
		if (a->rrule != NULL) {
			from = sched_format(a->zone, a->starts_at, "%H:%M");
			to = sched_format(a->zone, a->ends_at, "%H:%M");
			g_autofree char *when = rrule_words(a->rrule);
			line = g_strdup_printf("%s-%s, %s (%s, %s)", from, to,
			    when, a->zone, a->source);
		} else {
			from = sched_format(p->zone, a->starts_at,
			    "%a %-d %b %Y %H:%M");
			to = a->ends_at != 0 ? sched_format(p->zone, a->ends_at,
			    "%a %-d %b %Y %H:%M") : g_strdup("further notice");
			line = g_strdup_printf("%s to %s%s%s (%s)", from, to,
			    a->summary != NULL ? ": " : "", a->summary != NULL ?
			    a->summary : "", a->source);
		}
		render_vars_add(v, deep ? "deep" : "away", line);
	}
	return TRUE;
}

/* --- the mail ------------------------------------------------------------------ */

/* Whether LINE, which starts with no command's word, is clearly prose
 * ("Hi Ana,", "Here is my calendar.", a name signed below) rather than a
 * command mistyped ("hors 08:00-16:00", "snooze please"): a sentence's
 * punctuation at its end, four words or more, or one word without a
 * digit. */
static gboolean
is_prose(const char *line)
{
	g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
	size_t len = strlen(line);
	guint n = 0;

	if (len > 0 && strchr(".!?,:;", line[len - 1]) != NULL)
		return TRUE;
	for (char **w = words; *w != NULL; w++)
		n += **w != '\0';
	return n >= 4 || (n == 1 && strpbrk(line, "0123456789") == NULL);
}

/* The lines of MSG that are commands: the reply text up to a quote or a
 * signature; in a reply to a prompt, only the leading command lines.
 * Prose is left aside, blank in its place (so that lines keep their
 * numbers), and added to IGNORED. */
static char **
command_lines(const struct message *msg, GPtrArray *ignored)
{
	g_auto(GStrv) all = g_strsplit(msg->reply != NULL ? msg->reply :
	    msg->text != NULL ? msg->text : "", "\n", -1);
	GPtrArray *out = g_ptr_array_new();
	char *arg = NULL;

	/* A subject that is a command counts as the first line. */
	if (msg->subject != NULL && command_of(msg->subject, &arg) != NULL)
		g_ptr_array_add(out, g_strdup(msg->subject));
	g_clear_pointer(&arg, g_free);
	for (char **l = all; *l != NULL; l++) {
		g_autofree char *t = g_strstrip(g_strdup(*l));
		gboolean is_command;

		if (*t == '>' || strcmp(t, "--") == 0)
			break;
		is_command = command_of(t, &arg) != NULL;
		g_clear_pointer(&arg, g_free);
		if (msg->prompt_id != 0 && *t != '\0' && !is_command)
			break;
		if (g_ascii_strcasecmp(t, "availability") == 0)
			continue;	/* the address's word, written again */
		if (!is_command && *t != '\0' && is_prose(t)) {
			g_ptr_array_add(ignored, g_strdup(t));
			g_ptr_array_add(out, g_strdup(""));
			continue;
		}
		g_ptr_array_add(out, g_strdup(*l));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* The calendars of a mail, read for one person.  Reading them is the
 * costly part of an availability mail, so it is done before the
 * transaction that stores them, and only the stores are done inside. */
struct avail_prepared {
	char *zone;		/* the person's, that floating times are in */
	char *email;
	GPtrArray *ics;		/* struct ical_result *, within the caps */
	GPtrArray *bad;		/* char *: a calendar that cannot be read */
	GPtrArray *left_out;	/* char *: what the caps left out */
};

void
avail_prepared_free(gpointer prepared)
{
	struct avail_prepared *ap = prepared;

	if (ap == NULL)
		return;
	g_free(ap->zone);
	g_free(ap->email);
	g_ptr_array_unref(ap->ics);
	g_ptr_array_unref(ap->bad);
	g_ptr_array_unref(ap->left_out);
	g_free(ap);
}

/* The UID of R's that block uid BLOCK stands for ("UID" or "UID#..."), as
 * R->uids holds it, or NULL. */
static const char *
block_uid(GHashTable *uids, const char *block)
{
	const char *hash;
	const char *u;

	if ((u = g_hash_table_lookup(uids, block)) != NULL)
		return u;
	for (hash = strchr(block, '#'); hash != NULL;
	    hash = strchr(hash + 1, '#')) {
		g_autofree char *prefix = g_strndup(block,
		    (gsize)(hash - block));
		if ((u = g_hash_table_lookup(uids, prefix)) != NULL)
			return u;
	}
	return NULL;
}

/* Keeps of R at most KEEP blocks, whole events only: an event that the
 * cut would halve is left out whole, and what was stored under its UID
 * stays.  Returns how many events were left out. */
static guint
cut_blocks(struct ical_result *r, guint keep)
{
	g_autoptr(GHashTable) uids = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) cut = g_hash_table_new(g_str_hash, g_str_equal);
	guint left = 0;

	for (guint i = 0; i < r->uids->len; i++)
		g_hash_table_insert(uids, r->uids->pdata[i], r->uids->pdata[i]);
	for (guint i = keep; i < r->blocks->len; i++) {
		const struct availability *a = r->blocks->pdata[i];
		const char *u = a->uid != NULL ? block_uid(uids, a->uid) : NULL;
		if (u != NULL)
			g_hash_table_add(cut, (gpointer)u);
	}
	g_ptr_array_set_size(r->blocks, keep);
	for (guint i = r->blocks->len; i-- > 0;) {
		const struct availability *a = r->blocks->pdata[i];
		const char *u = a->uid != NULL ? block_uid(uids, a->uid) : NULL;
		if (u != NULL && g_hash_table_contains(cut, u))
			g_ptr_array_remove_index(r->blocks, i);
	}
	for (guint i = r->uids->len; i-- > 0;)
		if (g_hash_table_contains(cut, r->uids->pdata[i])) {
			g_ptr_array_remove_index(r->uids, i);
			left++;
		}
	return left;
}

/* Reads the calendars attached to MSG for the person at EMAIL in ZONE,
 * each once and within the caps. */
static struct avail_prepared *
calendars(const struct message *msg, const char *zone, const char *email,
    gint64 now)
{
	struct avail_prepared *ap = g_new0(struct avail_prepared, 1);
	guint seen = 0, blocks = 0, events_left = 0;

	ap->zone = g_strdup(zone);
	ap->email = g_strdup(email);
	ap->ics = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ical_result_free);
	ap->bad = g_ptr_array_new_with_free_func(g_free);
	ap->left_out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; msg->parts != NULL && i < msg->parts->len; i++) {
		const struct message_part *part = msg->parts->pdata[i];
		g_autoptr(GError) err = NULL;
		struct ical_result *r;
		gsize len;
		const char *data;

		if (!message_part_is_calendar(part) || part->data == NULL ||
		    ++seen > AVAIL_MAX_CALENDARS)
			continue;
		data = g_bytes_get_data(part->data, &len);
		r = ical_read(data != NULL ? data : "", (gssize)len, zone,
		    email, now, &err);
		if (r == NULL) {
			g_ptr_array_add(ap->bad, g_strdup_printf("%s: %s",
			    part->filename != NULL ? part->filename :
			    "the calendar", err->message));
			continue;
		}
		if (blocks + r->blocks->len > AVAIL_MAX_BLOCKS)
			events_left += cut_blocks(r, AVAIL_MAX_BLOCKS - blocks);
		blocks += r->blocks->len;
		g_ptr_array_add(ap->ics, r);
	}
	if (seen > AVAIL_MAX_CALENDARS)
		g_ptr_array_add(ap->left_out, g_strdup_printf("%u calendars "
		    "after the first %d were not read", seen -
		    AVAIL_MAX_CALENDARS, AVAIL_MAX_CALENDARS));
	if (events_left > 0)
		g_ptr_array_add(ap->left_out, g_strdup_printf("%u events past "
		    "the first %d blocks of time were not stored",
		    events_left, AVAIL_MAX_BLOCKS));
	return ap;
}

gpointer
avail_mail_prepare(struct tidings_ctx *env, const struct take *t)
{
	const struct message *msg = t->msg;
	const char *who = msg->prompt_person != NULL ? msg->prompt_person :
	    msg->from;
	g_autoptr(Person) p = NULL;
	g_autoptr(GError) err = NULL;

	if (msg->command != ANSWER_COMMAND_AVAILABILITY || who == NULL ||
	    msg->parts == NULL)
		return NULL;
	/* A read, outside any transaction; should the zone change before
	 * the mail is taken, it is read again there. */
	if ((p = store_person_get(env->st, who, &err)) == NULL)
		return NULL;
	return calendars(msg, p->zone, p->email, t->now);
}

static gboolean
take_availability(struct tidings_ctx *env, struct take *t, struct person *p,
    struct render_vars *v, GError **error)
{
	const struct message *msg = t->msg;
	struct avail_prepared *ap = t->prepared;
	g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) lines = command_lines(msg, ignored);
	struct avail_prepared *mine = NULL;
	gboolean ok = FALSE;

	if (ap == NULL || g_strcmp0(ap->zone, p->zone) != 0 ||
	    g_strcmp0(ap->email, p->email) != 0)
		ap = mine = calendars(msg, p->zone, p->email, t->now);
	for (guint i = 0; i < ap->bad->len; i++)
		g_ptr_array_add(bad, g_strdup(ap->bad->pdata[i]));
	if (!avail_apply(env->st, p, lines, ap->ics, "mail", t->now, bad, done,
	    error))
		goto out;
	for (guint i = 0; i < bad->len; i++)
		render_vars_add(v, "errors", bad->pdata[i]);
	for (guint i = 0; bad->len == 0 && i < done->len; i++)
		render_vars_add(v, "changes", done->pdata[i]);
	for (guint i = 0; bad->len == 0 && i < ap->left_out->len; i++)
		render_vars_add(v, "left_out", ap->left_out->pdata[i]);
	for (guint i = 0; i < ignored->len && i < 10; i++)
		render_vars_add(v, "ignored", ignored->pdata[i]);
	if (bad->len == 0 && ap->left_out->len > 0) {
		g_autoptr(GString) note = g_string_new("not applied: ");
		for (guint i = 0; i < ap->left_out->len; i++)
			g_string_append_printf(note, "%s%s", i > 0 ? "; " : "",
			    (char *)ap->left_out->pdata[i]);
		log_warnx("<%s>: %s", msg->message_id, note->str);
		if (!store_message_note(env->st, t->id, note->str, error))
			goto out;
	}
	log_info("<%s>: %s: availability: %u changes, %u lines refused",
	    msg->message_id, p->email, bad->len == 0 ? done->len : 0, bad->len);
	ok = TRUE;
out:
	avail_prepared_free(mine);
	return ok;
}

/* TEAM's members at NOW for a mail: each a paragraph of two lines, the
 * name and what holds for them, neither indented, so that a client that
 * re-wraps flowed text (at 60 columns, say) breaks the second line but
 * leaves every member's name at the start of its own line.  Caller
 * frees. */
static char *
who_text(struct store *st, const char *team, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) who = avail_who(st, team, now, error);
	GString *out;

	if (who == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < who->len; i++) {
		const struct avail_who *w = who->pdata[i];
		g_autofree char *next = w->next != 0 ? sched_format(w->zone,
		    w->next, "%a %H:%M") : NULL;
		g_autofree char *until = w->status_until != 0 ?
		    sched_format(w->zone, w->status_until - 1,
		    " until %a %-d %b") : g_strdup("");

		g_string_append_printf(out, "%s%s <%s>\n%s, %s%s%s%s",
		    i > 0 ? "\n" : "", *w->name != '\0' ? w->name : w->email,
		    w->email, w->local, avail_state_name(w->state),
		    w->why != NULL ? " (" : "", w->why != NULL ? w->why : "",
		    w->why != NULL ? ")" : "");
		if (w->status != NULL)
			g_string_append_printf(out, "; %s%s", w->status, until);
		if (w->state != AVAIL_WORKING)
			g_string_append_printf(out, "; working again %s",
			    next != NULL ? next : "not within 60 days");
		g_string_append_printf(out, " (%s)\n", w->zone);
	}
	return g_string_free(out, FALSE);
}

/* The who tables of the teams of P. */
static gboolean
who_vars(struct store *st, const struct person *p, gint64 now,
    struct render_vars *v, GError **error)
{
	g_auto(GStrv) teams = g_strsplit(p->teams != NULL ? p->teams : "",
	    ", ", -1);

	for (char **t = teams; *t != NULL; t++) {
		g_autofree char *table = NULL, *urgent = NULL;
		if (**t == '\0')
			continue;
		if ((table = who_text(st, *t, now, error)) == NULL ||
		    (urgent = urgent_who_line(st, *t, now, error)) == NULL)
			return FALSE;
		render_vars_add(v, "teams", *t);
		render_vars_add(v, "tables", table);
		render_vars_add(v, "urgent", urgent);
	}
	return TRUE;
}

gboolean
avail_mail_take(struct tidings_ctx *env, struct take *t,
    const struct person *person, GError **error)
{
	const struct message *msg = t->msg;
	gint64 now = t->now;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(Person) p = store_person_get(env->st, person->email, error);
	g_autofree char *address = NULL;
	gboolean who = msg->command == ANSWER_COMMAND_WHO;

	if (p == NULL)
		return FALSE;
	render_vars_set(v, "member_name", *p->name != '\0' ? p->name :
	    p->email);
	if (who) {
		if (!who_vars(env->st, p, now, v, error))
			return FALSE;
	} else if (!take_availability(env, t, p, v, error))
		return FALSE;
	if (!avail_vars(env->st, p, now, v, error))
		return FALSE;
	address = token_address(env->address, env->domain, "availability");
	render_vars_set(v, "availability_address", address);
	return reply_send(env, t, who ? "who" : "availability", v, error);
}

/* --- out of office ------------------------------------------------------------ */

enum phrase_kind {
	PHRASE_BACK,		/* the date after it is the day back */
	PHRASE_THROUGH,		/* the date after it is the last day away */
	PHRASE_BACK_VERB,	/* German: "am DATE zurück", the verb last */
};

gint64
avail_return_date(const char *text, const char *zone, gint64 now)
{
	static const struct {
		const char *words;
		enum phrase_kind kind;
	} phrases[] = {
		{ "back in the office on", PHRASE_BACK },
		{ "back in the office", PHRASE_BACK },
		{ "back at work on", PHRASE_BACK },
		{ "back on", PHRASE_BACK },
		{ "back", PHRASE_BACK },
		{ "returning on", PHRASE_BACK },
		{ "returning", PHRASE_BACK },
		{ "return on", PHRASE_BACK },
		{ "will return", PHRASE_BACK },
		{ "zurück am", PHRASE_BACK },
		{ "zurück ab", PHRASE_BACK },
		{ "wieder im büro am", PHRASE_BACK },
		{ "wieder im büro ab", PHRASE_BACK },
		{ "wieder erreichbar am", PHRASE_BACK },
		{ "wieder erreichbar ab", PHRASE_BACK },
		{ "am", PHRASE_BACK_VERB },
		{ "ab dem", PHRASE_BACK_VERB },
		{ "ab", PHRASE_BACK_VERB },
		{ "until", PHRASE_THROUGH },
		{ "till", PHRASE_THROUGH },
		{ "through", PHRASE_THROUGH },
		{ "bis einschließlich", PHRASE_THROUGH },
		{ "bis zum", PHRASE_THROUGH },
		{ "bis", PHRASE_THROUGH },
	};
	g_autofree char *low = g_utf8_strdown(text != NULL ? text : "", -1);

	for (size_t k = 0; k < G_N_ELEMENTS(phrases); k++) {
		size_t len = strlen(phrases[k].words);
		for (const char *s = strstr(low, phrases[k].words); s != NULL;
		    s = strstr(s + 1, phrases[k].words)) {
			struct value_date d;
			gint64 t;

			if ((s > low && g_ascii_isalpha(s[-1])) ||
			    g_ascii_isalpha(s[len]))
				continue;
			if (phrases[k].kind == PHRASE_BACK_VERB) {
				g_autofree char *near = g_strndup(s + len, 25);
				if (strstr(near, "zurück") == NULL &&
				    strstr(near, "wieder") == NULL)
					continue;
			}
			t = value_date_read(s + len, FALSE, &d) ?
			    value_date_place(&d, zone, now, FALSE) : 0;
			if (t != 0 && phrases[k].kind == PHRASE_THROUGH)
				t = day_start(zone, t, 1);
			if (t > now && t < now + 400 * 86400)
				return t;
		}
	}
	return 0;
}

gboolean
avail_take_autoreply(struct tidings_ctx *env, struct take *t,
    GError **error)
{
	const struct message *msg = t->msg;
	gint64 now = t->now;
	g_autoptr(Person) p = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL, *until = NULL;
	struct availability a = { 0 };
	gint64 back;

	if (msg->from == NULL)
		return TRUE;
	p = store_person_get(env->st, msg->from, &err);
	if (p == NULL) {
		if (g_error_matches(err, STORE_ERROR, STORE_ERROR_NOT_FOUND))
			return TRUE;
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	text = g_strconcat(msg->subject != NULL ? msg->subject : "", "\n",
	    msg->text != NULL ? msg->text : "", NULL);
	if ((back = avail_return_date(text, p->zone, now)) == 0) {
		log_info("<%s>: %s is out of office, with no date of return",
		    msg->message_id, p->email);
		return TRUE;
	}
	a.person_id = p->id;
	a.kind = (char *)"away";
	a.starts_at = now;
	a.ends_at = back;
	a.summary = (char *)"out of office (auto-reply)";
	a.source = (char *)"autoreply";
	a.uid = (char *)"autoreply";
	until = sched_format(p->zone, back, "%Y-%m-%d");
	log_info("<%s>: %s is out of office, back %s", msg->message_id,
	    p->email, until);
	return store_availability_add(env->st, &a, now, error);
}
