/* Bounces: a delivery status notification counts only when it came back
 * to the bounce address (verp.h) of a mail tidings really sent, and names
 * that mail's recipient.  Then it raises the bounce score of the
 * recipient's subscriptions (subscription.c) and of their address: a
 * member whose address is past [digests] bounce-threshold is dead, is no
 * longer prompted, and the owners of their teams are told once.  Any
 * other notice, forged or not, is kept with why and counts for nothing. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "context.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "store-bounce.h"
#include "subscription.h"
#include "taker.h"
#include "verp.h"

/* The token of the first of tidings' bounce addresses among ADDRS. */
static char *
token_among(struct tidings_ctx *ctx, const GPtrArray *addrs)
{
	for (guint i = 0; addrs != NULL && i < addrs->len; i++) {
		char *t = verp_token_of(addrs->pdata[i], ctx->address,
		    ctx->domain);
		if (t != NULL)
			return t;
	}
	return NULL;
}

/* The token of the bounce address the notice came to: the delivering
 * server's Delivered-To first, then the notice's own To and Cc, which
 * mail systems address to the envelope sender. */
static char *
token_of(struct tidings_ctx *ctx, const struct message *msg)
{
	char *t = token_among(ctx, msg->delivered_to);

	if (t == NULL)
		t = token_among(ctx, msg->to);
	if (t == NULL)
		t = token_among(ctx, msg->cc);
	return t;
}

typedef struct bounce_recipient BounceRecipient;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BounceRecipient, bounce_recipient_free)

/* The failed recipient of MSG that is ADDRESS, or NULL. */
static const struct bounce_recipient *
recipient_of(const struct message *msg, const char *address)
{
	for (guint i = 0; msg->bounce != NULL && i < msg->bounce->len; i++) {
		const struct bounce_recipient *r = msg->bounce->pdata[i];
		if (g_ascii_strcasecmp(r->address, address) == 0)
			return r;
	}
	return NULL;
}

/* Keeps the notice T takes uncounted, saying why. */
static gboolean
keep(struct tidings_ctx *ctx, struct take *t, const char *why,
    GError **error)
{
	log_info("<%s>: bounce not counted: %s", t->msg->message_id, why);
	return store_message_bind(ctx->st, t->id, 0, FALSE, why, error);
}

/* The teams EMAIL is a member (or owner) of, into TEAMS (struct team *),
 * and for each the addresses of its other owners, into OWNERS (a
 * GPtrArray * of char * per team). */
static gboolean
teams_of(struct tidings_ctx *ctx, const char *email, GPtrArray *teams,
    GPtrArray *owners, GError **error)
{
	g_autoptr(GPtrArray) all = store_team_list(ctx->st, error);

	if (all == NULL)
		return FALSE;
	for (guint i = 0; i < all->len; i++) {
		struct team *tm = all->pdata[i];
		g_autoptr(GPtrArray) members = store_member_list(ctx->st,
		    tm->name, error);
		gboolean member = FALSE;
		GPtrArray *own;

		if (members == NULL)
			return FALSE;
		own = g_ptr_array_new_with_free_func(g_free);
		for (guint k = 0; k < members->len; k++) {
			struct person *p = members->pdata[k];
			if (g_ascii_strcasecmp(p->email, email) == 0)
				member = TRUE;
			else if (g_strcmp0(p->role, "owner") == 0)
				g_ptr_array_add(own, g_strdup(p->email));
		}
		if (!member) {
			g_ptr_array_unref(own);
			continue;
		}
		g_ptr_array_add(teams, g_ptr_array_steal_index(all, i--));
		g_ptr_array_add(owners, own);
	}
	return TRUE;
}

/* Tells OWNER of TEAM that mail to the member EMAIL bounces and that
 * prompts to them stopped; once per address death. */
static gboolean
tell_owner(struct tidings_ctx *ctx, struct take *t, const struct team *team,
    const char *owner, const char *email, const struct bounce_recipient *r,
    const struct mail_health *h, GError **error)
{
	g_autofree char *key = g_strdup_printf("member-bounced:%s:%"
	    G_GINT64_FORMAT ":%s:%s", email, h->dead_at, team->name, owner);
	g_autofree char *hash = g_compute_checksum_for_string(
	    G_CHECKSUM_SHA256, key, -1);
	g_autofree char *mid = g_strdup_printf("bounce-%.20s@%s", hash,
	    ctx->domain);
	g_autofree char *lid = reply_list_id(ctx, team);
	g_autofree char *since = NULL, *score = NULL, *subject = NULL;
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(h->since);
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(GBytes) raw = NULL;
	const char *title = *team->title != '\0' ? team->title : team->name;
	struct render_headers hd = {
		.from_name = title,
		.from = ctx->address,
		.to = owner,
		.message_id = mid,
		.list_id = lid,
		.marker = "member-bounced",
		.date = t->now,
	};

	since = dt != NULL ? g_date_time_format(dt, "%Y-%m-%d %H:%M UTC") :
	    g_strdup("");
	score = g_strdup_printf("%.2f", h->score);
	render_vars_set(v, "team", team->name);
	render_vars_set(v, "team_title", title);
	render_vars_set(v, "member", email);
	render_vars_set(v, "since", since);
	render_vars_set(v, "score", score);
	render_vars_set(v, "status", r->status);
	render_vars_set(v, "diagnostic", r->diagnostic);
	render_vars_set(v, "address", ctx->address);
	raw = render_mail(ctx->render, "member-bounced", &hd, v, &subject,
	    error);
	return raw != NULL && reply_queue(ctx, "notice", key, owner, raw, mid,
	    subject, t->now, error);
}

