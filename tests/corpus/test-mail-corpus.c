/* Bounce and auto-reply detection against real-world mail written by other
 * people: sisimai's bounces from some seventy mail servers and zammad's
 * out-of-office replies.  The corpora are read in place from
 * $SHARED_DIR/corpus; without them the tests skip. */
#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "message.h"

/* Agreement with sisimai's hard/soft and DSN status class that the rules
 * reach today, in percent; a change that loses some fails the test.
 * Sisimai's "hardbounce" means what ours does, a dead address, but it
 * also reinterprets some servers' "user unknown" as a filter from what it
 * knows of them (Japanese carriers above all); its status for a notice
 * without one is a class it infers, as ours is. */
#define HARD_AGREEMENT_MIN	90.0
#define STATUS_AGREEMENT_MIN	97.5

/* What expected.tsv says of one file: one row per failed recipient. */
struct expected {
	guint n_recipients;
	GPtrArray *hard;	/* of "true" / "false" / "", one per row */
	GPtrArray *status;	/* of "5.1.1" or "", one per row */
	gboolean feedback;
	gboolean delivered;
};

static void
expected_free(struct expected *e)
{
	g_ptr_array_unref(e->hard);
	g_ptr_array_unref(e->status);
	g_free(e);
}

/* The corpus directory, or NULL (and the test skipped) without it. */
static char *
corpus_dir(const char *set)
{
	const char *shared = g_getenv("SHARED_DIR");
	char *dir;

	if (shared == NULL || *shared == '\0') {
		g_test_skip("SHARED_DIR is not set");
		return NULL;
	}
	dir = g_build_filename(shared, "corpus", set, NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_autofree char *why = g_strdup_printf("no corpus at %s", dir);
		g_test_skip(why);
		g_free(dir);
		return NULL;
	}
	return dir;
}

static struct message *
parse_path(const char *path)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(path, &data, &len, &error));
	g_autoptr(GBytes) raw = g_bytes_new_take(g_steal_pointer(&data), len);
	struct message *msg = message_parse(raw,
	    g_get_real_time() / G_USEC_PER_SEC, &error);
	g_assert_no_error(error);
	g_assert_nonnull(msg);
	return msg;
}

/* expected.tsv: file, recipient_index, n_recipients, dsn_status,
 * smtp_reply_code, reason, hardbounce, feedback_type, source. */
static GHashTable *
expected_load(const char *dir)
{
	g_autofree char *path = g_build_filename(dir, "expected.tsv", NULL);
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, (GDestroyNotify)expected_free);

	g_assert_true(g_file_get_contents(path, &data, NULL, &error));
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	for (char **l = lines + 1; *l != NULL; l++) {
		g_auto(GStrv) f = g_strsplit(*l, "\t", -1);
		if (g_strv_length(f) < 7)
			continue;
		struct expected *e = g_hash_table_lookup(table, f[0]);
		if (e == NULL) {
			e = g_new0(struct expected, 1);
			e->hard = g_ptr_array_new_with_free_func(g_free);
			e->status = g_ptr_array_new_with_free_func(g_free);
			e->delivered = TRUE;
			g_hash_table_insert(table, g_strdup(f[0]), e);
		}
		e->n_recipients = (guint)atoi(f[2]);
		g_ptr_array_add(e->hard, g_strdup(f[6]));
		g_ptr_array_add(e->status, g_strdup(f[3]));
		if (strcmp(f[5], "feedback") == 0)
			e->feedback = TRUE;
		if (strcmp(f[5], "delivered") != 0)
			e->delivered = FALSE;
	}
	return table;
}

/* Counts of one run over the sisimai corpus. */
struct tally {
	guint bounces, detected, count_ok;
	/* Sisimai counts delay notices as soft bounces; tidings does not
	 * (nothing failed yet): they must be recognised as such. */
	guint delays;
	guint hard_rows, hard_ok;
	guint status_rows, status_ok;
	guint not_bounces, not_ok;	/* feedback, delivered, not/ */
	guint autoreplies, autoreply_ok;
	GString *failures;
};

static void
fail(struct tally *t, const char *what, const char *file, const char *fmt,
    ...) G_GNUC_PRINTF(4, 5);

static void
fail(struct tally *t, const char *what, const char *file, const char *fmt,
    ...)
{
	va_list ap;

	g_string_append_printf(t->failures, "# %s: %s", what, file);
	if (fmt != NULL) {
		g_autofree char *s = NULL;
		va_start(ap, fmt);
		s = g_strdup_vprintf(fmt, ap);
		va_end(ap);
		g_string_append_printf(t->failures, " (%s)", s);
	}
	g_string_append_c(t->failures, '\n');
}

