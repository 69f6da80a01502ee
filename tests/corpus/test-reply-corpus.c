/* Reply extraction against mail written by other people: the corpora of
 * Discourse's email_reply_trimmer and GitHub's email_reply_parser, read in
 * place from $SHARED_DIR/corpus.  Every test is skipped when the corpus
 * is not there. */
#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "reply.h"

/* Discourse's set must mostly agree with us; each disagreement is listed. */
#define TRIMMER_PASS_RATE	95.0
/* The worst-case inputs must take "well under a second"; the bound is
 * loose so that a busy or sanitised build cannot flake. */
#define SLOW_USEC		(2 * G_USEC_PER_SEC)

/* The directory of corpus SET, or NULL (and the test skipped) without it. */
static char *
corpus_dir(const char *set)
{
	const char *shared = g_getenv("SHARED_DIR");
	g_autofree char *dir = NULL;

	if (shared != NULL)
		dir = g_build_filename(shared, "corpus", set, NULL);
	if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_test_skip("no corpus: set SHARED_DIR to the shared folder");
		return NULL;
	}
	return g_steal_pointer(&dir);
}

/* The file DIR/SUB/NAME, or NULL when it does not exist. */
static char *
read_file(const char *dir, const char *sub, const char *name)
{
	g_autofree char *path = g_build_filename(dir, sub, name, NULL);
	g_autoptr(GError) error = NULL;
	char *text = NULL;

	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return NULL;
	if (!g_file_get_contents(path, &text, NULL, &error))
		g_error("%s: %s", path, error->message);
	return text;
}

/* TEXT with LF line ends. */
static char *
lf_only(const char *text)
{
	GString *out = g_string_new(NULL);

	for (const char *p = text; *p != '\0'; p++) {
		if (*p != '\r')
			g_string_append_c(out, *p);
		else if (p[1] != '\n')
			g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

/* TEXT with LF line ends, no white space at the line ends and none
 * around it: the form in which texts are compared. */
static char *
tidy(const char *text)
{
	g_autofree char *lf = lf_only(text);
	g_auto(GStrv) lines = g_strsplit(lf, "\n", -1);
	GString *out = g_string_new(NULL);
	char *s;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (i > 0)
			g_string_append_c(out, '\n');
		g_string_append(out, g_strchomp(lines[i]));
	}
	s = g_string_free(out, FALSE);
	return g_strstrip(s);
}

/* The sorted names of the files in DIR/SUB. */
static GPtrArray *
list_names(const char *dir, const char *sub)
{
	g_autofree char *path = g_build_filename(dir, sub, NULL);
	g_autoptr(GDir) d = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	d = g_dir_open(path, 0, &error);
	g_assert_no_error(error);
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	return names;
}

/* Prints a line both as a test message and on stdout as a TAP comment. */
static void
report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
report(const char *fmt, ...)
{
	g_autofree char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* g_test_message() prints it as a TAP comment. */
	g_test_message("%s", line);
}

/* emails/NAME against trimmed/NAME: the reply, quotes and signature cut. */
static void
test_trimmer(void)
{
	g_autofree char *dir = corpus_dir("email_reply_trimmer");
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GString) failed = g_string_new(NULL);
	guint pass = 0;
	double rate;

	if (dir == NULL)
		return;
	names = list_names(dir, "emails");
	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *text = read_file(dir, "emails", name);
		g_autofree char *want = read_file(dir, "trimmed", name);
		g_autofree char *reply = reply_extract(text, NULL);
		g_autofree char *a = tidy(reply);
		g_autofree char *b = want != NULL ? tidy(want) : NULL;

		if (g_strcmp0(a, b) == 0)
			pass++;
		else
			g_string_append_printf(failed, " %s", name);
	}
	g_assert_cmpuint(names->len, >, 0);
	rate = 100.0 * pass / names->len;
	report("email_reply_trimmer: %u of %u replies as expected (%.1f%%)",
	    pass, names->len, rate);
	if (failed->len > 0)
		report("email_reply_trimmer: differ:%s", failed->str);
	g_assert_cmpfloat(rate, >=, TRIMMER_PASS_RATE);
}

/* Whether a line of ELIDED that says something (a quote marker or a
 * blank does not) is a line of REPLY. */
static gboolean
kept_elided(const char *reply, const char *elided)
{
	g_auto(GStrv) cut = g_strsplit(elided, "\n", -1);
	g_auto(GStrv) kept = g_strsplit(reply, "\n", -1);

	for (guint i = 0; cut[i] != NULL; i++) {
		const char *c = g_strstrip(cut[i]);
		if (strlen(c) < 10)
			continue;
		for (guint k = 0; kept[k] != NULL; k++)
			if (strcmp(g_strstrip(kept[k]), c) == 0)
				return TRUE;
	}
	return FALSE;
}

