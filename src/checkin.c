/* Check-ins at work; see checkin.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avail.h"
#include "checkin.h"
#include "conf.h"
#include "context.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "store-blocker.h"
#include "store-bounce.h"
#include "token.h"




/* --- the mails ---------------------------------------------------------- */

static const char *
person_name(const char *name, const char *email)
{
	return name != NULL && *name != '\0' ? name : email;
}


static void
vars_questions(struct render_vars *v, const struct checkin *c)
{
	int blocker = 0;

	for (guint i = 0; i < c->questions->len; i++) {
		const struct question *q = c->questions->pdata[i];
		render_vars_add(v, "questions", q->text);
		if (q->blocker)
			blocker = q->position;
	}
	render_vars_set_int(v, "blocker", blocker);
}

/* The prompt (or its reminder) for P as a complete mail. */
static GBytes *
prompt_mail(struct tidings_ctx *env, const struct team *team,
    const struct checkin *c, const struct person *person,
    const struct prompt *p, gboolean reminder, gint64 now, char **subject,
    char **message_id, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *reply = token_address(env->address, env->domain,
	    p->token);
	g_autofree char *help = token_address(env->address, env->domain,
	    "help");
	g_autofree char *date = sched_format(person->zone, p->due_at,
	    "%A %-d %B");
	g_autofree char *closes = sched_format(person->zone, p->closes_at,
	    "%A %-d %B, %H:%M");
	g_autofree char *lid = reply_list_id(env, team);
	g_autofree char *marker = g_strdup_printf("%s %" G_GINT64_FORMAT,
	    reminder ? "reminder" : "prompt", p->id);
	struct render_headers h = {
		.from_name = *team->title != '\0' ? team->title : team->name,
		.from = env->address,
		.to_name = person->name,
		.to = person->email,
		.reply_to = reply,
		.in_reply_to = reminder ? p->message_id : NULL,
		.list_id = lid,
		.marker = marker,
		.date = now,
	};

	/* A reminder's Message-ID is its prompt's under another name, so that
	 * a reply to either finds the prompt, and tells no more than it. */
	*message_id = reminder && g_str_has_prefix(p->message_id, "prompt-") ?
	    g_strconcat("reminder-", p->message_id + 7, NULL) :
	    reminder ? g_strconcat("reminder-", p->message_id, NULL) :
	    g_strdup(p->message_id);
	h.message_id = *message_id;
	render_vars_set(v, "team", team->name);
	render_vars_set(v, "team_title", h.from_name);
	render_vars_set(v, "checkin", c->title);
	render_vars_set(v, "member_name", person_name(person->name,
	    person->email));
	render_vars_set(v, "local_date", date);
	render_vars_set(v, "close_time", closes);
	render_vars_set(v, "reply_address", reply);
	render_vars_set(v, "help_address", help);
	vars_questions(v, c);
	/* An open blocker is asked about until it is gone (blocker.c). */
	g_autoptr(Blocker) blocked = NULL;
	if (!store_blocker_current(env->st, c->team_id, person->id, &blocked,
	    error))
		return NULL;
	g_autofree char *line = g_strdup(blocked != NULL ? blocked->text :
	    "");
	render_vars_set(v, "open_blocker", g_strstrip(g_strdelimit(line,
	    "\r\n\t", ' ')));
	return render_mail(env->render, reminder ? "reminder" : "prompt", &h,
	    v, subject, error);
}


/* --- asking ------------------------------------------------------------- */

/* Why PERSON is not asked at AT, or NULL when they are.  Caller frees. */
static char *
skip_reason(struct tidings_ctx *env, const struct person *person, gint64 at,
    GError **error)
{
	g_autofree char *away = NULL;
	struct mail_health h;

	if (!store_person_mail_health(env->st, person->email, &h, error))
		return NULL;
	/* Mail to a dead address only bounces (take-bounce.c). */
	if (h.dead_at != 0) {
		g_autofree char *since = sched_format(person->zone, h.since,
		    "%Y-%m-%d");
		return g_strdup_printf("mail bounces since %s", since);
	}
	if (!sched_is_workday(person->zone, person->workdays, at))
		return g_strdup("not a workday");
	if (person->paused_until > at) {
		g_autofree char *until = sched_format(person->zone,
		    person->paused_until, "%Y-%m-%d");
		return g_strdup_printf("paused until %s", until);
	}
	if (avail_at(env->st, person, at, &away, error) == AVAIL_AWAY)
		return g_strdup_printf("away%s%s", away != NULL &&
		    *away != '\0' ? ": " : "", away != NULL ? away : "");
	return NULL;
}

/* Claims occurrence O of C for PERSON and, unless it is to be skipped,
 * queues its prompt: one transaction. */
