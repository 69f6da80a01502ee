/* exec: pipes each mail to a program named in the configuration
 * ([filters] exec).  Exit 0 goes on, 1 drops (its first line on stderr is
 * the reason), anything else, a signal or the timeout defers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "conf.h"
#include "filter.h"
#include "log.h"

#define EXEC_STDERR_MAX 4096
/* The mail is written to the program this much at a time. */
#define EXEC_PIECE 65536

struct child {
	pid_t pid;
	int in;			/* the program's stdin */
	int err;		/* its stderr */
};

static gboolean
start(const char *command, struct child *c)
{
	int in[2], err[2];

	if (pipe2(in, O_CLOEXEC) != 0)
		return FALSE;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return FALSE;
	}
	c->pid = fork();
	if (c->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(err[1], STDERR_FILENO);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(err[1]);
	if (c->pid < 0) {
		close(in[1]);
		close(err[0]);
		return FALSE;
	}
	c->in = in[1];
	c->err = err[0];
	fcntl(c->in, F_SETFL, O_NONBLOCK);
	fcntl(c->err, F_SETFL, O_NONBLOCK);
	return TRUE;
}

/*
 * Feeds MSG's raw mail to the program and collects its stderr until it exits or
 * DEADLINE (monotonic µs) passes.  A program that stops reading early
 * (it decided on the headers) is fine.  Returns FALSE on timeout.
 */
static gboolean
converse(struct child *c, const struct message *msg, GString *errtext,
    gint64 deadline)
{
	gsize off = 0, len = message_raw_size(msg);
	g_autofree char *piece = msg->raw == NULL ? g_malloc(EXEC_PIECE) :
	    NULL;

	while (c->err >= 0) {
		struct pollfd fds[2] = {
			{ .fd = c->err, .events = POLLIN },
			{ .fd = c->in, .events = POLLOUT },
		};
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		if (left <= 0)
			return FALSE;
		if (poll(fds, c->in >= 0 ? 2 : 1, (int)MIN(left, 1000)) < 0 &&
		    errno != EINTR)
			return FALSE;
		if (c->in >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			gsize want = MIN(len - off, EXEC_PIECE);
			g_autoptr(GError) err = NULL;
			const char *data = message_raw_at(msg, off, want, piece,
			    &err);
			ssize_t n = data != NULL ? write(c->in, data, want) : 0;
			/* A mail whose file fails to read ends there for the
			 * program; storing it fails later all the same. */
			if (data == NULL)
				log_warnx("exec filter: %s", err->message);
			if (n > 0)
				off += (gsize)n;
			if (data == NULL || (n < 0 && errno != EAGAIN) ||
			    off == len) {
				close(c->in);
				c->in = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[1024];
			ssize_t n = read(c->err, buf, sizeof buf);
			if (n > 0 && errtext->len < EXEC_STDERR_MAX)
				g_string_append_len(errtext, buf, n);
			else if (n == 0 || (n < 0 && errno != EAGAIN)) {
				close(c->err);
				c->err = -1;
			}
		}
	}
	return TRUE;
}

/* Waits for the program until DEADLINE; kills it past that. */
static gboolean
reap(struct child *c, int *status, gint64 deadline)
{
	for (;;) {
		pid_t r = waitpid(c->pid, status, WNOHANG);
		if (r == c->pid)
			return TRUE;
		if (r < 0 && errno != EINTR)
			return FALSE;
		if (g_get_monotonic_time() >= deadline) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, status, 0);
			return FALSE;
		}
		g_usleep(2000);
	}
}

static char *
first_line(GString *s)
{
	char *line = g_strndup(s->str, strcspn(s->str, "\r\n"));

	g_strstrip(line);
	return line;
}

static enum verdict
exec_run(struct message *msg, struct filter_ctx *ctx)
{
	const char *command = ctx->conf != NULL ?
	    conf_get(ctx->conf, "filters", "exec") : NULL;
	g_autoptr(GString) errtext = NULL;
	struct child c = { .in = -1, .err = -1 };
	gint64 timeout, deadline;
	gboolean finished;
	int status = 0;

	if (command == NULL)
		return FILTER_NEXT;
	timeout = conf_get_seconds(ctx->conf, "filters", "exec-timeout");
	deadline = g_get_monotonic_time() + timeout * G_USEC_PER_SEC;
	errtext = g_string_new(NULL);
	if (!start(command, &c)) {
		g_set_error(&ctx->error, G_IO_ERROR, G_IO_ERROR_FAILED,
		    "exec filter: cannot start: %s", g_strerror(errno));
		return FILTER_DEFER;
	}
	finished = converse(&c, msg, errtext, deadline);
	if (c.in >= 0)
		close(c.in);
	if (c.err >= 0)
		close(c.err);
	finished = reap(&c, &status, finished ? deadline : 0) && finished;
	if (!finished) {
		g_set_error(&ctx->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
		    "exec filter: '%s' did not finish within %" G_GINT64_FORMAT
		    " s; killed", command, timeout);
		return FILTER_DEFER;
	}
	g_autofree char *why = first_line(errtext);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return FILTER_NEXT;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		g_free(msg->reason);
		msg->reason = g_strdup_printf("dropped by the exec filter%s%s",
		    *why != '\0' ? ": " : "", why);
		return FILTER_DROP;
	}
	g_set_error(&ctx->error, G_IO_ERROR, G_IO_ERROR_FAILED,
	    "exec filter: '%s' %s %d%s%s", command,
	    WIFEXITED(status) ? "exited with" : "was killed by signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	    *why != '\0' ? ": " : "", why);
	return FILTER_DEFER;
}

const struct filter filter_exec = {
	.name = "exec",
	.run = exec_run,
	.at_commit = TRUE,
};
