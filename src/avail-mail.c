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
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
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
	g_autofree char *t = g_ascii_strdown(text, -1);
	gint64 today = day_start(zone, now, 0);

	g_strstrip(t);
	if (strcmp(t, "today") == 0)
		return today;
	if (strcmp(t, "tomorrow") == 0)
		return day_start(zone, now, 1);
	return value_parse_until(text, zone, today - 1, error);
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
	static const char *const seps[] = { "..", " to ", " until ", " - ",
	    " bis " };
	g_autofree char *a = NULL, *b = NULL;
	g_autofree char *from = NULL, *to = NULL;
	gint64 start, end;

	if (g_ascii_strcasecmp(arg, "clear") == 0 ||
	    g_ascii_strcasecmp(arg, "none") == 0) {
		pl->clear_away = TRUE;
		g_ptr_array_add(pl->done, g_strdup("out of office: cleared"));
		return TRUE;
	}
	if (g_ascii_strncasecmp(arg, "until ", 6) == 0) {
		a = g_strdup("today");
		b = g_strdup(arg + 6);
	}
	for (size_t i = 0; a == NULL && i < G_N_ELEMENTS(seps); i++) {
		const char *s = strstr(arg, seps[i]);
		if (s != NULL) {
			a = g_strndup(arg, (gsize)(s - arg));
			b = g_strdup(s + strlen(seps[i]));
		}
	}
	if (a == NULL) {
		a = g_strdup(arg);
		b = g_strdup(arg);
	}
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

static const struct avail_command {
	const char *word;
	gboolean free_text;	/* its argument is any text */
	gboolean (*run)(struct plan *pl, const char *arg, gint64 now,
	    GError **error);
} avail_commands[] = {
	{ "zone", FALSE, cmd_zone },
	{ "hours", FALSE, cmd_hours },
	{ "days", FALSE, cmd_days },
	{ "ooo", FALSE, cmd_ooo },
	{ "out of office", FALSE, cmd_ooo },
	{ "deep work", FALSE, cmd_deep },
	{ "deep-work", FALSE, cmd_deep },
	{ "status", TRUE, cmd_status },
};

/* The command LINE starts with, and *arg after its word; NULL when it
 * starts with none. */
static const struct avail_command *
command_of(const char *line, const char **arg)
{
	for (size_t i = 0; i < G_N_ELEMENTS(avail_commands); i++) {
		size_t n = strlen(avail_commands[i].word);
		if (g_ascii_strncasecmp(line, avail_commands[i].word, n) != 0 ||
		    (line[n] != '\0' && !g_ascii_isspace(line[n]) &&
		    line[n] != ':'))
			continue;
		*arg = line + n + (line[n] == ':');
		while (g_ascii_isspace(**arg))
			(*arg)++;
		return &avail_commands[i];
	}
	return NULL;
}

gboolean
avail_line_is_command(const char *line)
{
	g_autofree char *l = g_strstrip(g_strdup(line != NULL ? line : ""));
	const struct avail_command *c;
	const char *arg;
	struct person p = { .zone = (char *)"UTC", .workdays = 0x1f };
	struct plan pl = { .p = &p, .zone = (char *)"UTC", .workdays = 0x1f };
	g_autoptr(GError) error = NULL;
	gboolean ok;

	if ((c = command_of(l, &arg)) == NULL || c->free_text || *arg == '\0')
		return FALSE;
	/* Read it for nothing: it is a command when it reads. */
	pl.done = g_ptr_array_new_with_free_func(g_free);
	pl.blocks = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)availability_free);
	pl.zone = g_strdup("UTC");
	ok = c->run(&pl, arg, G_GINT64_CONSTANT(1790000000), &error);
	g_ptr_array_unref(pl.done);
	g_ptr_array_unref(pl.blocks);
	g_free(pl.zone);
	g_free(pl.status);
	return ok;
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
		g_autoptr(GError) why = NULL;
		const struct avail_command *c;
		const char *arg;

		if (*l == '\0')
			continue;
		if ((c = command_of(l, &arg)) == NULL)
			why = g_error_new_literal(VALUE_ERROR,
			    VALUE_ERROR_INVALID, "not a command tidings knows: "
			    "zone, hours, days, ooo, deep work and status");
		else if (*arg == '\0' && !c->free_text)
			why = g_error_new(VALUE_ERROR, VALUE_ERROR_INVALID,
			    "\"%s\" needs a value", c->word);
		else
			c->run(&pl, arg, now, &why);
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
			line = g_strdup_printf("%s-%s, %s (%s, %s)", from, to,
			    a->rrule, a->zone, a->source);
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

