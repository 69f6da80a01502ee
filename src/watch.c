/* Changes of files told by the kernel; see watch.h. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "watch.h"

struct watch {
	int fd;
	/* The names watched in each directory: a set of names by the
	 * directory's watch descriptor (GINT_TO_POINTER), and its path. */
	GHashTable *dirs;
	GHashTable *dir_paths;
	/* The watch descriptors of the files themselves: their paths. */
	GHashTable *files;
	gboolean broken;	/* a directory gone or moved: every answer
				 * is "changed" from then on */
};

/* On a directory: its entries made, deleted or renamed, and the
 * directory itself gone.  Not what is written in its files, so that
 * another file written there (a log) wakes nothing up: each watched file
 * has a watch of its own for that. */
#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | \
	IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define FILE_EVENTS (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB)

#ifdef __linux__

struct watch *
watch_new(void)
{
	struct watch *w;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return NULL;
	w = g_new0(struct watch, 1);
	w->fd = fd;
	w->dirs = g_hash_table_new_full(NULL, NULL, NULL,
	    (GDestroyNotify)g_hash_table_destroy);
	w->dir_paths = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	w->files = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	return w;
}

/* Watches what is written in the file at PATH now, if there is one. */
static gboolean
file_add(struct watch *w, const char *path)
{
	int wd = inotify_add_watch(w->fd, path, FILE_EVENTS);

	if (wd < 0)
		return errno == ENOENT;	/* its making will be told */
	g_hash_table_replace(w->files, GINT_TO_POINTER(wd), g_strdup(path));
	return TRUE;
}

gboolean
watch_add(struct watch *w, const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *name = g_path_get_basename(path);
	GHashTable *names;
	int wd = inotify_add_watch(w->fd, dir, DIR_EVENTS);

	if (wd < 0)
		return FALSE;
	/* The same directory twice is the same descriptor. */
	if ((names = g_hash_table_lookup(w->dirs, GINT_TO_POINTER(wd))) ==
	    NULL) {
		names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    NULL);
		g_hash_table_insert(w->dirs, GINT_TO_POINTER(wd), names);
		g_hash_table_insert(w->dir_paths, GINT_TO_POINTER(wd),
		    g_steal_pointer(&dir));
	}
	g_hash_table_add(names, g_steal_pointer(&name));
	return file_add(w, path);
}

/* Watches each watched file that is there now, as it is now. */
static void
rewatch(struct watch *w)
{
	GHashTableIter di;
	gpointer wd, names;

	g_hash_table_iter_init(&di, w->dirs);
	while (g_hash_table_iter_next(&di, &wd, &names)) {
		const char *dir = g_hash_table_lookup(w->dir_paths, wd);
		GHashTableIter ni;
		gpointer name;

		g_hash_table_iter_init(&ni, names);
		while (g_hash_table_iter_next(&ni, &name, NULL)) {
			g_autofree char *path = g_build_filename(dir, name,
			    NULL);
			file_add(w, path);
		}
	}
}

/* Whether the events in BUF (LEN bytes) touch a watched file; a file
 * made anew (or renamed to its name) is watched from now on. */
static gboolean
events_touch(struct watch *w, const char *buf, gssize len)
{
	const struct inotify_event *ev;
	gboolean touched = FALSE;

	for (const char *p = buf; p < buf + len;
	    p += sizeof *ev + ev->len) {
		GHashTable *names;
		const char *dir;

		ev = (const struct inotify_event *)(const void *)p;
		/* Events lost: anything may have changed, and any file
		 * made anew is watched. */
		if (ev->mask & IN_Q_OVERFLOW) {
			rewatch(w);
			touched = TRUE;
			continue;
		}
		if (g_hash_table_lookup(w->files, GINT_TO_POINTER(ev->wd)) !=
		    NULL) {
			touched = TRUE;
			if (ev->mask & IN_IGNORED)	/* the file is gone */
				g_hash_table_remove(w->files,
				    GINT_TO_POINTER(ev->wd));
			continue;
		}
		names = g_hash_table_lookup(w->dirs, GINT_TO_POINTER(ev->wd));
		if (names == NULL || ev->len == 0 || (ev->mask & (IN_IGNORED |
		    IN_DELETE_SELF | IN_MOVE_SELF))) {
			w->broken = TRUE;
			touched = TRUE;
			continue;
		}
		if (!g_hash_table_contains(names, ev->name))
			continue;
		touched = TRUE;
		if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
			g_autofree char *path = NULL;

			dir = g_hash_table_lookup(w->dir_paths,
			    GINT_TO_POINTER(ev->wd));
			path = g_build_filename(dir, ev->name, NULL);
			file_add(w, path);
		}
	}
	return touched;
}

gboolean
watch_changed(struct watch *w)
{
	/* Aligned as struct inotify_event, room for many at a time. */
	char buf[4096] __attribute__((aligned(__alignof__(struct
	    inotify_event))));
	gboolean changed = FALSE;
	gssize n;

	/* Drained: each event is told once. */
	while ((n = read(w->fd, buf, sizeof buf)) > 0)
		if (events_touch(w, buf, n))
			changed = TRUE;
	if (n < 0 && errno != EAGAIN)
		changed = TRUE;
	return changed || w->broken;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	g_hash_table_destroy(w->dirs);
	g_hash_table_destroy(w->dir_paths);
	g_hash_table_destroy(w->files);
	g_free(w);
}

#else	/* no inotify: the caller looks itself */

struct watch *
watch_new(void)
{
	errno = ENOSYS;
	return NULL;
}

gboolean
watch_add(struct watch *w, const char *path)
{
	errno = ENOSYS;
	return FALSE;
}

gboolean
watch_changed(struct watch *w)
{
	return TRUE;
}

void
watch_free(struct watch *w)
{
}

#endif
