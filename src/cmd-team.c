/* tidings team add|list|show|remove. */
#include "config.h"

#include <stdio.h>

#include <string.h>

#include "blocker.h"
#include "columns.h"
#include "conf.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-blocker.h"
#include "tidings.h"
#include "value.h"

static char *opt_title;
static char *opt_zone;
static char *opt_digest;
static char *opt_digest_at;
static char *opt_digest_days;
static char *opt_empty;
static char *opt_around;
static gboolean opt_force;
static char *opt_escalate_after;
static char *opt_escalate_to;
static char *opt_urgent_senders;
static char *opt_ack_within;
static char *opt_urgent_deep;
static char *opt_oncall;

static const GOptionEntry add_options[] = {
	{ "title", 't', 0, G_OPTION_ARG_STRING, &opt_title,
	  "a title for digests and the list name", "TEXT" },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the team's time zone, for its digest (default UTC)", "ZONE" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry set_options[] = {
	{ "title", 't', 0, G_OPTION_ARG_STRING, &opt_title,
	  "a title for digests and the list name", "TEXT" },
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &opt_zone,
	  "the team's time zone, for its digest", "ZONE" },
	{ "digest", 'd', 0, G_OPTION_ARG_STRING, &opt_digest,
	  "when to send the digest: an RRULE in the team's zone, or none",
	  "RRULE" },
	{ "digest-at", 0, 0, G_OPTION_ARG_STRING, &opt_digest_at,
	  "send the digest at this local time (instead of --digest)", "HH:MM" },
	{ "digest-days", 0, 0, G_OPTION_ARG_STRING, &opt_digest_days,
	  "on these days, with --digest-at (default mon-fri)", "DAYS" },
	{ "empty", 0, 0, G_OPTION_ARG_STRING, &opt_empty,
	  "a period without news: skip (send nothing) or notice (a "
	  "one-line digest)", "skip|notice" },
	{ "escalate-after", 0, 0, G_OPTION_ARG_STRING, &opt_escalate_after,
	  "mail an open blocker after this many workdays in the member's "
	  "zone, and again each such period (default off)", "Nd|off" },
	{ "escalate-to", 0, 0, G_OPTION_ARG_STRING, &opt_escalate_to,
	  "whom to mail an open blocker (default: the team's owners)",
	  "ADDRESS|owners" },
	{ "urgent-senders", 0, 0, G_OPTION_ARG_STRING, &opt_urgent_senders,
	  "who besides the members may send urgent mail to the team",
	  "ADDRESS,...|none" },
	{ "ack-within", 0, 0, G_OPTION_ARG_STRING, &opt_ack_within,
	  "how long urgent mail waits for an acknowledgement before it "
	  "goes on (default 15m)", "DURATION" },
	{ "urgent-deep-work", 0, 0, G_OPTION_ARG_STRING, &opt_urgent_deep,
	  "whether urgent mail reaches members in deep work (default no)",
	  "yes|no" },
	{ "oncall", 0, 0, G_OPTION_ARG_STRING, &opt_oncall,
	  "the on-call rotation: members who get urgent mail first, in "
	  "order", "ADDRESS,...|none" },
	{ "around", 0, 0, G_OPTION_ARG_STRING, &opt_around,
	  "the weekday whose digest shows who is around that week, or none",
	  "DAY" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry remove_options[] = {
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "remove a team that still has members", NULL },
	G_OPTION_ENTRY_NULL
};

static int
team_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;

	if (!value_team_name(argv[1], &error) ||
	    (opt_title != NULL && !value_display_name(opt_title, &error)) ||
	    (opt_zone != NULL && !value_zone(opt_zone, &error)))
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!store_team_add(ctx->store, argv[1], opt_title, opt_zone, &error))
		return cmd_fail(ctx, error);
	printf("added team %s\n", argv[1]);
	return EX_OK;
}

