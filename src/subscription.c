/* Digest lists; see subscription.h. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "context.h"
#include "digest.h"
#include "filter.h"
#include "http.h"
#include "log.h"
#include "render.h"
#include "replies.h"
#include "store.h"
#include "store-team.h"
#include "store-checkin.h"
#include "store-subscription.h"
#include "subscription.h"
#include "taker.h"
#include "token.h"
#include "value.h"

/* The token of PURPOSE (subscribe, unsubscribe) for EMAIL and TEAM. */
static char *
list_token(struct tidings_ctx *env, const char *purpose, const char *team,
    const char *email, GError **error)
{
	GBytes *secret = tidings_ctx_secret(env, error);
	g_autofree char *lower = NULL, *subject = NULL;

	if (secret == NULL)
		return NULL;
	lower = g_ascii_strdown(email, -1);
	subject = g_strdup_printf("%s %s", team, lower);
	return token_make(secret, purpose, subject);
}

/* Whether TOKEN is the one of PURPOSE for EMAIL and TEAM: the check that
 * follows every lookup by token, in constant time. */
static gboolean
token_matches(struct tidings_ctx *env, const char *purpose, const char *team,
    const char *email, const char *token)
{
	GBytes *secret = tidings_ctx_secret(env, NULL);
	g_autofree char *lower = NULL, *subject = NULL;

	if (secret == NULL)
		return FALSE;
	lower = g_ascii_strdown(email, -1);
	subject = g_strdup_printf("%s %s", team, lower);
	return token_check(secret, purpose, subject, token);
}

/* The link of EMAIL to TEAM's archive, with its key, when [http] has a
 * base-url; NULL otherwise.  Caller frees. */
static char *
archive_link(struct tidings_ctx *env, const char *team, const char *email)
{
	g_autofree char *key = NULL, *path = NULL;

	if (conf_get(env->conf, "http", "base-url") == NULL ||
	    (key = http_key_get(env, "archive", team, email, FALSE, 0,
	    NULL)) == NULL)
		return NULL;
	path = g_strdup_printf("a/%s/?key=%s", team, key);
	return http_url(env->conf, path);
}

/* LOCAL+TEAM-WHAT[-TOKEN]@DOMAIN.  Caller frees. */
static char *
list_address(struct tidings_ctx *env, const char *team, const char *what,
    const char *token)
{
	g_autofree char *detail = token != NULL ?
	    g_strdup_printf("%s-%s-%s", team, what, token) :
	    g_strdup_printf("%s-%s", team, what);

	return token_address(env->address, env->domain, detail);
}

static const char *
title_of(const struct team *t)
{
	return *t->title != '\0' ? t->title : t->name;
}

/* Queues template NAME with VARS to TO about TEAM, once per KEY, when
 * the reply policy lets the mail TK takes (NULL: none) have an answer. */
static gboolean
notice(struct tidings_ctx *env, struct take *tk, const struct team *team,
    const char *to,
    const char *reply_to, const char *name, struct render_vars *vars,
    const char *key, const char *in_reply_to, gint64 now, GError **error)
{
	g_autofree char *hash = g_compute_checksum_for_string(
	    G_CHECKSUM_SHA256, key, -1);
	g_autofree char *mid = g_strdup_printf("list-%.20s@%s", hash,
	    env->domain);
	g_autofree char *lid = reply_list_id(env, team);
	g_autofree char *subject = NULL;
	g_autofree char *marker = g_strdup_printf("list %s", name);
	g_autofree char *help = token_address(env->address, env->domain,
	    "help");
	g_autoptr(GBytes) raw = NULL;
	gboolean may;
	struct render_headers h = {
		.from_name = title_of(team),
		.from = env->address,
		.to = to,
		.reply_to = reply_to,
		.message_id = mid,
		.in_reply_to = in_reply_to,
		.list_id = lid,
		.auto_submitted = in_reply_to != NULL ? "auto-replied" : NULL,
		.marker = marker,
		.date = now,
	};

	if (!reply_may(env, tk, &may, error))
		return FALSE;
	if (!may)
		return TRUE;
	render_vars_set(vars, "team", team->name);
	render_vars_set(vars, "team_title", title_of(team));
	render_vars_set(vars, "address", env->address);
	render_vars_set(vars, "help_address", help);
	raw = render_mail(env->render, name, &h, vars, &subject, error);
	return raw != NULL && reply_queue(env, "list", key, to, raw, mid,
	    subject, now, error);
}

