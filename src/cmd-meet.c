/* tidings meet: a meeting for a team at the best time across its zones,
 * an invitation by mail to every member; --show and --cancel. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "context.h"
#include "clock.h"
#include "columns.h"
#include "conf.h"
#include "log.h"
#include "meet.h"
#include "outbox.h"
#include "schedule.h"
#include "store-meet.h"
#include "store.h"
#include "store-team.h"
#include "tidings.h"

static char *opt_team;
static char *opt_duration;
static char *opt_within;
static char *opt_title;
static char *opt_show;
static char *opt_cancel;
static char *opt_accept;
static char *opt_from;
static gboolean opt_dry_run;

static const GOptionEntry meet_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "the team to meet", "TEAM" },
	{ "duration", 'd', 0, G_OPTION_ARG_STRING, &opt_duration,
	  "how long (30m, 1h; default 30m)", "DURATION" },
	{ "within", 'w', 0, G_OPTION_ARG_STRING, &opt_within,
	  "how far ahead to look (default 5d)", "DURATION" },
	{ "title", 0, 0, G_OPTION_ARG_STRING, &opt_title,
	  "the meeting's title (default: TEAM sync)", "TITLE" },
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt_dry_run,
	  "say which slot, send nothing", NULL },
	{ "show", 0, 0, G_OPTION_ARG_STRING, &opt_show,
	  "each attendee's answer and proposal for meeting UID", "UID" },
	{ "cancel", 0, 0, G_OPTION_ARG_STRING, &opt_cancel,
	  "cancel meeting UID: a CANCEL to every attendee", "UID" },
	{ "accept", 0, 0, G_OPTION_ARG_STRING, &opt_accept,
	  "move meeting UID to the time proposed (the latest proposal, or "
	  "--from's) and send the update to every attendee", "UID" },
	{ "from", 0, 0, G_OPTION_ARG_STRING, &opt_from,
	  "with --accept: the proposal of this attendee", "EMAIL" },
	G_OPTION_ENTRY_NULL
};

/* Sends what is queued, when [smtp] is set. */
static int
deliver(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	struct outbox_stats os = { 0 };
	int rc;

	if (conf_get(ctx->conf, "smtp", "host") == NULL) {
		log_warnx("meet: no host in [smtp]: the mail waits in the "
		    "outbox");
		return EX_OK;
	}
	if (!outbox_deliver(ctx->store, ctx->conf, clock_now(), &os, &error)) {
		log_warnx("meet: sending: %s", error->message);
		outbox_stats_clear(&os);
		return EX_TEMPFAIL;
	}
	printf("%u sent, %u waiting, %u failed\n", os.sent, os.waiting,
	    os.failed);
	rc = os.waiting > 0 ? EX_TEMPFAIL : EX_OK;
	outbox_stats_clear(&os);
	return rc;
}

static int
meet_fail(struct cmd_ctx *ctx, GError *error)
{
	if (error->domain == MEET_ERROR) {
		log_warnx("%s", error->message);
		return error->code == MEET_ERROR_NO_SLOT ? EX_UNAVAILABLE :
		    EX_DATAERR;
	}
	return cmd_fail(ctx, error);
}

static void
print_slot(struct cmd_ctx *ctx, const struct meet_slot *slot)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) members = store_member_list(ctx->store, opt_team,
	    &error);

	printf("%u of %u in working hours", slot->working, slot->members);
	if (slot->away->len > 0)
		printf(", %u away", slot->away->len);
	printf("\n");
	for (guint i = 0; members != NULL && i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_autofree char *s = sched_format(p->zone, slot->start,
		    "%a %-d %b %H:%M");
		g_autofree char *e = sched_format(p->zone, slot->end, "%H:%M");
		const char *note = "";

		for (guint k = 0; k < slot->away->len; k++)
			if (g_ascii_strcasecmp(slot->away->pdata[k],
			    p->email) == 0)
				note = " (away)";
		for (guint k = 0; k < slot->off->len; k++)
			if (g_ascii_strcasecmp(slot->off->pdata[k],
			    p->email) == 0)
				note = " (outside working hours)";
		printf("  %-28s %s-%s %s%s\n", p->email, s, e, p->zone, note);
	}
}

static int
meet_new(struct cmd_ctx *ctx, struct tidings_ctx *env)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) s = NULL;
	g_autofree char *uid = NULL, *title = NULL, *when = NULL;
	gint64 duration = conf_parse_seconds(opt_duration != NULL ?
	    opt_duration : "30m");
	gint64 within = conf_parse_seconds(opt_within != NULL ? opt_within :
	    "5d");
	struct meet_slot slot;
	int rc;

	if (opt_team == NULL)
		return cmd_usage(ctx, "--team is required");
	if (duration < MEET_STEP || duration > 86400)
		return cmd_usage(ctx, "--duration '%s' is not a length from 15m "
		    "to 1d", opt_duration);
	if (within < duration || within > 60 * 86400)
		return cmd_usage(ctx, "--within '%s' is not a window from the "
		    "duration to 60d", opt_within);
	title = g_strdup(opt_title != NULL ? opt_title : NULL);
	if (title == NULL)
		title = g_strdup_printf("%s sync", opt_team);
	if (!meet_pick(ctx->store, opt_team, clock_now(), duration, within,
	    &slot, &error))
		return meet_fail(ctx, error);
	s = g_date_time_new_from_unix_utc(slot.start);
	when = g_date_time_format(s, "%Y-%m-%d %H:%M UTC");
	printf("%s: %s\n", opt_dry_run ? "best slot" : "meeting", when);
	print_slot(ctx, &slot);
	if (opt_dry_run) {
		meet_slot_clear(&slot);
		return EX_OK;
	}
	if (!meet_request(env, opt_team, &slot, title, clock_now(), &uid,
	    &error)) {
		meet_slot_clear(&slot);
		return meet_fail(ctx, error);
	}
	meet_slot_clear(&slot);
	printf("invited %s: %s\n", opt_team, uid);
	rc = deliver(ctx);
	return rc;
}