static int
team_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) teams = NULL;
	struct columns *c;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((teams = store_team_list(ctx->store, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (teams->len == 0) {
		printf("no teams; add one with 'tidings team add NAME'\n");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "TEAM", "MEMBERS", "ZONE",
	    "TITLE", NULL });
	for (guint i = 0; i < teams->len; i++) {
		struct team *t = teams->pdata[i];
		g_autofree char *n = g_strdup_printf("%d", t->members);
		columns_add(c, t->name, n, t->zone, t->title);
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
team_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	g_autoptr(GPtrArray) members = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, argv[1], &error)) == NULL ||
	    (members = store_member_list(ctx->store, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	printf("team:    %s\n", t->name);
	if (*t->title != '\0')
		printf("title:   %s\n", t->title);
	printf("zone:    %s\n", t->zone);
	printf("digest:  %s%s\n", t->digest_rrule != NULL ? t->digest_rrule :
	    "none", t->digest_rrule != NULL && g_strcmp0(t->digest_empty,
	    "notice") == 0 ? " (a notice when there is no news)" : "");
	g_autoptr(TeamAlerts) a = store_team_alerts_get(ctx->store, t->id,
	    &error);
	if (a == NULL)
		return cmd_fail(ctx, error);
	if (a->escalate_after > 0)
		printf("blockers: mailed to %s after %d workday%s open\n",
		    a->escalate_to != NULL ? a->escalate_to : "the owners",
		    a->escalate_after, a->escalate_after == 1 ? "" : "s");
	else
		printf("blockers: not escalated\n");
	printf("urgent:  acknowledged within %" G_GINT64_FORMAT " min%s%s%s"
	    "%s%s\n", a->ack_within / 60, a->urgent_deep ? ", breaks deep "
	    "work" : "", *a->oncall != '\0' ? ", on call: " : "", a->oncall,
	    *a->urgent_senders != '\0' ? ", also from: " : "",
	    a->urgent_senders);
	if (t->around_day >= 0) {
		g_autofree char *day = value_workdays_format(1u <<
		    t->around_day);
		printf("around:  %s (the digest shows who is around that "
		    "week)\n", day);
	}
	printf("members: %d\n", t->members);
	if (members->len == 0)
		return EX_OK;
	struct columns *c = columns_new((const char *const[]){ "", "EMAIL",
	    "NAME", "ZONE", "HOURS", "DAYS", "ROLE", NULL });
	for (guint i = 0; i < members->len; i++) {
		struct person *p = members->pdata[i];
		g_autofree char *hours = value_hours_format(p->work_start,
		    p->work_end);
		g_autofree char *days = value_workdays_format(p->workdays);
		columns_add(c, "", p->email, p->name, p->zone, hours, days,
		    p->role);
	}
	printf("\n");
	columns_print(c, stdout);
	return EX_OK;
}

/* --digest, or --digest-at and --digest-days made into a rule; *rule
 * stays NULL for none.  FALSE when neither was given or one is wrong. */
static gboolean
digest_rule(char **rule, GError **error)
{
	static const char *const names[] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };
	unsigned days = 0x1f;
	int at = 9 * 60;
	GString *r;

	*rule = NULL;
	if (opt_digest != NULL && (opt_digest_at != NULL ||
	    opt_digest_days != NULL)) {
		g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID, "give "
		    "--digest, or --digest-at with --digest-days, not both");
		return FALSE;
	}
	if (opt_digest != NULL) {
		if (g_ascii_strcasecmp(opt_digest, "none") == 0)
			return TRUE;
		if (!sched_rule_check(opt_digest, error))
			return FALSE;
		*rule = g_strdup(opt_digest);
		return TRUE;
	}
	if ((opt_digest_at != NULL && !value_time(opt_digest_at, &at,
	    error)) || (opt_digest_days != NULL &&
	    !value_workdays(opt_digest_days, &days, error)))
		return FALSE;
	r = g_string_new("FREQ=WEEKLY;BYDAY=");
	for (int d = 0, n = 0; d < 7; d++)
		if (days & (1u << d))
			g_string_append_printf(r, "%s%s", n++ ? "," : "",
			    names[d]);
	g_string_append_printf(r, ";BYHOUR=%d;BYMINUTE=%d", at / 60, at % 60);
	*rule = g_string_free(r, FALSE);
	return TRUE;
}

