/* Reading and checking the configuration file; see conf.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "value.h"

G_DEFINE_QUARK(tidings-conf-error-quark, conf_error)

#define SECRET_MAX (64 * 1024)

struct conf {
	char *file;		/* NULL for the built-in defaults */
	char *dir;		/* where relative paths start */
	GHashTable *values;	/* "section.key" → value (set in the file) */
	GHashTable *lines;	/* "section.key" → line number */
};

static const struct conf_option *
conf_find(const char *section, const char *key)
{
	for (const struct conf_option *o = conf_table; o->section != NULL; o++)
		if (strcmp(o->section, section) == 0 &&
		    (key == NULL || strcmp(o->key, key) == 0))
			return o;
	return NULL;
}

static char *
conf_id(const char *section, const char *key)
{
	return g_strconcat(section, ".", key, NULL);
}

static struct conf *
conf_alloc(const char *file)
{
	struct conf *conf = g_new0(struct conf, 1);

	conf->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	conf->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	if (file != NULL) {
		conf->file = g_strdup(file);
		conf->dir = g_path_get_dirname(file);
	} else
		conf->dir = g_build_filename(g_get_user_config_dir(), "tidings",
		    NULL);
	return conf;
}

struct conf *
conf_new_default(void)
{
	return conf_alloc(NULL);
}

void
conf_free(struct conf *conf)
{
	if (conf == NULL)
		return;
	g_hash_table_destroy(conf->values);
	g_hash_table_destroy(conf->lines);
	g_free(conf->file);
	g_free(conf->dir);
	g_free(conf);
}

static gboolean
conf_fail(GError **error, int code, const char *file, int line,
    const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static gboolean
conf_fail(GError **error, int code, const char *file, int line,
    const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		g_set_error(error, CONF_ERROR, code, "%s:%d: %s", file, line, msg);
	else
		g_set_error(error, CONF_ERROR, code, "%s: %s", file, msg);
	return FALSE;
}

/*
 * GKeyFile reads the values but keeps no line numbers, so a first pass
 * over the text records where each section and key stands and reports the
 * lines GKeyFile would reject, by number.
 */
static gboolean
conf_scan(struct conf *conf, const char *text, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *section = NULL;
	int n = 0;

	for (char **l = lines; *l != NULL; l++) {
		char *s = g_strstrip(*l), *eq;

		n++;
		if (*s == '\0' || *s == '#')
			continue;
		if (!g_utf8_validate(s, -1, NULL))
			return conf_fail(error, CONF_ERROR_INVALID, conf->file, n,
			    "the line is not valid UTF-8");
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end == NULL || end[1] != '\0' || end == s + 1)
				return conf_fail(error, CONF_ERROR_INVALID,
				    conf->file, n, "a section header must be "
				    "'[name]', not '%s'", s);
			*end = '\0';
			g_free(section);
			section = g_strdup(s + 1);
			if (conf_find(section, NULL) == NULL)
				return conf_fail(error, CONF_ERROR_INVALID,
				    conf->file, n, "unknown section [%s]; the "
				    "sections are [tidings], [imap], [smtp], [filters], "
				    "[checkins], [digests] and [limits]",
				    section);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL || eq == s)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file, n,
			    "expected 'key = value', '[section]' or a '#' "
			    "comment, not '%s'", s);
		*eq = '\0';
		g_strchomp(s);
		if (section == NULL)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file, n,
			    "'%s' comes before any [section]", s);
		if (strcmp(s, "password") == 0)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file, n,
			    "passwords are not kept in the configuration file; "
			    "use password-command or password-file in [%s]",
			    section);
		if (conf_find(section, s) == NULL)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file, n,
			    "unknown option '%s' in [%s]; see tidings.conf(5)",
			    s, section);
		g_autofree char *id = conf_id(section, s);
		int prev = GPOINTER_TO_INT(g_hash_table_lookup(conf->lines, id));
		if (prev != 0)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file, n,
			    "%s is already set on line %d", s, prev);
		g_hash_table_insert(conf->lines, g_steal_pointer(&id),
		    GINT_TO_POINTER(n));
	}
	return TRUE;
}

