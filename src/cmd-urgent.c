/* tidings urgent: the urgent mail sent to the teams, and every step of
 * each. */
#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "columns.h"
#include "report.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-urgent.h"
#include "tidings.h"

static char *opt_team;
static gboolean opt_json;

static const GOptionEntry urgent_options[] = {
	{ "team", 't', 0, G_OPTION_ARG_STRING, &opt_team,
	  "only this team's", "TEAM" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
	  "one JSON object per urgent mail, with its steps", NULL },
	G_OPTION_ENTRY_NULL
};

static void
urgent_json(const struct urgent *u, GPtrArray *steps)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	report_json_int(b, "id", u->id);
	report_json_str(b, "team", u->team);
	report_json_str(b, "sender", u->sender);
	report_json_str(b, "subject", u->subject);
	report_json_str(b, "state", u->state);
	report_json_int(b, "step", u->step);
	report_json_int(b, "next_at", u->next_at);
	report_json_str(b, "taken_by", u->taken_by);
	report_json_int(b, "created_at", u->created_at);
	report_json_int(b, "message", u->message);
	json_builder_set_member_name(b, "steps");
	json_builder_begin_array(b);
	for (guint i = 0; i < steps->len; i++) {
		const struct urgent_step *s = steps->pdata[i];
		json_builder_begin_object(b);
		report_json_str(b, "what", s->what);
		report_json_str(b, "email", s->email);
		report_json_str(b, "detail", s->detail);
		report_json_int(b, "at", s->at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	report_print_json(b);
}

static void
urgent_text(const struct urgent *u, GPtrArray *steps)
{
	g_autofree char *when = sched_format("UTC", u->created_at,
	    "%a %-d %b %Y %H:%M UTC");
	struct columns *c;

	printf("  received %s\n", when != NULL ? when : "?");
	c = columns_new((const char *const[]){ "  WHEN (UTC)", "STEP", "WHO",
	    "DETAIL", NULL });
	for (guint i = 0; i < steps->len; i++) {
		const struct urgent_step *s = steps->pdata[i];
		g_autofree char *at = sched_format("UTC", s->at,
		    "  %a %H:%M");
		columns_add(c, at, s->what, s->email != NULL ? s->email : "-",
		    s->detail != NULL ? s->detail : "");
	}
	columns_print(c, stdout);
}

static int
urgent_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(Team) team = NULL;
	int rc;

	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((opt_team != NULL && (team = store_team_get(ctx->store, opt_team,
	    &error)) == NULL) || (list = store_urgent_list(ctx->store,
	    opt_team, &error)) == NULL)
		return cmd_fail(ctx, error);
	if (!opt_json && list->len == 0)
		printf("no urgent mail\n");
	for (guint i = 0; i < list->len; i++) {
		const struct urgent *u = list->pdata[i];
		g_autoptr(GPtrArray) steps = store_urgent_steps(ctx->store,
		    u->id, &error);
		if (steps == NULL)
			return cmd_fail(ctx, error);
		if (opt_json)
			urgent_json(u, steps);
		else {
			struct columns *c = columns_new((const char *const[]){
			    "URGENT", "TEAM", "FROM", "STATE", "TAKEN BY",
			    "SUBJECT", NULL });
			g_autofree char *id = g_strdup_printf("%"
			    G_GINT64_FORMAT, u->id);
			if (i > 0)
				printf("\n");
			columns_add(c, id, u->team, u->sender, u->state,
			    u->taken_by != NULL ? u->taken_by : "-",
			    u->subject);
			columns_print(c, stdout);
			urgent_text(u, steps);
		}
	}
	return EX_OK;
}

const struct cmd_entry cmd_urgent_entry = {
	.name = "urgent", .args = "[--team TEAM] [--json]",
	.summary = "urgent mail to the teams, and where each went",
	.help = "Each urgent mail (to LOCAL+urgent-TEAM@DOMAIN), newest first: "
	    "its team, sender,\nstate (open, taken, owners, held) and who took "
	    "it, then every step: to whom\nit was sent and why, replies "
	    "ignored, escalations, what the sender was told.",
	.options = urgent_options, .min_args = 0, .max_args = 0,
	.exec = urgent_exec,
};
