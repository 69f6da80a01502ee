/* Blockers at work; see blocker.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "blocker.h"
#include "context.h"
#include "digest.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "store-blocker.h"
#include "taker.h"
#include "value.h"

#define DAY (24 * 3600)

/* How people say a blocker is gone, on a line of its own, case folded,
 * in the languages whose replies tidings reads. */
static const char *const resolved_words[] = {
	"resolved", "solved", "unblocked", "fixed", "no longer blocked",
	"erledigt", "gelöst", "résolu", "resolu", "réglé", "resuelto",
	"resolvido", "resolvida",
};

gboolean
blocker_says_resolved(const char *line)
{
	g_autofree char *folded = NULL;
	char *s;

	if (line == NULL)
		return FALSE;
	folded = g_utf8_casefold(line, -1);
	s = g_strstrip(folded);
	/* "Resolved.", "'resolved'", "resolved!" */
	while (*s == '\'' || *s == '"')
		s++;
	for (size_t n = strlen(s); n > 0 && strchr(".!'\"", s[n - 1]) != NULL;
	    n--)
		s[n - 1] = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(resolved_words); i++)
		if (strcmp(s, resolved_words[i]) == 0)
			return TRUE;
	return FALSE;
}

/* TEXT without its lines that say "resolved", stripped.  Caller frees;
 * *found says whether there was one. */
static char *
without_resolved(const char *text, gboolean *found)
{
	g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);
	GString *out = g_string_new(NULL);

	*found = FALSE;
	for (char **l = lines; *l != NULL; l++) {
		if (blocker_says_resolved(*l)) {
			*found = TRUE;
			continue;
		}
		g_string_append(out, *l);
		g_string_append_c(out, '\n');
	}
	return g_strstrip(g_string_free(out, FALSE));
}

/* Whether A and B say the same, whatever their case and spacing. */
static gboolean
same_words(const char *a, const char *b)
{
	g_autofree char *fa = g_utf8_casefold(a, -1);
	g_autofree char *fb = g_utf8_casefold(b, -1);
	g_auto(GStrv) wa = g_strsplit_set(fa, " \t\n", -1);
	g_auto(GStrv) wb = g_strsplit_set(fb, " \t\n", -1);
	g_autofree char *ja = NULL, *jb = NULL;

	for (char **w = wa; *w != NULL; w++)
		g_strstrip(*w);
	for (char **w = wb; *w != NULL; w++)
		g_strstrip(*w);
	ja = g_strjoinv("", wa);
	jb = g_strjoinv("", wb);
	return strcmp(ja, jb) == 0;
}

/* The answers of the mail T took to PROMPT: whether any counts, and the
 * one to the blocker question of C (borrowed from ANSWERS), if any. */
static const struct answer *
blocker_answer(GPtrArray *answers, const struct checkin *c, gint64 message,
    gboolean *counted)
{
	const struct answer *said = NULL;

	*counted = FALSE;
	for (guint i = 0; i < answers->len; i++) {
		const struct answer *a = answers->pdata[i];
		if (a->message != message)
			continue;
		*counted = *counted || a->counted;
		for (guint j = 0; j < c->questions->len; j++) {
			const struct question *q = c->questions->pdata[j];
			if (q->id == a->question_id && q->blocker)
				said = a;
		}
	}
	return said;
}

gboolean
blocker_take_answer(struct tidings_ctx *ctx, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autoptr(Prompt) p = NULL;
	g_autoptr(Checkin) c = NULL;
	g_autoptr(GPtrArray) answers = NULL;
	g_autoptr(Blocker) cur = NULL;
	g_autofree char *scan = NULL, *rest = NULL;
	const struct answer *said;
	gboolean counted, resolved, in_answer;
	gint64 id, answer_id;

	if (!t->trusted || msg->prompt_id == 0)
		return TRUE;
	if ((p = store_prompt_get(ctx->st, msg->prompt_id, error)) == NULL ||
	    (c = store_checkin_get(ctx->st, p->checkin_id, error)) == NULL ||
	    (answers = store_answer_list(ctx->st, p->id, error)) == NULL)
		return FALSE;
	said = blocker_answer(answers, c, t->id, &counted);
	if (!counted)
		return TRUE;	/* late: kept, shown, and changing nothing */
	answer_id = said != NULL ? said->id : 0;
	scan = without_resolved(msg->reply != NULL ? msg->reply : msg->text,
	    &resolved);
	rest = without_resolved(said != NULL ? said->text : "", &in_answer);
	resolved = resolved || in_answer;
	if (!store_blocker_current(ctx->st, c->team_id, p->person_id, &cur,
	    error))
		return FALSE;
	if (cur != NULL && resolved) {
		log_info("blocker %" G_GINT64_FORMAT ": resolved by %s",
		    cur->id, p->email);
		if (!store_blocker_resolve(ctx->st, cur->id, "resolved by mail",
		    answer_id, t->now, error))
			return FALSE;
		g_clear_pointer(&cur, blocker_free);
	}
	if (said == NULL || *rest == '\0')
		return TRUE;
	if (!digest_is_blocker(TRUE, rest)) {
		if (cur == NULL)
			return TRUE;
		log_info("blocker %" G_GINT64_FORMAT ": %s says none",
		    cur->id, p->email);
		return store_blocker_resolve(ctx->st, cur->id, "answered none",
		    answer_id, t->now, error);
	}
	if (cur != NULL)
		return store_blocker_confirm(ctx->st, cur->id,
		    same_words(cur->text, rest) ? NULL : rest, answer_id,
		    t->now, error);
	if (!store_blocker_open(ctx->st, c->team_id, p->person_id, c->id, rest,
	    answer_id, t->now, &id, error))
		return FALSE;
	log_info("blocker %" G_GINT64_FORMAT ": opened for %s in %s", id,
	    p->email, c->team);
	return TRUE;
}

