/* Unit tests for the configuration file. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"

static char *tmpdir;

/* Writes TEXT to a file in the scratch directory; returns its path. */
static char *
write_file(const char *name, const char *text, int mode)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_assert_cmpint(g_chmod(path, mode), ==, 0);
	return path;
}

static void
test_valid(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *secret = write_file("key", "0123456789abcdef\n", 0600);
	g_autofree char *path = write_file("ok.conf",
	    "# a comment\n"
	    "[tidings]\n"
	    "address = team@example.org\n"
	    "database = data/t.db\n"
	    "secret-file = key\n"
	    "\n"
	    "[imap]\n"
	    "host = imap.example.org\n"
	    "  user = team\n"
	    "password-command = printf 'pw1\\\\nsecond line'\n"
	    "[smtp]\n"
	    "host = 127.0.0.1\n"
	    "security = tls\n", 0644);
	g_autoptr(Conf) conf = conf_load(path, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(conf_get(conf, "tidings", "address"), ==,
	    "team@example.org");
	g_assert_cmpstr(conf_get(conf, "imap", "user"), ==, "team");
	g_assert_cmpstr(conf_get(conf, "imap", "folder"), ==, "INBOX");
	g_assert_null(conf_get(conf, "imap", "processed-folder"));
	g_assert_cmpint(conf_line(conf, "imap", "host"), ==, 8);
	g_assert_cmpint(conf_line(conf, "imap", "folder"), ==, 0);
	g_assert_cmpint(conf_get_port(conf, "imap"), ==, 993);
	g_assert_cmpint(conf_get_port(conf, "smtp"), ==, 465);

	g_autofree char *db = conf_get_path(conf, "tidings", "database");
	g_autofree char *want = g_build_filename(tmpdir, "data", "t.db", NULL);
	g_assert_cmpstr(db, ==, want);

	g_autofree char *pw = conf_password(conf, "imap", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(pw, ==, "pw1");
	g_autofree char *none = conf_password(conf, "smtp", &error);
	g_assert_no_error(error);
	g_assert_null(none);

	gsize len;
	g_autofree char *key = conf_read_secret(conf, "tidings", "secret-file",
	    &len, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(key, ==, "0123456789abcdef");
	g_assert_cmpuint(len, ==, 16);
}

static void
test_defaults(void)
{
	g_autoptr(Conf) conf = conf_new_default();
	g_autofree char *db = conf_get_path(conf, "tidings", "database");
	g_autofree char *want = g_build_filename(g_get_user_data_dir(),
	    "tidings", "tidings.db", NULL);

	g_assert_null(conf_file(conf));
	g_assert_cmpstr(db, ==, want);
	g_assert_cmpstr(conf_get(conf, "imap", "security"), ==, "tls");
	g_assert_cmpint(conf_get_port(conf, "smtp"), ==, 587);
	g_assert_null(conf_get(conf, "tidings", "address"));
}

/* A PostgreSQL URI as the database is kept as it is, not taken for a
 * file beside the configuration. */
static void
test_database_uri(void)
{
	static const char *const uris[] = {
		"postgresql://team@db.example.org/tidings",
		"postgres:///tidings?host=/run/postgresql",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(uris); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strdup_printf(
		    "[tidings]\ndatabase = %s\n", uris[i]);
		g_autofree char *path = write_file("uri.conf", text, 0644);
		g_autoptr(Conf) conf = conf_load(path, &error);
		g_assert_no_error(error);
		g_autofree char *db = conf_get_path(conf, "tidings", "database");
		g_assert_cmpstr(db, ==, uris[i]);
	}
}

/* Each broken file is refused with its file and the line to blame. */
static void
test_bad_lines(void)
{
	static const struct {
		const char *text;
		int line;
		const char *says;
	} cases[] = {
		{ "[tidings]\naddress = nobody\n", 2, "not an e-mail address" },
		{ "address = a@b.org\n", 1, "before any [section]" },
		{ "[tidings]\n\n[mail]\n", 3, "unknown section [mail]" },
		{ "[imap]\nhots = x.org\n", 2, "unknown option 'hots' in [imap]" },
		{ "[imap]\nport = 99999\n", 2, "not a port number" },
		{ "[imap]\nport = 1x\n", 2, "not a port number" },
		{ "[imap]\nsecurity = ssl\n", 2, "not one of tls, starttls, none" },
		{ "[imap]\nhost = bad host\n", 2, "not a host name" },
		{ "[imap]\nfolder =\n", 2, "needs a value" },
		{ "[imap]\npassword = hunter2\n", 2, "password-command" },
		{ "[smtp]\nthis is not a setting\n", 2, "expected 'key = value'" },
		{ "[smtp\n", 1, "section header" },
		{ "[smtp]\nuser = a\nuser = b\n", 3, "already set on line 2" },
		{ "#\n[imap]\nhost = a.org\npassword-command = x\n"
		  "password-file = y\n", 5, "both password-command and" },
		{ "[tidings]\naddress = caf\xe9@x.org\n", 2, "not valid UTF-8" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *name = g_strdup_printf("bad%zu.conf", i);
		g_autofree char *path = write_file(name, cases[i].text, 0644);
		g_autofree char *prefix = g_strdup_printf("%s:%d: ", path,
		    cases[i].line);
		g_autoptr(Conf) conf = conf_load(path, &error);

		g_test_message("case %zu: %s", i, error ? error->message : "-");
		g_assert_null(conf);
		g_assert_error(error, CONF_ERROR, CONF_ERROR_INVALID);
		g_assert_true(g_str_has_prefix(error->message, prefix));
		g_assert_nonnull(strstr(error->message, cases[i].says));
	}
}

static void
test_missing(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Conf) conf = conf_load("/nonexistent/tidings.conf", &error);

	g_assert_null(conf);
	g_assert_error(error, CONF_ERROR, CONF_ERROR_MISSING);
	g_assert_nonnull(strstr(error->message, "tidings init"));
}

static void
test_nul_byte(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(tmpdir, "nul.conf", NULL);

	g_assert_true(g_file_set_contents(path, "[imap]\nhost = a\0b\n", 18,
	    NULL));
	g_autoptr(Conf) conf = conf_load(path, &error);
	g_assert_null(conf);
	g_assert_nonnull(strstr(error->message, "NUL"));
}

/* A secret others can read is refused, by the loader and the reader. */
static void
test_secret_modes(void)
{
	static const int modes[] = { 0644, 0640, 0604, 0660 };

	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *secret = write_file("open-secret", "k\n",
		    modes[i]);
		g_autofree char *path = write_file("s.conf",
		    "[tidings]\nsecret-file = open-secret\n", 0644);
		g_autoptr(Conf) conf = conf_load(path, &error);

		g_assert_null(conf);
		g_assert_nonnull(strstr(error->message, "s.conf:2:"));
		g_assert_nonnull(strstr(error->message, "chmod 600"));
		g_assert_nonnull(strstr(error->message, "group or others"));
	}

	/* The default secret beside the config is checked too. */
	g_autoptr(GError) error = NULL;
	g_autofree char *dsecret = write_file("secret", "k\n", 0644);
	g_autofree char *path = write_file("d.conf", "[imap]\nuser = u\n", 0644);
	g_autoptr(Conf) conf = conf_load(path, &error);
	g_assert_null(conf);
	g_assert_nonnull(strstr(error->message, "chmod 600"));
	g_assert_cmpint(g_chmod(dsecret, 0600), ==, 0);
	g_clear_error(&error);
	conf = conf_load(path, &error);
	g_assert_no_error(error);
	g_remove(dsecret);
}

/* The reader checks the file it opened, so a file made readable after
 * the configuration was loaded is still refused. */
static void
test_secret_read(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *secret = write_file("pw", "hunter2\n", 0600);
	g_autofree char *path = write_file("p.conf",
	    "[smtp]\npassword-file = pw\n", 0644);
	g_autoptr(Conf) conf = conf_load(path, &error);

	g_assert_no_error(error);
	g_autofree char *pw = conf_password(conf, "smtp", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(pw, ==, "hunter2");

	g_assert_cmpint(g_chmod(secret, 0644), ==, 0);
	g_autofree char *pw2 = conf_password(conf, "smtp", &error);
	g_assert_null(pw2);
	g_assert_error(error, CONF_ERROR, CONF_ERROR_SECRET);
	g_clear_error(&error);

	g_remove(secret);
	g_autofree char *pw3 = conf_password(conf, "smtp", &error);
	g_assert_null(pw3);
	g_assert_nonnull(strstr(error->message, "cannot read"));
}

static void
test_password_command_fails(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = write_file("c.conf",
	    "[imap]\npassword-command = echo locked >&2; exit 3\n"
	    "[smtp]\npassword-command = true\n", 0644);
	g_autoptr(Conf) conf = conf_load(path, &error);

	g_assert_no_error(error);
	g_autofree char *pw = conf_password(conf, "imap", &error);
	g_assert_null(pw);
	g_assert_nonnull(strstr(error->message, "[imap] password-command failed"));
	g_assert_nonnull(strstr(error->message, "locked"));
	g_clear_error(&error);
	g_autofree char *pw2 = conf_password(conf, "smtp", &error);
	g_assert_null(pw2);
	g_assert_nonnull(strstr(error->message, "printed no password"));
}

/* The example written by "tidings init" loads back, and it and the manual
 * mention every option. */
static void
test_example_and_manual(void)
{
	g_autoptr(GHashTable) set = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(set, "tidings.address", "t@example.org");
	g_autofree char *example = conf_example(set);
	g_autofree char *manual = conf_manual();
	g_autofree char *path = write_file("example.conf", example, 0644);
	g_autoptr(GError) error = NULL;
	g_autoptr(Conf) conf = conf_load(path, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(conf_get(conf, "tidings", "address"), ==,
	    "t@example.org");
	for (const struct conf_option *o = conf_table; o->section != NULL; o++) {
		g_autofree char *line = g_strdup_printf("#%s =", o->key);
		/* roff escapes hyphens: password-command, password\-command */
		g_auto(GStrv) parts = g_strsplit(o->key, "-", -1);
		g_autofree char *key = g_strjoinv("\\-", parts);
		g_autofree char *roff = g_strconcat(".B ", key, NULL);

		if (o->type != CONF_ADDRESS)
			g_assert_nonnull(strstr(example, line));
		g_assert_nonnull(strstr(manual, roff));
	}
}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("tidings-conf-XXXXXX", NULL);
	g_test_add_func("/conf/valid", test_valid);
	g_test_add_func("/conf/defaults", test_defaults);
	g_test_add_func("/conf/database-uri", test_database_uri);
	g_test_add_func("/conf/bad-lines", test_bad_lines);
	g_test_add_func("/conf/missing", test_missing);
	g_test_add_func("/conf/nul-byte", test_nul_byte);
	g_test_add_func("/conf/secret/modes", test_secret_modes);
	g_test_add_func("/conf/secret/read", test_secret_read);
	g_test_add_func("/conf/password-command/fails",
	    test_password_command_fails);
	g_test_add_func("/conf/example-and-manual", test_example_and_manual);
	rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		g_printerr("could not remove %s\n", tmpdir);
	g_free(tmpdir);
	return rc;
}
