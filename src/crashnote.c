/* Crash notes; see crashnote.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "crashnote.h"
#include "log.h"

#define HASH_MAX 64
/* The notes file is read whole at start: a file this large is not notes. */
#define NOTES_MAX (1024 * 1024)

static int notes_fd = -1;
static char *notes_path;
static GHashTable *crashed;	/* hash → GINT_TO_POINTER(signal) */
static GMutex notes_lock;	/* crashnote_forget() against itself */
static __thread char working_on[HASH_MAX + 1];

static const int fault_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
};

/* Appends "HASH SIGNAL\n" with write(2) only: this runs in a handler. */
static void
note_write(const char *hash, int sig)
{
	char line[HASH_MAX + 16];
	size_t n = 0, len = strnlen(hash, HASH_MAX);
	char digits[8];
	int d = 0;

	memcpy(line, hash, len);
	n = len;
	line[n++] = ' ';
	do {
		digits[d++] = (char)('0' + sig % 10);
		sig /= 10;
	} while (sig > 0 && d < (int)sizeof digits);
	while (d > 0)
		line[n++] = digits[--d];
	line[n++] = '\n';
	(void)!write(notes_fd, line, n);
}

static void
on_fault(int sig, siginfo_t *info, void *context)
{
	(void)info;
	(void)context;
	if (notes_fd >= 0 && working_on[0] != '\0')
		note_write(working_on, sig);
	/* SA_RESETHAND made the action the default again: the fault, or
	 * the signal raised again, ends the process as it would have. */
	raise(sig);
}

void
crashnote_thread_init(void)
{
	stack_t ss;

	memset(&ss, 0, sizeof ss);
	if (sigaltstack(NULL, &ss) == 0 && ss.ss_sp != NULL &&
	    !(ss.ss_flags & SS_DISABLE))
		return;		/* the thread has one already */
	ss.ss_size = MAX(SIGSTKSZ, 64 * 1024);
	/* Kept for the life of the thread; never freed. */
	ss.ss_sp = g_malloc(ss.ss_size);
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0)
		g_free(ss.ss_sp);
}

static void
notes_read(void)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len;

	if (!g_file_get_contents(notes_path, &text, &len, NULL) ||
	    len > NOTES_MAX)
		return;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		char *sp = strchr(*l, ' ');
		int sig;

		if (sp == NULL || sp - *l > HASH_MAX || sp == *l)
			continue;
		sig = atoi(sp + 1);
		if (sig <= 0)
			continue;
		g_hash_table_replace(crashed, g_strndup(*l, (gsize)(sp - *l)),
		    GINT_TO_POINTER(sig));
	}
}

/* $XDG_STATE_HOME, or its default ~/.local/state (GLib has
 * g_get_user_state_dir() only from 2.72). */
static char *
state_dir(void)
{
	const char *dir = g_getenv("XDG_STATE_HOME");

	if (dir != NULL && g_path_is_absolute(dir))
		return g_strdup(dir);
	return g_build_filename(g_get_home_dir(), ".local", "state", NULL);
}

char *
crashnote_path(const char *db)
{
	g_autofree char *dir = NULL, *sum = NULL, *name = NULL;

	if (strstr(db, "://") == NULL)
		return g_strconcat(db, "-crashed", NULL);
	/* A database on a server (PostgreSQL) has no directory of ours
	 * beside it; and the notes are this machine's, as the crashes were:
	 * they go to its state directory, one file per database, named by
	 * a digest of the URI (which keeps it a file name, and shows no
	 * user or host). */
	dir = state_dir();
	sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, db, -1);
	name = g_strdup_printf("crashed-%.16s", sum);
	return g_build_filename(dir, "tidings", name, NULL);
}

void
crashnote_open(const char *db)
{
	struct sigaction sa;

	if (notes_path != NULL || db == NULL)
		return;
	notes_path = crashnote_path(db);
	if (strstr(db, "://") != NULL) {
		g_autofree char *dir = g_path_get_dirname(notes_path);

		if (g_mkdir_with_parents(dir, 0700) != 0)
			log_warn("%s: cannot be made", dir);
	}
	crashed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	notes_read();
	if (g_hash_table_size(crashed) > 0)
		log_info("%s: tidings crashed on %u mail%s before; %s "
		    "quarantined when next seen", notes_path,
		    g_hash_table_size(crashed),
		    g_hash_table_size(crashed) == 1 ? "" : "s",
		    g_hash_table_size(crashed) == 1 ? "it is" : "they are");
	notes_fd = open(notes_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (notes_fd < 0) {
		log_warn("%s: crashes cannot be noted", notes_path);
		return;
	}
	crashnote_thread_init();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < G_N_ELEMENTS(fault_signals); i++)
		sigaction(fault_signals[i], &sa, NULL);
}

void
crashnote_working_on(const char *hash)
{
	if (hash == NULL) {
		working_on[0] = '\0';
		return;
	}
	g_strlcpy(working_on, hash, sizeof working_on);
}

int
crashnote_crashed(const char *hash)
{
	if (crashed == NULL || hash == NULL)
		return 0;
	return GPOINTER_TO_INT(g_hash_table_lookup(crashed, hash));
}

void
crashnote_forget(const char *hash)
{
	GHashTableIter it;
	gpointer key, value;
	GString *rest;

	if (crashed == NULL || !g_hash_table_contains(crashed, hash))
		return;
	g_mutex_lock(&notes_lock);
	g_hash_table_remove(crashed, hash);
	rest = g_string_new(NULL);
	g_hash_table_iter_init(&it, crashed);
	while (g_hash_table_iter_next(&it, &key, &value))
		g_string_append_printf(rest, "%s %d\n", (char *)key,
		    GPOINTER_TO_INT(value));
	/* A note another process appended since this one read the file is
	 * lost here: that mail is then tried once more, as after a kill. */
	if (notes_fd >= 0 && (ftruncate(notes_fd, 0) != 0 ||
	    write(notes_fd, rest->str, rest->len) != (ssize_t)rest->len))
		log_warn("%s: cannot rewrite the crash notes", notes_path);
	g_string_free(rest, TRUE);
	g_mutex_unlock(&notes_lock);
}