/* elided/NAME is what Discourse cut: none of it may be in the reply. */
static void
test_trimmer_elided(void)
{
	g_autofree char *dir = corpus_dir("email_reply_trimmer");
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GString) failed = g_string_new(NULL);

	if (dir == NULL)
		return;
	names = list_names(dir, "elided");
	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *text = read_file(dir, "emails", name);
		g_autofree char *elided = read_file(dir, "elided", name);
		g_autofree char *reply = reply_extract(text, NULL);
		g_autofree char *cut = lf_only(elided);

		if (kept_elided(reply, cut))
			g_string_append_printf(failed, " %s", name);
	}
	report("email_reply_trimmer: %u mails, elided text kept in:%s",
	    names->len, failed->len > 0 ? failed->str : " none");
	g_assert_cmpuint(names->len, >, 0);
	g_assert_cmpuint(failed->len, ==, 0);
}

/* The part after the marker line of a forward. */
static char *
forward_body(const char *fwd)
{
	const char *nl = strchr(fwd, '\n');

	return tidy(nl != NULL ? nl + 1 : "");
}

/* The first line of TEXT that is not blank, tidied. */
static char *
first_line(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		char *l = g_strstrip(lines[i]);
		if (*l != '\0')
			return g_strdup(l);
	}
	return g_strdup("");
}

/* One mail that Discourse splits into before/ and embedded/.  A forward
 * must give the same two parts; anything else is a quote, which must not
 * reach the reply.  Returns whether it was a forward. */
static gboolean
check_embedded(const char *dir, const char *name, GString *failed)
{
	g_autofree char *text = read_file(dir, "emails", name);
	g_autofree char *before = read_file(dir, "before", name);
	g_autofree char *embedded = read_file(dir, "embedded", name);
	g_autofree char *fwd = NULL;
	g_autofree char *reply = NULL;
	g_autofree char *want_before = NULL, *want_fwd = NULL;
	g_autofree char *got_before = NULL, *got_fwd = NULL, *line = NULL;

	g_assert_nonnull(text);
	g_assert_nonnull(embedded);
	reply = reply_strip_quotes(text, &fwd);
	if (fwd == NULL) {
		g_autofree char *full = reply_extract(text, NULL);
		line = first_line(embedded);
		if (strstr(full, line) != NULL)
			g_string_append_printf(failed, " %s", name);
		return FALSE;
	}
	want_before = tidy(before != NULL ? before : "");
	got_before = tidy(reply);
	want_fwd = tidy(embedded);
	got_fwd = forward_body(fwd);
	if (strcmp(want_before, got_before) != 0 ||
	    strcmp(want_fwd, got_fwd) != 0)
		g_string_append_printf(failed, " %s", name);
	return TRUE;
}

static void
test_trimmer_embedded(void)
{
	g_autofree char *dir = corpus_dir("email_reply_trimmer");
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GString) failed = g_string_new(NULL);
	guint forwards = 0;

	if (dir == NULL)
		return;
	names = list_names(dir, "embedded");
	for (guint i = 0; i < names->len; i++)
		forwards += check_embedded(dir, names->pdata[i], failed);
	report("email_reply_trimmer: %u embedded mails, %u kept as forwards, "
	    "the others cut as quotes", names->len, forwards);
	if (failed->len > 0)
		report("email_reply_trimmer: embedded parts wrong:%s",
		    failed->str);
	g_assert_cmpuint(failed->len, ==, 0);
}

static JsonArray *
load_checks(const char *dir, JsonParser *parser)
{
	g_autofree char *path = g_build_filename(dir, "expected.json", NULL);
	g_autoptr(GError) error = NULL;
	JsonNode *root;

	json_parser_load_from_file(parser, path, &error);
	g_assert_no_error(error);
	root = json_parser_get_root(parser);
	g_assert_true(JSON_NODE_HOLDS_ARRAY(root));
	return json_node_get_array(root);
}

static const char *
member_string(JsonObject *o, const char *name)
{
	return json_object_get_string_member_with_default(o, name, NULL);
}

/* Notes a failed check of FILE. */
static void
fail(GString *failed, const char *file, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fail(GString *failed, const char *file, const char *fmt, ...)
{
	g_autofree char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_test_message("github_email_reply_parser: %s: %s", file, why);
	g_string_append_printf(failed, " %s", file);
}

static void
check_strings(JsonObject *o, const char *member, const char *reply,
    gboolean present, GString *failed, const char *file)
{
	JsonArray *a;

	if (!json_object_has_member(o, member))
		return;
	a = json_object_get_array_member(o, member);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		const char *s = json_array_get_string_element(a, i);
		g_autofree char *shown = g_strescape(s, NULL);
		if ((strstr(reply, s) != NULL) != present)
			fail(failed, file, "%s \"%s\"", present ?
			    "lacks" : "has", shown);
	}
}

