/* tidings subscriber add|list|remove: a team's digest list, for owners. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "context.h"
#include "clock.h"
#include "columns.h"
#include "store.h"
#include "subscription.h"
#include "tidings.h"
#include "value.h"

static char *opt_team;
static char *opt_format;
static gboolean opt_confirmed;
static gboolean opt_quiet;

static const GOptionEntry add_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team whose digests to receive", "TEAM" },
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "alternative (text and HTML; the default), mime or plain", "FORMAT" },
	{ "confirmed", 0, 0, G_OPTION_ARG_NONE, &opt_confirmed,
	  "the person agreed already: no confirmation mail", NULL },
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

static int
subscriber_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Subscription) sub = NULL;
	g_autofree char *email = NULL;
	struct tidings_ctx env;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if ((email = value_email(argv[1], &error)) == NULL)
		return cmd_usage(ctx, "%s", error->message);
	if (opt_format != NULL && strcmp(opt_format, "alternative") != 0 &&
	    strcmp(opt_format, "mime") != 0 && strcmp(opt_format, "plain") != 0)
		return cmd_usage(ctx, "--format '%s' is not one of alternative, "
		    "mime, plain", opt_format);
	if ((rc = with_env(ctx, &env)) != EX_OK)
		return rc;
	if (!store_begin(ctx->store, &error) ||
	    !subscription_request(&env, opt_team, email, opt_format,
	    opt_confirmed, clock_now(), &sub, &error) ||
	    !store_commit(ctx->store, &error)) {
		store_rollback(ctx->store);
		tidings_ctx_clear(&env);
		return cmd_fail(ctx, error);
	}
	tidings_ctx_clear(&env);
	if (strcmp(sub->state, "active") == 0)
		printf("%s receives the digests of %s\n", email, opt_team);
	else
		printf("asked %s to confirm the digests of %s\n", email,
		    opt_team);
	return EX_OK;
}

static int
subscriber_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((list = store_subscription_list(ctx->store, opt_team, FALSE,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	if (list->len == 0) {
		printf("no subscribers; add one with 'tidings subscriber add "
		    "EMAIL --team TEAM'\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "TEAM", "EMAIL", "STATE",
	    "FORMAT", "BOUNCES", "SINCE", "ENDED BY", NULL });
	for (guint i = 0; i < list->len; i++) {
		struct subscription *s = list->pdata[i];
		g_autofree char *score = g_strdup_printf("%.2f",
		    s->bounce_score);
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
		    s->ended_at != 0 ? s->ended_at : s->confirmed_at != 0 ?
		    s->confirmed_at : s->requested_at);
		g_autofree char *since = g_date_time_format(t, "%Y-%m-%d");
		columns_add(c, s->team, s->email, s->state, s->format, score,
		    since, s->ended_by != NULL ? s->ended_by : "");
	}
	columns_print(c, stdout);
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
	.args = "EMAIL --team TEAM [--format FORMAT] [--confirmed]",
	.summary = "subscribe someone to a team's digests",
	.help = "Sends EMAIL a mail to confirm with (double opt-in); with "
	    "--confirmed, for\nsomeone who agreed already, the digests start "
	    "at once.  Subscribers need\nnot be members.",
	.options = add_options, .min_args = 1, .max_args = 1,
	.exec = subscriber_add,
};
static const struct cmd_entry subscriber_list_entry = {
	.name = "list", .args = "[--team TEAM]",
	.summary = "list subscribers, their state and bounces",
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
	    &subscriber_list_entry, &subscriber_remove_entry, NULL },
};
