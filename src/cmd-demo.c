/* tidings demo: a self-contained run on a fresh database, to see what
 * tidings does without configuring anything. */
#include "config.h"

#include <stdio.h>

#include "columns.h"
#include "log.h"
#include "store.h"
#include "tidings.h"
#include "value.h"

static char *opt_dir;

static const GOptionEntry demo_options[] = {
	{ "dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
	  "keep the demo in DIR instead of a new temporary directory", "DIR" },
	G_OPTION_ENTRY_NULL
};

/* A team spread over four zones, as remote teams are. */
static const struct demo_member {
	const char *email;
	const char *name;
	const char *zone;
	const char *hours;
	const char *days;
	const char *role;
} demo_members[] = {
	{ "ana@demo.example", "Ana Lima", "America/Sao_Paulo", "08:00-16:00",
	  "mon-fri", "owner" },
	{ "jonas@demo.example", "Jonas Weber", "Europe/Berlin", "09:00-17:30",
	  "mon-fri", "member" },
	{ "priya@demo.example", "Priya Nair", "Asia/Kolkata", "10:00-18:30",
	  "mon-fri", "member" },
	{ "mia@demo.example", "Mia Chen", "Australia/Sydney", "09:00-17:00",
	  "mon-thu", "member" },
};

static gboolean
demo_add_member(struct store *st, const struct demo_member *m,
    GError **error)
{
	g_autoptr(Person) p = person_new(m->email);
	int start, end;
	unsigned days;

	if (!value_hours(m->hours, &start, &end, error) ||
	    !value_workdays(m->days, &days, error))
		return FALSE;
	g_free(p->name);
	p->name = g_strdup(m->name);
	g_free(p->zone);
	p->zone = g_strdup(m->zone);
	p->work_start = start;
	p->work_end = end;
	p->workdays = days;
	return store_person_save(st, p, error) &&
	    store_member_add(st, "demo", m->email, m->role, error);
}

static gboolean
demo_populate(struct store *st, GError **error)
{
	if (!store_begin(st, error))
		return FALSE;
	if (!store_team_add(st, "demo", "Demo team", "Europe/Berlin", error))
		goto fail;
	for (size_t i = 0; i < G_N_ELEMENTS(demo_members); i++)
		if (!demo_add_member(st, &demo_members[i], error))
			goto fail;
	return store_commit(st, error);
fail:
	store_rollback(st);
	return FALSE;
}

/* Who is working now, in each member's own time. */
static gboolean
demo_show(struct store *st, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, "demo", error);
	g_autoptr(GHashTable) zones = g_hash_table_new(g_str_hash, g_str_equal);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	struct columns *c;

	if (members == NULL)
		return FALSE;
	c = columns_new((const char *const[]){ "MEMBER", "ZONE", "HOURS",
	    "DAYS", "LOCAL TIME NOW", NULL });
	for (guint i = 0; i < members->len; i++) {
		struct person *p = members->pdata[i];
		g_autofree char *hours = value_hours_format(p->work_start,
		    p->work_end);
		g_autofree char *days = value_workdays_format(p->workdays);
		g_autofree char *local = value_local_time(p->zone, p->work_start,
		    p->work_end, p->workdays, now);
		columns_add(c, p->name, p->zone, hours, days, local);
		g_hash_table_add(zones, p->zone);
	}
	printf("Team 'demo', %u members in %u time zones:\n\n", members->len,
	    g_hash_table_size(zones));
	columns_print(c, stdout);
	return TRUE;
}

static int
cmd_demo_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = NULL;
	int rc;

	if (opt_dir != NULL) {
		dir = g_strdup(opt_dir);
		if (g_mkdir_with_parents(dir, 0700) != 0) {
			log_warn("demo: cannot create %s", dir);
			return EX_CANTCREAT;
		}
	} else if ((dir = g_dir_make_tmp("tidings-demo-XXXXXX", &error)) == NULL)
		return cmd_fail(ctx, error);
	g_free(ctx->db_path);
	ctx->db_path = g_build_filename(dir, "tidings.db", NULL);
	if (g_file_test(ctx->db_path, G_FILE_TEST_EXISTS)) {
		log_warnx("demo: %s exists; the demo starts from an empty "
		    "directory", ctx->db_path);
		return EX_CANTCREAT;
	}
	if ((rc = cmd_open_store(ctx)) != EX_OK)
		return rc;
	if (!demo_populate(ctx->store, &error) ||
	    !demo_show(ctx->store, &error))
		return cmd_fail(ctx, error);
	printf("\nThe demo database is %s; explore it with\n"
	    "  tidings --db %s team show demo\n", ctx->db_path, ctx->db_path);
	return EX_OK;
}

const struct cmd_entry cmd_demo_entry = {
	.name = "demo",
	.args = "[--dir DIR]",
	.summary = "set up a demo team in a new database and show it",
	.help = "Creates a database in a new temporary directory (or DIR), a "
	    "team of four\nmembers in four time zones with their working hours, "
	    "and shows who is\nworking now in their own local time.  Nothing "
	    "is sent.",
	.flags = CMD_NO_CONFIG,
	.options = demo_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_demo_exec,
};
