/* Unit tests for the pipeline: the loop and exec filters, the order of
 * the table, what unclaimed mail is called, and quote containers of HTML
 * mail. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "filter.h"
#include "message.h"
#include "rawfile.h"
#include "testmail.h"

static struct message *
mail(const char *text)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	g_autoptr(GError) error = NULL;
	struct message *m = message_parse(raw, ARRIVAL, &error);

	g_assert_no_error(error);
	return m;
}

static void
test_loop(void)
{
	struct filter_ctx ctx = { .address = "standup@example.org" };
	g_autoptr(Message) marked = mail("From: ana@example.org\n"
	    FILTER_MARKER_HEADER ": prompt\nSubject: x\n\nbody\n");
	g_autoptr(Message) own = mail("From: Standup <STANDUP@example.org>\n"
	    "Subject: x\n\nbody\n");
	g_autoptr(Message) sub = mail("From: standup+k7q2@example.org\n"
	    "Subject: x\n\nbody\n");
	g_autoptr(Message) other = mail("From: standupper@example.org\n"
	    "Subject: x\n\nbody\n");
	g_autoptr(Message) domain = mail("From: standup@example.net\n"
	    "Subject: x\n\nbody\n");

	g_assert_cmpint(filter_loop.run(marked, &ctx), ==, FILTER_DROP);
	g_assert_cmpint(marked->kind, ==, MESSAGE_SENT);
	g_assert_nonnull(strstr(marked->reason, FILTER_MARKER_HEADER));
	g_assert_cmpint(filter_loop.run(own, &ctx), ==, FILTER_DROP);
	g_assert_cmpint(filter_loop.run(sub, &ctx), ==, FILTER_DROP);
	g_assert_cmpint(filter_loop.run(other, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(filter_loop.run(domain, &ctx), ==, FILTER_NEXT);
	/* The reply addresses' own domain is tidings' too. */
	ctx.domain = "example.net";
	{
		g_autoptr(Message) reply = mail("From: standup+k7q2@"
		    "example.net\nSubject: x\n\nbody\n");
		g_assert_cmpint(filter_loop.run(reply, &ctx), ==, FILTER_DROP);
	}
	ctx.domain = NULL;
	ctx.address = NULL;
	g_assert_cmpint(filter_loop.run(other, &ctx), ==, FILTER_NEXT);
}

