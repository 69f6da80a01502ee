/* Availability; see avail.h. */
#include "config.h"

#include <string.h>

#include "avail.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-avail.h"

const char *
avail_state_name(enum avail_state s)
{
	switch (s) {
	case AVAIL_OFF: return "off";
	case AVAIL_WORKING: return "working";
	case AVAIL_BUSY: return "busy";
	case AVAIL_DEEP_WORK: return "deep work";
	case AVAIL_AWAY: return "away";
	}
	return "?";
}

/* Whether block A covers T: its range, or one of its instances. */
static gboolean
covers(const struct availability *a, gint64 t)
{
	g_autoptr(GArray) occ = NULL;
	gint64 len;

	if (a->rrule == NULL)
		return a->starts_at <= t && (a->ends_at == 0 || t < a->ends_at);
	len = a->ends_at - a->starts_at;
	if (len <= 0 || t < a->starts_at)
		return FALSE;
	/* An instance that started in (t - len, t] covers T. */
	occ = sched_occurrences(a->rrule, a->zone != NULL ? a->zone : "UTC",
	    a->starts_at, t - len + 1, t + 1, NULL);
	return occ != NULL && occ->len > 0;
}

/* Whether T is in P's usual working hours, on one of their workdays; a
 * shift past midnight belongs to the day it started. */
static gboolean
in_hours(const struct person *p, gint64 t)
{
	int wd, min;

	sched_local(p->zone, t, &wd, &min);
	if (p->work_start < p->work_end)
		return (p->workdays & (1u << wd)) != 0 &&
		    min >= p->work_start && min < p->work_end;
	if (min >= p->work_start)
		return (p->workdays & (1u << wd)) != 0;
	if (min < p->work_end)
		return (p->workdays & (1u << ((wd + 6) % 7))) != 0;
	return FALSE;
}

/* The state at T from ROWS (a person's blocks) and their hours. */
static enum avail_state
state_of(GPtrArray *rows, const struct person *p, gint64 t, char **why)
{
	static const struct {
		const char *kind;
		enum avail_state state;
	} order[] = {
		{ "away", AVAIL_AWAY },
		{ "deep-work", AVAIL_DEEP_WORK },
		{ "busy", AVAIL_BUSY },
	};
	gboolean working = in_hours(p, t);

	for (size_t k = 0; k < G_N_ELEMENTS(order); k++)
		for (guint i = 0; i < rows->len; i++) {
			const struct availability *a = rows->pdata[i];
			if (strcmp(a->kind, order[k].kind) != 0 || !covers(a, t))
				continue;
			/* Deep work and busy only matter in working time. */
			if (order[k].state != AVAIL_AWAY && !working)
				continue;
			if (why != NULL)
				*why = g_strdup(a->summary);
			return order[k].state;
		}
	for (guint i = 0; !working && i < rows->len; i++) {
		const struct availability *a = rows->pdata[i];
		if (strcmp(a->kind, "working") == 0 && covers(a, t))
			working = TRUE;
	}
	return working ? AVAIL_WORKING : AVAIL_OFF;
}

enum avail_state
avail_at(struct store *st, const struct person *p, gint64 t, char **why,
    GError **error)
{
	g_autoptr(GPtrArray) rows = store_availability_list(st, p->id, t,
	    error);

	if (why != NULL)
		*why = NULL;
	if (rows == NULL)
		return AVAIL_OFF;
	return state_of(rows, p, t, why);
}

gint64
avail_next_working(struct store *st, const struct person *p, gint64 t,
    GError **error)
{
	g_autoptr(GPtrArray) rows = store_availability_list(st, p->id, t,
	    error);
	gint64 step = 15 * 60;

	if (rows == NULL)
		return 0;
	/* From the next quarter hour on, as people think of times. */
	for (gint64 at = t; at < t + 60 * 86400;
	    at = at == t ? (t / step + 1) * step : at + step)
		if (state_of(rows, p, at, NULL) == AVAIL_WORKING)
			return at;
	return 0;
}

