/* tidings avail set|list|clear|import: a member's availability from the
 * command line, in the words of the mail commands. */
#include "config.h"

#include <stdio.h>

#include "avail-mail.h"
#include "clock.h"
#include "columns.h"
#include "ical.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-avail.h"
#include "tidings.h"
#include "value.h"

static char *opt_kind;

static const GOptionEntry clear_options[] = {
	{ "kind", 'k', 0, G_OPTION_ARG_STRING, &opt_kind,
	  "only blocks of this kind: away, deep-work, busy or working", "KIND" },
	G_OPTION_ENTRY_NULL
};

static int
open_person(struct cmd_ctx *ctx, const char *arg, struct person **p)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *email = NULL;
	int rc;

	if ((email = value_email(arg, &error)) == NULL)
		return cmd_usage(ctx, "%s", error->message);
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if ((*p = store_person_get(ctx->store, email, &error)) == NULL)
		return cmd_fail(ctx, error);
	return EX_OK;
}

/* Carries out LINES and ICS for P in one transaction. */
static int
apply(struct cmd_ctx *ctx, struct person *p, char **lines, GPtrArray *ics)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);

	if (!store_begin(ctx->store, &error))
		return cmd_fail(ctx, error);
	if (!avail_apply(ctx->store, p, lines, ics, "cli", clock_now(), bad,
	    done, &error)) {
		store_rollback(ctx->store);
		return cmd_fail(ctx, error);
	}
	if (bad->len > 0) {
		store_rollback(ctx->store);
		for (guint i = 0; i < bad->len; i++)
			fprintf(stderr, "tidings %s: %s\n", ctx->name,
			    (char *)bad->pdata[i]);
		fprintf(stderr, "tidings %s: nothing was changed\n", ctx->name);
		return EX_DATAERR;
	}
	if (!store_commit(ctx->store, &error))
		return cmd_fail(ctx, error);
	for (guint i = 0; i < done->len; i++)
		printf("%s: %s\n", p->email, (char *)done->pdata[i]);
	return EX_OK;
}

static int
avail_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(Person) p = NULL;
	int rc;

	if ((rc = open_person(ctx, argv[1], &p)) != EX_OK)
		return rc;
	return apply(ctx, p, argv + 2, NULL);
}

static int
avail_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = NULL;
	g_autoptr(GPtrArray) ics = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ical_result_free);
	g_autofree char *text = NULL;
	struct ical_result *r;
	gsize len;
	int rc;

	if ((rc = open_person(ctx, argv[1], &p)) != EX_OK)
		return rc;
	if (!g_file_get_contents(argv[2], &text, &len, &error))
		return cmd_fail(ctx, error);
	if ((r = ical_read(text, (gssize)len, p->zone, p->email, clock_now(),
	    &error)) == NULL) {
		fprintf(stderr, "tidings %s: %s: %s\n", ctx->name, argv[2],
		    error->message);
		return EX_DATAERR;
	}
	g_ptr_array_add(ics, r);
	return apply(ctx, p, NULL, ics);
}

static int
avail_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	struct columns *c;
	int rc;

	if ((rc = open_person(ctx, argv[1], &p)) != EX_OK)
		return rc;
	if ((rows = store_availability_list(ctx->store, p->id, clock_now(),
	    &error)) == NULL)
		return cmd_fail(ctx, error);
	if (rows->len == 0) {
		printf("nothing stated; %s works the hours of 'tidings member "
		    "show'\n", p->email);
		return EX_OK;
	}
	c = columns_new((const char *const[]){ "KIND", "FROM (LOCAL)",
	    "TO (LOCAL)", "REPEATS", "SOURCE", "SUMMARY", NULL });
	for (guint i = 0; i < rows->len; i++) {
		const struct availability *a = rows->pdata[i];
		g_autofree char *from = a->starts_at != 0 ? sched_format(p->zone,
		    a->starts_at, "%a %Y-%m-%d %H:%M") : g_strdup("-");
		g_autofree char *to = a->ends_at != 0 ? sched_format(p->zone,
		    a->ends_at, "%a %Y-%m-%d %H:%M") : g_strdup("-");
		g_autofree char *rule = a->rrule != NULL ? g_strdup_printf("%s "
		    "(%s)", a->rrule, a->zone) : g_strdup("-");
		columns_add(c, a->kind, from, to, rule, a->source,
		    a->summary != NULL ? a->summary : "");
	}
	columns_print(c, stdout);
	return EX_OK;
}

static int
avail_clear(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = NULL;
	gint64 n;
	int rc;

	if (opt_kind != NULL && g_strcmp0(opt_kind, "away") != 0 &&
	    g_strcmp0(opt_kind, "deep-work") != 0 &&
	    g_strcmp0(opt_kind, "busy") != 0 &&
	    g_strcmp0(opt_kind, "working") != 0)
		return cmd_usage(ctx, "--kind is away, deep-work, busy or working");
	if ((rc = open_person(ctx, argv[1], &p)) != EX_OK)
		return rc;
	if ((n = store_availability_clear(ctx->store, p->id, opt_kind, NULL,
	    clock_now(), &error)) < 0 ||
	    !store_person_set_status(ctx->store, p->id, NULL, 0, &error))
		return cmd_fail(ctx, error);
	printf("%s: %" G_GINT64_FORMAT " blocks cleared\n", p->email, n);
	return EX_OK;
}

static const struct cmd_entry avail_set_entry = {
	.name = "set", .args = "EMAIL LINE...",
	.summary = "state availability in the words of the mail commands",
	.help = "Each LINE is one of the availability mail commands, quoted:\n"
	    "  'zone Europe/Lisbon' 'hours 08:00-16:00' 'days mon-thu'\n"
	    "  'ooo 2026-12-20..2027-01-03' 'ooo clear'\n"
	    "  'deep work mon-fri 09:00-12:00' 'deep work clear'\n"
	    "  'status traveling until friday' 'status clear'\n"
	    "Dates are in the member's zone; the last day of ooo is included.\n"
	    "All lines are carried out, or none when one cannot be read.",
	.min_args = 2, .max_args = -1, .exec = avail_set,
};
static const struct cmd_entry avail_list_entry = {
	.name = "list", .args = "EMAIL",
	.summary = "list a member's stated blocks of time",
	.min_args = 1, .max_args = 1, .exec = avail_list,
};
static const struct cmd_entry avail_clear_entry = {
	.name = "clear", .args = "EMAIL [--kind KIND]",
	.summary = "remove a member's current and coming blocks, and status",
	.options = clear_options, .min_args = 1, .max_args = 1,
	.exec = avail_clear,
};
static const struct cmd_entry avail_import_entry = {
	.name = "import", .args = "EMAIL FILE.ics",
	.summary = "take a member's availability from an iCalendar file",
	.help = "Events are busy time (out-of-office events away, focus time "
	    "deep work),\nVFREEBUSY busy or away, VAVAILABILITY working hours. "
	    "Importing again\nreplaces what an earlier file said under the "
	    "same UIDs.",
	.min_args = 2, .max_args = 2, .exec = avail_import,
};

const struct cmd_entry cmd_avail_entry = {
	.name = "avail",
	.summary = "a member's availability: set, list, clear, import",
	.subs = (const struct cmd_entry *const[]){ &avail_set_entry,
	    &avail_list_entry, &avail_clear_entry, &avail_import_entry, NULL },
};
