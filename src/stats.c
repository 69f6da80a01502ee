/* The pulse of a team; see stats.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "store.h"
#include "store-team.h"

#define DAY 86400
/* A prompt answered later than this counts this much working time at
 * most: the walk over the days in between stays bounded. */
#define MAX_DAYS 400

static void
member_free(struct stats_member *m)
{
	if (m == NULL)
		return;
	g_free(m->email);
	g_free(m->name);
	g_free(m);
}

void
stats_free(struct stats *s)
{
	if (s == NULL)
		return;
	g_ptr_array_unref(s->members);
	g_array_unref(s->weeks);
	if (s->blocker != NULL) {
		g_free(s->blocker->name);
		g_free(s->blocker->title);
		g_free(s->blocker);
	}
	g_free(s);
}

static GTimeZone *
zone_new(const char *zone)
{
	GTimeZone *tz = g_time_zone_new_identifier(zone != NULL ? zone : "UTC");

	return tz != NULL ? tz : g_time_zone_new_utc();
}

GArray *
stats_weeks(const char *zone, gint64 now, guint weeks)
{
	g_autoptr(GTimeZone) tz = zone_new(zone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(now);
	g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
	g_autoptr(GDateTime) monday = NULL;
	GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(gint64),
	    weeks + 1);
	int y, m, d;

	{
		g_autoptr(GDateTime) back = g_date_time_add_days(local,
		    1 - g_date_time_get_day_of_week(local));
		g_date_time_get_ymd(back, &y, &m, &d);
	}
	monday = g_date_time_new(tz, y, m, d, 0, 0, 0);
	for (int i = (int)weeks - 1; i >= -1; i--) {
		g_autoptr(GDateTime) w = g_date_time_add_weeks(monday, -i);
		gint64 t = g_date_time_to_unix(w);
		g_array_append_val(out, t);
	}
	return out;
}

/* --- working time ------------------------------------------------------ */

/* A zone's offset from UTC, with the stretch of time it holds for, so
 * that a walk through a member's prompts, in time order, asks GLib (whose
 * look-up is slow) a few times a year rather than for every prompt. */
struct zone_cache {
	GTimeZone *tz;
	gint64 lo, hi;		/* OFF holds in [lo, hi) */
	gint32 off;
	int interval;
};

#define SPAN (366 * (gint64)DAY)

static int
interval_at(GTimeZone *tz, gint64 t)
{
	return g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t);
}

static gint64
offset_at(struct zone_cache *z, gint64 t)
{
	gint64 a, b;

	if (t >= z->lo && t < z->hi)
		return z->off;
	z->interval = interval_at(z->tz, t);
	z->off = z->interval < 0 ? 0 : g_time_zone_get_offset(z->tz,
	    z->interval);
	/* The intervals are in time order: find where this one ends and
	 * where it starts, within a year either way, by halving. */
	b = t + SPAN;
	if (interval_at(z->tz, b) != z->interval)
		for (a = t; b - a > 1;) {
			gint64 mid = a + (b - a) / 2;
			if (interval_at(z->tz, mid) == z->interval)
				a = mid;
			else
				b = mid;
		}
	z->hi = b;
	a = t - SPAN;
	if (interval_at(z->tz, a) != z->interval)
		for (b = t; b - a > 1;) {
			gint64 mid = a + (b - a) / 2;
			if (interval_at(z->tz, mid) == z->interval)
				b = mid;
			else
				a = mid;
		}
	else
		b = a;
	z->lo = b;
	return z->off;
}

/* The UTC instant of local seconds L (a local time skipped by a change of
 * daylight saving time lands an hour off, as the change itself does). */
static gint64
utc_of(struct zone_cache *z, gint64 l)
{
	return l - offset_at(z, l - offset_at(z, l));
}