/* A configuration whose exec filter is COMMAND. */
static struct conf *
exec_conf(const char *command, const char *timeout)
{
	g_autofree char *dir = g_dir_make_tmp("tidings-filters-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "t.conf", NULL);
	g_autofree char *text = g_strdup_printf("[filters]\nexec = %s\n"
	    "exec-timeout = %s\n", command, timeout);
	g_autoptr(GError) error = NULL;
	struct conf *conf;

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	conf = conf_load(path, &error);
	g_assert_no_error(error);
	g_remove(path);
	g_rmdir(dir);
	return conf;
}

static enum verdict
run_exec(const char *command, const char *timeout, struct message *m,
    GError **error)
{
	g_autoptr(Conf) conf = exec_conf(command, timeout);
	struct filter_ctx ctx = { .conf = conf };
	enum verdict v = filter_exec.run(m, &ctx);

	if (ctx.error != NULL)
		g_propagate_error(error, ctx.error);
	return v;
}

static void
test_exec(void)
{
	g_autoptr(Message) m = testmail_parse_file("plain-reply.eml");
	g_autoptr(GError) error = NULL;
	gint64 start;

	/* The program reads the whole mail as received. */
	g_assert_cmpint(run_exec("grep -q '^Message-ID: <CAB+reply.1@mail."
	    "example.org>$' && exit 0 || exit 3", "5s", m, &error), ==,
	    FILTER_NEXT);
	g_assert_no_error(error);
	g_assert_cmpint(run_exec("echo 'looks like spam' >&2; exit 1", "5s", m,
	    &error), ==, FILTER_DROP);
	g_assert_nonnull(strstr(m->reason, "looks like spam"));
	g_assert_cmpint(run_exec("exit 75", "5s", m, &error), ==, FILTER_DEFER);
	g_assert_nonnull(strstr(error->message, "exited with 75"));
	g_clear_error(&error);
	g_assert_cmpint(run_exec("kill -9 $$", "5s", m, &error), ==,
	    FILTER_DEFER);
	g_assert_nonnull(strstr(error->message, "signal 9"));
	g_clear_error(&error);
	/* A program that reads nothing and decides at once is fine. */
	g_assert_cmpint(run_exec("exit 0", "5s", m, &error), ==, FILTER_NEXT);
	/* Past the timeout it is killed and the mail deferred. */
	start = g_get_monotonic_time();
	g_assert_cmpint(run_exec("sleep 30", "1s", m, &error), ==,
	    FILTER_DEFER);
	g_assert_nonnull(strstr(error->message, "did not finish within 1 s"));
	g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
	g_clear_error(&error);
}

/* The program reads a mail left in its file whole, as it is in the file;
 * one whose file shrank meanwhile it reads no further than the file. */
static void
test_exec_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) mail = g_string_new("From: a@example.org\n"
	    "Message-ID: <exec@x>\n\n");
	g_autofree char *dir = g_dir_make_tmp("tidings-exec-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "mail", NULL);
	g_autofree char *cmd = NULL;
	g_autoptr(RawFile) rf = NULL;
	g_autoptr(Message) m = NULL;

	for (guint i = 0; mail->len < 300 * 1024; i++)
		g_string_append_printf(mail, "line %u\n", i);
	g_assert_true(g_file_set_contents(path, mail->str, (gssize)mail->len,
	    NULL));
	rf = rawfile_open(path, &error);
	g_assert_no_error(error);
	m = message_parse_file(rf, message_hash_file(rf, NULL), ARRIVAL, &error);
	g_assert_nonnull(m);
	g_assert_null(m->raw);
	cmd = g_strdup_printf("cmp -s - '%s' && exit 0 || exit 3", path);
	g_assert_cmpint(run_exec(cmd, "5s", m, &error), ==, FILTER_NEXT);
	g_assert_no_error(error);
	g_assert_cmpint(truncate(path, 1000), ==, 0);
	g_free(cmd);
	cmd = g_strdup("[ $(wc -c) -le 1000 ] && exit 0 || exit 3");
	g_assert_cmpint(run_exec(cmd, "5s", m, &error), ==, FILTER_NEXT);
	g_assert_no_error(error);
	g_unlink(path);
	g_rmdir(dir);
}

static void
test_exec_unset(void)
{
	g_autoptr(Message) m = testmail_parse_file("plain-reply.eml");
	struct filter_ctx ctx = { 0 };

	g_assert_cmpint(filter_exec.run(m, &ctx), ==, FILTER_NEXT);
}

/* Bounces and auto-replies end the pipeline before any reply text is
 * made of them; mail nobody claimed is a reply when it answers
 * something. */
