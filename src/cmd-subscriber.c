/* tidings subscriber add|list|remove: a team's digest list, for owners. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "context.h"
#include "clock.h"
#include "columns.h"
#include "digest-run.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-subscription.h"
#include "subscription.h"
#include "tidings.h"
#include "value.h"

static char *opt_team;
static char *opt_format;
static char *opt_zone;
static char *opt_at;
static gboolean opt_confirmed;
static gboolean opt_quiet;

static const GOptionEntry add_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team whose digests to receive", "TEAM" },
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "alternative (text and HTML; the default), mime or plain", "FORMAT" },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the zone of the subscriber's morning (default: a member's own, "
	  "else the team's)", "ZONE" },
	{ "at", 0, 0, G_OPTION_ARG_STRING, &opt_at,
	  "when their copy leaves, HH:MM in that zone (default: a member's "
	  "start of work, else with the team's digest)", "HH:MM" },
	{ "confirmed", 0, 0, G_OPTION_ARG_NONE, &opt_confirmed,
	  "the person agreed already: no confirmation mail", NULL },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry set_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team whose digests", "TEAM" },
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "alternative, mime or plain", "FORMAT" },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the zone of the subscriber's morning, or 'default'", "ZONE" },
	{ "at", 0, 0, G_OPTION_ARG_STRING, &opt_at,
	  "when their copy leaves, HH:MM, or 'default'", "HH:MM" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry list_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team's list", "TEAM" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry remove_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team whose list to leave", "TEAM" },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
	  "do not tell the person by mail", NULL },
	G_OPTION_ENTRY_NULL
};

static int
with_env(struct cmd_ctx *ctx, struct tidings_ctx *env)
{
	g_autoptr(GError) error = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!tidings_ctx_init(env, ctx->store, ctx->conf, &error))
		return cmd_fail(ctx, error);
	return EX_OK;
}

/* Reads --format, --zone and --at into *format, *zone ("" for
 * "default") and *at (-2 not given, -1 "default"). */
static gboolean
delivery_options(const char **format, const char **zone, int *at,
    GError **error)
{
	*format = opt_format;
	*zone = opt_zone;
	*at = -2;
	if (opt_format != NULL && strcmp(opt_format, "alternative") != 0 &&
	    strcmp(opt_format, "mime") != 0 &&
	    strcmp(opt_format, "plain") != 0) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--format '%s' is not one of alternative, mime, plain",
		    opt_format);
		return FALSE;
	}
	if (opt_zone != NULL && strcmp(opt_zone, "default") == 0)
		*zone = "";
	else if (opt_zone != NULL && !value_zone(opt_zone, error)) {
		g_prefix_error(error, "--zone: ");
		return FALSE;
	}
	if (opt_at != NULL && strcmp(opt_at, "default") == 0)
		*at = -1;
	else if (opt_at != NULL && !value_time(opt_at, at, error)) {
		g_prefix_error(error, "--at: ");
		return FALSE;
	}
	return TRUE;
}

static int
subscriber_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Subscription) sub = NULL;
	g_autofree char *email = NULL;
	const char *format, *zone;
	struct tidings_ctx env;
	int at, rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if ((email = value_email(argv[1], &error)) == NULL)
		return cmd_usage(ctx, "%s", error->message);
	if (!delivery_options(&format, &zone, &at, &error))
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = with_env(ctx, &env)) != EX_OK)
		return rc;
	if (!store_begin(ctx->store, &error) ||
	    !subscription_request(&env, opt_team, email, format,
	    opt_confirmed, clock_now(), &sub, &error) ||
	    ((zone != NULL || at != -2) &&
	    !store_subscription_set_delivery(ctx->store, sub->id, zone, at,
	    NULL, &error)) ||
	    !store_commit(ctx->store, &error)) {
		store_rollback(ctx->store);
		tidings_ctx_clear(&env);
		return cmd_fail(ctx, error);
	}
	tidings_ctx_clear(&env);
	if (sub->state == SUB_ACTIVE)
		printf("%s receives the digests of %s\n", email, opt_team);
	else
		printf("asked %s to confirm the digests of %s\n", email,
		    opt_team);
	return EX_OK;
}

/* SUB's zone, hour and next copy as the list shows them: the hour is
 * "with digest" when the copy leaves with the team's digest; the next copy
 * is the one waiting in the outbox, else the one of the team's next
 * digest, in the subscriber's zone; "-" when none is coming. */
static gboolean
copy_columns(struct cmd_ctx *ctx, const struct subscription *sub, gint64 now,
    char **zone, char **at, char **next, GError **error)
{
	g_autoptr(Team) t = store_team_get(ctx->store, sub->team, error);
	struct sched_occurrence o;
	int minute;
	gint64 when;

	if (t == NULL)
		return FALSE;
	minute = sub->at_minute >= 0 ? sub->at_minute :
	    sub->member ? sub->work_start : -1;
	*zone = g_strdup(sub->zone != NULL ? sub->zone : sub->member ?
	    sub->person_zone : t->zone);
	*at = minute < 0 ? g_strdup("with digest") :
	    g_strdup_printf("%02d:%02d", minute / 60, minute % 60);
	if (sub->state != SUB_ACTIVE) {
		*next = g_strdup("-");
		return TRUE;
	}
	if ((when = store_outbox_waiting(ctx->store, "digest", sub->email,
	    error)) < 0)
		return FALSE;
	if (when == 0 && t->digest_rrule != NULL && sched_next(t->digest_rrule,
	    t->zone, t->created_at, now, &o, NULL))
		when = digest_copy_time(t, sub, o.at);
	*next = when == 0 ? g_strdup("-") : sched_format(*zone, when,
	    "%a %Y-%m-%d %H:%M");
	return TRUE;
}

