/* Logging: to stderr, or to syslog once the daemon has detached.
 *
 * log_warn() appends strerror(errno); log_warnx() does not (as in fdm and
 * OpenSMTPD).  Trace output is enabled per subsystem with -v: one -v turns
 * on debug messages and the protocol traces (IMAP, SMTP), two or more every
 * trace bit.  Never pass a password or a message body above debug level. */
#ifndef TIDINGS_LOG_H
#define TIDINGS_LOG_H

#include <glib.h>

enum log_trace {
	TRACE_IMAP = 1 << 0,
	TRACE_SMTP = 1 << 1,
	TRACE_DB = 1 << 2,
	TRACE_SCHED = 1 << 3,
	TRACE_FILTER = 1 << 4,
};

void log_init(const char *progname, int verbosity);
void log_set_traces(unsigned mask);
void log_set_syslog(gboolean on);
/* Leaves out log_info() lines (warnings stay). */
void log_set_quiet(gboolean on);
int log_verbosity(void);
/* Lines for stderr are collected from log_hold() on and written at
 * log_release() with one write (pairs nest); syslog's go at once, each
 * its own message.  For a short stretch of busy work (one turn of the
 * HTTP server): a crash in between loses its lines. */
void log_hold(void);
void log_release(void);

void log_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_debug(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_trace(enum log_trace subsystem, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
G_NORETURN void fatalx(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