gboolean
blocker_parse_after(const char *text, int *days, GError **error)
{
	g_autofree char *s = g_ascii_strdown(text != NULL ? text : "", -1);
	char *end;
	long n;

	g_strstrip(s);
	if (strcmp(s, "off") == 0 || strcmp(s, "none") == 0 ||
	    strcmp(s, "never") == 0) {
		*days = 0;
		return TRUE;
	}
	n = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end != s && n >= 0 && n <= 365 && (*end == '\0' ||
	    strcmp(end, "d") == 0 || strcmp(end, "day") == 0 ||
	    strcmp(end, "days") == 0 || strcmp(end, "workday") == 0 ||
	    strcmp(end, "workdays") == 0) && g_ascii_isdigit(*s)) {
		*days = (int)n;
		return TRUE;
	}
	g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "'%s' is not a "
	    "number of workdays (such as 2d) or 'off'", text != NULL ? text :
	    "");
	return FALSE;
}

gint64
blocker_escalation_due(const struct blocker *b, int after)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(b->zone);
	g_autoptr(GDateTime) utc = NULL, t = NULL;
	gint64 from = b->escalated_at > 0 ? b->escalated_at : b->opened_at;
	int n = 0;

	if (after <= 0)
		return 0;
	if (tz == NULL)
		tz = g_time_zone_new_utc();
	utc = g_date_time_new_from_unix_utc(from);
	t = g_date_time_to_timezone(utc, tz);
	/* Day by day in the member's calendar, so that a change of daylight
	 * saving time keeps the hour; a member without workdays has a year. */
	for (int i = 0; n < after && i < 366; i++) {
		GDateTime *next = g_date_time_add_days(t, 1);
		g_date_time_unref(t);
		t = next;
		if (b->workdays == 0 || sched_is_workday(b->zone, b->workdays,
		    g_date_time_to_unix(t)))
			n++;
	}
	return g_date_time_to_unix(t);
}

static const char *
name_of(const char *name, const char *email)
{
	return name != NULL && *name != '\0' ? name : email;
}

/* Mails B's escalation to TO: its history and who offered help. */
static gboolean
escalate_to(struct tidings_ctx *ctx, const struct team *team,
    const struct blocker *b, const char *to, const char *to_name,
    GPtrArray *events, gint64 now, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *uuid = g_uuid_string_random();
	g_autofree char *mid = g_strdup_printf("blocker-%s@%s", uuid,
	    ctx->domain);
	g_autofree char *key = g_strdup_printf("blocker:%" G_GINT64_FORMAT
	    ":%d:%s", b->id, b->escalations + 1, to);
	g_autofree char *lid = reply_list_id(ctx, team);
	g_autofree char *opened = sched_format(b->zone, b->opened_at,
	    "%A %-d %B");
	g_autofree char *subject = NULL;
	g_autoptr(GBytes) raw = NULL;
	struct render_headers h = {
		.from_name = *team->title != '\0' ? team->title : team->name,
		.from = ctx->address,
		.to_name = to_name,
		.to = to,
		.message_id = mid,
		.list_id = lid,
		.marker = "blocker",
		.date = now,
	};

	render_vars_set(v, "team", team->name);
	render_vars_set(v, "team_title", h.from_name);
	render_vars_set(v, "member_name", name_of(b->name, b->email));
	render_vars_set(v, "member_email", b->email);
	render_vars_set(v, "blocker", b->text);
	render_vars_set(v, "checkin", b->checkin);
	render_vars_set(v, "opened", opened != NULL ? opened : "");
	render_vars_set_int(v, "days", (gint64)((now - b->opened_at) / DAY));
	render_vars_set_int(v, "again", b->escalations > 0);
	render_vars_set(v, "helpers", b->helpers);
	render_vars_set_int(v, "id", b->id);
	render_vars_add(v, "history", NULL);
	for (guint i = 0; i < events->len; i++) {
		const struct blocker_event *e = events->pdata[i];
		g_autofree char *day = sched_format(b->zone, e->at,
		    "%a %-d %b %H:%M");
		g_autofree char *line = g_strdup_printf("%s: %s%s%s", day,
		    e->what, e->text != NULL ? ": " : "", e->text != NULL ?
		    e->text : "");
		render_vars_add(v, "history", line);
	}
	raw = render_mail(ctx->render, "blocker-escalation", &h, v, &subject,
	    error);
	return raw != NULL && reply_queue(ctx, "blocker", key, to, raw, mid,
	    subject, now, error);
}

