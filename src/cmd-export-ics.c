/* tidings export-ics: a team's working hours, busy and away time and
 * meetings as one iCalendar file that calendar programs import. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "context.h"
#include "clock.h"
#include "meet.h"
#include "store.h"
#include "tidings.h"

static char *opt_team;
static char *opt_member;
static char *opt_output;
static int opt_days = 28;
static gboolean opt_events;

static const GOptionEntry export_ics_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team", "TEAM" },
	{ "member", 'm', 0, G_OPTION_ARG_STRING, &opt_member,
	  "only this member's hours and busy time", "EMAIL" },
	{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
	  "write to FILE instead of standard output", "FILE" },
	{ "days", 0, 0, G_OPTION_ARG_INT, &opt_days,
	  "how many days of busy time (default 28)", "N" },
	{ "events", 'e', 0, G_OPTION_ARG_NONE, &opt_events,
	  "everything as events, as calendar subscriptions show them", NULL },
	G_OPTION_ENTRY_NULL
};

static int
export_ics_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *ics = NULL, *organizer = NULL;
	struct tidings_ctx env;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (opt_days < 1 || opt_days > 366)
		return cmd_usage(ctx, "--days %d is not from 1 to 366",
		    opt_days);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (tidings_ctx_init(&env, ctx->store, ctx->conf, NULL)) {
		organizer = meet_team_address(&env, opt_team);
		tidings_ctx_clear(&env);
	}
	if (organizer == NULL)
		organizer = g_strdup_printf("%s@localhost", opt_team);
	ics = opt_events ? meet_export_events(ctx->store, opt_team,
	    opt_member, organizer, clock_now(), opt_days, &error) :
	    meet_export(ctx->store, opt_team, opt_member, organizer,
	    clock_now(), opt_days, &error);
	if (ics == NULL)
		return cmd_fail(ctx, error);
	if (opt_output == NULL || strcmp(opt_output, "-") == 0) {
		fputs(ics, stdout);
		return EX_OK;
	}
	if (!g_file_set_contents(opt_output, ics, -1, &error)) {
		g_printerr("tidings: %s\n", error->message);
		return EX_CANTCREAT;
	}
	return EX_OK;
}

const struct cmd_entry cmd_export_ics_entry = {
	.name = "export-ics",
	.args = "--team TEAM [--member EMAIL] [-o FILE] [--days N] [--events]",
	.summary = "write a team's hours, busy time and meetings as .ics",
	.help = "Writes one VCALENDAR: each member's working hours (RFC 7953 "
	    "VAVAILABILITY,\nweekly in their zone), their busy and away time "
	    "(VFREEBUSY) over the next\ndays, and the team's meetings "
	    "(VEVENT), which Google Calendar, Outlook and\nApple Calendar "
	    "import.  With --events, all of it as VEVENTs, the form\n"
	    "calendars show when they subscribe to a feed: working hours "
	    "weekly in\neach member's zone (transparent), away, deep-work and "
	    "busy time\n(opaque), and the meetings.",
	.options = export_ics_options, .min_args = 0, .max_args = 0,
	.exec = export_ics_exec,
};