/* Sets in V when SUB's copies leave (at, zone: see digest_copy_time()),
 * its format and its settings address. */
static void
delivery_vars(struct tidings_ctx *env, const struct team *team,
    const struct subscription *sub, struct render_vars *v)
{
	int minute = sub->at_minute >= 0 ? sub->at_minute :
	    sub->member ? sub->work_start : -1;
	g_autofree char *at = minute < 0 ? g_strdup("") :
	    g_strdup_printf("%02d:%02d", minute / 60, minute % 60);
	g_autofree char *settings = list_address(env, team->name, "settings",
	    sub->token);

	render_vars_set(v, "at", at);
	render_vars_set(v, "zone", sub->zone != NULL ? sub->zone :
	    sub->member ? sub->person_zone : team->zone);
	render_vars_set(v, "format", sub->format);
	render_vars_set(v, "settings_address", settings);
}

static gboolean
welcome(struct tidings_ctx *env, struct take *tk, const struct team *team,
    const struct subscription *sub, const char *in_reply_to, gint64 now,
    GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *unsub = list_address(env, team->name, "unsubscribe",
	    sub->token);
	g_autofree char *key = g_strdup_printf("list-welcome:%" G_GINT64_FORMAT
	    ":%" G_GINT64_FORMAT, sub->id, now);
	g_autofree char *archive = archive_link(env, team->name, sub->email);

	render_vars_set(v, "unsubscribe_address", unsub);
	if (archive != NULL)
		render_vars_set(v, "archive_url", archive);
	delivery_vars(env, team, sub, v);
	return notice(env, tk, team, sub->email, NULL, "list-welcome", v, key,
	    in_reply_to, now, error);
}

static gboolean
request(struct tidings_ctx *env, struct take *tk, const char *team,
    const char *email, const char *format, gboolean confirmed, gint64 now,
    struct subscription **out, GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, team, error);
	g_autoptr(Subscription) sub = NULL;
	g_autofree char *unsub = NULL, *confirm = NULL, *address = NULL;
	g_autofree char *key = NULL;
	g_autoptr(RenderVars) v = NULL;
	gboolean was_active;

	if (t == NULL ||
	    (unsub = list_token(env, "unsubscribe", team, email, error)) == NULL ||
	    (confirm = list_token(env, "subscribe", team, email, error)) == NULL)
		return FALSE;
	if ((sub = store_subscription_get(env->st, team, email, NULL)) != NULL)
		was_active = sub->state == SUB_ACTIVE;
	else
		was_active = FALSE;
	g_clear_pointer(&sub, subscription_free);
	sub = store_subscription_request(env->st, team, email, unsub, format,
	    now, error);
	if (sub == NULL)
		return FALSE;
	if (confirmed && !was_active) {
		if (!store_subscription_set_state(env->st, sub->id, SUB_ACTIVE,
		    now, error) || !welcome(env, tk, t, sub, NULL, now, error))
			return FALSE;
		sub->state = SUB_ACTIVE;
	} else if (!was_active) {
		v = render_vars_new();
		address = list_address(env, team, "confirm", confirm);
		render_vars_set(v, "confirm_address", address);
		key = g_strdup_printf("list-confirm:%" G_GINT64_FORMAT ":%"
		    G_GINT64_FORMAT, sub->id, now);
		if (!notice(env, tk, t, email, address, "list-confirm", v, key,
		    NULL, now, error))
			return FALSE;
	}
	log_info("list %s: %s %s", team, email, was_active ?
	    "is subscribed already" : confirmed ? "subscribed" :
	    "asked to confirm");
	if (out != NULL)
		*out = g_steal_pointer(&sub);
	return TRUE;
}

static gboolean
end(struct tidings_ctx *env, struct take *tk, const char *team,
    const char *email, const char *how, gboolean notify, gint64 now,
    GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, team, error);
	g_autoptr(Subscription) sub = NULL;
	g_autoptr(RenderVars) v = NULL;
	g_autofree char *key = NULL, *again = NULL;

	if (t == NULL || (sub = store_subscription_get(env->st, team, email,
	    error)) == NULL)
		return FALSE;
	/* Again (a link followed twice): nothing more to do or say. */
	if (sub->state == SUB_UNSUBSCRIBED)
		return TRUE;
	if (!store_subscription_set_state(env->st, sub->id, SUB_UNSUBSCRIBED,
	    now, error) ||
	    !store_subscription_ended_by(env->st, sub->id, how, error))
		return FALSE;
	log_info("list %s: %s unsubscribed (%s)", team, email, how);
	if (!notify)
		return TRUE;
	v = render_vars_new();
	again = list_address(env, team, "subscribe", NULL);
	render_vars_set(v, "subscribe_address", again);
	key = g_strdup_printf("list-goodbye:%" G_GINT64_FORMAT ":%"
	    G_GINT64_FORMAT, sub->id, now);
	return notice(env, tk, t, sub->email, NULL, "list-goodbye", v, key, NULL,
	    now, error);
}

