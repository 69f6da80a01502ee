/* Digests at work; see digest-run.h. */
#include "config.h"

#include <string.h>

#include "context.h"
#include "digest-run.h"
#include "digest.h"
#include "filter.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-checkin.h"
#include "store-subscription.h"
#include "subscription.h"
#include "taker.h"
#include "token.h"

static const char *
title_of(const struct team *t)
{
	return *t->title != '\0' ? t->title : t->name;
}

gboolean
digest_period(struct tidings_ctx *env, const char *team, gint64 now,
    gint64 *start, GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, team, error);
	gint64 last;

	if (t == NULL || (last = store_digest_last_end(env->st, t->id,
	    error)) < 0)
		return FALSE;
	*start = last > 0 && last < now ? last : t->created_at;
	return TRUE;
}

gint64
digest_copy_time(const struct team *t, const struct subscription *sub,
    gint64 gathered)
{
	int minute = sub->at_minute >= 0 ? sub->at_minute :
	    sub->member ? sub->work_start : -1;
	const char *zone = sub->zone != NULL ? sub->zone :
	    sub->member ? sub->person_zone : t->zone;

	if (minute < 0)
		return gathered;
	return sched_next_local(zone, minute, sub->workdays, gathered);
}

/* One subscriber's copy: the digest in their format, rendered once per
 * format (in MAILS) and shared; only the header block is theirs, dated
 * when it is due to leave, in its reader's morning. */
static gboolean
queue_copy(struct tidings_ctx *env, const struct team *t,
    const struct digest *d, const struct subscription *sub, gint64 digest_id,
    const char *mid, GBytes *mails[], gint64 now, GError **error)
{
	g_auto(GStrv) extra = subscription_list_headers(env, sub, error);
	g_autofree char *lid = reply_list_id(env, t);
	g_autofree char *marker = g_strdup_printf("digest %" G_GINT64_FORMAT,
	    digest_id);
	g_autofree char *key = g_strdup_printf("digest:%" G_GINT64_FORMAT ":%s",
	    digest_id, sub->email);
	g_autofree char *body_key = NULL;
	g_autoptr(GBytes) head = NULL, body = NULL;
	enum digest_format f = DIGEST_ALTERNATIVE;
	const char *rcpt[] = { sub->email, NULL };
	gint64 due = digest_copy_time(t, sub, now);
	struct render_headers h = {
		.from_name = title_of(t),
		.from = env->address,
		.to_name = sub->name,
		.to = sub->email,
		.message_id = mid,
		.list_id = lid,
		.marker = marker,
		.date = due,
	};
	struct outbox_mail m = {
		.dedupe_key = key,
		.kind = "digest",
		.sender = env->address,
		.recipients = rcpt,
		.message_id = mid,
		/* Late only within catch-up, like the digest itself. */
		.due_at = due > now ? due : 0,
		.expires_at = due > now ? due + env->digest_catch_up : 0,
	};

	if (extra == NULL)
		return FALSE;
	h.extra = (const char *const *)extra;
	digest_format_parse(sub->format, &f);
	if (mails[f] == NULL && (mails[f] = digest_mail(env->render, env->st, d,
	    f, &h, NULL, error)) == NULL)
		return FALSE;
	if ((head = render_rehead(&h, mails[f], &body, error)) == NULL)
		return FALSE;
	body_key = g_strdup_printf("digest:%" G_GINT64_FORMAT ":%s", digest_id,
	    digest_format_name(f));
	m.raw = head;
	m.body = body;
	m.body_key = body_key;
	return store_outbox_add(env->st, &m, now, NULL, error);
}

gboolean
digest_send(struct tidings_ctx *env, const char *team, gint64 start,
    gint64 end, gint64 now, gboolean *claimed, guint *mails, GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, team, error);
	g_autoptr(Digest) d = NULL;
	g_autoptr(GPtrArray) subs = NULL;
	g_autofree char *mid = NULL;
	GBytes *rendered[DIGEST_PLAIN + 1] = { NULL };
	gboolean quiet, ok = FALSE;
	gint64 id;

	*claimed = FALSE;
	*mails = 0;
	if (t == NULL ||
	    (d = digest_build(env->st, team, start, end, error)) == NULL ||
	    (subs = store_subscription_list(env->st, team, TRUE,
	    error)) == NULL)
		return FALSE;
	quiet = digest_empty(d) && g_strcmp0(t->digest_empty, "notice") != 0;
	mid = token_message_id(DIGEST_ID_KIND, env->domain);
	if (!store_begin(env->st, error))
		return FALSE;
	if (!store_digest_claim(env->st, t->id, start, end, mid, now, &id,
	    claimed, error))
		goto out;
	if (!*claimed) {
		store_rollback(env->st);
		return TRUE;
	}
	for (guint i = 0; !quiet && i < subs->len; i++) {
		if (!queue_copy(env, t, d, subs->pdata[i], id, mid, rendered,
		    now, error))
			goto out;
		(*mails)++;
	}
	if (!store_commit(env->st, error))
		goto out;
	log_info("digest %s: %u answers, %s", team, d->answers, quiet ?
	    "nothing new: not sent" : "queued");
	ok = TRUE;