/* A secret file must be ours alone: a regular file nobody else can read. */
static gboolean
secret_mode_ok(const char *path, const struct stat *sb, GError **error)
{
	if (!S_ISREG(sb->st_mode)) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "%s is not a regular file", path);
		return FALSE;
	}
	if ((sb->st_mode & 077) != 0) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "the secret file %s can be read or written by group or "
		    "others (mode %04o); it must be private: chmod 600 %s",
		    path, (unsigned)(sb->st_mode & 07777), path);
		return FALSE;
	}
	return TRUE;
}

static gboolean
conf_check_value(struct conf *conf, const struct conf_option *o,
    const char *value, int line, GError **error)
{
	g_autoptr(GError) verr = NULL;
	g_autofree char *path = NULL;
	struct stat sb;

	if (*value == '\0') {
		if (o->def != NULL)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file,
			    line, "%s needs a value (default: %s)", o->key,
			    o->def);
		return TRUE;
	}
	switch (o->type) {
	case CONF_STRING:
	case CONF_COMMAND:
	case CONF_PATH:
	case CONF_LIST:
		for (const char *p = value; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				return conf_fail(error, CONF_ERROR_INVALID,
				    conf->file, line, "%s contains a control "
				    "character", o->key);
		return TRUE;
	case CONF_ADDRESS: {
		g_autofree char *addr = value_email(value, &verr);
		if (addr == NULL)
			break;
		return TRUE;
	}
	case CONF_DOMAIN:
		if (value_host(value, &verr))
			return TRUE;
		break;
	case CONF_PORT: {
		guint64 port;
		if (g_ascii_string_to_unsigned(value, 10, 1, 65535, &port, NULL))
			return TRUE;
		return conf_fail(error, CONF_ERROR_INVALID, conf->file, line,
		    "%s: '%s' is not a port number (1-65535)", o->key, value);
	}
	case CONF_NUMBER: {
		char *end;
		double d = g_ascii_strtod(value, &end);
		if (*end == '\0' && end != value && d > 0 && d < 1e6)
			return TRUE;
		return conf_fail(error, CONF_ERROR_INVALID, conf->file, line,
		    "%s: '%s' is not a positive number, like 3 or 2.5", o->key,
		    value);
	}
	case CONF_SECONDS:
		if (conf_parse_seconds(value) >= 0)
			return TRUE;
		return conf_fail(error, CONF_ERROR_INVALID, conf->file, line,
		    "%s: '%s' is not a duration; use seconds or a number with "
		    "s, m, h or d, like 30s or 15m", o->key, value);
	case CONF_CHOICE: {
		if (g_strv_contains((const char *const *)o->choices, value))
			return TRUE;
		g_autofree char *list = g_strjoinv(", ", (char **)o->choices);
		return conf_fail(error, CONF_ERROR_INVALID, conf->file, line,
		    "%s: '%s' is not one of %s", o->key, value, list);
	}
	case CONF_SECRET:
		path = conf_get_path(conf, o->section, o->key);
		if (stat(path, &sb) != 0)
			return TRUE;	/* checked again when it is read */
		if (secret_mode_ok(path, &sb, &verr))
			return TRUE;
		break;
	}
	return conf_fail(error, CONF_ERROR_INVALID, conf->file, line, "%s: %s",
	    o->key, verr != NULL ? verr->message : "invalid value");
}

/* Checks that depend on more than one option. */
static gboolean
conf_check_all(struct conf *conf, GError **error)
{
	static const char *const sections[] = { "imap", "smtp" };
	struct stat sb;

	for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
		const char *s = sections[i];
		if (conf_get(conf, s, "password-command") != NULL &&
		    conf_get(conf, s, "password-file") != NULL)
			return conf_fail(error, CONF_ERROR_INVALID, conf->file,
			    conf_line(conf, s, "password-file"), "[%s] has both "
			    "password-command and password-file; keep one", s);
	}
	/* The default secret file is checked too, since it exists unasked. */
	g_autofree char *secret = conf_get_path(conf, "tidings", "secret-file");
	if (conf_line(conf, "tidings", "secret-file") == 0 &&
	    stat(secret, &sb) == 0) {
		g_autoptr(GError) e = NULL;
		if (!secret_mode_ok(secret, &sb, &e))
			return conf_fail(error, CONF_ERROR_INVALID, conf->file,
			    0, "secret-file: %s", e->message);
	}
	return TRUE;
}

