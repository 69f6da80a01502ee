/* tidings demo: a self-contained run on a fresh database, to see what
 * tidings does without configuring anything. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "checkin.h"
#include "context.h"
#include "clock.h"
#include "columns.h"
#include "conf.h"
#include "digest.h"
#include "ingest.h"
#include "log.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "store-checkin.h"
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

/* --- a day of check-ins ------------------------------------------------ */

/* How each member answers, as people do from their mail programs;
 * @DATE@ becomes the date of the prompt. */
static const char *const demo_replies[] = {
	/* Ana: inline under the quoted questions, with a signature. */
	"Content-Type: text/plain; charset=utf-8\n\n"
	"On @DATE@, Demo team wrote:\n"
	"> 1. What did you work on?\n"
	"Shipped the CSV export for invoices.\n"
	"Reviewed Jonas's retry patch.\n"
	">\n"
	"> 2. What will you work on next?\n"
	"Refunds in the export.\n"
	">\n"
	"> 3. Is anything blocking you?\n"
	"None.\n\n"
	"-- \nAna Lima\nPayments team, São Paulo\n",
	/* Jonas: HTML only, as some webmail sends, with its quote. */
	"Content-Type: text/html; charset=utf-8\n\n"
	"<html><body><div dir=\"ltr\"><ol><li>Finished the <b>retry</b> "
	"logic for webhooks.</li><li>Load test on staging.</li>"
	"<li>Blocked on the staging database: it is still on the old "
	"version.</li></ol></div><br><div class=\"gmail_quote\">"
	"<div class=\"gmail_attr\">On @DATE@, Demo team wrote:</div>"
	"<blockquote class=\"gmail_quote\">1. What did you work on?<br>"
	"2. What will you work on next?</blockquote></div></body></html>\n",
	/* Priya: from a phone, numbered, top-posted. */
	"Content-Type: text/plain; charset=utf-8\n\n"
	"1. Onboarding emails, first draft\n"
	"2. Translations with the Lisbon office\n"
	"3. no\n\n"
	"Sent from my iPhone\n\n"
	"> On @DATE@, Demo team wrote:\n"
	"> 1. What did you work on?\n",
	/* Mia: away; her mail program answers. */
	"Auto-Submitted: auto-replied\n"
	"X-Autoreply: yes\n"
	"Content-Type: text/plain; charset=utf-8\n\n"
	"I am out of the office until Monday (@DATE@) with limited access to "
	"mail.\n",
};

/* A configuration for the demo: its address, a secret, its database. */
static struct conf *
demo_conf(const char *dir, const char *db, GError **error)
{
	g_autofree char *path = g_build_filename(dir, "tidings.conf", NULL);
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);
	g_autofree char *key = g_uuid_string_random();
	g_autofree char *text = g_strdup_printf("# written by tidings demo\n"
	    "[tidings]\naddress = standup@demo.example\ndatabase = %s\n"
	    "secret-file = %s\n", db, secret);

	if (!g_file_set_contents(secret, key, -1, error) ||
	    g_chmod(secret, 0600) != 0 ||
	    !g_file_set_contents(path, text, -1, error))
		return NULL;
	return conf_load(path, error);
}

/* The last Monday to Thursday before NOW, at 00:00 UTC. */
static gint64
demo_day(gint64 now)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(now - 86400);
	g_autoptr(GDateTime) day = NULL;

	while (g_date_time_get_day_of_week(t) > 4) {
		GDateTime *prev = g_date_time_add_days(t, -1);
		g_date_time_unref(t);
		t = prev;
	}
	day = g_date_time_new_utc(g_date_time_get_year(t),
	    g_date_time_get_month(t), g_date_time_get_day_of_month(t), 0, 0, 0);
	return g_date_time_to_unix(day);
}

