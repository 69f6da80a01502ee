/* Urgent mail at work; see urgent.h. */
#include "config.h"

#include <string.h>

#include "avail.h"
#include "conf.h"
#include "context.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-checkin.h"
#include "store-blocker.h"
#include "store-urgent.h"
#include "taker.h"
#include "token.h"
#include "trust.h"
#include "urgent.h"

/* Steps of an urgent mail. */
enum {
	STEP_NOW,	/* the members in working hours */
	STEP_NEXT,	/* those whose working day starts next */
	STEP_OWNERS,	/* the owners */
};

/* Members whose working day starts within this of the first one's are
 * "next" together. */
#define NEXT_SLACK (30 * 60)
/* The largest original attached to each copy; a larger one is kept and
 * its text alone sent on. */
#define ATTACH_MAX (10 * 1024 * 1024)

void
urgent_target_free(struct urgent_target *t)
{
	if (t == NULL)
		return;
	g_free(t->email);
	g_free(t->name);
	g_free(t->why);
	g_free(t);
}

/* "Lisbon" for Europe/Lisbon, "New York" for America/New_York. */
static char *
zone_city(const char *zone)
{
	const char *slash = strrchr(zone, '/');
	char *city = g_strdup(slash != NULL ? slash + 1 : zone);

	return g_strdelimit(city, "_", ' ');
}

/* "14:05 in Lisbon", T in ZONE. */
static char *
local_in(const char *zone, gint64 t, const char *format)
{
	g_autofree char *when = sched_format(zone, t, format);
	g_autofree char *city = zone_city(zone);

	return g_strdup_printf("%s in %s", when != NULL ? when : "?", city);
}

static struct urgent_target *
target_new(const char *email, const char *name, char *why, gboolean oncall)
{
	struct urgent_target *t = g_new0(struct urgent_target, 1);

	t->email = g_strdup(email);
	t->name = g_strdup(name != NULL ? name : "");
	t->why = why;
	t->oncall = oncall;
	return t;
}

/* The place of EMAIL in the on-call rotation LIST, or -1. */
static int
oncall_rank(const char *list, const char *email)
{
	g_auto(GStrv) words = g_strsplit_set(list != NULL ? list : "", ", ",
	    -1);
	int rank = 0;

	for (char **w = words; *w != NULL; w++) {
		if (**w == '\0')
			continue;
		if (trust_same_address(*w, email))
			return rank;
		rank++;
	}
	return -1;
}

static int
target_cmp(gconstpointer pa, gconstpointer pb, gpointer data)
{
	const struct urgent_target *a = *(struct urgent_target *const *)pa;
	const struct urgent_target *b = *(struct urgent_target *const *)pb;
	int ra = oncall_rank(data, a->email), rb = oncall_rank(data, b->email);

	if (ra != rb)
		return ra < 0 ? 1 : rb < 0 ? -1 : ra - rb;
	return g_utf8_collate(*a->name != '\0' ? a->name : a->email,
	    *b->name != '\0' ? b->name : b->email);
}

/* Whether state S of a member reaches them with urgent mail now. */
static gboolean
reachable(enum avail_state s, const struct team_alerts *a)
{
	return s == AVAIL_WORKING || s == AVAIL_BUSY ||
	    (s == AVAIL_DEEP_WORK && a->urgent_deep);
}

GPtrArray *
urgent_route_now(struct store *st, const char *team,
    const struct team_alerts *a, const char *except, gint64 now,
    GError **error)
{
	g_autoptr(GPtrArray) who = avail_who(st, team, now, error);
	GPtrArray *out;

	if (who == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)urgent_target_free);
	for (guint i = 0; i < who->len; i++) {
		const struct avail_who *w = who->pdata[i];
		if (!reachable(w->state, a) || trust_same_address(w->email,
		    except))
			continue;
		g_ptr_array_add(out, target_new(w->email, w->name,
		    local_in(w->zone, now, "%H:%M"),
		    oncall_rank(a->oncall, w->email) >= 0));
	}
	g_ptr_array_sort_with_data(out, target_cmp, a->oncall);
	return out;
}

/* Those of TEAM whose working day starts next after NOW, and are not
 * away, among those not in SENT. */