/* How many of WANT and GOT agree, as multisets: the corpus does not name
 * its recipients, so order cannot be relied on. */
static guint
multiset_agree(GPtrArray *want, GPtrArray *got)
{
	g_autofree gboolean *used = g_new0(gboolean, got->len + 1);
	guint agree = 0;

	for (guint i = 0; i < want->len; i++)
		for (guint j = 0; j < got->len; j++)
			if (!used[j] &&
			    strcmp(want->pdata[i], got->pdata[j]) == 0) {
				used[j] = TRUE;
				agree++;
				break;
			}
	return agree;
}

/* How many recipients MSG reports as still being tried (Action: delayed):
 * no failures to tidings, rows to sisimai. */
static guint
delayed_rows(const struct message *msg)
{
	gsize len;
	const char *raw = g_bytes_get_data(msg->raw, &len);
	g_autofree char *lower = g_ascii_strdown(raw, (gssize)len);
	guint n = 0;

	for (const char *s = lower; (s = strstr(s, "action: delayed")) != NULL;
	    s++)
		n++;
	return n;
}

static void
check_bounce(struct tally *t, const char *file, const struct expected *e,
    GPtrArray *got, const char *not, guint delayed)
{
	g_autoptr(GPtrArray) want_hard = g_ptr_array_new();
	g_autoptr(GPtrArray) want_status =
	    g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) got_hard = g_ptr_array_new();
	g_autoptr(GPtrArray) got_status =
	    g_ptr_array_new_with_free_func(g_free);
	guint agree;

	t->bounces++;
	if (got == NULL && not != NULL && strstr(not, "delay") != NULL) {
		t->delays++;
		return;
	}
	if (got == NULL) {
		fail(t, "not detected as a bounce", file, NULL);
		return;
	}
	t->detected++;
	if (got->len == e->n_recipients || got->len + delayed ==
	    e->n_recipients)
		t->count_ok++;
	else
		fail(t, "recipient count", file, "%u, want %u", got->len,
		    e->n_recipients);
	for (guint i = 0; i < got->len; i++) {
		struct bounce_recipient *r = got->pdata[i];
		g_ptr_array_add(got_hard, r->hard ? "true" : "false");
		g_ptr_array_add(got_status, g_strdup_printf("%c",
		    r->status != NULL ? r->status[0] : '?'));
	}
	for (guint i = 0; i < e->hard->len; i++) {
		const char *h = e->hard->pdata[i], *s = e->status->pdata[i];
		if (*h != '\0')
			g_ptr_array_add(want_hard, (char *)h);
		if (*s != '\0')
			g_ptr_array_add(want_status, g_strndup(s, 1));
	}
	agree = multiset_agree(want_hard, got_hard);
	t->hard_rows += want_hard->len;
	t->hard_ok += agree;
	if (agree < want_hard->len)
		fail(t, "hard/soft", file, "%u of %u agree", agree,
		    want_hard->len);
	agree = multiset_agree(want_status, got_status);
	t->status_rows += want_status->len;
	t->status_ok += agree;
	if (agree < want_status->len)
		fail(t, "status class", file, "%u of %u agree", agree,
		    want_status->len);
}

static void
check_one(struct tally *t, const char *path, const struct expected *e,
    gboolean autoreply)
{
	g_autoptr(Message) msg = parse_path(path);
	g_autofree char *file = g_path_get_basename(path);
	g_autoptr(GPtrArray) got = NULL;
	gboolean bounce = bounce_detect(msg, &got);

	if (autoreply) {
		t->autoreplies++;
		if (bounce)
			fail(t, "auto-reply called a bounce", file, NULL);
		else if (!autoreply_detect(msg, NULL, NULL))
			fail(t, "auto-reply not recognised", file, NULL);
		else
			t->autoreply_ok++;
	} else if (e == NULL || e->feedback || e->delivered) {
		t->not_bounces++;
		if (bounce)
			fail(t, "called a bounce", file, "%u recipients",
			    got->len);
		else
			t->not_ok++;
	} else
		check_bounce(t, file, e, bounce ? got : NULL, bounce ? NULL :
		    bounce_not_failure(msg), delayed_rows(msg));
}