/* LIST ("a@x, b@y", or "none") as checked addresses, ", " between. */
static char *
address_list(const char *option, const char *list, GError **error)
{
	g_auto(GStrv) words = g_strsplit_set(list, ", ", -1);
	g_autofree char *whole = g_strstrip(g_strdup(list));
	GString *out = g_string_new(NULL);

	if (g_ascii_strcasecmp(whole, "none") == 0)
		return g_string_free(out, FALSE);
	for (char **w = words; *w != NULL; w++) {
		g_autofree char *e = NULL;
		if (**w == '\0')
			continue;
		if ((e = value_email(*w, error)) == NULL) {
			g_prefix_error(error, "--%s: ", option);
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append_printf(out, "%s%s", out->len > 0 ? ", " : "",
		    e);
	}
	return g_string_free(out, FALSE);
}

/* The settings of blockers (and urgent mail) that team set was given,
 * checked, made into A. */
static gboolean
alerts_options(struct team_alerts *a, gboolean *changed, GError **error)
{
	*changed = opt_urgent_senders != NULL || opt_ack_within != NULL ||
	    opt_urgent_deep != NULL || opt_oncall != NULL;
	if (opt_urgent_senders != NULL && (a->urgent_senders = address_list(
	    "urgent-senders", opt_urgent_senders, error)) == NULL)
		return FALSE;
	if (opt_oncall != NULL && (a->oncall = address_list("oncall",
	    opt_oncall, error)) == NULL)
		return FALSE;
	if (opt_ack_within != NULL) {
		a->ack_within = conf_parse_seconds(opt_ack_within);
		if (a->ack_within < 60 || a->ack_within > 24 * 3600) {
			g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID,
			    "--ack-within '%s' is not a duration from 1m to "
			    "1d, such as 15m", opt_ack_within);
			return FALSE;
		}
	}
	if (opt_urgent_deep != NULL) {
		if (g_ascii_strcasecmp(opt_urgent_deep, "yes") != 0 &&
		    g_ascii_strcasecmp(opt_urgent_deep, "no") != 0) {
			g_set_error(error, VALUE_ERROR, VALUE_ERROR_INVALID,
			    "--urgent-deep-work '%s' is not yes or no",
			    opt_urgent_deep);
			return FALSE;
		}
		a->urgent_deep = g_ascii_strcasecmp(opt_urgent_deep, "yes") ==
		    0;
	}
	if (opt_escalate_after != NULL) {
		if (!blocker_parse_after(opt_escalate_after,
		    &a->escalate_after, error))
			return FALSE;
		*changed = TRUE;
	}
	if (opt_escalate_to != NULL) {
		g_autofree char *to = NULL;
		if (g_ascii_strcasecmp(opt_escalate_to, "owners") != 0 &&
		    (to = value_email(opt_escalate_to, error)) == NULL)
			return FALSE;
		g_free(a->escalate_to);
		a->escalate_to = g_steal_pointer(&to);
		*changed = TRUE;
	}
	return TRUE;
}

/* Whether every address of LIST is a member of TEAM. */
static gboolean
oncall_members(struct cmd_ctx *ctx, const char *team, const char *list,
    GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(ctx->store, team,
	    error);
	g_auto(GStrv) words = g_strsplit(list, ", ", -1);

	if (members == NULL)
		return FALSE;
	for (char **w = words; *w != NULL; w++) {
		gboolean found = **w == '\0';
		for (guint i = 0; !found && i < members->len; i++)
			found = g_ascii_strcasecmp(((struct person *)
			    members->pdata[i])->email, *w) == 0;
		if (!found) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
			    "--oncall: %s is not a member of %s", *w, team);
			return FALSE;
		}
	}
	return TRUE;
}

/* --around: one weekday (0 Monday .. 6 Sunday), or -1 for none. */
static gboolean
around_day(const char *text, int *day)
{
	unsigned days;

	if (g_ascii_strcasecmp(text, "none") == 0 ||
	    g_ascii_strcasecmp(text, "off") == 0) {
		*day = -1;
		return TRUE;
	}
	if (!value_workdays(text, &days, NULL) || (days & (days - 1)) != 0)
		return FALSE;
	for (*day = 0; (days & (1u << *day)) == 0; (*day)++)
		;
	return TRUE;
}

static int
team_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	g_autofree char *rule = NULL;
	g_autoptr(TeamAlerts) alerts = g_new0(struct team_alerts, 1);
	gboolean digest = opt_digest != NULL || opt_digest_at != NULL ||
	    opt_digest_days != NULL, alerts_changed;
	int rc, around = -1;

	if ((opt_title != NULL && !value_display_name(opt_title, &error)) ||
	    (opt_zone != NULL && !value_zone(opt_zone, &error)) ||
	    (digest && !digest_rule(&rule, &error)) ||
	    !alerts_options(alerts, &alerts_changed, &error))
		return cmd_usage(ctx, "%s", error->message);
	if (opt_empty != NULL && strcmp(opt_empty, "skip") != 0 &&
	    strcmp(opt_empty, "notice") != 0)
		return cmd_usage(ctx, "--empty '%s' is not skip or notice",
		    opt_empty);
	if (opt_around != NULL && !around_day(opt_around, &around))
		return cmd_usage(ctx, "--around '%s' is not one weekday (mon, "
		    "tue, ...) or none", opt_around);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_around != NULL)
		t->around_day = around;
	if (opt_title != NULL)
		g_free(t->title), t->title = g_strdup(opt_title);
	if (opt_zone != NULL)
		g_free(t->zone), t->zone = g_strdup(opt_zone);
	if (digest)
		g_free(t->digest_rrule), t->digest_rrule = g_steal_pointer(&rule);
	if (opt_empty != NULL)
		g_free(t->digest_empty), t->digest_empty = g_strdup(opt_empty);
	if (!store_team_set(ctx->store, t, &error))
		return cmd_fail(ctx, error);
	if (alerts_changed) {
		g_autoptr(TeamAlerts) a = store_team_alerts_get(ctx->store,
		    t->id, &error);
		if (a == NULL)
			return cmd_fail(ctx, error);
		if (opt_escalate_after != NULL)
			a->escalate_after = alerts->escalate_after;
		if (opt_escalate_to != NULL) {
			g_free(a->escalate_to);
			a->escalate_to = g_steal_pointer(&alerts->escalate_to);
		}
		if (opt_urgent_senders != NULL) {
			g_free(a->urgent_senders);
			a->urgent_senders = g_steal_pointer(
			    &alerts->urgent_senders);
		}
		if (opt_oncall != NULL) {
			g_free(a->oncall);
			a->oncall = g_steal_pointer(&alerts->oncall);
			if (!oncall_members(ctx, t->name, a->oncall, &error))
				return cmd_fail(ctx, error);
		}
		if (opt_ack_within != NULL)
			a->ack_within = alerts->ack_within;
		if (opt_urgent_deep != NULL)
			a->urgent_deep = alerts->urgent_deep;
		if (!store_team_alerts_set(ctx->store, a, &error))
			return cmd_fail(ctx, error);
	}
	printf("changed team %s\n", t->name);
	return EX_OK;
}