gboolean
subscription_request(struct tidings_ctx *env, const char *team,
    const char *email, const char *format, gboolean confirmed, gint64 now,
    struct subscription **out, GError **error)
{
	return request(env, NULL, team, email, format, confirmed, now, out,
	    error);
}

gboolean
subscription_end(struct tidings_ctx *env, const char *team,
    const char *email, gboolean notify, gint64 now, GError **error)
{
	return end(env, NULL, team, email, "tidings subscriber remove", notify,
	    now, error);
}

gboolean
subscription_end_by(struct tidings_ctx *env, const struct subscription *sub,
    const char *how, gint64 now, GError **error)
{
	return end(env, NULL, sub->team, sub->email, how, TRUE, now, error);
}

struct subscription *
subscription_by_link(struct tidings_ctx *env, const char *token,
    GError **error)
{
	g_autoptr(Subscription) sub = NULL;

	if (strlen(token) != TOKEN_LENGTH ||
	    (sub = store_subscription_by_token(env->st, token, error)) ==
	    NULL)
		goto none;
	if (token_matches(env, "unsubscribe", sub->team, sub->email, token))
		return g_steal_pointer(&sub);
none:
	if (error != NULL && *error == NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "no subscription has this link");
	return NULL;
}

char **
subscription_list_headers(struct tidings_ctx *env,
    const struct subscription *sub, GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, sub->team, error);
	g_autofree char *unsub = NULL, *subscribe = NULL;
	g_autofree char *help = NULL, *link = NULL, *web = NULL;
	const char *base = conf_get(env->conf, "http", "base-url");
	GPtrArray *h;

	if (t == NULL)
		return NULL;
	unsub = list_address(env, sub->team, "unsubscribe", sub->token);
	/* RFC 8058: with a web address, one POST to the link ends the
	 * subscription, as Gmail and Yahoo do it from their own button. */
	if (base != NULL)
		link = g_strdup_printf("%s%su/%s", base,
		    g_str_has_suffix(base, "/") ? "" : "/", sub->token);
	subscribe = list_address(env, sub->team, "subscribe", NULL);
	help = token_address(env->address, env->domain, "help");
	h = g_ptr_array_new();
	g_ptr_array_add(h, g_strdup("List-Unsubscribe"));
	if (link != NULL) {
		g_ptr_array_add(h, g_strdup_printf("<%s>, "
		    "<mailto:%s?subject=unsubscribe>", link, unsub));
		g_ptr_array_add(h, g_strdup("List-Unsubscribe-Post"));
		g_ptr_array_add(h, g_strdup("List-Unsubscribe=One-Click"));
	} else
		g_ptr_array_add(h, g_strdup_printf(
		    "<mailto:%s?subject=unsubscribe>", unsub));
	g_ptr_array_add(h, g_strdup("List-Subscribe"));
	g_ptr_array_add(h, g_strdup_printf("<mailto:%s?subject=subscribe>",
	    subscribe));
	/* Advertised only where it leads somewhere: the web archive. */
	if ((web = archive_link(env, sub->team, sub->email)) != NULL) {
		g_ptr_array_add(h, g_strdup("List-Archive"));
		g_ptr_array_add(h, g_strdup_printf("<%s>", web));
	}
	g_ptr_array_add(h, g_strdup("List-Help"));
	g_ptr_array_add(h, g_strdup_printf("<mailto:%s>", help));
	g_ptr_array_add(h, g_strdup("List-Post"));
	g_ptr_array_add(h, g_strdup("NO"));
	g_ptr_array_add(h, g_strdup("Precedence"));
	g_ptr_array_add(h, g_strdup("list"));
	g_ptr_array_add(h, NULL);
	return (char **)g_ptr_array_free(h, FALSE);
}

/* --- mail ---------------------------------------------------------------- */