out:
	if (!ok) {
		store_rollback(env->st);
		*claimed = FALSE;
		*mails = 0;
	}
	for (size_t f = 0; f < G_N_ELEMENTS(rendered); f++)
		g_clear_pointer(&rendered[f], g_bytes_unref);
	return ok;
}

/* The latest time TEAM's rule fired in (after, now], or 0. */
static gint64
due_time(const struct team *t, gint64 after, gint64 now, GError **error)
{
	g_autoptr(GArray) occ = sched_occurrences(t->digest_rrule, t->zone,
	    t->created_at, after + 1, now + 1, error);

	if (occ == NULL)
		return -1;
	if (occ->len == 0)
		return 0;
	return g_array_index(occ, struct sched_occurrence, occ->len - 1).at;
}

gboolean
digest_tick(struct tidings_ctx *env, gint64 now, struct digest_stats *stats,
    GError **error)
{
	g_autoptr(GPtrArray) teams = store_team_list(env->st, error);

	memset(stats, 0, sizeof *stats);
	if (teams == NULL)
		return FALSE;
	for (guint i = 0; i < teams->len; i++) {
		const struct team *t = teams->pdata[i];
		g_autoptr(GError) err = NULL;
		gint64 last, at, start;
		gboolean claimed;
		guint mails;

		if (t->digest_rrule == NULL)
			continue;
		if ((last = store_digest_last_end(env->st, t->id, error)) < 0)
			return FALSE;
		start = last > 0 ? last : t->created_at;
		if ((at = due_time(t, start, now, &err)) < 0) {
			log_warnx("digest %s: %s", t->name, err->message);
			continue;
		}
		if (at == 0)
			continue;
		/* Too late to be news: the next digest covers its time. */
		if (now - at > env->digest_catch_up) {
			log_debug("digest %s: the one due %" G_GINT64_FORMAT
			    " s ago is not sent; the next covers its time",
			    t->name, now - at);
			continue;
		}
		if (!digest_send(env, t->name, start, at, now, &claimed, &mails,
		    error))
			return FALSE;
		if (!claimed)
			continue;
		stats->digests++;
		stats->mails += mails;
		if (mails == 0)
			stats->quiet++;
	}
	return TRUE;
}

gint64
digest_next_due(struct tidings_ctx *env, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) teams = store_team_list(env->st, error);
	gint64 best = 0;

	if (teams == NULL)
		return -1;
	for (guint i = 0; i < teams->len; i++) {
		const struct team *t = teams->pdata[i];
		struct sched_occurrence o;

		if (t->digest_rrule != NULL && sched_next(t->digest_rrule,
		    t->zone, t->created_at, now, &o, NULL) &&
		    (best == 0 || o.at < best))
			best = o.at;
	}
	return best;
}

/* --- comments ------------------------------------------------------------ */

gboolean
digest_is_comment(struct tidings_ctx *env, const struct message *msg)
{
	g_autoptr(DigestSent) d = NULL;

	if (msg->command != ANSWER_COMMAND_NONE || msg->prompt_id != 0 ||
	    msg->kind != MESSAGE_REPLY)
		return FALSE;
	d = digest_replied(env->st, msg);
	return d != NULL;
}

/* TEXT with runs of white space made one space, for comparing. */
static char *
squeeze(const char *text)
{
	g_auto(GStrv) words = g_strsplit_set(text, " \t\r\n", -1);
	GString *out = g_string_new(NULL);

	for (char **w = words; *w != NULL; w++)
		if (**w != '\0')
			g_string_append_printf(out, "%s%s", out->len > 0 ?
			    " " : "", *w);
	return g_string_free(out, FALSE);
}

/* How much of the text of ANS the quoted lines of LINES repeat. */
static gsize
quoted_len(const struct digest_answer *ans, char **lines)
{
	g_autofree char *body = squeeze(ans->text);
	gsize n = 0;

	for (char **l = lines; *l != NULL; l++) {
		const char *p = *l;
		g_autofree char *quoted = NULL;
		if (*p != '>')
			continue;
		while (*p == '>' || *p == ' ')
			p++;
		quoted = squeeze(p);
		if (strlen(quoted) >= 8 && strstr(body, quoted) != NULL)
			n += strlen(quoted);
	}
	return n;
}

/* The answer of D whose text the quoted lines of TEXT repeat most; a
 * followed blocker counts as the last answer that said it. */
static const struct digest_answer *
quoted_answer(const struct digest *d, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);
	const struct digest_answer *best = NULL;
	gsize best_len = 0, n;

	for (guint c = 0; c < d->checkins->len; c++) {
		const struct digest_checkin *ci = d->checkins->pdata[c];
		for (guint q = 0; q < ci->questions->len; q++) {
			const struct digest_question *dq = ci->questions->pdata[q];
			for (guint a = 0; a < dq->answers->len; a++) {
				const struct digest_answer *ans =
				    dq->answers->pdata[a];
				if ((n = quoted_len(ans, lines)) > best_len) {
					best_len = n;
					best = ans;
				}
			}
		}
	}
	for (guint i = 0; i < d->tracked->len; i++) {
		const struct digest_answer *ans = ((struct digest_blocker *)
		    d->tracked->pdata[i])->answer;
		if (ans->id > 0 && (n = quoted_len(ans, lines)) > best_len) {
			best_len = n;
			best = ans;
		}
	}
	return best;
}

