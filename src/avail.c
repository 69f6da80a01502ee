/* Availability; see avail.h. */
#include "config.h"

#include <string.h>

#include "avail.h"
#include "schedule.h"
#include "store.h"

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