static gint64
floor_div(gint64 a, gint64 b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static gint64
work_seconds(const struct person *p, struct zone_cache *z, gint64 from,
    gint64 to)
{
	gint64 first, last, total = 0;

	if (to <= from)
		return 0;
	/* From the local day before FROM, whose night shift may reach
	 * into it, to the local day of TO. */
	first = floor_div(from + offset_at(z, from), DAY) - 1;
	last = floor_div(to + offset_at(z, to), DAY);
	last = MIN(last, first + MAX_DAYS);
	for (gint64 d = first; d <= last; d++) {
		/* 1 January 1970 was a Thursday, day 3 from Monday. */
		int wd = (int)((d % 7 + 7 + 3) % 7);
		gint64 s, e, us, ue;
		if ((p->workdays & (1u << wd)) == 0)
			continue;
		s = d * DAY + p->work_start * 60;
		e = p->work_start < p->work_end ? d * DAY + p->work_end * 60 :
		    (d + 1) * DAY + p->work_end * 60;
		us = MAX(utc_of(z, s), from);
		ue = MIN(utc_of(z, e), to);
		if (ue > us)
			total += ue - us;
	}
	return total;
}

gint64
stats_work_seconds(const struct person *p, GTimeZone *tz, gint64 from,
    gint64 to)
{
	struct zone_cache z = { .tz = tz, .lo = 1, .hi = 0 };

	return work_seconds(p, &z, from, to);
}

static int
cmp_int64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

gint64
stats_median(gint64 *v, guint n)
{
	if (n == 0)
		return STATS_NONE;
	qsort(v, n, sizeof(*v), cmp_int64);
	return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --- the figures ------------------------------------------------------- */

/* The week of T among STARTS (WEEKS + 1 bounds), or -1 outside them. */
static int
week_of(GArray *starts, gint64 t)
{
	guint lo = 0, hi = starts->len - 1;

	if (starts->len < 2 || t < g_array_index(starts, gint64, 0) ||
	    t >= g_array_index(starts, gint64, starts->len - 1))
		return -1;
	while (hi - lo > 1) {
		guint mid = (lo + hi) / 2;
		if (g_array_index(starts, gint64, mid) <= t)
			lo = mid;
		else
			hi = mid;
	}
	return (int)lo;
}

static struct stats_member *
member_new(const struct person *p)
{
	struct stats_member *m = g_new0(struct stats_member, 1);

	m->id = p->id;
	m->email = g_strdup(p->email);
	m->name = g_strdup(p->name != NULL && *p->name != '\0' ? p->name :
	    p->email);
	m->rate = STATS_NONE;
	m->median_response = STATS_NONE;
	m->blockers_opened = STATS_NONE;
	m->blockers_resolved = STATS_NONE;
	m->median_blocked = STATS_NONE;
	return m;
}

/* Where the rows of one person are counted while they are read. */
struct tally {
	struct stats_member *m;
	const struct person *p;
	struct zone_cache zone;
	GArray *responses;	/* gint64 */
	guint run;
};

static void
tally_row(struct stats *s, GArray *bounds, struct tally *t,
    const struct stats_prompt *r, gint64 *seen_asked, gint64 *seen_active)
{
	struct stats_member *m = t->m;
	int w = week_of(bounds, r->due_at);
	struct stats_week *wk = w >= 0 ? &g_array_index(s->weeks,
	    struct stats_week, w) : NULL;

	switch (r->outcome) {
	case STATS_ANSWERED:
		m->answered++;
		m->asked++;
		t->run++;
		m->longest = MAX(m->longest, t->run);
		if (r->answered_at > 0) {
			gint64 secs = work_seconds(t->p, &t->zone,
			    r->due_at, r->answered_at);
			g_array_append_val(t->responses, secs);
		}
		break;
	case STATS_MISSED:
		m->missed++;
		m->asked++;
		t->run = 0;
		break;
	case STATS_OPEN:
		m->open++;
		return;
	case STATS_SKIPPED:
		m->skipped++;
		return;
	case STATS_AWAY:
		m->away++;
		return;
	case STATS_NOT_ASKED:
		return;
	}
	if (wk == NULL)
		return;
	wk->asked++;
	if (seen_asked[w] != m->id) {
		seen_asked[w] = m->id;
		wk->members++;
	}
	if (r->outcome == STATS_ANSWERED) {
		wk->answered++;
		if (seen_active[w] != m->id) {
			seen_active[w] = m->id;
			wk->active++;
		}
	}
}

static void
tally_end(struct tally *t)
{
	if (t->m == NULL)
		return;
	t->m->streak = t->run;
	if (t->m->asked > 0)
		t->m->rate = (double)t->m->answered / t->m->asked;
	t->m->median_response = stats_median((gint64 *)(void *)
	    t->responses->data, t->responses->len);
	g_array_set_size(t->responses, 0);
	g_clear_pointer(&t->zone.tz, g_time_zone_unref);
	t->m = NULL;
	t->run = 0;
}

struct stats *
stats_compute(GPtrArray *members, GPtrArray *rows, GArray *week_starts)
{
	struct stats *s = g_new0(struct stats, 1);
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash,
	    g_int64_equal);
	guint nweeks = week_starts->len > 0 ? week_starts->len - 1 : 0;
	g_autofree gint64 *seen_asked = g_new0(gint64, nweeks + 1);
	g_autofree gint64 *seen_active = g_new0(gint64, nweeks + 1);
	struct tally t = { 0 };

	s->from = nweeks > 0 ? g_array_index(week_starts, gint64, 0) : 0;
	s->to = nweeks > 0 ? g_array_index(week_starts, gint64, nweeks) : 0;
	s->members = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)member_free);
	s->weeks = g_array_sized_new(FALSE, TRUE, sizeof(struct stats_week),
	    nweeks);
	for (guint i = 0; i < nweeks; i++) {
		struct stats_week w = {
			.start = g_array_index(week_starts, gint64, i),
			.rate = STATS_NONE,
		};
		g_array_append_val(s->weeks, w);
	}
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_ptr_array_add(s->members, member_new(p));
		g_hash_table_insert(by_id, (gpointer)&p->id,
		    GUINT_TO_POINTER(i + 1));
	}
	t.responses = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; i < rows->len; i++) {
		const struct stats_prompt *r = rows->pdata[i];
		guint at;
		if (t.m == NULL || t.m->id != r->person_id) {
			tally_end(&t);
			at = GPOINTER_TO_UINT(g_hash_table_lookup(by_id,
			    &r->person_id));
			if (at == 0)
				continue;
			t.m = s->members->pdata[at - 1];
			t.p = members->pdata[at - 1];
			t.zone = (struct zone_cache){ .tz = zone_new(t.p->zone),
			    .lo = 1, .hi = 0 };
		}
		tally_row(s, week_starts, &t, r, seen_asked, seen_active);
	}
	tally_end(&t);
	g_array_unref(t.responses);
	for (guint i = 0; i < s->weeks->len; i++) {
		struct stats_week *w = &g_array_index(s->weeks,
		    struct stats_week, i);
		if (w->asked > 0)
			w->rate = (double)w->answered / w->asked;
		s->asked += w->asked;
		s->answered += w->answered;
	}
	s->rate = s->asked > 0 ? (double)s->answered / s->asked : STATS_NONE;
	return s;
}