static GPtrArray *
route_next(struct store *st, const char *team, const struct team_alerts *a,
    GHashTable *sent, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) who = avail_who(st, team, now, error);
	GPtrArray *out;
	gint64 first = 0;

	if (who == NULL)
		return NULL;
	for (guint i = 0; i < who->len; i++) {
		const struct avail_who *w = who->pdata[i];
		if (w->state == AVAIL_AWAY || w->next <= now ||
		    g_hash_table_contains(sent, w->email))
			continue;
		if (first == 0 || w->next < first)
			first = w->next;
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)urgent_target_free);
	for (guint i = 0; i < who->len && first > 0; i++) {
		const struct avail_who *w = who->pdata[i];
		if (w->state == AVAIL_AWAY || w->next <= now ||
		    w->next > first + NEXT_SLACK ||
		    g_hash_table_contains(sent, w->email))
			continue;
		g_ptr_array_add(out, target_new(w->email, w->name,
		    local_in(w->zone, w->next, "%a %H:%M"),
		    oncall_rank(a->oncall, w->email) >= 0));
	}
	g_ptr_array_sort_with_data(out, target_cmp, a->oncall);
	return out;
}

/* TEAM's owners not in SENT. */
static GPtrArray *
route_owners(struct store *st, const char *team, GHashTable *sent,
    GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, team, error);
	GPtrArray *out;

	if (members == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)urgent_target_free);
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		if (g_strcmp0(p->role, "owner") != 0 ||
		    (sent != NULL && g_hash_table_contains(sent, p->email)))
			continue;
		g_ptr_array_add(out, target_new(p->email, p->name,
		    g_strdup("an owner of the team"), FALSE));
	}
	return out;
}

static const char *
name_or_email(const struct urgent_target *t)
{
	return *t->name != '\0' ? t->name : t->email;
}

/* "Ana Lima (on call, 14:05 in Lisbon), Bo Chen (...)". */
static char *
targets_text(GPtrArray *targets)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < targets->len; i++) {
		const struct urgent_target *t = targets->pdata[i];
		g_string_append_printf(s, "%s%s (%s%s)", i > 0 ? ", " : "",
		    name_or_email(t), t->oncall ? "on call, " : "", t->why);
	}
	return g_string_free(s, FALSE);
}

char *
urgent_who_line(struct store *st, const char *team, gint64 now,
    GError **error)
{
	g_autoptr(Team) t = store_team_get(st, team, error);
	g_autoptr(TeamAlerts) a = NULL;
	g_autoptr(GPtrArray) now_ = NULL, owners = NULL;
	g_autofree char *list = NULL;

	if (t == NULL ||
	    (a = store_team_alerts_get(st, t->id, error)) == NULL ||
	    (now_ = urgent_route_now(st, team, a, NULL, now, error)) == NULL)
		return NULL;
	if (now_->len > 0) {
		list = targets_text(now_);
		return g_strdup_printf("An urgent mail now goes to: %s.", list);
	}
	if ((owners = route_owners(st, team, NULL, error)) == NULL)
		return NULL;
	if (owners->len == 0)
		return g_strdup("Nobody works now and the team has no owner: "
		    "an urgent mail now reaches nobody.");
	list = targets_text(owners);
	return g_strdup_printf("Nobody works now: an urgent mail goes to the "
	    "owners: %s.", list);
}

/* --- sending ------------------------------------------------------------ */

static const char *
title_of(const struct team *t)
{
	return *t->title != '\0' ? t->title : t->name;
}

/* What every copy of U shares: the original and its text. */
struct urgent_mail {
	const struct urgent *u;
	const struct team *team;
	GBytes *raw;
	char *text;
	const char *ack_within;	/* "15 minutes" */
};

static gboolean
mail_load(struct tidings_ctx *ctx, struct urgent_mail *m,
    const struct urgent *u, const struct team *team, GError **error)
{
	g_autoptr(MessageRow) row = NULL;

	m->u = u;
	m->team = team;
	if ((m->raw = store_message_raw(ctx->st, u->message, error)) == NULL ||
	    (row = store_message_get(ctx->st, u->message, error)) == NULL)
		return FALSE;
	m->text = g_strdup(row->body_text != NULL ? row->body_text : "");
	return TRUE;
}