static const char *
partstat_word(const char *p)
{
	if (p == NULL || strcmp(p, "NEEDS-ACTION") == 0)
		return "no answer";
	if (strcmp(p, "ACCEPTED") == 0)
		return "accepted";
	if (strcmp(p, "DECLINED") == 0)
		return "declined";
	if (strcmp(p, "TENTATIVE") == 0)
		return "tentative";
	return p;
}

static int
meet_show(struct cmd_ctx *ctx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Meeting) mt = store_meeting_get(ctx->store, opt_show, &error);
	g_autoptr(GPtrArray) attendees = NULL;
	g_autoptr(GDateTime) s = NULL;
	g_autofree char *when = NULL;
	struct columns *c;

	if (mt == NULL || (attendees = store_attendee_list(ctx->store, mt->id,
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	s = g_date_time_new_from_unix_utc(mt->starts_at);
	when = g_date_time_format(s, "%Y-%m-%d %H:%M UTC");
	printf("%s (%s), %s, %d minutes: %s, sequence %d\n", mt->title,
	    mt->team, when, (int)((mt->ends_at - mt->starts_at) / 60),
	    mt->state, mt->sequence);
	c = columns_new((const char *const[]){ "ATTENDEE", "STATUS", "LOCAL",
	    "PROPOSED", "COMMENT", NULL });
	for (guint i = 0; i < attendees->len; i++) {
		const struct attendee *a = attendees->pdata[i];
		g_autofree char *local = sched_format(a->zone, mt->starts_at,
		    "%a %H:%M");
		g_autofree char *proposed = a->counter_start == 0 ?
		    g_strdup("-") : sched_format(a->zone, a->counter_start,
		    "%a %-d %b %H:%M");
		g_autofree char *comment = g_strdup(a->comment != NULL ?
		    a->comment : "");

		g_strdelimit(comment, "\r\n\t", ' ');
		columns_add(c, a->email, partstat_word(a->partstat), local,
		    proposed, g_strstrip(comment));
	}
	columns_print(c, stdout);
	return EX_OK;
}

/* --accept: the meeting moves to the proposed time. */
static int
meet_do_accept(struct cmd_ctx *ctx, struct tidings_ctx *env)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) s = NULL;
	g_autofree char *when = NULL;
	gint64 start, end;

	if (!meet_accept(env, opt_accept, opt_from, clock_now(), &start, &end,
	    &error))
		return meet_fail(ctx, error);
	s = g_date_time_new_from_unix_utc(start);
	when = g_date_time_format(s, "%Y-%m-%d %H:%M UTC");
	printf("moved %s to %s; the update goes to every attendee\n",
	    opt_accept, when);
	return deliver(ctx);
}

static int
meet_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	struct tidings_ctx env;
	int rc;

	if ((opt_show != NULL) + (opt_cancel != NULL) + (opt_team != NULL) +
	    (opt_accept != NULL) > 1)
		return cmd_usage(ctx, "--team, --show, --cancel and --accept do "
		    "not go together");
	if (opt_from != NULL && opt_accept == NULL)
		return cmd_usage(ctx, "--from chooses whose proposal --accept "
		    "takes: give --accept UID too");
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (opt_show != NULL)
		return meet_show(ctx);
	if (!tidings_ctx_init(&env, ctx->store, ctx->conf, &error))
		return cmd_fail(ctx, error);
	if (opt_accept != NULL) {
		rc = meet_do_accept(ctx, &env);
		tidings_ctx_clear(&env);
		return rc;
	}
	if (opt_cancel != NULL) {
		if (!meet_cancel(&env, opt_cancel, clock_now(), &error)) {
			tidings_ctx_clear(&env);
			return meet_fail(ctx, error);
		}
		printf("cancelled %s\n", opt_cancel);
		rc = deliver(ctx);
	} else
		rc = meet_new(ctx, &env);
	tidings_ctx_clear(&env);
	return rc;
}

const struct cmd_entry cmd_meet_entry = {
	.name = "meet",
	.args = "--team TEAM [--duration D] [--within D] [--title T] "
	    "[--dry-run] | --show UID | --cancel UID | --accept UID "
	    "[--from EMAIL]",
	.summary = "invite a team to a meeting at the best time for all",
	.help = "Picks the slot on a 15-minute grid within the window where "
	    "the most members\nare in working hours, none away and none in "
	    "deep work (the earliest of\nequals), and mails every member an "
	    "invitation (iTIP REQUEST) their calendar\ncan answer.  Answers "
	    "and proposals of another time come back by mail;\n--show lists "
	    "them, --accept moves the meeting to a proposed time (an\nupdate "
	    "with a higher SEQUENCE to everyone), --cancel calls it off.",
	.flags = CMD_NEEDS_CONFIG,
	.options = meet_options, .min_args = 0, .max_args = 0,
	.exec = meet_exec,
};
