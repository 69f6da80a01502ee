/* imap-probe: drives src/imap.c against a real server, for
 * tests/integration/T120-imap.sh.
 *
 *   imap-probe [-v] --port P [--host H] [--security tls|starttls|none]
 *       --user U --password-file F [--ca-file C] [--ca-dir D]
 *       [--timeout S] [--disable CAP]... COMMAND [ARGUMENTS]
 *
 * Commands (the folder is INBOX unless --folder says otherwise):
 *   capability      the capabilities that matter here, one a line
 *   select          "uidvalidity V uidnext N exists E"
 *   fetch [--after N] [--batch B] [--stop-after K]
 *                   "UID SIZE SHA256" for each new message
 *   seen UID        marks it \Seen
 *   move UID DEST   moves it to DEST
 *   idle [--seconds S] [--noop-before S]
 *                   prints "idling" once IDLE runs, then "new mail" as soon
 *                   as the server announces some, or after S seconds
 *                   "no new mail"; IDLE is started again after a wake-up
 *                   without news.  --noop-before waits, then sends NOOP,
 *                   before IDLE: news the NOOP brought must not be lost
 *   noop            "new mail" or "no new mail"
 *
 * -v traces the protocol on stderr.  Exit status: 0 success, 64 usage, 66
 * unreadable password file, 10 + enum imap_error for a failure (10
 * connection, 11 login, 12 TLS, 13 folder, 14 message, 15 protocol). */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"
#include "log.h"

#define EXIT_USAGE	64
#define EXIT_NOINPUT	66
#define EXIT_IMAP	10

/* What the command options set. */
struct probe {
	const char	*folder;
	gint64		 after;
	int		 batch;
	int		 stop_after;
	int		 seconds;
	int		 noop_before;
	int		 fetched;
};

static gboolean
probe_print(guint32 uid, GBytes *raw, gpointer data)
{
	struct probe *p = data;
	g_autofree char *sum = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256,
	    raw);

	printf("%u %zu %s\n", uid, g_bytes_get_size(raw), sum);
	p->fetched++;
	return p->stop_after == 0 || p->fetched < p->stop_after;
}

static gboolean
probe_capability(struct imap *imap)
{
	static const char *const caps[] = { "IDLE", "MOVE", "UIDPLUS",
	    "AUTH=PLAIN", "SASL-IR", "STARTTLS", "LOGINDISABLED", NULL };
	const char *const *c;

	for (c = caps; *c != NULL; c++)
		if (imap_has_capability(imap, *c))
			printf("%s\n", *c);
	return TRUE;
}

/* Waits on the socket as the daemon does, imap_pending() first. */
static gboolean
probe_idle(struct imap *imap, int seconds, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
	gboolean news = FALSE;
	struct pollfd pfd;
	gint64 left;
	int rc;

	if (!imap_idle_start(imap, error))
		return FALSE;
	printf("idling\n");
	fflush(stdout);
	for (;;) {
		if (!imap_pending(imap)) {
			left = (deadline - g_get_monotonic_time()) / 1000;
			if (left <= 0)
				break;
			pfd.fd = imap_idle_fd(imap);
			pfd.events = POLLIN;
			rc = poll(&pfd, 1, (int)left);
			if (rc == 0)
				break;
			if (rc == -1)
				continue;
		}
		if (!imap_idle_done(imap, &news, error))
			return FALSE;
		if (news)
			break;
		if (!imap_idle_start(imap, error))
			return FALSE;
	}
	if (!news && !imap_idle_done(imap, &news, error))
		return FALSE;
	printf("%s\n", news ? "new mail" : "no new mail");
	return TRUE;
}

static guint32
probe_uid(const char *s)
{
	guint64 v = 0;

	g_ascii_string_to_unsigned(s, 10, 1, G_MAXUINT32, &v, NULL);
	return (guint32)v;
}

static gboolean
probe_select(struct imap *imap, const char *folder, GError **error)
{
	guint32 validity, next, exists;

	if (!imap_select(imap, folder, &validity, &next, &exists, error))
		return FALSE;
	printf("uidvalidity %u uidnext %u exists %u\n", validity, next,
	    exists);
	return TRUE;
}

/* Whether argv holds a command and its arguments; checked before
 * connecting. */
static gboolean
probe_usable(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		 argc;
	} commands[] = {
		{ "capability", 1 }, { "select", 1 }, { "fetch", 1 },
		{ "seen", 2 }, { "move", 3 }, { "idle", 1 }, { "noop", 1 },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return argc == commands[i].argc;
	return FALSE;
}

static gboolean
probe_run(struct imap *imap, struct probe *p, char **argv, GError **error)
{
	const char *cmd = argv[0];
	gboolean news = FALSE;

	if (strcmp(cmd, "capability") == 0)
		return probe_capability(imap);
	if (strcmp(cmd, "select") == 0)
		return probe_select(imap, p->folder, error);
	if (!imap_select(imap, p->folder, NULL, NULL, NULL, error))
		return FALSE;
	if (strcmp(cmd, "fetch") == 0)
		return imap_fetch_new(imap, (guint32)p->after, p->batch,
		    probe_print, p, error);
	if (strcmp(cmd, "seen") == 0)
		return imap_mark_seen(imap, probe_uid(argv[1]), error);
	if (strcmp(cmd, "move") == 0)
		return imap_move(imap, probe_uid(argv[1]), argv[2], error);
	if (strcmp(cmd, "idle") == 0 && p->noop_before > 0) {
		g_usleep(p->noop_before * G_USEC_PER_SEC);
		if (!imap_noop(imap, NULL, error))
			return FALSE;
	}
	if (strcmp(cmd, "idle") == 0)
		return probe_idle(imap, p->seconds, error);
	if (!imap_noop(imap, &news, error))
		return FALSE;
	printf("%s\n", news ? "new mail" : "no new mail");
	return TRUE;
}