/* Escalates B, of TEAM, under the team's settings A. */
static gboolean
escalate(struct tidings_ctx *ctx, const struct blocker *b,
    const struct team_alerts *a, gint64 now, GError **error)
{
	g_autoptr(Team) team = store_team_get(ctx->st, b->team, error);
	g_autoptr(GPtrArray) events = NULL, members = NULL;
	g_autoptr(GString) to = g_string_new(NULL);

	if (team == NULL ||
	    (events = store_blocker_events(ctx->st, b->id, error)) == NULL)
		return FALSE;
	if (a->escalate_to != NULL && *a->escalate_to != '\0') {
		if (!escalate_to(ctx, team, b, a->escalate_to, NULL, events,
		    now, error))
			return FALSE;
		g_string_append(to, a->escalate_to);
	} else {
		if ((members = store_member_list(ctx->st, b->team,
		    error)) == NULL)
			return FALSE;
		for (guint i = 0; i < members->len; i++) {
			const struct person *m = members->pdata[i];
			if (g_strcmp0(m->role, "owner") != 0)
				continue;
			if (!escalate_to(ctx, team, b, m->email, m->name,
			    events, now, error))
				return FALSE;
			g_string_append_printf(to, "%s%s", to->len > 0 ?
			    ", " : "", m->email);
		}
	}
	if (to->len == 0) {
		/* Nobody to tell: said once a period, as the period passes. */
		log_warnx("blocker %" G_GINT64_FORMAT ": team %s has no owner "
		    "and no --escalate-to; not escalated", b->id, b->team);
		return store_blocker_escalated(ctx->st, b->id,
		    "nobody (the team has no owner)", now, error);
	}
	log_info("blocker %" G_GINT64_FORMAT ": escalated to %s", b->id,
	    to->str);
	return store_blocker_escalated(ctx->st, b->id, to->str, now, error);
}

gboolean
blocker_tick(struct tidings_ctx *ctx, gint64 now, guint *escalated,
    GError **error)
{
	g_autoptr(GPtrArray) open = store_blocker_list(ctx->st, NULL, FALSE,
	    error);
	g_autoptr(GHashTable) alerts = g_hash_table_new_full(g_int64_hash,
	    g_int64_equal, NULL, (GDestroyNotify)team_alerts_free);

	if (escalated != NULL)
		*escalated = 0;
	if (open == NULL)
		return FALSE;
	for (guint i = 0; i < open->len; i++) {
		const struct blocker *b = open->pdata[i];
		struct team_alerts *a = g_hash_table_lookup(alerts,
		    &b->team_id);
		gint64 due;
		if (a == NULL) {
			if ((a = store_team_alerts_get(ctx->st, b->team_id,
			    error)) == NULL)
				return FALSE;
			g_hash_table_insert(alerts, &a->team_id, a);
		}
		if (a->escalate_after <= 0)
			continue;
		due = blocker_escalation_due(b, a->escalate_after);
		if (due > now)
			continue;
		if (!escalate(ctx, b, a, now, error))
			return FALSE;
		if (escalated != NULL)
			(*escalated)++;
	}
	return TRUE;
}

gboolean
blocker_resolve(struct store *st, gint64 id, gint64 now, GError **error)
{
	g_autoptr(Blocker) b = store_blocker_get(st, id, error);

	if (b == NULL)
		return FALSE;
	if (strcmp(b->state, "resolved") == 0) {
		/* Data that is already so, as for a name that exists. */
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
		    "blocker %" G_GINT64_FORMAT " is resolved already", id);
		return FALSE;
	}
	return store_blocker_resolve(st, id, "resolved by hand", 0, now,
	    error);
}