/* What the outbox holds goes to the demo's Maildir instead of a server. */
static gboolean
demo_deliver(struct store *st, const char *maildir, gint64 now,
    GError **error)
{
	g_autoptr(GPtrArray) due = store_outbox_due(st, now, 0, error);
	static int n;

	if (due == NULL)
		return FALSE;
	for (guint i = 0; i < due->len; i++) {
		const struct outbox_entry *e = due->pdata[i];
		const struct outbox_rcpt *r = e->rcpts->pdata[0];
		g_autofree char *name = g_strdup_printf("%" G_GINT64_FORMAT
		    ".%d.demo", now, ++n);
		g_autofree char *path = g_build_filename(maildir, "new", name,
		    NULL);
		gsize len;
		const char *data = g_bytes_get_data(e->raw, &len);

		if (!g_file_set_contents(path, data, (gssize)len, error) ||
		    !store_outbox_rcpt_set(st, e->id, r->address, "sent", 250,
		    NULL, NULL, now, error) ||
		    !store_outbox_set(st, e->id, "sent", e->attempts, now, NULL,
		    now, error))
			return FALSE;
	}
	return TRUE;
}

/* Member I's reply to prompt P, ingested through the whole pipeline. */
static gboolean
demo_reply(struct store *st, struct conf *conf, const struct demo_member *m,
    const char *format, const struct prompt *p, gint64 at, GError **error)
{
	g_autofree char *date = sched_format(m->zone, p->due_at,
	    "%a, %-d %b %Y at %H:%M");
	g_auto(GStrv) parts = g_strsplit(format, "@DATE@", -1);
	g_autofree char *body = g_strjoinv(date, parts);
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(at);
	g_autofree char *rfc = g_date_time_format(t, "%a, %d %b %Y %H:%M:%S +0000");
	g_autofree char *text = NULL;
	g_autoptr(GBytes) raw = NULL;
	struct ingest_result res;
	gboolean ok;

	text = g_strdup_printf("From: %s <%s>\n"
	    "To: standup+%s@demo.example\nSubject: Re: Daily check-in\n"
	    "Message-ID: <reply.%" G_GINT64_FORMAT "@demo.example>\n"
	    "In-Reply-To: <%s>\nDate: %s\nMIME-Version: 1.0\n%s", m->name,
	    m->email, p->token, p->id, p->message_id, rfc, body);
	raw = g_bytes_new(text, strlen(text));
	clock_set(at);
	ok = ingest_mail(st, conf, raw, "demo", TRUE, &res, error);
	if (ok)
		printf("  %-12s %-10s %s\n", m->name, message_kind_name(res.kind),
		    res.kind == MESSAGE_AUTOREPLY ? "out of office: not "
		    "counted, never answered" : "answers stored per question");
	ingest_result_clear(&res);
	return ok;
}

/* A day of the check-in: everyone asked at 16:30 local, the replies
 * read, and the digest that comes of it. */