static gboolean
claim(struct tidings_ctx *env, const struct team *team,
    const struct checkin *c, const struct person *person,
    const struct sched_occurrence *o, gint64 now,
    struct checkin_stats *stats, GError **error)
{
	g_autofree char *subject = NULL, *reason = NULL, *mid = NULL;
	g_autofree char *tsub = NULL, *key = NULL;
	g_autoptr(GBytes) raw = NULL;
	GBytes *secret;
	struct prompt p = {
		.checkin_id = c->id,
		.person_id = person->id,
		.occurrence = o->local,
		.due_at = o->at,
		.closes_at = o->at + c->close_after,
	};
	gboolean claimed;
	GError *err = NULL;

	if ((secret = tidings_ctx_secret(env, error)) == NULL)
		return FALSE;
	tsub = token_prompt_subject(c->id, person->email, o->local);
	p.token = token_make(secret, "prompt", tsub);
	p.message_id = token_message_id("prompt", env->domain);
	reason = skip_reason(env, person, o->at, &err);
	if (err != NULL)
		goto fail;
	p.state = reason != NULL ? PROMPT_SKIPPED : PROMPT_PENDING;
	p.skip_reason = reason;
	if (!store_begin(env->st, &err))
		goto fail;
	if (!store_prompt_claim(env->st, &p, &claimed, &err))
		goto rollback;
	if (!claimed) {
		store_rollback(env->st);
		goto done;
	}
	if (reason != NULL) {
		log_info("checkin: %s, %s: not asked (%s)", c->title,
		    person->email, reason);
		stats->skipped++;
	} else {
		raw = prompt_mail(env, team, c, person, &p, FALSE, now,
		    &subject, &mid, &err);
		key = g_strdup_printf("prompt:%" G_GINT64_FORMAT, p.id);
		if (raw == NULL || !reply_queue(env, "prompt", key, person->email,
		    raw, mid, subject, now, &err) ||
		    !store_prompt_set_state(env->st, p.id, PROMPT_SENT, NULL, now,
		    &err))
			goto rollback;
		log_info("checkin: %s: asking %s", c->title, person->email);
		stats->prompted++;
	}
	if (!store_commit(env->st, &err))
		goto rollback;
done:
	g_free(p.token);
	g_free(p.message_id);
	return TRUE;
rollback:
	store_rollback(env->st);
fail:
	g_free(p.token);
	g_free(p.message_id);
	g_propagate_error(error, err);
	return FALSE;
}

static gboolean
ask_members(struct tidings_ctx *env, const struct checkin *c, gint64 now,
    struct checkin_stats *stats, GError **error)
{
	g_autoptr(Team) team = store_team_get(env->st, c->team, error);
	g_autoptr(GPtrArray) members = NULL;
	gint64 from = MAX(now - env->catch_up, c->created_at);