static void
mail_clear(struct urgent_mail *m)
{
	if (m->raw != NULL)
		g_bytes_unref(m->raw);
	g_free(m->text);
}

/* The subject of a token for a copy of urgent mail ID to EMAIL. */
static char *
token_subject(gint64 id, const char *email)
{
	g_autofree char *lower = g_ascii_strdown(email, -1);

	return g_strdup_printf("%" G_GINT64_FORMAT " %s", id, lower);
}

/* Sends a copy of M to T at STEP, with why; records it. */
static gboolean
send_copy(struct tidings_ctx *ctx, const struct urgent_mail *m,
    const struct urgent_target *t, int step, gint64 now, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *sub = token_subject(m->u->id, t->email);
	g_autofree char *tok = NULL, *reply = NULL, *subject = NULL;
	g_autofree char *mid = token_message_id("urgent", ctx->domain);
	g_autofree char *key = g_strdup_printf("urgent:%" G_GINT64_FORMAT ":%s",
	    m->u->id, t->email);
	g_autofree char *marker = g_strdup_printf("urgent %" G_GINT64_FORMAT,
	    m->u->id);
	g_autofree char *lid = reply_list_id(ctx, m->team);
	g_autoptr(GBytes) raw = NULL;
	GBytes *secret = tidings_ctx_secret(ctx, error);
	struct render_headers h = {
		.from_name = title_of(m->team),
		.from = ctx->address,
		.to_name = t->name,
		.to = t->email,
		.message_id = mid,
		.list_id = lid,
		.marker = marker,
		.date = now,
	};

	if (secret == NULL)
		return FALSE;
	tok = token_make(secret, "urgent", sub);
	reply = token_address(ctx->address, ctx->domain, tok);
	h.reply_to = reply;
	render_vars_set(v, "team", m->team->name);
	render_vars_set(v, "team_title", title_of(m->team));
	render_vars_set(v, "member_name", t->name);
	render_vars_set(v, "sender", m->u->sender);
	render_vars_set(v, "subject", m->u->subject);
	render_vars_set(v, "text", m->text);
	render_vars_set(v, "why", t->why);
	render_vars_set_int(v, "step", step);
	render_vars_set_int(v, "oncall", t->oncall);
	render_vars_set(v, "ack_within", m->ack_within);
	render_vars_set_int(v, "attached", g_bytes_get_size(m->raw) <=
	    ATTACH_MAX);
	raw = g_bytes_get_size(m->raw) <= ATTACH_MAX ?
	    render_mail_forward(ctx->render, "urgent", &h, v, m->raw, &subject,
	    error) : render_mail(ctx->render, "urgent", &h, v, &subject, error);
	if (raw == NULL || !reply_queue(ctx, "urgent", key, t->email, raw, mid,
	    subject, now, error))
		return FALSE;
	return store_urgent_step(ctx->st, m->u->id, "sent", t->email, t->why,
	    tok, now, error);
}

/* Tells the sender of U what became of it: EVENT ("taken", "escalated",
 * "owners"), WHO. */
static gboolean
tell_sender(struct tidings_ctx *ctx, const struct team *team,
    const struct urgent *u, const char *event, const char *who, gint64 now,
    GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *mid = token_message_id("urgent", ctx->domain);
	g_autofree char *key = g_strdup_printf("urgent-told:%" G_GINT64_FORMAT
	    ":%s:%" G_GINT64_FORMAT, u->id, event, now);
	g_autofree char *subject = NULL;
	g_autoptr(GBytes) raw = NULL;
	struct render_headers h = {
		.from_name = title_of(team),
		.from = ctx->address,
		.to = u->sender,
		.message_id = mid,
		.marker = "urgent",
		.auto_submitted = "auto-replied",
		.date = now,
	};

	render_vars_set(v, "team_title", title_of(team));
	render_vars_set(v, "subject", u->subject);
	render_vars_set(v, "event", event);
	render_vars_set(v, "who", who);
	raw = render_mail(ctx->render, "urgent-status", &h, v, &subject, error);
	return raw != NULL && reply_queue(ctx, "urgent", key, u->sender, raw,
	    mid, subject, now, error) && store_urgent_step(ctx->st, u->id,
	    "told", u->sender, who, NULL, now, error);
}