struct conf *
conf_load(const char *path, GError **error)
{
	g_autoptr(Conf) conf = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_autofree char *text = NULL;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		int code = g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)
		    ? CONF_ERROR_MISSING : CONF_ERROR_INVALID;
		g_set_error(error, CONF_ERROR, code, "%s%s", gerr->message,
		    code == CONF_ERROR_MISSING ?
		    "; run 'tidings init' to create a configuration" : "");
		return NULL;
	}
	conf = conf_alloc(path);
	if (strlen(text) != len) {
		conf_fail(error, CONF_ERROR_INVALID, path, 0,
		    "the file contains a NUL byte; it is not a text file");
		return NULL;
	}
	if (!conf_scan(conf, text, error))
		return NULL;
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &gerr)) {
		conf_fail(error, CONF_ERROR_INVALID, path, 0, "%s", gerr->message);
		return NULL;
	}
	GHashTableIter it;
	gpointer id, line;
	g_hash_table_iter_init(&it, conf->lines);
	while (g_hash_table_iter_next(&it, &id, &line)) {
		g_auto(GStrv) sk = g_strsplit(id, ".", 2);
		g_autofree char *v = g_key_file_get_string(kf, sk[0], sk[1], &gerr);
		if (v == NULL) {
			conf_fail(error, CONF_ERROR_INVALID, path,
			    GPOINTER_TO_INT(line), "%s", gerr->message);
			return NULL;
		}
		g_hash_table_insert(conf->values, g_strdup(id), g_strdup(v));
	}
	/* Values are checked in table order so that errors come out stably. */
	for (const struct conf_option *o = conf_table; o->section != NULL; o++) {
		g_autofree char *oid = conf_id(o->section, o->key);
		const char *v = g_hash_table_lookup(conf->values, oid);
		if (v != NULL && !conf_check_value(conf, o, v,
		    conf_line(conf, o->section, o->key), error))
			return NULL;
	}
	if (!conf_check_all(conf, error))
		return NULL;
	return g_steal_pointer(&conf);
}

const char *
conf_file(const struct conf *conf)
{
	return conf->file;
}

/* The option SECTION.KEY, as conf_find(), through a table made once:
 * mail is filtered with options read for each mail. */
static const struct conf_option *
conf_find_id(const char *id)
{
	static GHashTable *by_id;

	if (g_once_init_enter(&by_id)) {
		GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		for (const struct conf_option *o = conf_table; o->section != NULL;
		    o++)
			g_hash_table_insert(t, conf_id(o->section, o->key),
			    (gpointer)o);
		g_once_init_leave(&by_id, t);
	}
	return g_hash_table_lookup(by_id, id);
}

const char *
conf_get(const struct conf *conf, const char *section, const char *key)
{
	char buf[128];
	g_autofree char *big = NULL;
	const char *id = buf;
	const struct conf_option *o;
	const char *v;
	size_t ns = strlen(section), nk = strlen(key);

	if (ns + nk + 2 <= sizeof buf) {
		memcpy(buf, section, ns);
		buf[ns] = '.';
		memcpy(buf + ns + 1, key, nk + 1);
	} else
		id = big = conf_id(section, key);
	o = conf_find_id(id);
	g_return_val_if_fail(o != NULL, NULL);
	if (g_hash_table_lookup_extended(conf->values, id, NULL, (gpointer *)&v))
		return *v != '\0' ? v : NULL;
	return o->def;
}

int
conf_line(const struct conf *conf, const char *section, const char *key)
{
	g_autofree char *id = conf_id(section, key);

	return GPOINTER_TO_INT(g_hash_table_lookup(conf->lines, id));
}