static gboolean
demo_day_run(struct store *st, const char *dir, GError **error)
{
	g_autofree char *db = g_strdup(store_path(st));
	g_autofree char *maildir = g_build_filename(dir, "Maildir", NULL);
	g_autofree char *sub = NULL, *eml = NULL, *text = NULL;
	g_autoptr(Conf) conf = demo_conf(dir, db, error);
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);
	g_autoptr(GPtrArray) prompts = NULL;
	g_autoptr(Digest) d = NULL;
	g_autoptr(GBytes) mail = NULL;
	static const char *const questions[] = { "What did you work on?",
	    "What will you work on next?", "Is anything blocking you?" };
	struct tidings_ctx env;
	struct checkin_stats stats;
	struct render_headers h = {
		.from_name = "Demo team", .from = "standup@demo.example",
		.to = "you@demo.example", .message_id = "digest-demo@demo.example",
		.list_id = "Demo team <demo.demo.example>",
	};
	gint64 day = demo_day(clock_now());
	gboolean ok = FALSE;

	if (conf == NULL)
		return FALSE;
	for (const char *const *p = (const char *const[]){ "cur", "new", "tmp",
	    NULL }; *p != NULL; p++) {
		g_free(sub);
		sub = g_build_filename(maildir, *p, NULL);
		if (g_mkdir_with_parents(sub, 0700) != 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "cannot create %s", sub);
			return FALSE;
		}
	}
	c->team = g_strdup("demo");
	c->title = g_strdup("Daily check-in");
	c->rrule = g_strdup("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;"
	    "BYMINUTE=30");
	c->close_after = 86400;
	c->active = TRUE;
	c->created_at = day - 86400;
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	for (size_t i = 0; i < G_N_ELEMENTS(questions); i++) {
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup(questions[i]);
		q->blocker = i == 2;
		g_ptr_array_add(c->questions, q);
	}
	if (!store_checkin_add(st, c, error) ||
	    !tidings_ctx_init(&env, st, conf, error))
		return FALSE;

	/* Every quarter of an hour of the day, as the daemon would. */
	for (gint64 t = day; t < day + 86400; t += 900) {
		if (!checkin_tick(&env, t, &stats, error) ||
		    !demo_deliver(st, maildir, t, error))
			goto out;
	}
	if ((prompts = store_prompt_list(st, "demo", day - 86400,
	    error)) == NULL)
		goto out;
	printf("\nCheck-in \"Daily check-in\": each member asked at 16:30 "
	    "in their own zone:\n");
	for (guint i = prompts->len; i > 0; i--) {
		const struct prompt *p = prompts->pdata[i - 1];
		g_autofree char *local = sched_format(p->zone, p->due_at,
		    "%a %H:%M %Z");
		g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc(p->due_at);
		g_autofree char *utc = g_date_time_format(u, "%H:%M UTC");
		printf("  %-22s %-16s (%s)\n", p->email, local, utc);
	}
	printf("\nTheir replies, read by the same pipeline as real mail:\n");
	for (guint i = 0; i < prompts->len; i++) {
		const struct prompt *p = prompts->pdata[i];
		for (size_t k = 0; k < G_N_ELEMENTS(demo_members); k++)
			if (strcmp(demo_members[k].email, p->email) == 0 &&
			    !demo_reply(st, conf, &demo_members[k],
			    demo_replies[k], p, p->due_at + 1800 + 600 * (gint64)k,
			    error))
				goto out;
	}
	if ((d = digest_build(st, "demo", day, day + 2 * 86400,
	    error)) == NULL ||
	    (text = digest_text(env.render, d, error)) == NULL)
		goto out;
	h.date = day + 2 * 86400;
	if ((mail = digest_mail(env.render, st, d, DIGEST_ALTERNATIVE, &h,
	    NULL, error)) == NULL)
		goto out;
	eml = g_build_filename(dir, "digest.eml", NULL);
	if (!g_file_set_contents(eml, g_bytes_get_data(mail, NULL),
	    (gssize)g_bytes_get_size(mail), error))
		goto out;
	printf("\nThe digest the team's subscribers get:\n\n%s\n", text);
	printf("The whole mail (text and HTML) is %s;\nthe prompts as "
	    "sent are in %s.\n", eml, maildir);
	ok = TRUE;
out:
	clock_set(0);
	tidings_ctx_clear(&env);
	return ok;
}

/* Who is working now, in each member's own time. */
static gboolean
demo_show(struct store *st, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, "demo", error);
	g_autoptr(GHashTable) zones = g_hash_table_new(g_str_hash, g_str_equal);
	gint64 now = clock_now();
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
	if (log_verbosity() == 0)
		log_set_quiet(TRUE);
	if (!demo_populate(ctx->store, &error) ||
	    !demo_show(ctx->store, &error) ||
	    !demo_day_run(ctx->store, dir, &error))
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
	    "and shows who is\nworking now in their own local time.  Then a "
	    "day of check-ins: each\nmember asked at 16:30 in their zone, the "
	    "prompts written to a Maildir\nthere instead of sent, four replies "
	    "as people write them (quoted text\nand a signature, HTML only, "
	    "from a phone, an out-of-office auto-reply)\nread by the real "
	    "pipeline, and the digest that comes of them.  Nothing\nleaves "
	    "the machine.",
	.flags = CMD_NO_CONFIG,
	.options = demo_options,
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_demo_exec,
};
