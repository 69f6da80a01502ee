/* The configuration file: an INI key file (GLib GKeyFile) described by one
 * table, conf_table[] in conf-table.c, that drives parsing, validation,
 * defaults, the example written by "tidings init" and the option list of
 * tidings.conf(5).  Every error names the file and line. */
#ifndef TIDINGS_CONF_H
#define TIDINGS_CONF_H

#include <glib.h>

#define CONF_ERROR (conf_error_quark())
GQuark conf_error_quark(void);
enum conf_error {
	CONF_ERROR_MISSING,	/* the file does not exist */
	CONF_ERROR_INVALID,	/* a line or value is wrong */
	CONF_ERROR_SECRET,	/* a secret file is unsafe or unreadable */
};

enum conf_type {
	CONF_STRING,
	CONF_ADDRESS,		/* an e-mail address */
	CONF_DOMAIN,		/* a host name */
	CONF_PATH,		/* relative to the config file's directory */
	CONF_SECRET,		/* a path to a file of mode 0600 */
	CONF_COMMAND,		/* a shell command */
	CONF_PORT,
	CONF_CHOICE,
	CONF_SECONDS,		/* a duration: 90, 90s, 15m, 2h, 1d */
	CONF_NUMBER,		/* a positive number: 3, 2.5 */
	CONF_LIST,		/* words, separated by commas or blanks */
};

struct conf_option {
	const char *section;
	const char *key;
	enum conf_type type;
	/* The default as it would be written in the file, or NULL.  In
	 * paths, @config@ is the config file's directory and @data@ is
	 * $XDG_DATA_HOME. */
	const char *def;
	const char *const *choices;	/* CONF_CHOICE: NULL-terminated */
	const char *help;		/* one or two sentences, for humans */
};

extern const struct conf_option conf_table[];

struct conf;

/* Reads and validates PATH.  Returns NULL with CONF_ERROR set, whose message
 * starts "PATH:LINE: " when a line is to blame.  Free with conf_free(). */
struct conf *conf_load(const char *path, GError **error);
/* Every option at its default, for running without a file. */
struct conf *conf_new_default(void);
void conf_free(struct conf *conf);
typedef struct conf Conf;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Conf, conf_free)

/* The file read, or NULL for the built-in defaults. */
const char *conf_file(const struct conf *conf);
/* The value set or its default, or NULL; owned by conf. */
const char *conf_get(const struct conf *conf, const char *section,
    const char *key);
/* The value as an absolute path, with @config@ and @data@ expanded and
 * relative paths taken from the config file's directory; a URI
 * (SCHEME://..., as a PostgreSQL database is named) as it is; NULL if
 * unset.  Caller frees. */
char *conf_get_path(const struct conf *conf, const char *section,
    const char *key);
/* A port, or the default port of the section's security setting. */
int conf_get_port(const struct conf *conf, const char *section);
/* A duration in seconds, or -1 when unset. */
gint64 conf_get_seconds(const struct conf *conf, const char *section,
    const char *key);
/* A number, or -1 when unset. */
double conf_get_number(const struct conf *conf, const char *section,
    const char *key);
/* A CONF_LIST as its words, lower case; an empty vector when unset.
 * Caller frees. */
char **conf_get_list(const struct conf *conf, const char *section,
    const char *key);
/* Parses a duration ("90", "90s", "15m", "2h", "1d"); -1 when invalid. */
gint64 conf_parse_seconds(const char *text);
/* Where the option was set: the line number, or 0 for a default. */
int conf_line(const struct conf *conf, const char *section, const char *key);

/* Reads a secret (section.key names a CONF_SECRET path), refusing a file
 * that is not a regular file of mode 0600 or stricter.  Trailing newlines
 * are removed.  Caller frees. */
char *conf_read_secret(const struct conf *conf, const char *section,
    const char *key, gsize *len, GError **error);

/* The password for section "imap" or "smtp": the output of its
 * password-command (first line), or the contents of its password-file; NULL
 * without error when neither is set.  Caller frees. */
char *conf_password(const struct conf *conf, const char *section,
    GError **error);

/* A commented example configuration (for "tidings init"): every option
 * with its help, commented out at its default, except those SET maps
 * ("section.key" → value), which are written as set.  SET may be NULL.
 * Caller frees. */
char *conf_example(GHashTable *set);
/* The option list of tidings.conf(5) as roff.  Caller frees. */
char *conf_manual(void);

#endif
