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
	/* The names watched in each directory: char * by watch descriptor
	 * (GINT_TO_POINTER), a set of names each. */
	GHashTable *dirs;
};

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
	return w;
}

gboolean
watch_add(struct watch *w, const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *name = g_path_get_basename(path);
	GHashTable *names;
	int wd = inotify_add_watch(w->fd, dir, IN_MODIFY | IN_CLOSE_WRITE |
	    IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);

	if (wd < 0)
		return FALSE;
	/* The same directory twice is the same descriptor. */
	if ((names = g_hash_table_lookup(w->dirs, GINT_TO_POINTER(wd))) ==
	    NULL) {
		names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    NULL);
		g_hash_table_insert(w->dirs, GINT_TO_POINTER(wd), names);
	}
	g_hash_table_add(names, g_steal_pointer(&name));
	return TRUE;
}

/* Whether the events in BUF (LEN bytes) touch a watched file. */
static gboolean
events_touch(struct watch *w, const char *buf, gssize len)
{
	const struct inotify_event *ev;
	gboolean touched = FALSE;

	for (const char *p = buf; p < buf + len;
	    p += sizeof *ev + ev->len) {
		GHashTable *names;

		ev = (const struct inotify_event *)(const void *)p;
		/* Events lost, or a directory gone or moved (its watch
		 * then ends): anything may have changed. */
		if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF |
		    IN_MOVE_SELF))
			return TRUE;
		names = g_hash_table_lookup(w->dirs, GINT_TO_POINTER(ev->wd));
		if (names == NULL || ev->len == 0 ||
		    g_hash_table_contains(names, ev->name))
			touched = TRUE;
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
	return changed;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	g_hash_table_destroy(w->dirs);
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
