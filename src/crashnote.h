/* Crash notes: what tidings was processing when it crashed, so that the
 * next attempt at that mail quarantines it instead of crashing again.
 *
 * A thread that processes a mail names it (its content hash) with
 * crashnote_working_on().  When the process dies of a fault (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGABRT: a bug, a stack exhausted, an assertion,
 * memory that ran out), a signal handler on its own stack appends
 * "HASH SIGNAL" to the notes file (crashnote_path()) with write(2) alone,
 * then lets the signal kill the process as before.  A signal sent from
 * outside (kill -SEGV) is delivered to the main thread, which stores mail
 * in every path, and names what it works on.  SIGKILL is no crash: the
 * mail of a killed process is tried again (ingest.c). */
#ifndef TIDINGS_CRASHNOTE_H
#define TIDINGS_CRASHNOTE_H

#include <glib.h>

/* The notes file of the database DB (a path, or a URI as shown, without
 * its password): beside an SQLite file, FILE-crashed; for a database on
 * a server, $XDG_STATE_HOME/tidings/crashed-DIGEST, DIGEST of the URI,
 * this machine's notes of that database.  Caller frees. */
char *crashnote_path(const char *db);
/* Reads the notes of the database DB (crashnote_path()) and installs the
 * handlers, once per process; later calls do nothing.  Notes that cannot
 * be read or written are logged, not fatal: mail is processed without
 * them. */
void crashnote_open(const char *db);
/* Gives the calling thread a stack of its own for the handler, so that a
 * stack overflow is noted too.  crashnote_open() does it for its thread;
 * threads that process mail call it when they start. */
void crashnote_thread_init(void);
/* HASH (copied; at most 64 characters) is what the calling thread works
 * on now; NULL: nothing. */
void crashnote_working_on(const char *hash);
/* The signal tidings died of the last time it processed the mail of
 * content hash HASH, or 0 when it did not. */
int crashnote_crashed(const char *hash);
/* Forgets the notes of HASH (the mail is quarantined now, or processed
 * once more on request).  The file is rewritten without them. */
void crashnote_forget(const char *hash);

#endif