/* The lines of MSG that are commands: the reply text up to a quote or a
 * signature; in a reply to a prompt, only the leading command lines. */
static char **
command_lines(const struct message *msg)
{
	g_auto(GStrv) all = g_strsplit(msg->reply != NULL ? msg->reply :
	    msg->text != NULL ? msg->text : "", "\n", -1);
	GPtrArray *out = g_ptr_array_new();
	const char *arg;

	/* A subject that is a command counts as the first line. */
	if (msg->subject != NULL && command_of(msg->subject, &arg) != NULL)
		g_ptr_array_add(out, g_strdup(msg->subject));
	for (char **l = all; *l != NULL; l++) {
		g_autofree char *t = g_strstrip(g_strdup(*l));
		if (*t == '>' || strcmp(t, "--") == 0)
			break;
		if (msg->prompt_id != 0 && *t != '\0' &&
		    command_of(t, &arg) == NULL)
			break;
		if (g_ascii_strcasecmp(t, "availability") == 0)
			continue;	/* the address's word, written again */
		g_ptr_array_add(out, g_strdup(*l));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* Whether part P is a calendar. */
static gboolean
is_calendar(const struct message_part *p)
{
	return strcmp(p->content_type, "text/calendar") == 0 ||
	    strcmp(p->content_type, "application/ics") == 0 ||
	    (p->filename != NULL && g_str_has_suffix(p->filename, ".ics"));
}

/* The calendars attached to MSG, read; a broken one adds to BAD. */
static GPtrArray *
calendars(const struct message *msg, const struct person *p, gint64 now,
    GPtrArray *bad)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ical_result_free);

	for (guint i = 0; msg->parts != NULL && i < msg->parts->len; i++) {
		const struct message_part *part = msg->parts->pdata[i];
		g_autoptr(GError) err = NULL;
		struct ical_result *r;
		gsize len;
		const char *data;

		if (!is_calendar(part) || part->data == NULL)
			continue;
		data = g_bytes_get_data(part->data, &len);
		r = ical_read(data != NULL ? data : "", (gssize)len, p->zone,
		    p->email, now, &err);
		if (r != NULL)
			g_ptr_array_add(out, r);
		else
			g_ptr_array_add(bad, g_strdup_printf("%s: %s",
			    part->filename != NULL ? part->filename :
			    "the calendar", err->message));
	}
	return out;
}

static gboolean
take_availability(struct tidings_ctx *env, const struct message *msg,
    gint64 id, struct person *p, gint64 now, struct render_vars *v,
    GError **error)
{
	g_auto(GStrv) lines = command_lines(msg);
	g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) ics = calendars(msg, p, now, bad);

	if (!avail_apply(env->st, p, lines, ics, "mail", now, bad, done, error))
		return FALSE;
	for (guint i = 0; i < bad->len; i++)
		render_vars_add(v, "errors", bad->pdata[i]);
	for (guint i = 0; bad->len == 0 && i < done->len; i++)
		render_vars_add(v, "changes", done->pdata[i]);
	log_info("<%s>: %s: availability: %u changes, %u lines refused",
	    msg->message_id, p->email, bad->len == 0 ? done->len : 0, bad->len);
	return TRUE;
}

/* The who table of the teams of P, as text. */
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
		if ((table = avail_who_text(st, *t, now, error)) == NULL ||
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
	gint64 id = t->id, now = t->now;
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
	} else if (!take_availability(env, msg, id, p, now, v, error))
		return FALSE;
	if (!avail_vars(env->st, p, now, v, error))
		return FALSE;
	address = token_address(env->address, env->domain, "availability");
	render_vars_set(v, "availability_address", address);
	return reply_send(env, t, who ? "who" : "availability", v, error);
}

/* --- out of office ------------------------------------------------------------ */

static const char *const months_en[] = { "jan", "feb", "mar", "apr", "may",
    "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const months_de[] = { "jan", "feb", "mär", "apr", "mai",
    "jun", "jul", "aug", "sep", "okt", "nov", "dez" };
static const char *const days_en[] = { "mon", "tue", "wed", "thu", "fri",
    "sat", "sun" };
static const char *const days_de[] = { "mon", "die", "mit", "don", "fre",
    "sam", "son" };