/* --- blockers ---------------------------------------------------------- */

void
stats_add_blockers(struct stats *s, GPtrArray *rows)
{
	g_autoptr(GHashTable) blocked = g_hash_table_new_full(g_direct_hash,
	    g_direct_equal, NULL, (GDestroyNotify)g_array_unref);
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash,
	    g_int64_equal);
	const struct stats_blocker *oldest = NULL;

	s->blockers_known = TRUE;
	for (guint i = 0; i < s->members->len; i++) {
		struct stats_member *m = s->members->pdata[i];
		m->blockers_opened = 0;
		m->blockers_resolved = 0;
		g_hash_table_insert(blocked, m, g_array_new(FALSE, FALSE,
		    sizeof(gint64)));
		g_hash_table_insert(by_id, &m->id, m);
	}
	for (guint i = 0; i < rows->len; i++) {
		const struct stats_blocker *b = rows->pdata[i];
		struct stats_member *m = g_hash_table_lookup(by_id,
		    &b->person_id);
		if (m == NULL)
			continue;
		if (b->opened_at >= s->from && b->opened_at < s->to)
			m->blockers_opened++;
		if (b->resolved_at != 0 && b->resolved_at >= s->from &&
		    b->resolved_at < s->to) {
			gint64 d = b->resolved_at - b->opened_at;
			m->blockers_resolved++;
			g_array_append_val(g_hash_table_lookup(blocked, m), d);
		}
		if (b->opened_at < s->to && (b->resolved_at == 0 ||
		    b->resolved_at >= s->to) &&
		    (oldest == NULL || b->opened_at < oldest->opened_at))
			oldest = b;
	}
	for (guint i = 0; i < s->members->len; i++) {
		struct stats_member *m = s->members->pdata[i];
		GArray *d = g_hash_table_lookup(blocked, m);
		m->median_blocked = stats_median((gint64 *)(void *)d->data,
		    d->len);
	}
	if (oldest != NULL) {
		struct stats_member *m = g_hash_table_lookup(by_id,
		    &oldest->person_id);
		s->blocker = g_new0(struct stats_open_blocker, 1);
		s->blocker->person_id = oldest->person_id;
		s->blocker->name = g_strdup(m->name);
		s->blocker->title = g_strdup(oldest->title != NULL ?
		    oldest->title : "");
		s->blocker->opened_at = oldest->opened_at;
	}
}

const struct stats_member *
stats_best_streak(const struct stats *s, guint min)
{
	const struct stats_member *best = NULL;

	for (guint i = 0; i < s->members->len; i++) {
		const struct stats_member *m = s->members->pdata[i];
		if (m->streak >= min && (best == NULL ||
		    m->streak > best->streak))
			best = m;
	}
	return best;
}
