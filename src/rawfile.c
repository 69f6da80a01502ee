/* Raw mail in a file; see rawfile.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rawfile.h"

static void
rawfile_clear(gpointer data)
{
	struct rawfile *rf = data;

	if (rf->fd >= 0)
		close(rf->fd);
	g_free(rf->path);
}

struct rawfile *
rawfile_open(const char *path, GError **error)
{
	struct rawfile *rf;
	struct stat sb;
	int fd, saved;

	/* Not inherited: filters run programs while the file is open. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
		    "Failed to open file “%s”: %s", path, g_strerror(saved));
		return NULL;
	}
	if (fstat(fd, &sb) != 0)
		saved = errno;
	else
		saved = S_ISREG(sb.st_mode) ? 0 : EINVAL;
	if (saved != 0) {
		close(fd);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
		    "cannot read %s: %s", path, saved == EINVAL ?
		    "not a regular file" : g_strerror(saved));
		return NULL;
	}
	rf = g_atomic_rc_box_new0(struct rawfile);
	rf->fd = fd;
	rf->size = (gsize)sb.st_size;
	rf->path = g_strdup(path);
	return rf;
}

struct rawfile *
rawfile_ref(struct rawfile *rf)
{
	return g_atomic_rc_box_acquire(rf);
}

void
rawfile_unref(struct rawfile *rf)
{
	if (rf != NULL)
		g_atomic_rc_box_release_full(rf, rawfile_clear);
}

gboolean
rawfile_read(const struct rawfile *rf, gsize at, void *buf, gsize len,
    GError **error)
{
	gsize got = 0;
	ssize_t n;

	/* pread(): whoever else reads the file keeps its offset. */
	while (got < len) {
		n = pread(rf->fd, (char *)buf + got, len - got,
		    (off_t)(at + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			g_set_error(error, G_FILE_ERROR,
			    g_file_error_from_errno(saved), "cannot read %s: %s",
			    rf->path, g_strerror(saved));
			return FALSE;
		}
		if (n == 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
			    "cannot read %s: it shrank, it ends before byte %"
			    G_GSIZE_FORMAT " of its %" G_GSIZE_FORMAT, rf->path,
			    at + got + 1, rf->size);
			return FALSE;
		}
		got += (gsize)n;
	}
	return TRUE;
}

GBytes *
rawfile_bytes(const struct rawfile *rf, GError **error)
{
	char *data = g_malloc(rf->size + 1);

	if (!rawfile_read(rf, 0, data, rf->size, error)) {
		g_free(data);
		return NULL;
	}
	/* NUL-terminated past its end, as g_file_get_contents() does. */
	data[rf->size] = '\0';
	return g_bytes_new_take(data, rf->size);
}