/* Sends M to every one of TARGETS. */
static gboolean
send_all(struct tidings_ctx *ctx, const struct urgent_mail *m,
    GPtrArray *targets, int step, gint64 now, GError **error)
{
	for (guint i = 0; i < targets->len; i++)
		if (!send_copy(ctx, m, targets->pdata[i], step, now, error))
			return FALSE;
	return TRUE;
}

static char *
duration_text(gint64 s)
{
	if (s % 3600 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " hour%s", s / 3600,
		    s == 3600 ? "" : "s");
	if (s % 60 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " minute%s", s / 60,
		    s == 60 ? "" : "s");
	return g_strdup_printf("%" G_GINT64_FORMAT " seconds", s);
}

/* Sends U to the owners: the last step. */
static gboolean
to_owners(struct tidings_ctx *ctx, struct urgent_mail *m, GHashTable *sent,
    const char *why, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) owners = route_owners(ctx->st, m->team->name,
	    sent, error);
	g_autofree char *list = NULL;

	if (owners == NULL)
		return FALSE;
	for (guint i = 0; i < owners->len; i++) {
		struct urgent_target *t = owners->pdata[i];
		g_free(t->why);
		t->why = g_strdup(why);
	}
	if (!send_all(ctx, m, owners, STEP_OWNERS, now, error) ||
	    !store_urgent_set(ctx->st, m->u->id, "owners", STEP_OWNERS, 0,
	    NULL, error))
		return FALSE;
	list = owners->len > 0 ? targets_text(owners) :
	    g_strdup("nobody: the team has no owner who has not had it");
	log_info("urgent %" G_GINT64_FORMAT ": to the owners: %s", m->u->id,
	    list);
	return store_urgent_step(ctx->st, m->u->id, "escalated", NULL, list,
	    NULL, now, error) && tell_sender(ctx, m->team, m->u, "owners",
	    list, now, error);
}

/* --- taking ------------------------------------------------------------- */

/* The team an urgent mail from FROM to DETAIL's TEAM (NULL: their own)
 * is for; NULL, with *why, when none. */
static struct team *
urgent_team(struct tidings_ctx *ctx, const char *named, const char *from,
    char **why, GError **error)
{
	g_autoptr(Person) p = NULL;
	g_auto(GStrv) teams = NULL;

	if (named != NULL) {
		struct team *t = store_team_get(ctx->st, named, NULL);
		if (t == NULL)
			*why = g_strdup_printf("there is no team %s", named);
		return t;
	}
	p = store_person_get(ctx->st, from, NULL);
	teams = g_strsplit(p != NULL && p->teams != NULL ? p->teams : "",
	    ", ", -1);
	if (teams[0] == NULL || *teams[0] == '\0') {
		*why = g_strdup("the sender is in no team: write to "
		    "urgent-TEAM");
		return NULL;
	}
	if (teams[1] != NULL) {
		*why = g_strdup_printf("the sender is in several teams (%s): "
		    "write to urgent-TEAM", p->teams);
		return NULL;
	}
	return store_team_get(ctx->st, teams[0], error);
}

/* Whether FROM may send urgent mail to TEAM: a member, or one of its
 * urgent-senders. */
static gboolean
may_send(struct tidings_ctx *ctx, const struct team *team,
    const struct team_alerts *a, const char *from, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(ctx->st, team->name,
	    error);
	g_auto(GStrv) senders = g_strsplit_set(a->urgent_senders, ", ", -1);

	if (members == NULL)
		return FALSE;
	for (guint i = 0; i < members->len; i++)
		if (trust_same_address(((struct person *)
		    members->pdata[i])->email, from))
			return TRUE;
	for (char **s = senders; *s != NULL; s++)
		if (**s != '\0' && trust_same_address(*s, from))
			return TRUE;
	return FALSE;
}

/* Tells the sender of the urgent mail T takes why it was not sent on
 * (HELD: for a limit), under the reply policy. */