static int
team_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Team) t = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((t = store_team_get(ctx->store, argv[1], &error)) == NULL)
		return cmd_fail(ctx, error);
	if (t->members > 0 && !opt_force) {
		log_warnx("team remove: team '%s' has %d member%s; remove "
		    "them first or use --force", t->name, t->members,
		    t->members == 1 ? "" : "s");
		return EX_DATAERR;
	}
	if (!store_team_remove(ctx->store, argv[1], &error))
		return cmd_fail(ctx, error);
	printf("removed team %s\n", argv[1]);
	return EX_OK;
}

static const struct cmd_entry team_add_entry = {
	.name = "add", .args = "NAME [--title TEXT] [--zone ZONE]",
	.summary = "add a team",
	.help = "NAME is 1 to 40 lower-case letters, digits and inner hyphens; "
	    "it becomes\npart of mail addresses (LOCAL+NAME-subscribe@DOMAIN) "
	    "and of the List-Id.",
	.options = add_options, .min_args = 1, .max_args = 1,
	.exec = team_add,
};
static const struct cmd_entry team_list_entry = {
	.name = "list", .args = "", .summary = "list the teams",
	.min_args = 0, .max_args = 0, .exec = team_list,
};
static const struct cmd_entry team_show_entry = {
	.name = "show", .args = "NAME", .summary = "show a team and its members",
	.min_args = 1, .max_args = 1, .exec = team_show,
};
static const struct cmd_entry team_set_entry = {
	.name = "set",
	.args = "NAME [--title TEXT] [--zone ZONE] [--digest RRULE|none | "
	    "--digest-at HH:MM [--digest-days DAYS]] [--empty skip|notice] "
	    "[--escalate-after Nd|off] [--escalate-to ADDRESS|owners] "
	    "[--urgent-senders LIST|none] [--ack-within DURATION] "
	    "[--urgent-deep-work yes|no] [--oncall LIST|none]",
	.summary = "change a team: title, zone, digests, blockers, urgent mail",
	.help = "The digest schedule is an RRULE in the team's zone, such as\n"
	    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0, which "
	    "--digest-at 09:00\nmakes for you.  A period without news sends "
	    "nothing, or with --empty notice\na one-line digest.\n\n"
	    "An open blocker is mailed to the owners (or --escalate-to) once "
	    "it has\nstood --escalate-after workdays in its member's zone, "
	    "and again each such\nperiod while it stays open.\n\n"
	    "Urgent mail (LOCAL+urgent-TEAM@) from members and --urgent-senders "
	    "goes to\nthe members working now, the --oncall rotation first; "
	    "unacknowledged within\n--ack-within it goes to those who start "
	    "next, then to the owners.",
	.options = set_options, .min_args = 1, .max_args = 1,
	.exec = team_set,
};
static const struct cmd_entry team_remove_entry = {
	.name = "remove", .args = "NAME [--force]",
	.summary = "remove a team (its people stay)",
	.options = remove_options, .min_args = 1, .max_args = 1,
	.exec = team_remove,
};

const struct cmd_entry cmd_team_entry = {
	.name = "team",
	.summary = "manage teams",
	.subs = (const struct cmd_entry *const[]){ &team_add_entry,
	    &team_list_entry, &team_show_entry, &team_set_entry,
	    &team_remove_entry, NULL },
};
