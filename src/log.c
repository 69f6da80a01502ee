/* Logging; see log.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char *log_progname = "tidings";
static int log_level;		/* number of -v given */
static gboolean log_to_syslog;
static unsigned log_traces;	/* enum log_trace bits */

void
log_init(const char *progname, int verbosity)
{
	log_progname = progname;
	log_level = verbosity;
	/* -v: what was said with the servers; -vv: everything. */
	log_traces = verbosity >= 2 ? ~0u :
	    verbosity == 1 ? TRACE_IMAP | TRACE_SMTP : 0;
}

void
log_set_traces(unsigned mask)
{
	log_traces = mask;
}

void
log_set_syslog(gboolean on)
{
	if (on && !log_to_syslog)
		openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
	else if (!on && log_to_syslog)
		closelog();
	log_to_syslog = on;
}

int
log_verbosity(void)
{
	return log_level;
}

/* Without -v, commands that tell their own story (the demo) hold back
 * the informational lines. */
static gboolean log_quiet;

/* Lines for stderr held between log_hold() and log_release(). */
static GString *log_held;
static int log_holds;

void
log_hold(void)
{
	if (log_holds++ == 0 && log_held == NULL)
		log_held = g_string_sized_new(1024);
}

void
log_release(void)
{
	const char *p;
	gsize left;

	if (log_holds == 0 || --log_holds > 0 || log_held == NULL)
		return;
	p = log_held->str;
	left = log_held->len;
	while (left > 0) {
		ssize_t n = write(STDERR_FILENO, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* nowhere to say it */
		p += n;
		left -= (gsize)n;
	}
	g_string_truncate(log_held, 0);
}

static void
log_vwrite(int priority, const char *errstr, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

static void
log_vwrite(int priority, const char *errstr, const char *fmt, va_list ap)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);

	if (log_to_syslog) {
		if (errstr != NULL)
			syslog(priority, "%s: %s", msg, errstr);
		else
			syslog(priority, "%s", msg);
		return;
	}
	if (log_holds > 0 && errstr != NULL)
		g_string_append_printf(log_held, "%s: %s: %s\n", log_progname,
		    msg, errstr);
	else if (log_holds > 0)
		g_string_append_printf(log_held, "%s: %s\n", log_progname,
		    msg);
	else if (errstr != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_progname, msg, errstr);
	else
		fprintf(stderr, "%s: %s\n", log_progname, msg);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_set_quiet(gboolean on)
{
	log_quiet = on;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
log_trace(enum log_trace subsystem, const char *fmt, ...)
{
	va_list ap;

	if ((log_traces & subsystem) == 0)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	while (log_holds > 0)
		log_release();
	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	abort();
}