static gboolean
refuse(struct tidings_ctx *ctx, struct take *t, const char *why,
    gboolean held, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();

	render_vars_set(v, "subject", t->msg->subject != NULL ?
	    t->msg->subject : "");
	render_vars_set(v, "reason", why);
	render_vars_set_int(v, "held", held);
	return reply_send(ctx, t, "urgent-refused", v, error);
}

/* Kept, not routed, for WHY; the sender is told unless MACHINE. */
static gboolean
keep(struct tidings_ctx *ctx, struct take *t, const char *why,
    gboolean machine, GError **error)
{
	log_warnx("<%s>: urgent mail not sent on: %s", t->msg->message_id, why);
	return store_message_bind(ctx->st, t->id, 0, FALSE, why, error) &&
	    (machine || refuse(ctx, t, why, FALSE, error));
}

/* Whether another urgent mail from FROM, or to TEAM, stays within
 * [limits]; *why says which limit it passes. */
static gboolean
within_limits(struct tidings_ctx *ctx, const struct team *team,
    const char *from, gint64 now, gboolean *ok, char **why, GError **error)
{
	gint64 per_sender = (gint64)conf_get_number(ctx->conf, "limits",
	    "urgent-per-sender");
	gint64 per_team = (gint64)conf_get_number(ctx->conf, "limits",
	    "urgent-per-team");
	gint64 n;

	*ok = TRUE;
	if ((n = store_urgent_count(ctx->st, from, 0, now - 3600,
	    error)) < 0)
		return FALSE;
	if (per_sender >= 0 && n >= per_sender) {
		*ok = FALSE;
		*why = g_strdup_printf("%s sent %" G_GINT64_FORMAT " urgent "
		    "mails this hour ([limits] urgent-per-sender)", from, n);
		return TRUE;
	}
	if ((n = store_urgent_count(ctx->st, NULL, team->id, now - 3600,
	    error)) < 0)
		return FALSE;
	if (per_team >= 0 && n >= per_team) {
		*ok = FALSE;
		*why = g_strdup_printf("team %s had %" G_GINT64_FORMAT " urgent "
		    "mails this hour ([limits] urgent-per-team)", team->name, n);
	}
	return TRUE;
}

gboolean
urgent_take(struct tidings_ctx *ctx, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autoptr(Team) team = NULL;
	g_autoptr(TeamAlerts) a = NULL;
	g_autoptr(GPtrArray) targets = NULL;
	g_autoptr(Urgent) u = NULL;
	g_autofree char *why = NULL, *list = NULL, *within = NULL;
	const char *machine = reply_no_answer(ctx, msg);
	struct urgent_mail m = { 0 };
	gboolean ok, done = FALSE;
	gint64 id;

	/* Never a loop: machines do not raise the alarm. */
	if (machine != NULL)
		return keep(ctx, t, machine, TRUE, error);
	if ((team = urgent_team(ctx, msg->command_team, msg->from, &why,
	    error)) == NULL)
		return error != NULL && *error != NULL ? FALSE :
		    keep(ctx, t, why, FALSE, error);
	if ((a = store_team_alerts_get(ctx->st, team->id, error)) == NULL ||
	    !may_send(ctx, team, a, msg->from, error)) {
		if (error != NULL && *error != NULL)
			return FALSE;
		why = g_strdup_printf("%s is neither a member of %s nor one of "
		    "its urgent-senders", msg->from, team->name);
		return keep(ctx, t, why, FALSE, error);
	}
	if (!within_limits(ctx, team, msg->from, t->now, &ok, &why, error))
		return FALSE;
	if (!store_urgent_add(ctx->st, team->id, t->id, msg->from,
	    msg->subject, ok ? "open" : "held", t->now, &id, error) ||
	    !store_message_bind(ctx->st, t->id, 0, TRUE, ok ? "urgent mail" :
	    why, error))
		return FALSE;
	if (!ok) {
		log_warnx("urgent %" G_GINT64_FORMAT ": held: %s", id, why);
		return store_urgent_step(ctx->st, id, "held", msg->from, why,
		    NULL, t->now, error) && refuse(ctx, t, why, TRUE, error);
	}
	if ((u = store_urgent_get(ctx->st, id, error)) == NULL ||
	    !mail_load(ctx, &m, u, team, error))
		goto out;
	within = duration_text(a->ack_within);
	m.ack_within = within;
	if ((targets = urgent_route_now(ctx->st, team->name, a, msg->from,
	    t->now, error)) == NULL)
		goto out;
	if (targets->len == 0) {
		/* Never back to its sender, owner or not. */
		g_autoptr(GHashTable) sender = g_hash_table_new(
		    g_str_hash, g_str_equal);
		g_hash_table_add(sender, msg->from);
		done = to_owners(ctx, &m, sender, "nobody in the team is in "
		    "working hours now", t->now, error);
		goto out;
	}
	list = targets_text(targets);
	log_info("urgent %" G_GINT64_FORMAT ": from %s to %s: %s", id,
	    msg->from, team->name, list);
	done = send_all(ctx, &m, targets, STEP_NOW, t->now, error) &&
	    store_urgent_set(ctx->st, id, "open", STEP_NOW,
	    t->now + a->ack_within, NULL, error);
out:
	mail_clear(&m);
	return done;
}

