/* tidings blockers and tidings blocker resolve: the blockers followed
 * until they are gone, and closing one by hand. */
#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "blocker.h"
#include "clock.h"
#include "columns.h"
#include "report.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-blocker.h"
#include "tidings.h"

#define DAY (24 * 3600)

static char *opt_team;
static gboolean opt_all;
static gboolean opt_json;

static const GOptionEntry blockers_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team's", "TEAM" },
	{ "all", 'a', 0, G_OPTION_ARG_NONE, &opt_all,
	  "resolved ones too", NULL },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "one JSON object per blocker, with its history", NULL },
	G_OPTION_ENTRY_NULL
};

static void
add_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value != NULL ? value : "");
}

static void
blocker_json(const struct blocker *bl, GPtrArray *events)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	report_json_int(b, "id", bl->id);
	add_string(b, "team", bl->team);
	add_string(b, "email", bl->email);
	add_string(b, "name", bl->name);
	add_string(b, "checkin", bl->checkin);
	add_string(b, "text", bl->text);
	add_string(b, "state", bl->state);
	report_json_int(b, "opened_at", bl->opened_at);
	report_json_int(b, "confirmed_at", bl->confirmed_at);
	report_json_int(b, "resolved_at", bl->resolved_at);
	report_json_int(b, "escalated_at", bl->escalated_at);
	report_json_int(b, "escalations", bl->escalations);
	add_string(b, "helpers", bl->helpers);
	json_builder_set_member_name(b, "history");
	json_builder_begin_array(b);
	for (guint i = 0; i < events->len; i++) {
		const struct blocker_event *e = events->pdata[i];
		json_builder_begin_object(b);
		add_string(b, "what", e->what);
		add_string(b, "text", e->text);
		report_json_int(b, "at", e->at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	report_print_json(b);
}

static int
blockers_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(Team) team = NULL;
	struct columns *c;
	gint64 now = clock_now();
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((opt_team != NULL && (team = store_team_get(ctx->store, opt_team,
	    &error)) == NULL) || (list = store_blocker_list(ctx->store,
	    opt_team, opt_all, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (opt_json) {
		for (guint i = 0; i < list->len; i++) {
			const struct blocker *b = list->pdata[i];
			g_autoptr(GPtrArray) events = store_blocker_events(
			    ctx->store, b->id, &error);
			if (events == NULL)
				return cmd_fail(ctx, error);
			blocker_json(b, events);
		}
		return EX_OK;
	}
	if (list->len == 0) {
		printf("no %sblockers\n", opt_all ? "" : "open ");
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "ID", "TEAM", "MEMBER",
	    "STATE", "SINCE", "DAYS", "HELPERS", "BLOCKER", NULL });
	for (guint i = 0; i < list->len; i++) {
		const struct blocker *b = list->pdata[i];
		gint64 until = b->resolved_at > 0 ? b->resolved_at : now;
		g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT,
		    b->id);
		g_autofree char *since = sched_format(b->zone, b->opened_at,
		    "%a %-d %b");
		g_autofree char *days = g_strdup_printf("%" G_GINT64_FORMAT,
		    MAX(1, (until - b->opened_at + DAY / 2) / DAY));
		g_autofree char *text = g_strdelimit(g_strdup(b->text),
		    "\r\n\t", ' ');
		columns_add(c, id, b->team, *b->name != '\0' ? b->name :
		    b->email, b->state, since != NULL ? since : "", days,
		    *b->helpers != '\0' ? b->helpers : "-", text);
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
blocker_resolve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	char *end;
	gint64 id = g_ascii_strtoll(argv[1], &end, 10);
	int rc;

	if (*argv[1] == '\0' || *end != '\0' || id <= 0)
		return cmd_usage(ctx, "'%s' is not a blocker's number (see "
		    "'tidings blockers')", argv[1]);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!blocker_resolve(ctx->store, id, clock_now(), &error))
		return cmd_fail(ctx, error);
	printf("resolved blocker %" G_GINT64_FORMAT "\n", id);
	return EX_OK;
}

const struct cmd_entry cmd_blockers_entry = {
	.name = "blockers", .args = "[--team TEAM] [--all] [--json]",
	.summary = "the blockers followed until they are gone",
	.help = "Each open (or escalated) blocker: its number, team, member, "
	    "state, since when\nand for how many days, who offered help, and "
	    "what it is; with --all the\nresolved ones too; with --json each "
	    "with its whole history.  A blocker is\nopened by an answer to a "
	    "check-in's blocker question that is not \"none\",\nand closed by "
	    "\"none\", by \"resolved\" on a line of its own, or by\n'tidings "
	    "blocker resolve'.",
	.options = blockers_options, .min_args = 0, .max_args = 0,
	.exec = blockers_exec,
};

static const struct cmd_entry blocker_resolve_entry = {
	.name = "resolve", .args = "ID",
	.summary = "close a blocker by hand",
	.min_args = 1, .max_args = 1, .exec = blocker_resolve_exec,
};

const struct cmd_entry cmd_blocker_entry = {
	.name = "blocker",
	.summary = "act on one blocker",
	.subs = (const struct cmd_entry *const[]){ &blocker_resolve_entry,
	    NULL },
};