/* SCHEME://...: a letter, then letters, digits, '+', '-' or '.'. */
static gboolean
conf_is_uri(const char *v)
{
	const char *p = v;

	if (!g_ascii_isalpha(*p))
		return FALSE;
	while (g_ascii_isalnum(*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return g_str_has_prefix(p, "://");
}

char *
conf_get_path(const struct conf *conf, const char *section, const char *key)
{
	const char *v = conf_get(conf, section, key);

	if (v == NULL)
		return NULL;
	/* A URI (the database's postgresql://...) names no file here. */
	if (conf_is_uri(v))
		return g_strdup(v);
	if (g_str_has_prefix(v, "@config@/"))
		return g_build_filename(conf->dir, v + 9, NULL);
	if (g_str_has_prefix(v, "@data@/"))
		return g_build_filename(g_get_user_data_dir(), v + 7, NULL);
	if (g_str_has_prefix(v, "~/"))
		return g_build_filename(g_get_home_dir(), v + 2, NULL);
	if (g_path_is_absolute(v))
		return g_strdup(v);
	g_autofree char *joined = g_build_filename(conf->dir, v, NULL);
	return g_canonicalize_filename(joined, NULL);
}

int
conf_get_port(const struct conf *conf, const char *section)
{
	const char *port = conf_get(conf, section, "port");
	const char *security = conf_get(conf, section, "security");
	gboolean imap = strcmp(section, "imap") == 0;

	if (port != NULL)
		return atoi(port);
	if (strcmp(security, "tls") == 0)
		return imap ? 993 : 465;
	if (strcmp(security, "starttls") == 0)
		return imap ? 143 : 587;
	return imap ? 143 : 25;
}

double
conf_get_number(const struct conf *conf, const char *section,
    const char *key)
{
	const char *v = conf_get(conf, section, key);

	return v != NULL ? g_ascii_strtod(v, NULL) : -1;
}

char **
conf_get_list(const struct conf *conf, const char *section, const char *key)
{
	const char *v = conf_get(conf, section, key);
	g_autofree char *lower = g_ascii_strdown(v != NULL ? v : "", -1);
	g_auto(GStrv) words = g_strsplit_set(lower, ", \t", -1);
	GPtrArray *out = g_ptr_array_new();

	for (char **w = words; *w != NULL; w++)
		if (**w != '\0')
			g_ptr_array_add(out, g_strdup(*w));
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

gint64
conf_parse_seconds(const char *text)
{
	static const struct { char unit; gint64 factor; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char *end;
	gint64 n;

	if (!g_ascii_isdigit(*text))
		return -1;
	n = g_ascii_strtoll(text, &end, 10);
	if (n < 0 || n > G_MAXINT32)
		return -1;
	if (*end == '\0')
		return n;
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
		if (end[0] == units[i].unit && end[1] == '\0')
			return n * units[i].factor;
	return -1;
}

gint64
conf_get_seconds(const struct conf *conf, const char *section,
    const char *key)
{
	const char *v = conf_get(conf, section, key);

	return v != NULL ? conf_parse_seconds(v) : -1;
}

char *
conf_read_secret(const struct conf *conf, const char *section,
    const char *key, gsize *len, GError **error)
{
	g_autofree char *path = conf_get_path(conf, section, key);
	g_autofree char *buf = NULL;
	struct stat sb;
	ssize_t n;
	int fd;

	if (path == NULL) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "%s is not set in [%s]", key, section);
		return NULL;
	}
	/* fstat() the open file, so that the file checked is the file read. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "cannot read %s: %s", path, g_strerror(errno));
		goto fail;
	}
	if (!secret_mode_ok(path, &sb, error))
		goto fail;
	if (sb.st_size > SECRET_MAX) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "%s is larger than a secret can be", path);
		goto fail;
	}
	buf = g_malloc((gsize)sb.st_size + 1);
	n = read(fd, buf, (size_t)sb.st_size);
	if (n < 0) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "cannot read %s: %s", path, g_strerror(errno));
		goto fail;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n == 0) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "the secret file %s is empty", path);
		return NULL;
	}
	if (len != NULL)
		*len = (gsize)n;
	return g_steal_pointer(&buf);
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

char *
conf_password(const struct conf *conf, const char *section, GError **error)
{
	const char *cmd = conf_get(conf, section, "password-command");
	g_autofree char *out = NULL;
	g_autofree char *err = NULL;
	g_autoptr(GError) gerr = NULL;
	int status;

	if (conf_get(conf, section, "password-file") != NULL)
		return conf_read_secret(conf, section, "password-file", NULL,
		    error);
	if (cmd == NULL)
		return NULL;
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	if (!g_spawn_sync(conf->dir, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL,
	    NULL, &out, &err, &status, &gerr)) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "[%s] password-command could not run: %s", section,
		    gerr->message);
		return NULL;
	}
	if (!g_spawn_check_wait_status(status, &gerr)) {
		g_strstrip(err);
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "[%s] password-command failed (%s)%s%s", section,
		    gerr->message, *err != '\0' ? ": " : "", err);
		return NULL;
	}
	char *nl = strpbrk(out, "\r\n");
	if (nl != NULL)
		*nl = '\0';
	if (*out == '\0') {
		g_set_error(error, CONF_ERROR, CONF_ERROR_SECRET,
		    "[%s] password-command printed no password", section);
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* --- documentation from the table ------------------------------------ */

static void
wrap(GString *out, const char *prefix, const char *text, size_t width)
{
	g_auto(GStrv) words = g_strsplit(text, " ", -1);
	size_t col = 0;

	for (char **w = words; *w != NULL; w++) {
		size_t wl = strlen(*w);
		if (col > 0 && col + 1 + wl > width) {
			g_string_append_c(out, '\n');
			col = 0;
		}
		if (col == 0) {
			g_string_append(out, prefix);
			col = strlen(prefix);
		} else {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, *w);
		col += wl;
	}
	g_string_append_c(out, '\n');
}

static const char *
conf_type_name(const struct conf_option *o)
{
	switch (o->type) {
	case CONF_STRING: return "text";
	case CONF_ADDRESS: return "address";
	case CONF_DOMAIN: return "host";
	case CONF_PATH: return "path";
	case CONF_SECRET: return "path";
	case CONF_COMMAND: return "command";
	case CONF_PORT: return "port";
	case CONF_CHOICE: return "choice";
	case CONF_SECONDS: return "duration";
	case CONF_NUMBER: return "number";
	case CONF_LIST: return "list";
	}
	return "text";
}

/* The default as shown to people: @config@ and @data@ spelled out. */
static char *
conf_def_text(const char *def)
{
	if (def == NULL)
		return NULL;
	if (g_str_has_prefix(def, "@config@/"))
		return g_strconcat("(the config file's directory)/", def + 9, NULL);
	if (g_str_has_prefix(def, "@data@/"))
		return g_strconcat("$XDG_DATA_HOME/", def + 7, NULL);
	return g_strdup(def);
}

char *
conf_example(GHashTable *set)
{
	GString *out = g_string_new(
	    "# tidings configuration; see tidings.conf(5).\n"
	    "# Lines starting with # are comments; remove the # to set an "
	    "option.\n");
	const char *section = NULL;

	for (const struct conf_option *o = conf_table; o->section != NULL; o++) {
		if (section == NULL || strcmp(section, o->section) != 0) {
			section = o->section;
			g_string_append_printf(out, "\n[%s]\n", section);
		}
		g_autofree char *id = conf_id(o->section, o->key);
		const char *v = set != NULL ? g_hash_table_lookup(set, id) : NULL;
		g_string_append_c(out, '\n');
		wrap(out, "# ", o->help, 72);
		if (v != NULL)
			g_string_append_printf(out, "%s = %s\n", o->key, v);
		else if (o->def != NULL && !g_str_has_prefix(o->def, "@"))
			g_string_append_printf(out, "#%s = %s\n", o->key, o->def);
		else if (o->def != NULL) {
			g_autofree char *def = conf_def_text(o->def);
			g_string_append_printf(out, "# Default: %s\n#%s =\n", def,
			    o->key);
		} else
			g_string_append_printf(out, "#%s =\n", o->key);
	}
	return g_string_free(out, FALSE);
}

/* roff text: a backslash is written \e, and a leading dot or quote is
 * protected with \&. */
static void
roff_text(GString *out, const char *text)
{
	if (*text == '.' || *text == '\'')
		g_string_append(out, "\\&");
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append(out, "\\e");
		else if (*p == '-')
			g_string_append(out, "\\-");
		else
			g_string_append_c(out, *p);
	}
}

char *
conf_manual(void)
{
	GString *out = g_string_new(NULL);
	const char *section = NULL;

	for (const struct conf_option *o = conf_table; o->section != NULL; o++) {
		g_autofree char *def = conf_def_text(o->def);
		if (section == NULL || strcmp(section, o->section) != 0) {
			section = o->section;
			g_string_append_printf(out, ".SS [%s]\n", section);
		}
		g_string_append(out, ".TP\n.B ");
		roff_text(out, o->key);
		g_string_append(out, " = \\fI");
		if (o->type == CONF_CHOICE) {
			g_autofree char *c = g_strjoinv("|", (char **)o->choices);
			roff_text(out, c);
		} else
			roff_text(out, conf_type_name(o));
		g_string_append(out, "\\fR\n");
		roff_text(out, o->help);
		if (def != NULL) {
			g_string_append(out, "\nDefault: ");
			roff_text(out, def);
			g_string_append_c(out, '.');
		}
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}