/* --- acknowledgements --------------------------------------------------- */

gboolean
urgent_says_ack(const char *line)
{
	static const char *const acks[] = {
		"ack", "acked", "ack'd", "on it", "taking it", "i'm on it",
		"im on it", "i am on it", "i'll take it", "i will take it",
		"i take it", "mine", "got it",
	};
	g_autofree char *folded = g_utf8_casefold(line != NULL ? line : "",
	    -1);
	char *s = g_strstrip(folded);
	size_t n = strlen(s);

	while (n > 0 && strchr(".!,;: ", s[n - 1]) != NULL)
		s[--n] = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(acks); i++)
		if (strcmp(s, acks[i]) == 0)
			return TRUE;
	return FALSE;
}

gboolean
urgent_is_reply(struct tidings_ctx *ctx, const struct message *msg)
{
	g_autofree char *email = NULL;
	gint64 id;

	return msg->token != NULL && msg->prompt_id == 0 &&
	    store_urgent_by_token(ctx->st, msg->token, &id, &email, NULL) &&
	    id > 0;
}

/* The first line of MSG's reply with anything on it. */
static char *
first_words(const struct message *msg)
{
	g_auto(GStrv) lines = g_strsplit(msg->reply != NULL ? msg->reply :
	    msg->text != NULL ? msg->text : "", "\n", -1);

	for (char **l = lines; *l != NULL; l++)
		if (*g_strstrip(*l) != '\0')
			return g_strdup(*l);
	return g_strdup("");
}

/* A reply to a copy that changes nothing: kept, with WHY. */
static gboolean
ignore(struct tidings_ctx *ctx, struct take *t, gint64 id, const char *why,
    GError **error)
{
	log_info("<%s>: a reply to urgent %" G_GINT64_FORMAT ": %s",
	    t->msg->message_id, id, why);
	return store_urgent_step(ctx->st, id, "ignored", t->msg->from, why,
	    NULL, t->now, error) && store_message_bind(ctx->st, t->id, 0,
	    FALSE, why, error);
}