gboolean
avail_band(struct store *st, const struct person *p, gint64 from,
    gint64 step, guint n, enum avail_state *out, GError **error)
{
	g_autoptr(GPtrArray) rows = store_availability_list(st, p->id, from,
	    error);

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < n; i++)
		out[i] = state_of(rows, p, from + (gint64)i * step, NULL);
	return TRUE;
}

/* --- the team directory and its shared hours ------------------------------ */

void
avail_who_free(struct avail_who *w)
{
	if (w == NULL)
		return;
	g_free(w->email);
	g_free(w->name);
	g_free(w->zone);
	g_free(w->local);
	g_free(w->why);
	g_free(w->status);
	g_free(w);
}

GPtrArray *
avail_who(struct store *st, const char *team, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, team, error);
	GPtrArray *out;

	if (members == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)avail_who_free);
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		struct avail_who *w = g_new0(struct avail_who, 1);
		GError *err = NULL;

		g_ptr_array_add(out, w);
		w->email = g_strdup(p->email);
		w->name = g_strdup(p->name);
		w->zone = g_strdup(p->zone);
		w->local = sched_format(p->zone, now, "%a %H:%M");
		w->state = avail_at(st, p, now, &w->why, &err);
		if (err == NULL)
			w->status = store_person_status(st, p->id, now,
			    &w->status_until, &err);
		if (err == NULL && w->state != AVAIL_WORKING)
			w->next = avail_next_working(st, p, now, &err);
		if (err != NULL) {
			g_propagate_error(error, err);
			g_ptr_array_unref(out);
			return NULL;
		}
	}
	return out;
}

void
avail_window_free(struct avail_window *w)
{
	if (w == NULL)
		return;
	g_ptr_array_unref(w->missing);
	g_free(w);
}

/* Whether STATE counts as there for the team's shared hours. */
static gboolean
present(enum avail_state s)
{
	return s == AVAIL_WORKING || s == AVAIL_BUSY || s == AVAIL_DEEP_WORK;
}

static gboolean
same_missing(GPtrArray *a, GPtrArray *b)
{
	if (a->len != b->len)
		return FALSE;
	for (guint i = 0; i < a->len; i++)
		if (strcmp(a->pdata[i], b->pdata[i]) != 0)
			return FALSE;
	return TRUE;
}

GPtrArray *
avail_overlap(struct store *st, const char *team, gint64 from, gint64 to,
    gint64 step, guint max_missing, GPtrArray **members, GError **error)
{
	g_autoptr(GPtrArray) people = store_member_list(st, team, error);
	g_autoptr(GPtrArray) rows = NULL;
	GPtrArray *out;
	struct avail_window *cur = NULL;

	if (people == NULL)
		return NULL;
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; i < people->len; i++) {
		const struct person *p = people->pdata[i];
		GPtrArray *r = store_availability_list(st, p->id, from, error);
		if (r == NULL)
			return NULL;
		g_ptr_array_add(rows, r);
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)avail_window_free);
	for (gint64 t = from; people->len > 0 && t < to; t += step) {
		GPtrArray *missing = g_ptr_array_new_with_free_func(g_free);

		for (guint i = 0; i < people->len; i++) {
			const struct person *p = people->pdata[i];
			if (!present(state_of(rows->pdata[i], p, t, NULL)))
				g_ptr_array_add(missing, g_strdup(*p->name != '\0' ?
				    p->name : p->email));
		}
		/* A near miss still has two people who meet. */
		if (missing->len > max_missing || missing->len >= people->len ||
		    (missing->len > 0 && people->len - missing->len < 2)) {
			g_ptr_array_unref(missing);
			cur = NULL;
			continue;
		}
		if (cur != NULL && cur->end == t &&
		    same_missing(cur->missing, missing)) {
			cur->end = t + step;
			g_ptr_array_unref(missing);
			continue;
		}
		cur = g_new0(struct avail_window, 1);
		cur->start = t;
		cur->end = t + step;
		cur->missing = missing;
		g_ptr_array_add(out, cur);
	}
	if (members != NULL)
		*members = g_steal_pointer(&people);
	return out;
}
