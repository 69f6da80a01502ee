/* tidings digest: a team's digest, printed or sent. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "context.h"
#include "clock.h"
#include "digest-run.h"
#include "digest.h"
#include "log.h"
#include "store.h"
#include "store-team.h"
#include "tidings.h"

static char *opt_team;
static char *opt_period;
static gboolean opt_print;
static gboolean opt_send;

static const GOptionEntry digest_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team", "TEAM" },
	{ "period", 'p', 0, G_OPTION_ARG_STRING, &opt_period,
	  "FROM..TO (dates in the team's zone, TO included), or a number of "
	  "days back such as 7d; default: since the last digest", "RANGE" },
	{ "print", 0, 0, G_OPTION_ARG_NONE, &opt_print,
	  "print it as text (the default)", NULL },
	{ "send", 0, 0, G_OPTION_ARG_NONE, &opt_send,
	  "send it to the team's subscribers now", NULL },
	G_OPTION_ENTRY_NULL
};

/* Midnight starting DATE (YYYY-MM-DD) in ZONE, or -1. */
static gint64
day_start(const char *date, const char *zone)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_autoptr(GDateTime) t = NULL;
	int y, m, d, n = 0;

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	if (sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    date[n] != '\0' || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m,
	    (GDateYear)y))
		return -1;
	t = g_date_time_new(tz, y, m, d, 0, 0, 0);
	return t != NULL ? g_date_time_to_unix(t) : -1;
}

/* --period as [start, end). */
static gboolean
parse_period(const char *text, const char *zone, gint64 now, gint64 *start,
    gint64 *end)
{
	g_auto(GStrv) parts = NULL;
	char *rest;
	gint64 days;

	days = g_ascii_strtoll(text, &rest, 10);
	if (days > 0 && days <= 3660 && strcmp(rest, "d") == 0) {
		*start = now - days * 86400;
		*end = now;
		return TRUE;
	}
	parts = g_strsplit(text, "..", 2);
	if (g_strv_length(parts) != 2)
		return FALSE;
	*start = day_start(parts[0], zone);
	*end = day_start(parts[1], zone);
	if (*start < 0 || *end < 0)
		return FALSE;
	*end += 86400;		/* TO is included */
	return *start < *end;
}

static int
digest_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	g_autoptr(Digest) d = NULL;
	g_autofree char *text = NULL;
	struct tidings_ctx env;
	gint64 now = clock_now(), start, end = now;
	gboolean claimed;
	guint mails;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (opt_print && opt_send)
		return cmd_usage(ctx, "--print and --send do not go together");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, opt_team, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (!tidings_ctx_init(&env, ctx->store, ctx->conf, &error))
		return cmd_fail(ctx, error);
	if (opt_period != NULL) {
		if (!parse_period(opt_period, t->zone, now, &start, &end)) {
			tidings_ctx_clear(&env);
			return cmd_usage(ctx, "--period '%s' is not a period: write "
			    "it as 2026-03-23..2026-03-29 or 7d", opt_period);
		}
	} else if (!digest_period(&env, opt_team, now, &start, &error))
		goto fail;
	if (opt_send) {
		if (!digest_send(&env, opt_team, start, end, now, &claimed,
		    &mails, &error))
			goto fail;
		if (claimed)
			printf("digest of %s queued for %u subscriber%s\n",
			    opt_team, mails, mails == 1 ? "" : "s");
		else
			printf("the digest of %s for that period went out "
			    "before\n", opt_team);
		tidings_ctx_clear(&env);
		return EX_OK;
	}
	if ((d = digest_build(ctx->store, opt_team, start, end,
	    &error)) == NULL ||
	    (text = digest_text(env.render, d, &error)) == NULL)
		goto fail;
	fputs(text, stdout);
	tidings_ctx_clear(&env);
	return EX_OK;
fail:
	tidings_ctx_clear(&env);
	return cmd_fail(ctx, error);
}

const struct cmd_entry cmd_digest_entry = {
	.name = "digest",
	.args = "--team TEAM [--period RANGE] [--print | --send]",
	.summary = "print a team's digest, or send it to its subscribers",
	.help = "The digest covers the answers received in the period: by "
	    "default since the\nlast digest sent.  --send queues it for every "
	    "active subscriber, once per\nperiod, as tidings run does on the "
	    "team's digest schedule ('tidings team set\nTEAM --digest ...').",
	.options = digest_options, .min_args = 0, .max_args = 0,
	.exec = digest_exec,
};