gboolean
urgent_take_reply(struct tidings_ctx *ctx, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autofree char *email = NULL, *sub = NULL, *why = NULL, *line = NULL;
	g_autoptr(Urgent) u = NULL;
	g_autoptr(Team) team = NULL;
	g_autoptr(Person) p = NULL;
	GBytes *secret;
	const char *machine;
	gint64 id;

	if (!store_urgent_by_token(ctx->st, msg->token, &id, &email, error))
		return FALSE;
	if ((secret = tidings_ctx_secret(ctx, error)) == NULL)
		return FALSE;
	sub = token_subject(id, email);
	/* The row was found by the token; it must be the one signed for
	 * this mail and this recipient. */
	if (!token_check(secret, "urgent", sub, msg->token))
		return store_message_bind(ctx->st, t->id, 0, FALSE, "a reply "
		    "address not signed with this secret", error);
	/* An auto-reply is not an acknowledgement: never a loop. */
	if ((machine = reply_no_answer(ctx, msg)) != NULL)
		return ignore(ctx, t, id, machine, error);
	if (!trust_same_address(msg->from, email)) {
		why = g_strdup_printf("sent by %s, but the copy went to %s",
		    msg->from != NULL ? msg->from : "nobody", email);
		return ignore(ctx, t, id, why, error);
	}
	if (!trust_vouched(msg, msg->token, &why))
		return ignore(ctx, t, id, why, error);
	line = first_words(msg);
	if (!urgent_says_ack(line))
		return ignore(ctx, t, id, "not an acknowledgement", error);
	if ((u = store_urgent_get(ctx->st, id, error)) == NULL)
		return FALSE;
	if (strcmp(u->state, "taken") == 0) {
		g_free(why);
		why = g_strdup_printf("taken already by %s", u->taken_by);
		return ignore(ctx, t, id, why, error);
	}
	if ((team = store_team_get(ctx->st, u->team, error)) == NULL)
		return FALSE;
	p = store_person_get(ctx->st, email, NULL);
	log_info("urgent %" G_GINT64_FORMAT ": taken by %s", id, email);
	return store_message_bind(ctx->st, t->id, 0, TRUE, "an "
	    "acknowledgement of urgent mail", error) &&
	    store_urgent_set(ctx->st, id, "taken", u->step, 0, email, error) &&
	    store_urgent_step(ctx->st, id, "taken", email, line, NULL, t->now,
	    error) && tell_sender(ctx, team, u, "taken", p != NULL &&
	    *p->name != '\0' ? p->name : email, t->now, error);
}

/* --- escalation --------------------------------------------------------- */

static gboolean
escalate(struct tidings_ctx *ctx, const struct urgent *u, gint64 now,
    GError **error)
{
	g_autoptr(Team) team = store_team_get(ctx->st, u->team, error);
	g_autoptr(TeamAlerts) a = NULL;
	g_autoptr(GPtrArray) steps = NULL, next = NULL;
	g_autoptr(GHashTable) sent = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *within = NULL, *why = NULL, *list = NULL;
	struct urgent_mail m = { 0 };
	gboolean done = FALSE;

	if (team == NULL ||
	    (a = store_team_alerts_get(ctx->st, team->id, error)) == NULL ||
	    (steps = store_urgent_steps(ctx->st, u->id, error)) == NULL ||
	    !mail_load(ctx, &m, u, team, error))
		goto out;
	for (guint i = 0; i < steps->len; i++) {
		struct urgent_step *s = steps->pdata[i];
		if (strcmp(s->what, "sent") == 0 && s->email != NULL)
			g_hash_table_add(sent, s->email);
	}
	g_hash_table_add(sent, u->sender);
	within = duration_text(a->ack_within);
	m.ack_within = within;
	why = g_strdup_printf("nobody acknowledged it within %s", within);
	if (u->step == STEP_NOW) {
		if ((next = route_next(ctx->st, team->name, a, sent, now,
		    error)) == NULL)
			goto out;
		if (next->len > 0) {
			list = targets_text(next);
			log_info("urgent %" G_GINT64_FORMAT ": to the next "
			    "zone: %s", u->id, list);
			done = send_all(ctx, &m, next, STEP_NEXT, now, error) &&
			    store_urgent_set(ctx->st, u->id, "open", STEP_NEXT,
			    now + a->ack_within, NULL, error) &&
			    store_urgent_step(ctx->st, u->id, "escalated", NULL,
			    list, NULL, now, error) && tell_sender(ctx, team, u,
			    "escalated", list, now, error);
			goto out;
		}
	}
	done = to_owners(ctx, &m, sent, why, now, error);
out:
	mail_clear(&m);
	return done;
}

gboolean
urgent_tick(struct tidings_ctx *ctx, gint64 now, guint *steps,
    GError **error)
{
	g_autoptr(GPtrArray) due = store_urgent_due(ctx->st, now, error);

	if (steps != NULL)
		*steps = 0;
	if (due == NULL)
		return FALSE;
	for (guint i = 0; i < due->len; i++) {
		if (!escalate(ctx, due->pdata[i], now, error))
			return FALSE;
		if (steps != NULL)
			(*steps)++;
	}
	return TRUE;
}