static gboolean
team_exists(struct tidings_ctx *env, const char *name)
{
	g_autoptr(Team) t = NULL;

	if (name == NULL)
		return FALSE;
	t = store_team_get(env->st, name, NULL);
	return t != NULL;
}

/* The team a digest named in MSG's references belongs to, or NULL. */
static char *
digest_team(struct tidings_ctx *env, const struct message *msg)
{
	g_autoptr(DigestSent) d = digest_replied(env->st, msg);

	return d != NULL ? g_strdup(d->team) : NULL;
}

/* The list command of a mail to LOCAL+TEAM@: its subject or first line. */
static enum answer_command
command_of_text(const struct message *msg)
{
	const char *text = msg->reply != NULL ? msg->reply : msg->text;
	g_autofree char *arg = NULL, *line = NULL;
	enum answer_command c;
	const char *end;

	c = answer_parse_command(msg->subject, &arg);
	if (c == ANSWER_COMMAND_SUBSCRIBE || c == ANSWER_COMMAND_UNSUBSCRIBE)
		return c;
	g_clear_pointer(&arg, g_free);
	while (text != NULL && (*text == '\n' || *text == ' '))
		text++;
	end = text != NULL ? strchr(text, '\n') : NULL;
	line = text == NULL ? NULL : end != NULL ?
	    g_strndup(text, (gsize)(end - text)) : g_strdup(text);
	c = answer_parse_command(line, &arg);
	return c == ANSWER_COMMAND_SUBSCRIBE || c == ANSWER_COMMAND_UNSUBSCRIBE ?
	    c : ANSWER_COMMAND_NONE;
}

/* What MSG asks of which team's list: NONE when it is no list command.
 * *team is set (caller frees). */
static enum answer_command
list_command(struct tidings_ctx *env, const struct message *msg, char **team)
{
	enum answer_command c = msg->command;

	*team = NULL;
	switch (c) {
	case ANSWER_COMMAND_SUBSCRIBE:
	case ANSWER_COMMAND_UNSUBSCRIBE:
	case ANSWER_COMMAND_CONFIRM:
	case ANSWER_COMMAND_SETTINGS:
		*team = msg->command_team != NULL ?
		    g_strdup(msg->command_team) : digest_team(env, msg);
		if (*team == NULL && msg->prompt_id != 0) {
			g_autoptr(Prompt) p = store_prompt_get(env->st,
			    msg->prompt_id, NULL);
			g_autoptr(Checkin) ci = p != NULL ? store_checkin_get(
			    env->st, p->checkin_id, NULL) : NULL;
			if (ci != NULL)
				*team = g_strdup(ci->team);
		}
		return c;
	case ANSWER_COMMAND_UNKNOWN:
		/* LOCAL+TEAM@ with the command in the subject or text. */
		if (!team_exists(env, msg->command_arg))
			return ANSWER_COMMAND_NONE;
		*team = g_strdup(msg->command_arg);
		return command_of_text(msg);
	case ANSWER_COMMAND_NONE:
		if (msg->prompt_id != 0 || !team_exists(env, msg->token))
			return ANSWER_COMMAND_NONE;
		*team = g_strdup(msg->token);
		return command_of_text(msg);
	default:
		return ANSWER_COMMAND_NONE;
	}
}

gboolean
subscription_is_command(struct tidings_ctx *env, const struct message *msg)
{
	g_autofree char *team = NULL;

	return list_command(env, msg, &team) != ANSWER_COMMAND_NONE ||
	    (team != NULL && msg->command == ANSWER_COMMAND_UNKNOWN);
}

static gboolean
refuse(struct tidings_ctx *env, struct take *tk, const char *line,
    const char *reason, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();

	render_vars_set(v, "line", line);
	render_vars_set(v, "reason", reason);
	return reply_send(env, tk, "reply-error", v, error);
}