static int
subscriber_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	struct columns *c;
	gint64 now;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((list = store_subscription_list(ctx->store, opt_team, FALSE,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	now = clock_now();
	if (list->len == 0) {
		printf("no subscribers; add one with 'tidings subscriber add "
		    "EMAIL --team TEAM'\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "TEAM", "EMAIL", "STATE",
	    "FORMAT", "ZONE", "AT", "NEXT COPY", "BOUNCES", "SINCE", "ENDED BY",
	    NULL });
	for (guint i = 0; i < list->len; i++) {
		struct subscription *s = list->pdata[i];
		g_autofree char *score = g_strdup_printf("%.2f",
		    s->bounce_score);
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
		    s->ended_at != 0 ? s->ended_at : s->confirmed_at != 0 ?
		    s->confirmed_at : s->requested_at);
		g_autofree char *since = g_date_time_format(t, "%Y-%m-%d");
		g_autofree char *zone = NULL, *at = NULL, *next = NULL;

		if (!copy_columns(ctx, s, now, &zone, &at, &next, &error)) {
			columns_free(c);
			return cmd_fail(ctx, error);
		}
		columns_add(c, s->team, s->email, sub_state_name(s->state),
		    s->format, zone,
		    at, next, score, since, s->ended_by != NULL ? s->ended_by :
		    "");
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
subscriber_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Subscription) sub = NULL;
	const char *format, *zone;
	int at, rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (!delivery_options(&format, &zone, &at, &error))
		return cmd_usage(ctx, "%s", error->message);
	if (format == NULL && zone == NULL && at == -2)
		return cmd_usage(ctx, "nothing to set: give --zone, --at or "
		    "--format");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((sub = store_subscription_get(ctx->store, opt_team, argv[1],
	    &error)) == NULL ||
	    !store_subscription_set_delivery(ctx->store, sub->id, zone, at,
	    format, &error))
		return cmd_fail(ctx, error);
	printf("%s: the digests of %s as set\n", argv[1], opt_team);
	return EX_OK;
}

static int
subscriber_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	struct tidings_ctx env;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if ((rc = with_env(ctx, &env)) != EX_OK)
		return rc;
	if (!store_begin(ctx->store, &error) ||
	    !subscription_end(&env, opt_team, argv[1], !opt_quiet,
	    clock_now(), &error) || !store_commit(ctx->store, &error)) {
		store_rollback(ctx->store);
		tidings_ctx_clear(&env);
		return cmd_fail(ctx, error);
	}
	tidings_ctx_clear(&env);
	printf("%s no longer receives the digests of %s\n", argv[1], opt_team);
	return EX_OK;
}

static const struct cmd_entry subscriber_add_entry = {
	.name = "add",
	.args = "EMAIL --team TEAM [--format FORMAT] [--zone ZONE] "
	    "[--at HH:MM] [--confirmed]",
	.summary = "subscribe someone to a team's digests",
	.help = "Sends EMAIL a mail to confirm with (double opt-in); with "
	    "--confirmed, for\nsomeone who agreed already, the digests start "
	    "at once.  Subscribers need\nnot be members.",
	.options = add_options, .min_args = 1, .max_args = 1,
	.exec = subscriber_add,
};
static const struct cmd_entry subscriber_set_entry = {
	.name = "set",
	.args = "EMAIL --team TEAM [--zone ZONE] [--at HH:MM] "
	    "[--format FORMAT]",
	.summary = "set when and how a subscriber's copies come",
	.help = "Each subscriber's copy of a digest leaves at their own hour "
	    "in their own zone,\non the person's workdays.  Without an hour "
	    "of their own, a member's copy\nleaves at the start of their "
	    "working hours, anyone else's with the digest.\n'default' "
	    "takes back a zone or hour of their own.",
	.options = set_options, .min_args = 1, .max_args = 1,
	.exec = subscriber_set,
};
static const struct cmd_entry subscriber_list_entry = {
	.name = "list", .args = "[--team TEAM]",
	.summary = "list subscribers, their state, hour, next copy and bounces",
	.options = list_options, .min_args = 0, .max_args = 0,
	.exec = subscriber_list,
};
static const struct cmd_entry subscriber_remove_entry = {
	.name = "remove", .args = "EMAIL --team TEAM [--quiet]",
	.summary = "end a subscription",
	.options = remove_options, .min_args = 1, .max_args = 1,
	.exec = subscriber_remove,
};

const struct cmd_entry cmd_subscriber_entry = {
	.name = "subscriber",
	.summary = "manage who receives a team's digests",
	.subs = (const struct cmd_entry *const[]){ &subscriber_add_entry,
	    &subscriber_set_entry, &subscriber_list_entry,
	    &subscriber_remove_entry, NULL },
};
