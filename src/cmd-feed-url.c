/* tidings feed-url: the address of a team's (or a member's) calendar
 * feed, to subscribe to in a calendar program. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "context.h"
#include "http.h"
#include "store.h"
#include "store-team.h"
#include "store-subscription.h"
#include "tidings.h"

static char *opt_team;
static char *opt_member;
static char *opt_reader;
static gboolean opt_new;

static const GOptionEntry feed_url_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team (required)", "TEAM" },
	{ "member", 'm', 0, G_OPTION_ARG_STRING, &opt_member,
	  "the feed of this member alone", "EMAIL" },
	{ "reader", 'r', 0, G_OPTION_ARG_STRING, &opt_reader,
	  "the archive link of this subscriber instead", "EMAIL" },
	{ "new", 'n', 0, G_OPTION_ARG_NONE, &opt_new,
	  "a new key, which revokes the one before", NULL },
	G_OPTION_ENTRY_NULL
};

/* The archive link of subscriber --reader. */
static int
archive_url(struct cmd_ctx *ctx, struct tidings_ctx *env)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Subscription) sub = NULL;
	g_autofree char *key = NULL, *path = NULL, *url = NULL;

	sub = store_subscription_get(ctx->store, opt_team, opt_reader, &error);
	if (sub == NULL || (key = http_key_get(env, "archive", opt_team,
	    sub->email, opt_new, clock_now(), &error)) == NULL) {
		tidings_ctx_clear(env);
		return cmd_fail(ctx, error);
	}
	tidings_ctx_clear(env);
	if (sub->state != SUB_ACTIVE)
		g_printerr("tidings: feed-url: %s's subscription is %s: the "
		    "link works only while it is active\n", sub->email,
		    sub_state_name(sub->state));
	path = g_strdup_printf("a/%s/?key=%s", opt_team, key);
	url = http_url(ctx->conf, path);
	printf("%s\n", url);
	return EX_OK;
}

static int
feed_url_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) members = NULL;
	g_autoptr(Team) t = NULL;
	g_autofree char *key = NULL, *path = NULL, *url = NULL;
	g_autofree char *escaped = NULL;
	struct tidings_ctx env;
	gboolean found = FALSE;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (opt_reader != NULL && opt_member != NULL)
		return cmd_usage(ctx, "--reader and --member exclude each "
		    "other");
	if (conf_get(ctx->conf, "http", "base-url") == NULL) {
		g_printerr("tidings: feed-url: set base-url in [http] of %s: "
		    "the address calendars reach tidings at\n",
		    conf_file(ctx->conf) != NULL ? conf_file(ctx->conf) :
		    "the configuration");
		return EX_CONFIG;
	}
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, opt_team, &error)) == NULL ||
	    (members = store_member_list(ctx->store, opt_team, &error)) ==
	    NULL)
		return cmd_fail(ctx, error);
	for (guint i = 0; opt_member != NULL && i < members->len; i++)
		if (g_ascii_strcasecmp(((struct person *)
		    members->pdata[i])->email, opt_member) == 0)
			found = TRUE;
	if (opt_member != NULL && !found) {
		g_printerr("tidings: feed-url: %s is not a member of %s\n",
		    opt_member, opt_team);
		return EX_DATAERR;
	}
	if (!tidings_ctx_init(&env, ctx->store, ctx->conf, &error))
		return cmd_fail(ctx, error);
	if (opt_reader != NULL)
		return archive_url(ctx, &env);
	key = http_key_get(&env, "feed", opt_team, opt_member != NULL ?
	    opt_member : "", opt_new, clock_now(), &error);
	tidings_ctx_clear(&env);
	if (key == NULL)
		return cmd_fail(ctx, error);
	if (opt_member != NULL) {
		g_autofree char *lower = g_ascii_strdown(opt_member, -1);
		escaped = g_uri_escape_string(lower, "@+", FALSE);
		path = g_strdup_printf("ics/member/%s.ics?key=%s", escaped,
		    key);
	} else {
		escaped = g_uri_escape_string(opt_team, NULL, FALSE);
		path = g_strdup_printf("ics/%s.ics?key=%s", escaped, key);
	}
	url = http_url(ctx->conf, path);
	printf("%s\n", url);
	if (g_str_has_prefix(url, "https://"))
		printf("webcal://%s\n", url + strlen("https://"));
	else if (g_str_has_prefix(url, "http://"))
		printf("webcal://%s\n", url + strlen("http://"));
	return EX_OK;
}

const struct cmd_entry cmd_feed_url_entry = {
	.name = "feed-url",
	.args = "--team TEAM [--member EMAIL | --reader EMAIL] [--new]",
	.summary = "print the address of a calendar feed, or of an archive link",
	.help = "Prints the https:// address of the calendar feed of TEAM (or "
	    "of one member),\nwhich Google Calendar, Outlook and Apple Calendar "
	    "subscribe to, and the\nsame as webcal://, which opens the "
	    "calendar program.  The address holds\na key: --new makes another, "
	    "and the one before stops working at once.\nWith --reader, "
	    "the link of a subscriber to the team's archive\n(/a/TEAM/), which "
	    "the welcome mail also carries; --new revokes it.\nNeeds base-url "
	    "in [http].",
	.flags = CMD_NEEDS_CONFIG,
	.options = feed_url_options,
	.min_args = 0,
	.max_args = 0,
	.exec = feed_url_exec,
};