/* Whether EMAIL may comment on TEAM's digests: a member or a subscriber;
 * *STORED is then the address tidings keeps for them (caller frees). */
static gboolean
on_the_list(struct tidings_ctx *env, const char *team, const char *email,
    char **stored, GError **error)
{
	g_autoptr(Subscription) sub = store_subscription_get(env->st, team,
	    email, NULL);
	g_autoptr(GPtrArray) members = NULL;

	*stored = NULL;
	if ((members = store_member_list(env->st, team, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		if (g_ascii_strcasecmp(p->email, email) == 0) {
			*stored = g_strdup(p->email);
			return TRUE;
		}
	}
	if (sub != NULL && sub->state == SUB_ACTIVE) {
		*stored = g_strdup(sub->email);
		return TRUE;
	}
	return FALSE;
}

static gboolean
tell_author(struct tidings_ctx *env, struct take *tk, const struct team *t,
    const struct digest_answer *ans, const char *commenter,
    const char *commenter_address, const char *text, GError **error)
{
	const struct message *msg = tk->msg;
	gint64 id = tk->id, now = tk->now;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *mid = g_strdup_printf("comment-%" G_GINT64_FORMAT
	    "@%s", id, env->domain);
	g_autofree char *key = g_strdup_printf("comment:%" G_GINT64_FORMAT, id);
	g_autofree char *lid = reply_list_id(env, t);
	g_autofree char *subject = NULL;
	g_autoptr(GBytes) raw = NULL;
	gboolean may;
	struct render_headers h = {
		.from_name = title_of(t),
		.from = env->address,
		.to_name = ans->name,
		.to = ans->email,
		/* A reply to the notice reaches the commenter, at the
		 * address tidings keeps for them, not tidings. */
		.reply_to = commenter_address,
		.message_id = mid,
		.in_reply_to = msg->message_id,
		.list_id = lid,
		.marker = "comment",
		.date = now,
	};

	if (!reply_may(env, tk, &may, error))
		return FALSE;
	if (!may)
		return TRUE;
	render_vars_set(v, "team", t->name);
	render_vars_set(v, "team_title", title_of(t));
	render_vars_set(v, "member_name", ans->name);
	render_vars_set(v, "commenter", commenter);
	render_vars_set(v, "commenter_address", commenter_address);
	render_vars_set(v, "answer", ans->text);
	render_vars_set(v, "comment", text);
	raw = render_mail(env->render, "comment", &h, v, &subject, error);
	return raw != NULL && reply_queue(env, "comment", key, ans->email,
	    raw, mid, subject, now, error);
}

gboolean
digest_take_comment(struct tidings_ctx *env, struct take *tk,
    GError **error)
{
	const struct message *msg = tk->msg;
	gint64 id = tk->id, now = tk->now;
	g_autoptr(DigestSent) sent = digest_replied(env->st, msg);
	g_autoptr(Digest) d = NULL;
	g_autoptr(Team) t = NULL;
	g_autoptr(Person) person = NULL;
	g_autofree char *stored = NULL;
	const struct digest_answer *ans;
	const char *text = msg->reply != NULL ? msg->reply : msg->text;

	if (sent == NULL || msg->from == NULL || text == NULL || *text == '\0')
		return TRUE;
	if ((t = store_team_get(env->st, sent->team, error)) == NULL)
		return FALSE;
	if (!on_the_list(env, t->name, msg->from, &stored, error)) {
		if (error != NULL && *error != NULL)
			return FALSE;
		log_info("<%s>: a reply to a digest of %s from %s, who is not "
		    "on its list: kept, not a comment", msg->message_id,
		    t->name, msg->from);
		return store_message_bind(env->st, id, 0, FALSE, "a reply to a "
		    "digest from someone not on its list", error);
	}
	if ((d = digest_build(env->st, t->name, sent->start, sent->end,
	    error)) == NULL)
		return FALSE;
	person = store_person_get(env->st, msg->from, NULL);
	ans = quoted_answer(d, msg->text);
	if (!store_comment_add(env->st, ans != NULL ? ans->id : 0,
	    ans != NULL ? 0 : sent->id, id, person != NULL ? person->id : 0,
	    text, now, error) ||
	    !store_message_bind(env->st, id, 0, TRUE, "a comment from the "
	    "team's list", error))
		return FALSE;
	log_info("<%s>: a comment by %s on %s", msg->message_id, msg->from,
	    ans != NULL ? "an answer" : "the digest");
	if (ans == NULL || g_ascii_strcasecmp(ans->email, msg->from) == 0)
		return TRUE;
	/* Named as tidings knows them, not as the From says. */
	return tell_author(env, tk, t, ans, person != NULL &&
	    *person->name != '\0' ? person->name : msg->from, stored, text,
	    error);
}