static int
name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_dir(struct tally *t, const char *dir, GHashTable *expected,
    gboolean is_not)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".eml"))
			g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, name_cmp);
	for (guint i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];
		g_autofree char *path = g_build_filename(dir, n, NULL);
		struct expected *e = is_not ? NULL :
		    g_hash_table_lookup(expected, n);
		if (!is_not && e == NULL) {
			fail(t, "not in expected.tsv", n, NULL);
			continue;
		}
		check_one(t, path, e, g_str_has_prefix(n, "rfc3834-"));
	}
}

static double
percent(guint part, guint whole)
{
	return whole > 0 ? 100.0 * part / whole : 100.0;
}

static void
test_sisimai(void)
{
	g_autofree char *dir = corpus_dir("sisimai");
	struct tally t = { 0 };

	if (dir == NULL)
		return;
	g_autoptr(GHashTable) expected = expected_load(dir);
	g_autofree char *bsd = g_build_filename(dir, "maildir", "bsd", NULL);
	g_autofree char *not = g_build_filename(dir, "maildir", "not", NULL);
	t.failures = g_string_new(NULL);
	run_dir(&t, bsd, expected, FALSE);
	run_dir(&t, not, expected, TRUE);

	g_print("# sisimai: %u/%u bounces detected and %u delay notices "
	    "recognised, %u/%u with the right recipient count\n", t.detected,
	    t.bounces, t.delays, t.count_ok, t.detected);
	g_print("# sisimai: hard/soft %u/%u recipients agree (%.1f%%), "
	    "status class %u/%u (%.1f%%)\n", t.hard_ok, t.hard_rows,
	    percent(t.hard_ok, t.hard_rows), t.status_ok, t.status_rows,
	    percent(t.status_ok, t.status_rows));
	g_print("# sisimai: %u/%u non-bounces (not/, feedback reports, "
	    "success notices) not called bounces; %u/%u RFC 3834 auto-replies "
	    "recognised\n", t.not_ok, t.not_bounces, t.autoreply_ok,
	    t.autoreplies);
	if (t.failures->len > 0)
		g_print("%s", t.failures->str);
	g_string_free(t.failures, TRUE);

	g_assert_cmpuint(t.bounces, >, 0);
	g_assert_cmpuint(t.detected + t.delays, ==, t.bounces);
	g_assert_cmpuint(t.count_ok, ==, t.detected);
	g_assert_cmpuint(t.not_ok, ==, t.not_bounces);
	g_assert_cmpuint(t.autoreply_ok, ==, t.autoreplies);
	g_assert_cmpfloat(percent(t.hard_ok, t.hard_rows), >=,
	    HARD_AGREEMENT_MIN);
	g_assert_cmpfloat(percent(t.status_ok, t.status_rows), >=,
	    STATUS_AGREEMENT_MIN);
}

static void
test_zammad(void)
{
	g_autofree char *dir = corpus_dir("zammad_ooo");
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) error = NULL;
	guint total = 0, ok = 0;

	if (dir == NULL)
		return;
	g_autofree char *json = g_build_filename(dir, "expected.json", NULL);
	parser = json_parser_new();
	g_assert_true(json_parser_load_from_file(parser, json, &error));
	JsonArray *cases = json_node_get_array(json_parser_get_root(parser));
	for (guint i = 0; i < json_array_get_length(cases); i++) {
		JsonObject *c = json_array_get_object_element(cases, i);
		const char *file = json_object_get_string_member(c, "file");
		gboolean want_ooo = json_object_get_boolean_member(c,
		    "expected_out_of_office");
		gboolean want_auto = json_object_get_boolean_member(c,
		    "expected_auto_generated");
		g_autofree char *path = g_build_filename(dir, file, NULL);
		g_autoptr(Message) msg = parse_path(path);
		gboolean ooo = FALSE;
		const char *why = NULL;
		gboolean is_auto = autoreply_detect(msg, &ooo, &why);

		total++;
		if (is_auto == want_auto && ooo == want_ooo &&
		    !bounce_detect(msg, NULL))
			ok++;
		else
			g_print("# zammad: %s: auto-generated %d (want %d), "
			    "out of office %d (want %d)%s%s\n", file, is_auto,
			    want_auto, ooo, want_ooo, why != NULL ? ": " : "",
			    why != NULL ? why : "");
	}
	g_print("# zammad: %u/%u out-of-office and auto-generated verdicts "
	    "right\n", ok, total);
	g_assert_cmpuint(total, >, 0);
	g_assert_cmpuint(ok, ==, total);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/corpus/sisimai", test_sisimai);
	g_test_add_func("/corpus/zammad", test_zammad);
	return g_test_run();
}