/* The month (1..12) WORD names, in English or German, or 0. */
static int
month_of(const char *word)
{
	if (g_utf8_strlen(word, -1) < 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (g_str_has_prefix(word, months_en[i]) ||
		    g_str_has_prefix(word, months_de[i]) ||
		    (i == 2 && g_str_has_prefix(word, "maer")))
			return i + 1;
	return 0;
}

/* The weekday (0 Monday) WORD names, or -1. */
static int
weekday_of(const char *word)
{
	if (strlen(word) < 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (g_str_has_prefix(word, days_en[i]) ||
		    g_str_has_prefix(word, days_de[i]))
			return i;
	return -1;
}

/* The day the words W (lower case, from a phrase on) name, or 0: an ISO
 * date, 5.1.2027, [weekday] 5 January [2027], January 5th, a weekday. */
static gint64
date_words(char **w, const char *zone, gint64 now)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_autoptr(GDateTime) today = NULL;
	gint64 t0 = day_start(zone, now, 0);
	int y = 0, m = 0, d = 0, wd = -1, i = 0;
	char *end;

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	{
		g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(t0);
		today = g_date_time_to_timezone(u, tz);
	}
	while (w[i] != NULL && (strcmp(w[i], "the") == 0 ||
	    strcmp(w[i], "den") == 0 || strcmp(w[i], "dem") == 0 ||
	    strcmp(w[i], "on") == 0 || strcmp(w[i], "am") == 0 ||
	    *w[i] == '\0'))
		i++;
	if (w[i] == NULL)
		return 0;
	if (sscanf(w[i], "%4d-%2d-%2d", &y, &m, &d) == 3 && y > 1000)
		goto found;
	y = m = d = 0;
	if (strchr(w[i], '.') != NULL && sscanf(w[i], "%2d.%2d", &d, &m) == 2 &&
	    m >= 1 && m <= 12) {
		const char *second = strchr(strchr(w[i], '.') + 1, '.');
		if (second != NULL && g_ascii_isdigit(second[1]))
			y = atoi(second + 1);
		if (y != 0 && y < 100)
			y += 2000;
		goto found;
	}
	y = m = d = 0;
	if ((wd = weekday_of(w[i])) >= 0) {
		i++;
		while (w[i] != NULL && (*w[i] == '\0' || strcmp(w[i], "the") == 0 ||
		    strcmp(w[i], "den") == 0))
			i++;
		if (w[i] == NULL || (!g_ascii_isdigit(*w[i]) &&
		    month_of(w[i]) == 0)) {
			int dow = g_date_time_get_day_of_week(today) - 1;
			return day_start(zone, t0, (wd - dow + 6) % 7 + 1);
		}
	}
	if (g_ascii_isdigit(*w[i])) {
		d = (int)strtol(w[i], &end, 10);
		if (w[i + 1] == NULL || (m = month_of(w[i + 1])) == 0)
			return 0;
		if (w[i + 2] != NULL && strlen(w[i + 2]) == 4 &&
		    g_ascii_isdigit(*w[i + 2]))
			y = atoi(w[i + 2]);
	} else if ((m = month_of(w[i])) != 0 && w[i + 1] != NULL &&
	    g_ascii_isdigit(*w[i + 1])) {
		d = (int)strtol(w[i + 1], &end, 10);
		if (w[i + 2] != NULL && strlen(w[i + 2]) == 4 &&
		    g_ascii_isdigit(*w[i + 2]))
			y = atoi(w[i + 2]);
	} else
		return 0;
found:
	if (y == 0) {
		y = g_date_time_get_year(today);
		if (m < g_date_time_get_month(today) ||
		    (m == g_date_time_get_month(today) &&
		    d < g_date_time_get_day_of_month(today)))
			y++;
	}
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return 0;
	{
		g_autoptr(GDateTime) t = g_date_time_new(tz, y, m, d, 0, 0, 0);
		return t != NULL ? g_date_time_to_unix(t) : 0;
	}
}

/* The words after S (a phrase's end), as date_words() wants them. */
static char **
words_after(const char *s)
{
	g_autofree char *tail = g_strndup(s, 60);
	char **w;

	g_strdelimit(tail, ",;()\n\r\t", ' ');
	w = g_strsplit(g_strstrip(tail), " ", 8);
	for (char **x = w; *x != NULL; x++) {
		size_t l = strlen(*x);
		/* "5th"; "5." of "5. Januar" */
		if (l > 2 && g_ascii_isdigit(**x) && (g_str_has_suffix(*x, "st") ||
		    g_str_has_suffix(*x, "nd") || g_str_has_suffix(*x, "rd") ||
		    g_str_has_suffix(*x, "th")))
			(*x)[l - 2] = '\0';
		else if (l >= 2 && (*x)[l - 1] == '.' &&
		    strchr(*x, '.') == *x + l - 1)
			(*x)[l - 1] = '\0';
	}
	return w;
}

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
			g_auto(GStrv) w = NULL;
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
			w = words_after(s + len);
			t = date_words(w, zone, now);
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