/* The first line of the file, as tidings reads a password-file. */
static char *
probe_password(const char *path)
{
	g_autoptr(GError) error = NULL;
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, &error)) {
		fprintf(stderr, "imap-probe: %s\n", error->message);
		exit(EXIT_NOINPUT);
	}
	text[strcspn(text, "\r\n")] = '\0';
	return text;
}

static enum imap_security
probe_security(const char *name)
{
	if (name == NULL || strcmp(name, "tls") == 0)
		return IMAP_SECURITY_TLS;
	if (strcmp(name, "starttls") == 0)
		return IMAP_SECURITY_STARTTLS;
	if (strcmp(name, "none") == 0)
		return IMAP_SECURITY_NONE;
	fprintf(stderr, "imap-probe: --security: tls, starttls or none\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = NULL, cctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Imap) imap = NULL;
	g_autofree char *host = NULL, *security = NULL, *user = NULL;
	g_autofree char *password_file = NULL, *ca_file = NULL;
	g_autofree char *ca_dir = NULL, *folder = NULL;
	g_auto(GStrv) disable = NULL;
	struct imap_account acct = { 0 };
	struct probe p = { 0 };
	gboolean verbose = FALSE;
	char *password;
	int port = 0, timeout = 10;
	const GOptionEntry options[] = {
		{ "host", 0, 0, G_OPTION_ARG_STRING, &host, "server", "H" },
		{ "port", 0, 0, G_OPTION_ARG_INT, &port, "port", "P" },
		{ "security", 0, 0, G_OPTION_ARG_STRING, &security,
		    "tls, starttls or none", "S" },
		{ "user", 0, 0, G_OPTION_ARG_STRING, &user, "login", "U" },
		{ "password-file", 0, 0, G_OPTION_ARG_FILENAME,
		    &password_file, "password in its first line", "F" },
		{ "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
		    "trusted certificates (PEM)", "F" },
		{ "ca-dir", 0, 0, G_OPTION_ARG_FILENAME, &ca_dir,
		    "directory of trusted certificates", "D" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
		    "seconds per network operation", "S" },
		{ "disable", 0, 0, G_OPTION_ARG_STRING_ARRAY, &disable,
		    "capability to ignore (repeatable)", "CAP" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		    "trace the protocol", NULL },
		G_OPTION_ENTRY_NULL,
	};
	const GOptionEntry command_options[] = {
		{ "folder", 0, 0, G_OPTION_ARG_STRING, &folder, "folder",
		    "F" },
		{ "after", 0, 0, G_OPTION_ARG_INT64, &p.after,
		    "fetch UIDs above this", "N" },
		{ "batch", 0, 0, G_OPTION_ARG_INT, &p.batch,
		    "messages per UID FETCH", "B" },
		{ "stop-after", 0, 0, G_OPTION_ARG_INT, &p.stop_after,
		    "stop fetching after K messages", "K" },
		{ "seconds", 0, 0, G_OPTION_ARG_INT, &p.seconds,
		    "how long to idle", "S" },
		{ "noop-before", 0, 0, G_OPTION_ARG_INT, &p.noop_before,
		    "wait, then NOOP, before idling", "S" },
		G_OPTION_ENTRY_NULL,
	};

	ctx = g_option_context_new("COMMAND [ARGUMENTS]");
	g_option_context_add_main_entries(ctx, options, NULL);
	g_option_context_set_strict_posix(ctx, TRUE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc < 2 ||
	    port <= 0 || user == NULL || password_file == NULL) {
		fprintf(stderr, "imap-probe: %s\n", error != NULL ?
		    error->message : "need --port, --user, --password-file"
		    " and a command");
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	cctx = g_option_context_new(NULL);
	g_option_context_add_main_entries(cctx, command_options, NULL);
	if (!g_option_context_parse(cctx, &argc, &argv, &error) ||
	    !probe_usable(argc, argv)) {
		fprintf(stderr, "imap-probe: %s\n", error != NULL ?
		    error->message : "unknown command, or wrong arguments");
		return EXIT_USAGE;
	}
	p.folder = folder != NULL ? folder : "INBOX";
	p.seconds = p.seconds > 0 ? p.seconds : 10;

	log_init("imap-probe", verbose ? 1 : 0);
	if (verbose)
		log_set_traces(TRACE_IMAP);
	password = probe_password(password_file);
	acct.host = host != NULL ? host : "127.0.0.1";
	acct.port = port;
	acct.security = probe_security(security);
	acct.user = user;
	acct.password = password;
	acct.ca_file = ca_file;
	acct.ca_dir = ca_dir;
	acct.timeout_seconds = timeout;
	acct.disable = (const char *const *)disable;
	imap = imap_connect(&acct, &error);
	explicit_bzero(password, strlen(password));
	g_free(password);
	if (imap != NULL)
		probe_run(imap, &p, argv, &error);
	if (error != NULL) {
		fprintf(stderr, "imap-probe: %s\n", error->message);
		return error->domain == IMAP_ERROR ? EXIT_IMAP + error->code :
		    1;
	}
	return 0;
}