/* Counts the bounce R against the address of a member: past the
 * threshold, the address is dead and their teams' owners are told. */
static gboolean
member_bounced(struct tidings_ctx *ctx, struct take *t,
    const struct bounce_recipient *r, const char *email, GError **error)
{
	double limit = conf_get_number(ctx->conf, "digests",
	    "bounce-threshold");
	g_autoptr(GPtrArray) teams = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)team_free);
	g_autoptr(GPtrArray) owners = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)g_ptr_array_unref);
	struct mail_health h;
	gboolean died = FALSE;

	if (!store_person_bounce(ctx->st, email, r->hard ? 1.0 : 0.25, t->now,
	    &h, error))
		return FALSE;
	log_info("%s bounced (%s, %s): score %.2f", email, r->status != NULL ?
	    r->status : "no status", r->hard ? "hard" : "soft", h.score);
	if (h.score < limit || h.dead_at != 0)
		return TRUE;
	if (!teams_of(ctx, email, teams, owners, error))
		return FALSE;
	if (teams->len == 0)
		return TRUE;	/* a subscriber alone: subscription.c's */
	if (!store_person_mail_dead(ctx->st, email, t->now, &died, error))
		return FALSE;
	if (!died)
		return TRUE;
	h.dead_at = t->now;
	log_warnx("mail to %s bounces: no more prompts to this address",
	    email);
	for (guint i = 0; i < teams->len; i++) {
		GPtrArray *own = owners->pdata[i];
		for (guint k = 0; k < own->len; k++)
			if (!tell_owner(ctx, t, teams->pdata[i], own->pdata[k],
			    email, r, &h, error))
				return FALSE;
	}
	return TRUE;
}

static gboolean
bounce_take(struct tidings_ctx *ctx, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autofree char *token = token_of(ctx, msg);
	g_autofree char *why = NULL;
	g_autoptr(BounceMail) sent = NULL;
	g_autoptr(GError) err = NULL;
	const struct bounce_recipient *r;
	g_autoptr(BounceRecipient) bare = NULL;
	gboolean counted;
	GBytes *secret;

	if (token == NULL)
		return keep(ctx, t, "a bounce that did not come to a bounce "
		    "address of tidings", error);
	if ((secret = tidings_ctx_secret(ctx, &err)) == NULL) {
		why = g_strdup_printf("a bounce that cannot be checked: %s",
		    err->message);
		return keep(ctx, t, why, error);
	}
	sent = store_bounce_mail(ctx->st, token, &err);
	if (sent == NULL && !g_error_matches(err, STORE_ERROR,
	    STORE_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	if (sent == NULL || !verp_check(secret, sent->key, sent->address,
	    token))
		return keep(ctx, t, "a bounce to a bounce address of no mail "
		    "tidings sent", error);
	if (msg->bounce == NULL || msg->bounce->len == 0) {
		/* A notice that names nobody (cut off): the bounce address
		 * names the recipient; whether the address is dead it does
		 * not say, so it counts as a soft failure. */
		bare = g_new0(struct bounce_recipient, 1);
		bare->address = g_strdup(sent->address);
		bare->status = g_strdup("5.0.0");
		r = bare;
	} else if ((r = recipient_of(msg, sent->address)) == NULL) {
		why = g_strdup_printf("a bounce of mail to %s that names "
		    "other recipients", sent->address);
		return keep(ctx, t, why, error);
	}
	if (!store_bounce_counted(ctx->st, sent->outbox_id, &counted, error))
		return FALSE;
	if (counted) {
		why = g_strdup_printf("a bounce of the %s to %s, counted "
		    "before", sent->kind, sent->address);
		return keep(ctx, t, why, error);
	}
	why = g_strdup_printf("a bounce of the %s to %s", sent->kind,
	    sent->address);
	return store_bounce_record(ctx->st, sent->address, t->id,
	    sent->outbox_id, r->status, r->hard, t->now, error) &&
	    subscription_bounced(ctx, t, r, error) &&
	    member_bounced(ctx, t, r, sent->address, error) &&
	    store_message_bind(ctx->st, t->id, 0, TRUE, why, error);
}

gboolean
take_bounce_vouch(struct tidings_ctx *ctx, const struct take *t, char **why)
{
	const struct message *msg = t->msg;
	g_autofree char *token = token_of(ctx, msg);
	g_autoptr(BounceMail) sent = NULL;
	GBytes *secret;

	*why = NULL;
	if (token == NULL)
		return FALSE;
	if ((secret = tidings_ctx_secret(ctx, NULL)) == NULL ||
	    (sent = store_bounce_mail(ctx->st, token, NULL)) == NULL ||
	    !verp_check(secret, sent->key, sent->address, token)) {
		*why = g_strdup("came to a bounce address of no mail tidings "
		    "sent");
		return FALSE;
	}
	if (msg->from == NULL || g_ascii_strcasecmp(msg->from,
	    sent->address) != 0) {
		*why = g_strdup_printf("came to the bounce address of a mail "
		    "to %s, not to its sender", sent->address);
		return FALSE;
	}
	*why = g_strdup_printf("came back to the bounce address of a mail "
	    "tidings sent to %s", sent->address);
	return TRUE;
}

static gboolean
bounce_match(struct tidings_ctx *ctx, const struct take *t)
{
	return t->msg->kind == MESSAGE_BOUNCE;
}

const struct taker taker_bounce = {
	.name = "bounce",
	.match = bounce_match,
	/* Its authority is the bounce address: an HMAC of the mail and its
	 * recipient, which only the servers on that mail's way saw. */
	.changes_state = FALSE,
	.take = bounce_take,
};