static void
test_pipeline(void)
{
	struct filter_ctx ctx = { .address = "standup@example.org" };
	g_autoptr(Message) reply = testmail_parse_file("plain-reply.eml");
	g_autoptr(Message) vacation = mail("From: ana@example.org\n"
	    "Auto-Submitted: auto-replied\nSubject: Out of office\n\n"
	    "Back on Monday.\n");
	g_autoptr(Message) note = mail("From: ana@example.org\nSubject: Hello\n"
	    "Message-ID: <n@x>\n\nJust a note.\n");

	g_assert_cmpint(filters_run(reply, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(reply->kind, ==, MESSAGE_REPLY);
	g_assert_true(g_str_has_prefix(reply->reply, "Finished the migration"));
	g_assert_null(strstr(reply->reply, "What did you work on"));
	g_assert_cmpint(filters_run(vacation, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(vacation->kind, ==, MESSAGE_AUTOREPLY);
	g_assert_true(vacation->out_of_office);
	g_assert_null(vacation->reply);
	g_assert_cmpint(filters_run(note, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(note->kind, ==, MESSAGE_OTHER);
}

/* In HTML-only mail, the quote containers of mail programs are cut. */
static void
test_html_quotes(void)
{
	static const char *const containers[] = {
		"<div class=\"gmail_quote\">On Mon, Ana wrote:<blockquote>QUOTED"
		"</blockquote></div>",
		"<div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\">"
		"<b>From:</b> Ana</div><div>QUOTED</div>",
		"<blockquote type=\"cite\">QUOTED</blockquote>",
		"<div class=\"moz-cite-prefix\">On 3/9/26 Ana wrote:</div>"
		"<blockquote type=\"cite\">QUOTED</blockquote>",
	};
	struct filter_ctx ctx = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(containers); i++) {
		g_autofree char *text = g_strdup_printf("From: ana@example.org\n"
		    "Subject: Re: x\nMIME-Version: 1.0\nContent-Type: text/html; "
		    "charset=utf-8\n\n<html><body><p>NEW TEXT</p>%s</body></html>\n",
		    containers[i]);
		g_autoptr(Message) m = mail(text);

		g_test_message("%s", containers[i]);
		filters_run(m, &ctx);
		g_assert_nonnull(strstr(m->reply, "NEW TEXT"));
		g_assert_null(strstr(m->reply, "QUOTED"));
		/* The stored text still has everything. */
		g_assert_nonnull(strstr(m->text, "QUOTED"));
	}
}

/* HTML-only replies as real mail programs write them: each reads as the
 * writer's text alone, and the answers go to their questions. */
static void
test_html_replies(void)
{
	static const struct {
		const char *file;
		const char *reply;
		const char *answers[3];
	} cases[] = {
		/* Gmail, answered between the quoted questions. */
		{ "html-gmail-inline.eml", NULL, { "The exports, and their "
		    "tests.", "The imports.", "Waiting on the API keys." } },
		/* Gmail, each question as a bold label, then its answer. */
		{ "html-labelled.eml", NULL, { "The exports, and their tests.",
		    "The imports.", "Waiting on the API keys." } },
		/* Outlook.com: a rule, then From:/Sent:/To:/Subject:. */
		{ "html-outlook-com.eml", "1. The billing migration.\n2. The "
		    "load test.\n3. None.", { "The billing migration.",
		    "The load test.", "None." } },
		/* Gmail's signature block, no "-- " above it. */
		{ "html-gmail-signature.eml", "1. The exports.\n2. The "
		    "imports.\n3. Nothing.", { "The exports.", "The imports.",
		    "Nothing." } },
		/* A rule alone between the reply and its quote. */
		{ "html-hr-only.eml", "1. The search index.\n\n2. Its tests."
		    "\n\n3. None.", { "The search index.", "Its tests.",
		    "None." } },
	};
	struct filter_ctx ctx = { .address = "standup@example.org" };
	g_autoptr(GPtrArray) questions = g_ptr_array_new();

	g_ptr_array_add(questions, "What did you work on?");
	g_ptr_array_add(questions, "What is next?");
	g_ptr_array_add(questions, "Is anything blocking you?");
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(Message) m = testmail_parse_file(cases[i].file);
		g_autoptr(GPtrArray) a = NULL;

		g_test_message("%s", cases[i].file);
		g_assert_true(m->text_from_html);
		filters_run(m, &ctx);
		g_assert_nonnull(m->reply);
		if (cases[i].reply != NULL)
			g_assert_cmpstr(m->reply, ==, cases[i].reply);
		g_assert_null(strstr(m->reply, "wrote:"));
		g_assert_null(strstr(m->reply, "Not today?"));
		g_assert_false(g_str_has_prefix(m->reply, "Hi "));
		a = answer_split(m->reply, questions);
		for (guint k = 0; k < 3; k++)
			g_assert_cmpstr(a->pdata[k], ==, cases[i].answers[k]);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/filters/loop", test_loop);
	g_test_add_func("/filters/exec", test_exec);
	g_test_add_func("/filters/exec/unset", test_exec_unset);
	g_test_add_func("/filters/exec/file", test_exec_file);
	g_test_add_func("/filters/pipeline", test_pipeline);
	g_test_add_func("/filters/html-quotes", test_html_quotes);
	g_test_add_func("/filters/html-replies", test_html_replies);
	return g_test_run();
}
