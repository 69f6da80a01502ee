/* Whether files changed since last asked, told by the kernel (inotify)
 * rather than found by looking at each file again.
 *
 * Each file is watched itself (what is written in it, its mode), and by
 * name in its directory, so that a file replaced (renamed over, deleted
 * and made anew, or made later) is seen and watched in turn; what is
 * written in the directory's other files wakes nothing up.
 * Where inotify is missing or a directory cannot be watched, watch_new()
 * or watch_add() fails and the caller goes back to looking itself. */
#ifndef TIDINGS_WATCH_H
#define TIDINGS_WATCH_H

#include <glib.h>

struct watch;

/* A watch of no file yet, or NULL (errno set) where the system has none. */
struct watch *watch_new(void);
/* Watches PATH: written, closed after writing, made, deleted, renamed to
 * or from.  FALSE (errno set) when its directory cannot be watched. */
gboolean watch_add(struct watch *w, const char *path);
/* Whether a watched file changed since the watch was made or last asked:
 * one read that does not block (two when there were events).  TRUE as
 * well when events were lost or the read failed, and always once a
 * watched directory is gone or moved, so that no change goes unseen. */
gboolean watch_changed(struct watch *w);
void watch_free(struct watch *w);

#endif