/* Whether PATTERN matches S where '^' is the start of S. */
static gboolean
matches(const char *pattern, const char *s)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GRegex) re = g_regex_new(pattern, 0, 0, &error);

	g_assert_no_error(error);
	return g_regex_match(re, s, 0, NULL);
}

/* What the reply left below it in TEXT: the signature and what follows. */
static char *
signature_of(const char *text, const char *reply)
{
	g_autofree char *body = lf_only(text);
	const char *last = strrchr(reply, '\n');
	const char *at;

	last = last != NULL ? last + 1 : reply;
	at = *last != '\0' ? strstr(body, last) : NULL;
	if (at == NULL)
		return g_strdup("");
	return g_strchug(g_strdup(at + strlen(last)));
}

static void
check_one(const char *dir, JsonObject *o, GString *failed)
{
	const char *file = member_string(o, "file");
	const char *kind = member_string(o, "kind");
	const char *want, *sig_match, *sig_start;
	g_autofree char *text = NULL, *reply = NULL, *sig = NULL;
	g_autofree char *shown = NULL, *shown_sig = NULL;

	g_assert_nonnull(file);
	text = read_file(dir, "emails", file);
	g_assert_nonnull(text);
	reply = reply_extract(text, NULL);
	shown = g_strescape(reply, NULL);
	if ((want = member_string(o, "expected_reply")) != NULL &&
	    strcmp(reply, want) != 0)
		fail(failed, file, "reply is \"%s\"", shown);
	if ((want = member_string(o, "reply_must_match")) != NULL &&
	    !matches(want, reply))
		fail(failed, file, "reply \"%s\" does not match", shown);
	check_strings(o, "reply_must_contain", reply, TRUE, failed, file);
	check_strings(o, "reply_must_not_contain", reply, FALSE, failed, file);
	if (g_strcmp0(kind, "whole_body_is_reply") == 0) {
		g_autofree char *body = tidy(text);
		if (strcmp(reply, body) != 0)
			fail(failed, file, "not the whole body: \"%s\"", shown);
	}
	sig = signature_of(text, reply);
	shown_sig = g_strescape(sig, NULL);
	if ((sig_match = member_string(o, "signature_must_match")) != NULL &&
	    !matches(sig_match, sig))
		fail(failed, file, "signature \"%s\" does not match",
		    shown_sig);
	sig_start = member_string(o, "expected_signature_starts");
	if (sig_start != NULL && !g_str_has_prefix(sig, sig_start))
		fail(failed, file, "signature \"%s\" does not start right",
		    shown_sig);
}

/* Every check of expected.json must hold. */
static void
test_github(void)
{
	g_autofree char *dir = corpus_dir("github_email_reply_parser");
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GString) failed = g_string_new(NULL);
	JsonArray *checks;
	guint n = 0;

	if (dir == NULL)
		return;
	parser = json_parser_new();
	checks = load_checks(dir, parser);
	for (guint i = 0; i < json_array_get_length(checks); i++) {
		JsonObject *o = json_array_get_object_element(checks, i);
		if (g_strcmp0(member_string(o, "kind"), "performance") == 0)
			continue;
		check_one(dir, o, failed);
		n++;
	}
	report("github_email_reply_parser: %u mails checked, failed:%s", n,
	    failed->len > 0 ? failed->str : " none");
	g_assert_cmpuint(n, >, 0);
	g_assert_cmpuint(failed->len, ==, 0);
}

/* The inputs that catch catastrophic backtracking. */
static void
test_github_time(void)
{
	g_autofree char *dir = corpus_dir("github_email_reply_parser");
	g_autoptr(JsonParser) parser = NULL;
	JsonArray *checks;
	guint n = 0;

	if (dir == NULL)
		return;
	parser = json_parser_new();
	checks = load_checks(dir, parser);
	for (guint i = 0; i < json_array_get_length(checks); i++) {
		JsonObject *o = json_array_get_object_element(checks, i);
		const char *file = member_string(o, "file");
		g_autofree char *text = NULL, *reply = NULL;
		gint64 start, usec;

		if (g_strcmp0(member_string(o, "kind"), "performance") != 0)
			continue;
		text = read_file(dir, "emails", file);
		g_assert_nonnull(text);
		start = g_get_monotonic_time();
		reply = reply_extract(text, NULL);
		usec = g_get_monotonic_time() - start;
		report("github_email_reply_parser: %s (%zu bytes): %.1f ms",
		    file, strlen(text), usec / 1000.0);
		g_assert_cmpint(usec, <, SLOW_USEC);
		n++;
	}
	g_assert_cmpuint(n, >, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reply-corpus/trimmer", test_trimmer);
	g_test_add_func("/reply-corpus/trimmer/elided", test_trimmer_elided);
	g_test_add_func("/reply-corpus/trimmer/embedded",
	    test_trimmer_embedded);
	g_test_add_func("/reply-corpus/github", test_github);
	g_test_add_func("/reply-corpus/github/time", test_github_time);
	return g_test_run();
}