static gboolean
take_confirm(struct tidings_ctx *env, struct take *tk, const struct team *t,
    GError **error)
{
	const struct message *msg = tk->msg;
	gint64 id = tk->id, now = tk->now;
	g_autoptr(Subscription) sub = NULL;

	if (tidings_ctx_secret(env, error) == NULL)
		return FALSE;
	/* The token says who asked: a confirmation from anyone else, or for
	 * another team, changes nothing. */
	if (!token_matches(env, "subscribe", t->name, msg->from,
	    msg->command_token) ||
	    (sub = store_subscription_get(env->st, t->name, msg->from,
	    NULL)) == NULL) {
		log_warnx("<%s>: list %s: a confirmation from %s that is not "
		    "theirs: ignored", msg->message_id, t->name, msg->from);
		return store_message_bind(env->st, id, 0, FALSE,
		    "a list confirmation whose token is not the sender's",
		    error);
	}
	if (sub->state == SUB_ACTIVE)
		return TRUE;
	if (!store_subscription_set_state(env->st, sub->id, SUB_ACTIVE, now,
	    error))
		return FALSE;
	log_info("list %s: %s confirmed", t->name, msg->from);
	return welcome(env, tk, t, sub, msg->message_id, now, error);
}

static gboolean
take_unsubscribe(struct tidings_ctx *env, struct take *tk,
    const struct team *t, GError **error)
{
	const struct message *msg = tk->msg;
	gint64 id = tk->id, now = tk->now;
	g_autoptr(Subscription) sub = NULL;
	g_autoptr(RenderVars) v = NULL;
	g_autofree char *address = NULL, *key = NULL;

	if (msg->command_token != NULL) {
		/* The List-Unsubscribe address: its token is enough, from
		 * whatever address the mail program sends. */
		sub = store_subscription_by_token(env->st, msg->command_token,
		    NULL);
		if (sub == NULL || strcmp(sub->team, t->name) != 0 ||
		    !token_matches(env, "unsubscribe", sub->team, sub->email,
		    msg->command_token)) {
			log_warnx("<%s>: list %s: an unsubscribe token that "
			    "matches no subscription", msg->message_id,
			    t->name);
			return TRUE;
		}
		return end(env, tk, t->name, sub->email,
		    "a mail to the List-Unsubscribe address", TRUE, now,
		    error);
	}
	sub = store_subscription_get(env->st, t->name, msg->from, NULL);
	if (sub == NULL || sub->state != SUB_ACTIVE) {
		g_autofree char *why = g_strdup_printf("%s is not subscribed "
		    "to the digests of %s", msg->from, title_of(t));
		return refuse(env, tk, "unsubscribe", why, error);
	}
	/* Without the token: confirm by a reply to the address that has
	 * it, which only the subscriber receives. */
	v = render_vars_new();
	address = list_address(env, t->name, "unsubscribe", sub->token);
	render_vars_set(v, "unsubscribe_address", address);
	key = g_strdup_printf("list-unsubscribe:%" G_GINT64_FORMAT,
	    (gint64)id);
	return notice(env, tk, t, sub->email, address, "list-unsubscribe", v, key,
	    msg->message_id, now, error);
}

/* When and how a subscriber's copies come, as lines of a mail. */
struct settings {
	char *zone;		/* NULL: not given; "": back to the default */
	int at;			/* -2: not given; -1: back to the default */
	char *format;		/* NULL: not given */
	char *bad_line;		/* the first line that could not be read */
	char *bad;		/* and why */
};

static void
settings_clear(struct settings *set)
{
	g_free(set->zone);
	g_free(set->format);
	g_free(set->bad_line);
	g_free(set->bad);
}

/* The settings lines of TEXT ("zone Asia/Kolkata", "at 08:30", "format
 * mime", "at default"), one a line, any other line left aside; FALSE when
 * a settings line cannot be read (set->bad_line, set->bad). */