	if (team == NULL ||
	    (members = store_member_list(env->st, c->team, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < members->len; i++) {
		const struct person *person = members->pdata[i];
		g_autoptr(GError) err = NULL;
		g_autoptr(GArray) occ = sched_occurrences(c->rrule,
		    person->zone, c->created_at, from, now + 1, &err);

		if (occ == NULL) {
			log_warnx("checkin %" G_GINT64_FORMAT " (%s): %s", c->id,
			    c->title, err->message);
			return TRUE;
		}
		for (guint k = 0; k < occ->len; k++)
			if (!claim(env, team, c, person, &g_array_index(occ,
			    struct sched_occurrence, k), now, stats, error))
				return FALSE;
	}
	return TRUE;
}

static gboolean
remind(struct tidings_ctx *env, const struct prompt *p, gint64 now,
    GError **error)
{
	g_autoptr(Checkin) c = store_checkin_get(env->st, p->checkin_id, error);
	g_autoptr(Team) team = NULL;
	g_autoptr(Person) person = NULL;
	g_autoptr(GBytes) raw = NULL;
	g_autofree char *subject = NULL, *mid = NULL, *key = NULL;

	g_autofree char *why = NULL;
	GError *err = NULL;
	struct mail_health h;

	if (c == NULL || (team = store_team_get(env->st, c->team,
	    error)) == NULL || (person = store_person_get(env->st, p->email,
	    error)) == NULL ||
	    !store_person_mail_health(env->st, p->email, &h, error))
		return FALSE;
	if (h.dead_at != 0) {
		log_info("checkin: %s: not reminding %s: mail bounces",
		    c->title, p->email);
		return store_prompt_reminded(env->st, p->id, now, error);
	}
	/* Who went away since the prompt is not reminded; the reminder is
	 * done with all the same. */
	if (avail_at(env->st, person, now, &why, &err) == AVAIL_AWAY ||
	    person->paused_until > now) {
		log_info("checkin: %s: not reminding %s: %s", c->title, p->email,
		    person->paused_until > now ? "paused" : "away");
		return store_prompt_reminded(env->st, p->id, now, error);
	}
	if (err != NULL) {
		g_propagate_error(error, err);
		return FALSE;
	}
	raw = prompt_mail(env, team, c, person, p, TRUE, now, &subject, &mid,
	    error);
	if (raw == NULL || !store_begin(env->st, error))
		return FALSE;
	key = g_strdup_printf("reminder:%" G_GINT64_FORMAT, p->id);
	if (!reply_queue(env, "reminder", key, p->email, raw, mid, subject, now,
	    error) || !store_prompt_reminded(env->st, p->id, now, error) ||
	    !store_commit(env->st, error)) {
		store_rollback(env->st);
		return FALSE;
	}
	log_info("checkin: %s: reminding %s", c->title, p->email);
	return TRUE;
}

gboolean
checkin_tick(struct tidings_ctx *env, gint64 now, struct checkin_stats *stats,
    GError **error)
{
	g_autoptr(GPtrArray) checkins = store_checkin_list(env->st, NULL,
	    error);
	g_autoptr(GPtrArray) due = NULL;
	gint64 closed;

	memset(stats, 0, sizeof *stats);
	if (checkins == NULL)
		return FALSE;
	for (guint i = 0; i < checkins->len; i++) {
		const struct checkin *c = checkins->pdata[i];
		if (c->active && !ask_members(env, c, now, stats, error))
			return FALSE;
	}
	if ((due = store_prompt_reminders_due(env->st, now, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < due->len; i++) {
		if (!remind(env, due->pdata[i], now, error))
			return FALSE;
		stats->reminded++;
	}
	if ((closed = store_prompt_close_due(env->st, now, error)) < 0)
		return FALSE;
	stats->closed = (guint)closed;
	return TRUE;
}

gint64
checkin_next_due(struct tidings_ctx *env, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) checkins = store_checkin_list(env->st, NULL,
	    error);
	gint64 next, best;

	if (checkins == NULL)
		return -1;
	if ((best = store_prompt_next_reminder(env->st, error)) < 0)
		return -1;
	for (guint i = 0; i < checkins->len; i++) {
		const struct checkin *c = checkins->pdata[i];
		g_autoptr(GPtrArray) members = NULL;

		if (!c->active)
			continue;
		if ((members = store_member_list(env->st, c->team,
		    error)) == NULL)
			return -1;
		for (guint k = 0; k < members->len; k++) {
			const struct person *p = members->pdata[k];
			struct sched_occurrence o;
			if (!sched_next(c->rrule, p->zone, c->created_at, now,
			    &o, NULL))
				continue;
			next = o.at;
			if (best == 0 || next < best)
				best = next;
		}
	}
	return best;
}

GPtrArray *
checkin_preview(struct tidings_ctx *env, const char *email, gint64 checkin,
    gint64 now, gint64 *when, GError **error)
{
	g_autoptr(Person) person = store_person_get(env->st, email, error);
	g_autoptr(GPtrArray) checkins = NULL;
	g_autoptr(GPtrArray) mails = NULL;
	g_auto(GStrv) teams = NULL;
	GBytes *secret;

	*when = 0;
	if (person == NULL || (secret = tidings_ctx_secret(env, error)) == NULL ||
	    (checkins = store_checkin_list(env->st, NULL, error)) == NULL)
		return NULL;
	teams = g_strsplit(person->teams != NULL ? person->teams : "", ", ",
	    -1);
	mails = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	for (guint i = 0; i < checkins->len; i++) {
		const struct checkin *c = checkins->pdata[i];
		g_autoptr(Team) team = NULL;
		g_autofree char *tsub = NULL, *subject = NULL, *mid = NULL;
		struct sched_occurrence o;
		struct prompt p = { .checkin_id = c->id };
		GBytes *raw;

		if (!c->active || !g_strv_contains((const char *const *)teams,
		    c->team) || (checkin != 0 && c->id != checkin))
			continue;
		if (!sched_next(c->rrule, person->zone, c->created_at, now, &o,
		    error))
			continue;
		if ((team = store_team_get(env->st, c->team, error)) == NULL)
			return NULL;
		tsub = token_prompt_subject(c->id, person->email, o.local);
		p.token = token_make(secret, "prompt", tsub);
		p.message_id = token_message_id("prompt", env->domain);
		p.due_at = o.at;
		p.closes_at = o.at + c->close_after;
		raw = prompt_mail(env, team, c, person, &p, FALSE, o.at,
		    &subject, &mid, error);
		g_free(p.token);
		g_free(p.message_id);
		if (raw == NULL)
			return NULL;
		if (*when == 0 || o.at < *when)
			*when = o.at;
		g_ptr_array_add(mails, raw);
	}
	return g_steal_pointer(&mails);
}