static gboolean
settings_parse(const char *text, struct settings *set)
{
	g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);

	memset(set, 0, sizeof *set);
	set->at = -2;
	for (char **l = lines; *l != NULL; l++) {
		g_autofree char *line = g_strstrip(g_strdup(*l));
		g_autoptr(GError) err = NULL;
		char *arg = line + strcspn(line, " \t");

		if (*arg != '\0')
			*arg++ = '\0';
		arg = g_strstrip(arg);
		if (g_ascii_strcasecmp(line, "zone") == 0 && *arg != '\0') {
			g_free(set->zone);
			if (g_ascii_strcasecmp(arg, "default") == 0)
				set->zone = g_strdup("");
			else if (value_zone(arg, &err))
				set->zone = g_strdup(arg);
			else
				set->zone = NULL;
		} else if (g_ascii_strcasecmp(line, "at") == 0 &&
		    *arg != '\0') {
			if (g_ascii_strcasecmp(arg, "default") == 0)
				set->at = -1;
			else
				(void)value_time(arg, &set->at, &err);
		} else if (g_ascii_strcasecmp(line, "format") == 0 &&
		    *arg != '\0') {
			static const char *const formats[] = {
				"alternative", "mime", "plain",
			};
			g_free(set->format);
			set->format = NULL;
			for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
				if (g_ascii_strcasecmp(arg, formats[i]) == 0)
					set->format = g_strdup(formats[i]);
			if (set->format == NULL)
				g_set_error(&err, VALUE_ERROR,
				    VALUE_ERROR_INVALID, "the formats are "
				    "alternative, mime and plain");
		} else
			continue;
		if (err != NULL) {
			set->bad_line = g_strdup_printf("%s %s", line, arg);
			set->bad = g_strdup(err->message);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
settings_given(const struct settings *set)
{
	return set->zone != NULL || set->at != -2 || set->format != NULL;
}

/* Tells SUB of TEAM (at its own address) how its copies come, after
 * SET changed them, or why it did not (set->bad), or (HINT) where to
 * change them. */
static gboolean
settings_notice(struct tidings_ctx *env, struct take *tk,
    const struct team *team, const struct subscription *sub,
    const struct settings *set, gboolean hint, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *key = g_strdup_printf("list-settings:%" G_GINT64_FORMAT
	    ":%" G_GINT64_FORMAT, sub->id, tk->id);

	delivery_vars(env, team, sub, v);
	render_vars_set(v, "error", set != NULL ? set->bad : NULL);
	render_vars_set(v, "error_line", set != NULL ? set->bad_line : NULL);
	render_vars_set(v, "hint", hint ? "1" : "");
	return notice(env, tk, team, sub->email, NULL, "list-settings", v, key,
	    tk->msg->message_id, tk->now, error);
}

/* A mail to LOCAL+TEAM-settings-TOKEN@, the subscriber's own: its token
 * is their authority, as the List-Unsubscribe address's is. */
static gboolean
take_settings(struct tidings_ctx *env, struct take *tk, const struct team *t,
    GError **error)
{
	const struct message *msg = tk->msg;
	g_autoptr(Subscription) sub = NULL, now = NULL;
	struct settings set;
	gboolean ok;

	sub = store_subscription_by_token(env->st, msg->command_token, NULL);
	if (sub == NULL || strcmp(sub->team, t->name) != 0 ||
	    !token_matches(env, "unsubscribe", sub->team, sub->email,
	    msg->command_token)) {
		log_warnx("<%s>: list %s: a settings token that matches no "
		    "subscription", msg->message_id, t->name);
		return store_message_bind(env->st, tk->id, 0, FALSE, "a "
		    "settings address whose token matches no subscription",
		    error);
	}
	ok = settings_parse(msg->reply != NULL ? msg->reply : msg->text, &set);
	if (ok && settings_given(&set)) {
		if (!store_subscription_set_delivery(env->st, sub->id, set.zone,
		    set.at, set.format, error)) {
			settings_clear(&set);
			return FALSE;
		}
		log_info("list %s: %s changed when and how the digests come",
		    t->name, sub->email);
	}
	now = store_subscription_get(env->st, t->name, sub->email, error);
	ok = now != NULL && settings_notice(env, tk, t, now, ok ? NULL : &set,
	    FALSE, error);
	settings_clear(&set);
	return ok;
}

/* A subscribe request, with settings lines (kept on the request, so that
 * they hold once it is confirmed); for an address subscribed already,
 * where its own settings address is. */
static gboolean
take_subscribe(struct tidings_ctx *env, struct take *tk, const struct team *t,
    GError **error)
{
	const struct message *msg = tk->msg;
	g_autoptr(Subscription) sub = NULL, before = NULL;
	struct settings set;
	gboolean ok;

	if (!settings_parse(msg->reply != NULL ? msg->reply : msg->text,
	    &set)) {
		g_autofree char *line = g_strdup(set.bad_line);
		g_autofree char *why = g_strdup(set.bad);
		settings_clear(&set);
		return refuse(env, tk, line, why, error);
	}
	before = store_subscription_get(env->st, t->name, msg->from, NULL);
	ok = request(env, tk, t->name, msg->from, NULL, FALSE, tk->now, &sub,
	    error);
	if (ok && settings_given(&set)) {
		if (before != NULL && before->state == SUB_ACTIVE)
			/* Only its owner may change it: told where, at the
			 * subscribed address. */
			ok = settings_notice(env, tk, t, before, NULL, TRUE,
			    error);
		else
			ok = store_subscription_set_delivery(env->st, sub->id,
			    set.zone, set.at, set.format, error);
	}
	settings_clear(&set);
	return ok;
}

static gboolean
take_command(struct tidings_ctx *env, struct take *tk, GError **error)
{
	const struct message *msg = tk->msg;
	gint64 id = tk->id;
	g_autofree char *team = NULL;
	enum answer_command c = list_command(env, msg, &team);
	g_autoptr(Team) t = NULL;
	g_autoptr(GError) err = NULL;

	if (reply_no_answer(env, msg) != NULL)
		return TRUE;	/* never act on a machine's word */
	if (team != NULL)
		t = store_team_get(env->st, team, &err);
	if (t == NULL) {
		g_autofree char *why = g_strdup_printf("there is no team %s",
		    team != NULL ? team : "named in this mail");
		log_info("<%s>: list: %s", msg->message_id, why);
		return refuse(env, tk, answer_command_name(c), why, error);
	}
	if (c == ANSWER_COMMAND_NONE) {
		g_autofree char *why = g_strdup_printf("a mail to the list of "
		    "%s takes \"subscribe\" or \"unsubscribe\" as its subject "
		    "or first line", title_of(t));
		return refuse(env, tk, msg->subject, why, error);
	}
	if (!store_message_bind(env->st, id, 0, FALSE, "a list command",
	    error))
		return FALSE;
	switch (c) {
	case ANSWER_COMMAND_SUBSCRIBE:
		return take_subscribe(env, tk, t, error);
	case ANSWER_COMMAND_CONFIRM:
		return take_confirm(env, tk, t, error);
	case ANSWER_COMMAND_SETTINGS:
		return take_settings(env, tk, t, error);
	default:
		return take_unsubscribe(env, tk, t, error);
	}
}

/* Tells the owners of SUB's team that its delivery stopped. */
static gboolean
tell_owners(struct tidings_ctx *env, struct take *tk,
    const struct subscription *sub,
    const struct bounce_recipient *r, gint64 now, GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, sub->team, error);
	g_autoptr(GPtrArray) members = NULL;

	if (t == NULL || (members = store_member_list(env->st, sub->team,
	    error)) == NULL)
		return FALSE;
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_autoptr(RenderVars) v = NULL;
		g_autofree char *key = NULL, *score = NULL;

		if (g_strcmp0(p->role, "owner") != 0)
			continue;
		v = render_vars_new();
		score = g_strdup_printf("%.2f", sub->bounce_score);
		render_vars_set(v, "member_name", *p->name != '\0' ? p->name :
		    p->email);
		render_vars_set(v, "subscriber", sub->email);
		render_vars_set(v, "status", r->status);
		render_vars_set(v, "diagnostic", r->diagnostic);
		render_vars_set(v, "score", score);
		key = g_strdup_printf("list-disabled:%" G_GINT64_FORMAT ":%s",
		    sub->id, p->email);
		if (!notice(env, tk, t, p->email, NULL, "list-disabled", v, key,
		    NULL, now, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
subscription_bounced(struct tidings_ctx *env, struct take *tk,
    const struct bounce_recipient *r, GError **error)
{
	double limit = conf_get_number(env->conf, "digests",
	    "bounce-threshold");
	g_autoptr(GPtrArray) subs = store_subscription_of(env->st, r->address,
	    error);

	if (subs == NULL)
		return FALSE;
	for (guint k = 0; k < subs->len; k++) {
		struct subscription *sub = subs->pdata[k];
		/* A full mailbox passes; a dead address does not. */
		sub->bounce_score = store_subscription_bounce(env->st,
		    sub->id, r->hard ? 1.0 : 0.25, error);
		if (sub->bounce_score < 0)
			return FALSE;
		log_info("list %s: %s bounced (%s, %s): score %.2f",
		    sub->team, sub->email, r->status != NULL ?
		    r->status : "no status", r->hard ? "hard" : "soft",
		    sub->bounce_score);
		if (sub->bounce_score < limit)
			continue;
		log_warnx("list %s: delivery to %s stopped after its "
		    "bounces", sub->team, sub->email);
		if (!store_subscription_set_state(env->st, sub->id,
		    SUB_DISABLED, tk->now, error) ||
		    !tell_owners(env, tk, sub, r, tk->now, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
subscription_take(struct tidings_ctx *env, struct take *t, GError **error)
{
	return take_command(env, t, error);
}
